package compliance_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance"
)

// benchMessages are ~200-character messages mixing Chinese and English,
// as bilingual agents write them: mostly ordinary reminders, some
// violating.
var benchMessages = []struct {
	text, jurisdiction string
}{
	{"Hello Mr. Guo 郭先生，quick note from Meadowlark Lending: the $180 instalment (约1,300元) on your scooter loan falls due next Tuesday. 手头紧的话可以回复我们，we're able to push the date back a week at no charge. Reply STOP to opt out.", "US"},
	{"【安达小额贷款】郭女士您好，您的第7期还款1,120.50元将于11月3日自动扣款。Top up your linked card before then, or repay in our app. 提前还款免收违约金。如已处理请忽略。We are a debt collector.", "CN"},
	{"Ms. Ortiz 欧女士, following our chat this morning, 剩下的9,600元按8个月分期，每月1,200元，每月10号扣款。Nobody outside this conversation will be told about the account; 我们只和您本人联系。Write back if your hours change.", "US"},
	{"周经理您好，贵司三月份的服务费（单号SO-5580，38,200元）在我们系统里仍显示未结。Could be a hold-up in your approvals queue. 方便的话请帮忙看看付款进度。If any line item looks wrong, send it over and we will check it.", "CN"},
	{"Answer the phone or your manager and your mother hear all about it. 不还钱就去你公司门口拉横幅，让你同事全都知道你欠钱不还。We know which street you park on, too. 出了事别怪我们。Last chance before 6pm.", "US"},
	{"您好，温馨提示：您的账单最后还款日是18号，本期应还2,450元。If your income has dropped, ask about our reduced-payment option; 回复“分期”即可，我们会安排专人协助。You're also free to get independent advice first.", "CN"},
	{"Dear member 尊敬的会员, your May statement is out: minimum due $42.00 by 06/18. 知道很多人这个月开销大，if a few extra days would help, tell us and we'll sort it out. 祝您周末愉快！Text HELP for help or STOP to unsubscribe.", "US"},
	{"你这个窝囊废，借钱的时候怎么不躲？From today we'll ring you every thirty minutes, around the clock, until the money lands. 下周就让法院查封你的店铺，别想跑。And your paycheck gets garnished on Friday, no matter what.", "CN"},
}

// BenchmarkScreen screens ~200-character mixed Chinese/English messages
// with both packs loaded, on one goroutine. It reports throughput (MB/s),
// allocations, and the 99th percentile of the time per message.
func BenchmarkScreen(b *testing.B) {
	g := mustGate(b)
	<-g.Ready() // measure the DFAs, not the start-up NFAs
	total := 0
	for _, m := range benchMessages {
		total += len(m.text)
	}
	reqs := make([]compliance.Request, len(benchMessages))
	for i, m := range benchMessages {
		reqs[i] = compliance.Request{Text: m.text, Jurisdiction: m.jurisdiction, Channel: "sms"}
	}
	b.SetBytes(int64(total / len(reqs)))
	b.ReportAllocs()
	times := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := g.Check(reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		i++
	}
	if len(times) > 0 {
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns/op")
	}
}

// BenchmarkLoadPacks measures NewGate: parsing and compiling both packs
// into a usable gate (automata in NFA mode). It also reports, as
// dfa-ready-ms, how long until the DFAs have replaced them.
func BenchmarkLoadPacks(b *testing.B) {
	b.ReportAllocs()
	var ready time.Duration
	for b.Loop() {
		start := time.Now()
		g, err := compliance.NewGate()
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		<-g.Ready()
		ready += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "dfa-ready-ms")
}
