package builtin_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
	"github.com/parley-dev/parley/eval"
)

// The sentences below are written for these tests from LABELS.md; none comes from
// an evaluation set. A throwaway check (any 12-character window of an evaluation
// text found in this package) was run over them before they were committed.

func mustAnalyzer(tb testing.TB) *builtin.Analyzer {
	tb.Helper()
	a, err := builtin.NewAnalyzer()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// ref is Wednesday 2025-03-12 10:00 in Shanghai.
var ref = time.Date(2025, 3, 12, 10, 0, 0, 0, mustZone("Asia/Shanghai"))

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func analyze(tb testing.TB, a *builtin.Analyzer, text string) *assistant.Analysis {
	tb.Helper()
	an, err := a.Analyze(context.Background(), assistant.AnalyzeRequest{Text: text, Reference: ref, Timezone: "Asia/Shanghai"})
	if err != nil {
		tb.Fatalf("Analyze(%q): %v", text, err)
	}
	return an
}

func intentNames(an *assistant.Analysis) []string {
	var out []string
	for _, i := range an.Intents {
		out = append(out, i.Name)
	}
	sort.Strings(out)
	return out
}

func TestLanguage(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct{ text, want string }{
		{"周四我把两千转到你们账户", "zh"},
		{"這個月底前我會全部還掉，別擔心", "zh"}, // traditional
		{"唔该晒，我出糧之後即刻還畀你", "zh"},  // Cantonese
		{"APP上显示已扣款，OK的", "zh"},   // loanwords do not make it mixed
		{"The transfer will go out on Thursday.", "en"},
		{"薪水 delay 了，这个 weekend 先 pay 一半", "mixed"},
		{"sorry 呀，今日好 busy", "mixed"},
		{"8841 2290", "en"},
	}
	for _, tt := range tests {
		if got := analyze(t, a, tt.text).Language; got != tt.want {
			t.Errorf("%q: language %s, want %s", tt.text, got, tt.want)
		}
	}
	an, err := a.Analyze(context.Background(), assistant.AnalyzeRequest{Text: "hello", Language: "zh", Reference: ref})
	if err != nil || an.Language != "zh" {
		t.Errorf("an explicit language must be kept: %v %v", an, err)
	}
}

func TestSentiment(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct{ text, want string }{
		{"That's a huge weight off, thank you both!", "positive"},
		{"多谢你们体谅，周五之前我会处理好", "positive"},
		{"I'm really not pleased with the way this went, it's upsetting.", "negative"},
		{"你们这样处理我非常失望", "negative"},
		{"我不是不满意，只是想再确认一下", "neutral"}, // double negation cancels the complaint
		{"Oh great, a fourth reminder this week.", "negative"},
		{"呵呵，你们真行", "negative"},
		{"I'm so anxious about this I can't eat", "negative"},
		{"有完没完啊？？", "negative"},
		{"QUIT CALLING ME!!! 😡", "negative"},
		{"嗯嗯好的，已收到 😊", "positive"},
		{"The $180 goes out on the 20th.", "neutral"},
		{"此事由我的律师跟进。", "neutral"},
		{"No worries, it'll be sorted by tonight 🙏", "positive"},
		{"Thanks for the wonderful service of tripling my bill.", "negative"}, // sarcasm cancels the thanks
		// courtesy without hostility: businesslike, not angry
		{"Apologies for the wait, I'll have the $90 to you on the 3rd.", "neutral"},
		{"Kindly cease all contact with me about this account.", "neutral"},
		{"no thank you", "neutral"},
	}
	for _, tt := range tests {
		an := analyze(t, a, tt.text)
		if an.Sentiment.Label != tt.want {
			t.Errorf("%q: sentiment %s (%.2f), want %s", tt.text, an.Sentiment.Label, an.Sentiment.Score, tt.want)
		}
		if an.Sentiment.Score < -1 || an.Sentiment.Score > 1 {
			t.Errorf("%q: score %v outside [-1, 1]", tt.text, an.Sentiment.Score)
		}
	}
}

func TestSegment(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		text string
		want assistant.Segment
	}{
		// willing: commits, asks how to pay, proposes a plan, even in hardship
		{"I'll wire $250 on Tuesday and the remainder once my bonus lands.", assistant.SegmentWilling},
		{"My hours were cut in half, but could we try $75 a month?", assistant.SegmentWilling},
		{"Which account number do I use for a bank transfer? Want this done today.", assistant.SegmentWilling},
		{"这个月周转不开，能不能分六期？首期下周转", assistant.SegmentWilling},
		{"已經匯款了，麻煩查收", assistant.SegmentWilling},
		// wait_and_see: vague, no plan, not hostile
		{"I'll go over my budget and let you know at some stage.", assistant.SegmentWaitAndSee},
		{"嗯，收到，过阵子再说", assistant.SegmentWaitAndSee},
		{"No idea when I'll have it, money is tight lately.", assistant.SegmentWaitAndSee},
		{"最近手头紧，等我有钱了再看", assistant.SegmentWaitAndSee},
		// resistant: hostile, disputes, demands to be left alone
		{"Quit harassing me. The FTC will get a letter about you.", assistant.SegmentResistant},
		{"服务费？我压根没答应过，乱收费！", assistant.SegmentResistant},
		{"再打电话我就去消协投诉", assistant.SegmentResistant},
		{"I owe you nothing, that account was never mine.", assistant.SegmentResistant},
		{"I won't pay the late fees, they were meant to be dropped.", assistant.SegmentResistant}, // refusing a fee is a dispute
		// high_risk: deliberate default or evasion
		{"You're never seeing a cent from me, so quit wasting your breath.", assistant.SegmentHighRisk},
		{"车子上个月过户给我表哥了，随便你们告", assistant.SegmentHighRisk},
		{"Getting a new number and moving abroad next month, so this is goodbye.", assistant.SegmentHighRisk},
		{"反正我是不会还的，你们爱怎样就怎样", assistant.SegmentHighRisk},
		{"Handed the cash to one of your collectors, no receipt, no clue who he was.", assistant.SegmentHighRisk},
		// a curt no pushes back without saying never
		{"nah mate", assistant.SegmentResistant},
		{"not interested", assistant.SegmentResistant},
		{"nope, I'll send 50 on Friday", assistant.SegmentWilling},
		// a wish to pay contradicted by an inability is not willingness
		{"We'd like to settle it but we cannot at the moment.", assistant.SegmentWaitAndSee},
		// a third party telling where the debtor went informs; it is not evasion
		{"I'm his flatmate, he moved abroad last year and doesn't use this phone.", assistant.SegmentWaitAndSee},
	}
	for _, tt := range tests {
		an := analyze(t, a, tt.text)
		if an.Willingness.Segment != tt.want {
			t.Errorf("%q: segment %s, want %s (intents %v)", tt.text, an.Willingness.Segment, tt.want, intentNames(an))
		}
		if s := an.Willingness.Score; s < 0 || s > 1 {
			t.Errorf("%q: willingness score %v outside [0, 1]", tt.text, s)
		}
	}
}

func TestIntents(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		text string
		want string // comma-separated, sorted
	}{
		{"The full balance goes out to you Monday.", "promise_to_pay"},
		{"我下周三之前一定把五千还上", "promise_to_pay"},
		{"Sent the $75 this morning, confirmation code 55123.", "payment_made"},
		{"昨晚已经用微信转了", "payment_made"},
		{"I got let go in January and I'm behind on rent.", "hardship"},
		{"家里老人住院了，手头很紧", "hardship"},
		{"Could I set up an installment plan?", "plan_request"},
		{"能不能宽限两周？", "plan_request"},
		{"可唔可以分十期俾？", "plan_request"},
		{"下礼拜三 wire 650 给你们 ok?", "promise_to_pay"},
		{"前天已经用支付宝付了一千二", "payment_made"},
		{"唔该以后唔好再寄信去我公司", "cease_contact"},
		{"我已经请咗律师，有嘢问佢", "cease_contact,represented"},
		{"That processing charge is bogus, I never agreed to it.", "dispute"},
		{"那笔账压根跟我没关系，弄错了吧", "dispute"},
		{"Don't text me on this phone anymore.", "cease_contact"},
		{"以后不要再打这个电话了", "cease_contact"},
		{"A complaint about your staff goes to the regulator today.", "complaint"},
		{"我要去金融监管局投诉你们", "complaint"},
		{"Could you ring me back after 5pm?", "callback_request"},
		{"现在不方便，下午三点以后再打给我吧", "callback_request"},
		{"Sorry, you dialled a wrong number, no Jake lives here.", "wrong_party"},
		{"你打错了，我不是李明", "wrong_party"},
		{"A solicitor is dealing with this now.", "represented"},
		{"我已经委托律师处理了", "represented"},
		{"Please deal with my attorney from now on.", "cease_contact,represented"}, // sending contact to a lawyer
		{"You're a pack of leeches.", "abusive"},
		{"你们这群王八蛋", "abusive"},
		{"What's the total I still owe?", "question"},
		{"现在还欠多少钱？", "question"},
		{"我不会不还的，下个月发了工资就还", "promise_to_pay"}, // double negation keeps the promise
		{"I won't be able to pay this month.", "hardship"},
		{"Maybe Friday I'll send a bit, can't promise.", ""},
		{"I'll pay eventually.", ""},                           // a vague time is no commitment
		{"Stop calling my boss about this.", "cease_contact"},  // a stop governs the complaint's contact verb
		{"I mean to pay but I can't give you a date yet.", ""}, // withholding a date is no promise, nor hardship
		{"Kindly cease all correspondence with me.", "cease_contact"},
		{"My solicitor handles this now, contact him.", "cease_contact,represented"},
		{"Can I pay with a card?", "question"},
		{"我明天就去把钱转了", "promise_to_pay"}, // 了 with a time ahead is a promise
		{"WhatsApp 我就得，唔好打电话", "callback_request,cease_contact"},
		{"不要再给我发短信", "cease_contact"}, // a stop governs the channel after it
		{"Can you knock the interest down if I clear it in one go?", "plan_request"},
	}
	for _, tt := range tests {
		an := analyze(t, a, tt.text)
		if got := strings.Join(intentNames(an), ","); got != tt.want {
			t.Errorf("%q: intents %q, want %q", tt.text, got, tt.want)
		}
		for _, i := range an.Intents {
			if i.Confidence < 0.5 || i.Confidence > 1 {
				t.Errorf("%q: %s confidence %v outside [0.5, 1]", tt.text, i.Name, i.Confidence)
			}
		}
	}
}

func TestAmounts(t *testing.T) {
	a := mustAnalyzer(t)
	tests := []struct {
		text string
		want string // comma-separated, in order
	}{
		{"我先还¥4,500", "4500.00"},
		{"我先还六千，剩下的月底", "6000.00"},
		{"I can do 3k now", "3000.00"},
		{"I'll send $2,340.75 tomorrow", "2340.75"},
		{"先还2千块吧", "2000.00"},
		{"还剩三万", "30000.00"},
		{"还有2.5万没还", "25000.00"},
		{"I can pay 120/month", "120.00"},
		{"maybe 40 a month", "40.00"},
		{"三万六分四期", "36000.00"},
		{"已经转了RM 2,150", "2150.00"},
		{"新台幣8,800元", "8800.00"},
		{"ring me at 6pm on 5/22, ticket #77019", ""},
		{"20号前还九千", "9000.00"},
		{"There are 3 of us on one income and we owe $5,200", "5200.00"},
	}
	for _, tt := range tests {
		an := analyze(t, a, tt.text)
		if got := strings.Join(an.Entities.Amounts, ","); got != tt.want {
			t.Errorf("%q: amounts %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	a := mustAnalyzer(t)
	// ref: Wednesday 2025-03-12, Asia/Shanghai.
	tests := []struct {
		text string
		want string
	}{
		{"下周四还", "2025-03-20"},
		{"周六还", "2025-03-15"},
		{"这周日还", "2025-03-16"},
		{"8号前还", "2025-04-08"}, // the 8th has passed this month
		{"18號前還", "2025-03-18"},
		{"月底结清", "2025-03-31"},
		{"下个月20号还", "2025-04-20"},
		{"下个月底", "2025-04-30"},
		{"明天转，后天也可以", "2025-03-13,2025-03-14"},
		{"3月25日转", "2025-03-25"},
		{"I'll transfer it next Monday", "2025-03-17"},
		{"I'll send it on Thursday", "2025-03-13"},
		{"no later than the 28th", "2025-03-28"},
		{"by the end of the month", "2025-03-31"},
		{"end of next week", "2025-03-21"},
		{"from Nov 3rd", "2025-11-03"},
		{"tomorrow or the day after tomorrow", "2025-03-13,2025-03-14"},
		{"valid until 12/15", "2025-12-15"},
		{"in 4 days", "2025-03-16"},
		{"sent on 2025-02-27", "2025-02-27"},
		{"ring me after 8pm", ""},
	}
	for _, tt := range tests {
		an := analyze(t, a, tt.text)
		if got := strings.Join(an.Entities.Dates, ","); got != tt.want {
			t.Errorf("%q: dates %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestDatesUseTheDebtorsZone(t *testing.T) {
	a := mustAnalyzer(t)
	// 23:30 on the 12th in UTC is already the 13th in Shanghai.
	r := time.Date(2025, 3, 12, 23, 30, 0, 0, time.UTC)
	for zone, want := range map[string]string{"UTC": "2025-03-13", "Asia/Shanghai": "2025-03-14", "": "2025-03-13"} {
		an, err := a.Analyze(context.Background(), assistant.AnalyzeRequest{Text: "明天还", Reference: r, Timezone: zone})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(an.Entities.Dates, ","); got != want {
			t.Errorf("zone %q: %s, want %s", zone, got, want)
		}
	}
}

func TestPromiseEntity(t *testing.T) {
	a := mustAnalyzer(t)
	an := analyze(t, a, "我下周四先还四千")
	p := an.Entities.Promise
	if p == nil {
		t.Fatalf("no promise in %+v", an)
	}
	if p.Amount != "4000.00" || p.Date.Format(time.DateOnly) != "2025-03-20" || p.Date.Location().String() != "Asia/Shanghai" {
		t.Errorf("promise = %+v", p)
	}
	if an := analyze(t, a, "Already sent $260 on the 2nd"); an.Entities.Promise != nil {
		t.Errorf("a payment already made is not a promise: %+v", an.Entities.Promise)
	}
}

func TestAnalyzeContract(t *testing.T) {
	a := mustAnalyzer(t)
	an := analyze(t, a, "等发了工资我就还,能不能分四期?")
	if an.Engine != "builtin" {
		t.Errorf("engine %q", an.Engine)
	}
	if an.Intents == nil || an.Entities.Amounts == nil || an.Entities.Dates == nil {
		t.Errorf("intents, amounts and dates must be lists, not null: %+v", an)
	}
	if got := strings.Join(intentNames(an), ","); got != "plan_request,promise_to_pay" {
		t.Errorf("intents %s", got)
	}
	for _, bad := range []assistant.AnalyzeRequest{{Text: "  "}, {Text: "hi", Timezone: "Mars/Olympus"}} {
		if _, err := a.Analyze(context.Background(), bad); assistant.ErrorCode(err) != assistant.EINVALID {
			t.Errorf("%+v: error %v, want %s", bad, err, assistant.EINVALID)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.Analyze(ctx, assistant.AnalyzeRequest{Text: "hi"}); err == nil {
		t.Error("a cancelled context must fail")
	}
}

func TestDeterministicAndConcurrent(t *testing.T) {
	a := mustAnalyzer(t)
	texts := []string{"我下周四先还四千", "Quit ringing me!!!", "這筆帳是套路貸吧？", "I'll pay $65 a month from Nov 3rd"}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = fingerprint(analyze(t, a, s))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, s := range texts {
				if got := fingerprint(analyze(t, a, s)); got != want[i] {
					t.Errorf("%q: %s, want %s", s, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func fingerprint(an *assistant.Analysis) string {
	return strings.Join([]string{an.Language, an.Sentiment.Label, string(an.Willingness.Segment),
		strings.Join(intentNames(an), ","), strings.Join(an.Entities.Amounts, ","), strings.Join(an.Entities.Dates, ",")}, "|")
}

// TestTrainSet runs testdata/train.jsonl: messages written for this package from
// LABELS.md (none taken from an evaluation set), which the lexicons and rules may be
// tuned on. Its floor guards against regressions; its misses are logged.
func TestTrainSet(t *testing.T) {
	rep := runSet(t, "testdata/train.jsonl")
	for _, m := range rep.Misses {
		t.Logf("miss %s: seg %v sent %v missing %v extra %v | %s", m.ID, m.Segment, m.Sentiment, m.Missing, m.Extra, m.Text)
	}
	if err := eval.Check(append(rep.Thresholds(0.90), eval.Threshold{Name: "language_accuracy", Value: rep.Overall.LanguageAccuracy, Min: 0.95})...); err != nil {
		t.Error(err)
	}
}

// TestHoldoutSet runs testdata/holdout.jsonl: messages written from LABELS.md before
// the rules were last reworked and never used to tune them. Only its figures are
// logged, never its misses: reading them would turn it into a second training set.
// The floor catches breakage, not small regressions.
func TestHoldoutSet(t *testing.T) {
	rep := runSet(t, "testdata/holdout.jsonl")
	if err := eval.Check(rep.Thresholds(0.70)...); err != nil {
		t.Error(err)
	}
}

func runSet(t *testing.T, path string) eval.AnalysisReport {
	t.Helper()
	examples, err := eval.LoadAnalysisJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunAnalysis(context.Background(), mustAnalyzer(t), examples)
	o := rep.Overall
	t.Logf("%s: n %d, segment accuracy %.3f, sentiment macro-F1 %.3f, intent micro-F1 %.3f, language %.3f",
		path, o.N, o.SegmentAccuracy, o.SentimentMacroF1, o.IntentMicroF1, o.LanguageAccuracy)
	if rep.Errors > 0 {
		t.Errorf("%d Analyze calls failed", rep.Errors)
	}
	return rep
}

// TestFreshSets runs testdata/fresh_*.jsonl: batches written from LABELS.md to
// measure how the analyser generalises before any tuning on them. It logs figures
// and misses only; a batch is merged into train.jsonl once it has been measured.
func TestFreshSets(t *testing.T) {
	paths, _ := filepath.Glob("testdata/fresh_*.jsonl")
	for _, p := range paths {
		rep := runSet(t, p)
		for _, m := range rep.Misses {
			t.Logf("miss %s: seg %v sent %v missing %v extra %v | %s", m.ID, m.Segment, m.Sentiment, m.Missing, m.Extra, m.Text)
		}
	}
}
