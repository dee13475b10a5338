package builtin_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
)

// benchText is about 200 characters of mixed Chinese and English with amounts and dates.
const benchText = "您好，抱歉这阵子店里生意清淡，几个老客户的货款都还压着没结。" +
	"我打算先付¥2,800，余下的一万八可否拆成四期？首期下周四前汇出，之后每月12号前付。" +
	"I do want this wrapped up, so text me or ring after 8pm please. Much obliged 🙏 " +
	"月中再补三百。"

func BenchmarkAnalyze(b *testing.B) {
	a := mustAnalyzer(b)
	req := assistant.AnalyzeRequest{Text: benchText, Reference: ref, Timezone: "Asia/Shanghai"}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		if _, err := a.Analyze(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLexiconMemory measures the heap the compiled lexicons keep alive and fails
// above 50 MB.
func TestLexiconMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := builtin.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	mb := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
	t.Logf("resident lexicon memory: %.2f MB (%d runes of benchmark text)", mb, len([]rune(benchText)))
	if mb > 50 {
		t.Errorf("lexicons keep %.1f MB, above 50 MB", mb)
	}
	runtime.KeepAlive(a)
}
