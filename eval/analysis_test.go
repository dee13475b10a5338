package eval_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/builtin"
	"github.com/parley-dev/parley/eval"
)

// TestBuiltinAnalysisDev runs the builtin analyser on the shared development set and
// fails below 0.80 on segment accuracy, sentiment macro-F1 or intent micro-F1.
func TestBuiltinAnalysisDev(t *testing.T) {
	path := eval.RequireShared(t, "analysis-dev.jsonl")
	examples, err := eval.LoadAnalysisJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := builtin.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunAnalysis(context.Background(), a, examples)
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("builtin on %s\n%s", filepath.Base(path), b.String())
	if rep.Errors > 0 {
		t.Errorf("%d Analyze calls failed", rep.Errors)
	}
	if err := eval.Check(rep.Thresholds(0.80)...); err != nil {
		for _, m := range rep.Misses {
			t.Logf("miss %s: seg %v sent %v missing %v extra %v | %s", m.ID, m.Segment, m.Sentiment, m.Missing, m.Extra, m.Text)
		}
		t.Fatal(err)
	}
}

// TestBuiltinCFPB runs the builtin analyser on real complaint narratives. They are
// weakly labelled, so only sanity floors are enforced: most must read as negative,
// and "Struggling to pay" complaints must often carry the hardship intent.
func TestBuiltinCFPB(t *testing.T) {
	dir := filepath.Dir(eval.RequireShared(t, filepath.Join("public", "cfpb-narratives", "SOURCE.md")))
	a, err := builtin.NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	limit := 0
	if testing.Short() {
		limit = 300
	}
	rep, err := eval.RunCFPB(context.Background(), a, dir, limit)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.WriteTable(&b)
	t.Log("\n" + b.String())
	if rep.N == 0 || rep.Errors > 0 {
		t.Fatalf("analysed %d narratives, %d errors", rep.N, rep.Errors)
	}
	if err := eval.Check(
		eval.Threshold{Name: "cfpb_negative", Value: rep.Negative.Value, Min: 0.6},
		eval.Threshold{Name: "cfpb_struggling_hardship", Value: rep.Struggle.Hardship.Value, Min: 0.3},
	); err != nil {
		t.Error(err)
	}
}

// fixed answers every message with the same analysis, or an error.
type fixed struct {
	an  *assistant.Analysis
	err error
}

func (f fixed) Analyze(context.Context, assistant.AnalyzeRequest) (*assistant.Analysis, error) {
	return f.an, f.err
}

func TestRunAnalysisScores(t *testing.T) {
	examples := []eval.AnalysisExample{
		{ID: "1", Lang: "en", Text: "a", Sentiment: "negative", Segment: "resistant", Intents: []string{"cease_contact"}},
		{ID: "2", Lang: "zh", Text: "b", Sentiment: "neutral", Segment: "willing", Intents: []string{"promise_to_pay"}},
	}
	an := &assistant.Analysis{Language: "en", Sentiment: assistant.Sentiment{Label: "negative"},
		Willingness: assistant.Willingness{Segment: assistant.SegmentResistant},
		Intents:     []assistant.IntentScore{{Name: "cease_contact", Confidence: 0.9}}}
	rep := eval.RunAnalysis(context.Background(), fixed{an: an}, examples)
	if rep.Overall.N != 2 || !near(rep.Overall.SegmentAccuracy, 0.5) || !near(rep.Overall.IntentMicroF1, 0.5) {
		t.Errorf("overall = %+v", rep.Overall)
	}
	if en := rep.ByLanguage["en"]; en.N != 1 || en.SegmentAccuracy != 1 || en.IntentMicroF1 != 1 {
		t.Errorf("en = %+v", en)
	}
	if zh := rep.ByLanguage["zh"]; zh.N != 1 || zh.SegmentAccuracy != 0 || zh.LanguageAccuracy != 0 {
		t.Errorf("zh = %+v", zh)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].ID != "2" || rep.Misses[0].Missing[0] != "promise_to_pay" {
		t.Errorf("misses = %+v", rep.Misses)
	}
	if err := eval.Check(rep.Thresholds(0.8)...); err == nil {
		t.Error("a 0.5 segment accuracy must fail the 0.80 thresholds")
	}
	rep = eval.RunAnalysis(context.Background(), fixed{err: errors.New("down")}, examples)
	if rep.Errors != 2 || rep.Overall.SegmentAccuracy != 0 {
		t.Errorf("failed calls must count as wrong: %+v", rep)
	}
}

func TestRunCFPBReadsBothColumnSpellings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("Issue,Consumer complaint narrative\nStruggling to pay your loan,I lost my job and cannot pay\nOther,\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("Issue,Consumer_complaint_narrative\nOther,They keep calling me\n"), 0o644)
	an := &assistant.Analysis{Sentiment: assistant.Sentiment{Label: "negative"},
		Willingness: assistant.Willingness{Segment: assistant.SegmentWaitAndSee},
		Intents:     []assistant.IntentScore{{Name: assistant.IntentHardship, Confidence: 0.8}}}
	rep, err := eval.RunCFPB(context.Background(), fixed{an: an}, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.N != 2 || rep.Negative.Hits != 2 || rep.Struggle.N != 1 || rep.Struggle.Hardship.Hits != 1 {
		t.Errorf("report = %+v", rep)
	}
}
