package retrieval_test

import (
	"context"
	"math"
	"testing"

	"github.com/parley-dev/parley/retrieval"
)

func embed1(t testing.TB, e *retrieval.HashEmbedder, text string) []float32 {
	t.Helper()
	vs, err := e.Embed(context.Background(), []string{text})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

func TestHashEmbedderRanksSimilarTextsHigher(t *testing.T) {
	e := retrieval.NewHashEmbedder(0)
	tests := []struct {
		name                      string
		query, similar, unrelated string
	}{
		{"zh promise", "下个月发工资我就还钱", "我下个月发了工资就还", "请不要再给我打电话了"},
		{"zh plan", "能不能分三期还款?", "我想分期还款,分三期可以吗", "我已经在昨天转账付清了"},
		{"zh dispute", "这笔钱不是我欠的,我要投诉", "我没有欠这笔钱,我会投诉你们", "下周一我会打款五百元"},
		{"en promise", "I will pay when I get my salary next month", "I'll pay after my salary comes in next month", "Stop calling me, talk to my lawyer"},
		{"en plan", "Can I split the balance into three payments?", "Could we set up a payment plan with three installments?", "This is not my debt, you have the wrong person"},
		{"en inflection", "payment received yesterday", "I paid yesterday, did you receive it", "who are you and why do you have my number"},
		{"full-width", "ＰＡＹＭＥＮＴ　ＰＬＡＮ", "payment plan please", "wrong number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := embed1(t, e, tt.query)
			sim := retrieval.Cosine(q, embed1(t, e, tt.similar))
			unrel := retrieval.Cosine(q, embed1(t, e, tt.unrelated))
			if sim <= unrel {
				t.Fatalf("cos(similar)=%.3f <= cos(unrelated)=%.3f", sim, unrel)
			}
			t.Logf("similar %.3f, unrelated %.3f", sim, unrel)
		})
	}
}

func TestHashEmbedderVectorsAreUnitLength(t *testing.T) {
	for _, dim := range []int{8, 64, 384, 1536} {
		e := retrieval.NewHashEmbedder(dim)
		texts := []string{"a", "Hello, world!", "还款", "我想分期还款", "mixed 中英文 text 123", "ok 👍"}
		vs, err := e.Embed(context.Background(), texts)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			if len(v) != dim {
				t.Fatalf("dim %d: vector %d has %d components", dim, i, len(v))
			}
			var n float64
			for _, x := range v {
				n += float64(x) * float64(x)
			}
			if math.Abs(math.Sqrt(n)-1) > 1e-5 {
				t.Errorf("dim %d: |embed(%q)| = %.6f, want 1", dim, texts[i], math.Sqrt(n))
			}
		}
	}
}

func TestHashEmbedderEmptyTextIsZeroVector(t *testing.T) {
	e := retrieval.NewHashEmbedder(16)
	for _, text := range []string{"", "   ", "?!,。!…", "\u200b"} {
		v := embed1(t, e, text)
		if len(v) != 16 {
			t.Fatalf("embed(%q) has %d components, want 16", text, len(v))
		}
		for _, x := range v {
			if x != 0 || math.IsNaN(float64(x)) {
				t.Fatalf("embed(%q) = %v, want the zero vector", text, v)
			}
		}
		if c := retrieval.Cosine(v, embed1(t, e, "hello")); c != 0 {
			t.Fatalf("cosine with the zero vector = %v, want 0", c)
		}
	}
}

func TestHashEmbedderIsDeterministic(t *testing.T) {
	a := retrieval.NewHashEmbedder(384)
	b := retrieval.NewHashEmbedder(384)
	text := "我下周五还五百块 I'll pay $500 on Friday"
	va, vb := embed1(t, a, text), embed1(t, b, text)
	for i := range va {
		if va[i] != vb[i] {
			t.Fatalf("component %d differs: %v vs %v", i, va[i], vb[i])
		}
	}
	if got := a.EmbedText(text); retrieval.Cosine(got, va) < 0.99999 {
		t.Fatal("EmbedText and Embed disagree")
	}
	// Pinned values: the vector space is named builtin-hash-v1, and stored embeddings
	// stay valid only while it does not change. A change here needs a new name.
	v := embed1(t, retrieval.NewHashEmbedder(8), "还款 pay")
	want := []float32{-0.3598561, 0.41983208, 0.20991604, -0.4498201, 0.5997601, -0.20991604, 0, -0.20991604}
	for i := range want {
		if math.Abs(float64(v[i]-want[i])) > 1e-6 {
			t.Fatalf("builtin-hash-v1 changed: got %v, want %v", v, want)
		}
	}
	if a.Name() != "builtin-hash-v1" || a.Dimension() != 384 || retrieval.NewHashEmbedder(0).Dimension() != 384 {
		t.Fatalf("name %q dim %d", a.Name(), a.Dimension())
	}
}

func TestHashEmbedderHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := retrieval.NewHashEmbedder(8).Embed(ctx, []string{"x"}); err == nil {
		t.Fatal("Embed with a cancelled context succeeded")
	}
}

func BenchmarkHashEmbedder(b *testing.B) {
	e := retrieval.NewHashEmbedder(384)
	texts := []string{
		"下个月发工资我就还,能不能分三期?最近手头确实比较紧张,希望你们理解。",
		"I lost my job last month. Can we set up a payment plan? I can pay $200 on the 15th.",
		"别再打电话骚扰我的家人了,我会投诉到银保监会。",
		"Please send me proof of this debt; I don't recognise the creditor.",
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/text")
}
