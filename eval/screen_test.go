package eval_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/eval"
)

// Screening targets on the development set (and the held-out set that
// measures the same figures).
const (
	minBlockRecall      = 0.97
	minObfuscatedRecall = 0.95
	maxFalseBlockRate   = 0.03
)

func newGate(t *testing.T) *compliance.Gate {
	t.Helper()
	g, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	<-g.Ready() // so that the latency figures are those of the DFAs
	return g
}

func logReport(t *testing.T, title string, rep eval.ScreenReport) {
	t.Helper()
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s\n%s", title, b.String())
}

// TestScreenDev runs the gate on the shared screening set and fails below
// the targets: block recall 0.97, obfuscated recall 0.95, false-block rate
// at most 0.03. Without ../shared it skips (fails with CI=true).
func TestScreenDev(t *testing.T) {
	path := eval.RequireShared(t, "screen-dev.jsonl")
	examples, err := eval.LoadScreenJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunScreen(newGate(t), examples)
	logReport(t, "gate on "+filepath.Base(path), rep)
	if rep.Errors > 0 {
		t.Errorf("%d Check calls failed", rep.Errors)
	}
	if err := eval.Check(rep.Thresholds(minBlockRecall, minObfuscatedRecall, maxFalseBlockRate)...); err != nil {
		t.Fatal(err)
	}
}

// TestScreenHateCheck reports threat recall and false blocks on HateCheck's
// English functional tests. The cases target groups rather than debtors, so
// only the figures are logged; profanity_nh contrasts are blocked by design
// (15 U.S.C. 1692d(2) forbids profane language in collection messages).
func TestScreenHateCheck(t *testing.T) {
	path := eval.RequireShared(t, filepath.Join("public", "hatecheck-en", "test_suite_cases.csv"))
	examples, err := eval.LoadHateCheck(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunScreen(newGate(t), examples)
	rep.Misses = nil // hundreds of template cases; the tables say enough
	logReport(t, "gate on HateCheck (threat_*_h expect block, *_nh expect allow)", rep)
	if rep.Errors > 0 {
		t.Errorf("%d Check calls failed", rep.Errors)
	}
}

// TestScreenCOLD reports individual-insult recall and false blocks on the
// COLD test split. Its topics (race, gender, region) differ from
// collections, so only the figures are logged.
func TestScreenCOLD(t *testing.T) {
	if testing.Short() {
		t.Skip("COLD has 5,000 rows; skipped in -short")
	}
	path := eval.RequireShared(t, filepath.Join("public", "cold", "test.csv"))
	examples, err := eval.LoadCOLD(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.RunScreen(newGate(t), examples)
	rep.Misses = nil
	logReport(t, "gate on COLD test (fine-grained 1 expect block, label 0 expect allow)", rep)
	if rep.Errors > 0 {
		t.Errorf("%d Check calls failed", rep.Errors)
	}
}

// fakeScreener blocks texts containing "bad" and fails on "error".
type fakeScreener struct{}

func (fakeScreener) Check(r compliance.Request) (compliance.Verdict, error) {
	switch {
	case strings.Contains(r.Text, "error"):
		return compliance.Verdict{}, errors.New("boom")
	case strings.Contains(r.Text, "bad"):
		return compliance.Verdict{Violations: []compliance.Violation{{Rule: "x", Category: "threat_violence", Severity: compliance.SeverityBlock}}}, nil
	}
	return compliance.Verdict{Allowed: true, Violations: []compliance.Violation{}}, nil
}

// TestRunScreenCounts checks the arithmetic of RunScreen on a fake.
func TestRunScreenCounts(t *testing.T) {
	exs := []eval.ScreenExample{
		{ID: "1", Text: "bad", Jurisdiction: "US", Expect: "block", Category: "threat_violence"},
		{ID: "2", Text: "b a d", Jurisdiction: "US", Expect: "block", Category: "threat_arrest", Evasion: "spacing"},
		{ID: "3", Text: "bad too", Jurisdiction: "CN", Expect: "block", Category: "insult_profanity", Evasion: "leet"},
		{ID: "4", Text: "fine", Jurisdiction: "US", Expect: "allow"},
		{ID: "5", Text: "bad but fine", Jurisdiction: "CN", Expect: "allow"},
		{ID: "6", Text: "error", Jurisdiction: "CN", Expect: "allow"},
	}
	rep := eval.RunScreen(fakeScreener{}, exs)
	check := func(name string, got eval.Rate, hits, total int) {
		t.Helper()
		if got.Hits != hits || got.Total != total {
			t.Errorf("%s = %v, want %d/%d", name, got, hits, total)
		}
	}
	check("block recall", rep.BlockRecall, 2, 3)
	check("obfuscated recall", rep.ObfuscatedRecall, 1, 2)
	check("false blocks", rep.FalseBlockRate, 1, 3)
	check("same category", rep.SameCategory, 1, 3)
	check("precision", rep.Precision, 2, 3)
	if rep.Errors != 1 || len(rep.Misses) != 2 {
		t.Errorf("errors %d misses %d, want 1 and 2", rep.Errors, len(rep.Misses))
	}
	if err := eval.Check(rep.Thresholds(0.97, 0.95, 0.03)...); err == nil {
		t.Error("thresholds should fail")
	}
}

// TestScreenContext maps labelled context objects onto the gate's Context.
func TestScreenContext(t *testing.T) {
	c, err := eval.ScreenContext(map[string]any{"legal_action_approved": true, "debtor_kind": "business"})
	if err != nil || !c.LegalActionApproved || c.DebtorKind != "business" {
		t.Fatalf("got %+v, %v", c, err)
	}
}
