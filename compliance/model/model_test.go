package model

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/parley-dev/parley/compliance/normalize"
)

// toyExamples are a small, separable problem: the model must learn it.
func toyExamples() []Example {
	var out []Example
	for i := range 30 {
		out = append(out,
			Example{Text: fmt.Sprintf("we will hurt you badly, number %d", i), Class: "threat_violence"},
			Example{Text: fmt.Sprintf("你这个废物，第%d次了", i), Class: "insult_profanity"},
			Example{Text: fmt.Sprintf("thank you for your payment of $%d", i), Class: Allow},
			Example{Text: fmt.Sprintf("您好，本期账单%d元已出，请按时还款", i), Class: Allow},
		)
	}
	return out
}

func TestTrainLearnsAndIsDeterministic(t *testing.T) {
	opt := DefaultTrainOptions
	opt.Buckets = 1 << 12
	cats := []string{"threat_violence", "insult_profanity"}
	m1, rep, err := Train(toyExamples(), cats, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CVRecall < 0.9 || rep.CVFalseBlock > 0.05 {
		t.Errorf("cross-validated recall %.2f, false blocks %.2f on a separable toy set", rep.CVRecall, rep.CVFalseBlock)
	}
	var s Scratch
	tests := []struct {
		text, want string // want "" = allow
	}{
		{"we will hurt you tonight", "threat_violence"},
		{"你就是个废物", "insult_profanity"},
		{"thank you for your payment", ""},
		{"您好，请按时还款", ""},
	}
	for _, tt := range tests {
		probs := m1.ScoreText(&s, tt.text, false, nil)
		block, cat := m1.Blocks(probs), ""
		if block {
			cat = m1.Classes[1+argmax(probs[1:])]
		}
		if (tt.want != "") != block || cat != tt.want {
			t.Errorf("%q: block=%v category %q (P(allow) %.2f), want %q", tt.text, block, cat, probs[0], tt.want)
		}
	}
	m2, _, err := Train(toyExamples(), cats, opt)
	if err != nil {
		t.Fatal(err)
	}
	var b1, b2 bytes.Buffer
	if err := m1.Encode(&b1); err != nil {
		t.Fatal(err)
	}
	if err := m2.Encode(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Error("two trainings on the same data differ")
	}
	back, err := Decode(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	p1 := m1.ScoreText(&s, "we will hurt you", false, nil)
	p2 := back.ScoreText(&s, "we will hurt you", false, nil)
	if !slices.Equal(p1, p2) {
		t.Errorf("decoded model scores %v, original %v", p2, p1)
	}
}

func TestTrainRejects(t *testing.T) {
	opt := DefaultTrainOptions
	opt.Buckets = 1 << 10
	if _, _, err := Train([]Example{{Text: "x", Class: "nonsense"}}, []string{"threat_violence"}, opt); err == nil {
		t.Error("an unknown class was accepted")
	}
	if _, _, err := Train([]Example{{Text: "x", Class: Allow}}, []string{"threat_violence"}, opt); err == nil {
		t.Error("a set without blocks was accepted")
	}
}

func TestDecodeRejectsDamagedFiles(t *testing.T) {
	var good bytes.Buffer
	opt := DefaultTrainOptions
	opt.Buckets = 1 << 8
	m, _, err := Train(toyExamples(), []string{"threat_violence", "insult_profanity"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Encode(&good); err != nil {
		t.Fatal(err)
	}
	data := good.Bytes()
	for name, bad := range map[string][]byte{
		"empty":       nil,
		"wrong magic": append([]byte("XXXX"), data[4:]...),
		"truncated":   data[:len(data)-1],
		"header only": data[:12],
	} {
		if _, err := Decode(bytes.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDefaultModelLoadsAndScoresWithoutAllocating(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Classes[0] != Allow || len(m.Classes) != 9 {
		t.Fatalf("classes %v", m.Classes)
	}
	if m.Threshold < 0.5 || m.Threshold >= 1 {
		t.Errorf("threshold %v outside [0.5, 1)", m.Threshold)
	}
	var f normalize.Folder
	f.Fold("Hello Ms. Chen, your instalment of $120 is due on Friday. 如有困难请联系我们。")
	var s Scratch
	probs := make([]float32, 0, 16)
	m.Score(&s, f.Runes, false, probs) // warm the scratch
	allocs := testing.AllocsPerRun(50, func() { m.Score(&s, f.Runes, false, probs) })
	if allocs > 0 {
		t.Errorf("Score allocated %.0f times", allocs)
	}
}

func TestFeaturesIgnoreDigitsAndSeparators(t *testing.T) {
	var f normalize.Folder
	feats := func(s string) []uint32 {
		f.Fold(s)
		out := AppendFeatures(nil, f.Runes, false, 1<<16)
		slices.Sort(out)
		return out
	}
	if !slices.Equal(feats("pay $120 now!!"), feats("pay $345 now.")) {
		t.Error("amounts or punctuation change the features")
	}
	if slices.Equal(feats("pay now"), feats("pay later")) {
		t.Error("different words give the same features")
	}
	f.Fold("court notice")
	if slices.Equal(AppendFeatures(nil, f.Runes, true, 1<<16), AppendFeatures(nil, f.Runes, false, 1<<16)) {
		t.Error("the approval flag is not a feature")
	}
}

func argmax(xs []float32) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}
