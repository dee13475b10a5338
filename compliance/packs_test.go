package compliance_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/parley-dev/parley/compliance"
)

// TestPackExamples runs every example written in the rule packs: a "match"
// example must produce a violation of its rule, a "no_match" example must
// not. This is how counsel's edits to a pack are checked.
func TestPackExamples(t *testing.T) {
	g := mustGate(t)
	rules := g.Rules()
	if len(rules) == 0 {
		t.Fatal("no rules loaded")
	}
	for _, r := range rules {
		for i, ex := range r.Examples.Match {
			t.Run(fmt.Sprintf("%s/match/%d", r.ID, i), func(t *testing.T) {
				if !fires(t, g, r, ex) {
					t.Errorf("%s should flag %q", r.ID, ex.Text)
				}
			})
		}
		for i, ex := range r.Examples.NoMatch {
			t.Run(fmt.Sprintf("%s/no_match/%d", r.ID, i), func(t *testing.T) {
				if fires(t, g, r, ex) {
					t.Errorf("%s should not flag %q", r.ID, ex.Text)
				}
			})
		}
	}
}

func fires(t *testing.T, g *compliance.Gate, r compliance.RuleInfo, ex compliance.Example) bool {
	t.Helper()
	ch := ex.Channel
	if ch == "" {
		ch = "letter"
	}
	v, err := g.Check(compliance.Request{Text: ex.Text, Jurisdiction: r.Jurisdiction, Channel: ch, Context: ex.Context})
	if err != nil {
		t.Fatalf("Check(%q): %v", ex.Text, err)
	}
	return slices.ContainsFunc(v.Violations, func(x compliance.Violation) bool { return x.Rule == r.ID })
}
