package compliance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-dev/parley/compliance/model"
)

// toyModel learns that talk of someone's tires "looking lonely" is violence,
// wording no rule lists, so that the tests below see what the gate does with
// a model finding whatever the committed weights are.
func toyModel(t *testing.T) *model.Model {
	t.Helper()
	var ex []model.Example
	for i := range 40 {
		ex = append(ex,
			model.Example{Text: fmt.Sprintf("your tires look lonely tonight, friend number %d", i), Class: CategoryThreatViolence},
			model.Example{Text: fmt.Sprintf("those lonely tires of yours, pal %d", i), Class: CategoryThreatViolence},
			model.Example{Text: fmt.Sprintf("thanks for your payment of $%d, see you next month", i), Class: model.Allow},
			model.Example{Text: fmt.Sprintf("your statement %d is ready, reply with any question", i), Class: model.Allow},
			model.Example{Text: fmt.Sprintf("lonely evenings are hard, we can talk about plan %d", i), Class: model.Allow},
		)
	}
	opt := model.DefaultTrainOptions
	opt.Buckets = 1 << 12
	m, _, err := model.Train(ex, blockCategories, opt)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModelFindings(t *testing.T) {
	g, err := NewGate()
	if err != nil {
		t.Fatal(err)
	}
	g.e.model = toyModel(t) // the gate's engine is private to this test
	check := func(text string) Verdict {
		t.Helper()
		v, err := g.Check(Request{Text: text, Jurisdiction: "US", Channel: "sms"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	blocks := func(v Verdict) []Violation {
		var out []Violation
		for _, x := range v.Violations {
			if x.Severity == SeverityBlock {
				out = append(out, x)
			}
		}
		return out
	}

	// Wording no rule lists, with a cue of the category (tires: property).
	text := "Thanks for taking our call today about the plan. Your tires look lonely tonight, friend."
	v := check(text)
	bs := blocks(v)
	if v.Allowed || len(bs) != 1 || bs[0].Rule != "us.model.threat_violence" || bs[0].Citation == "" {
		t.Fatalf("%q: allowed=%v, blocks %+v", text, v.Allowed, bs)
	}
	if got := string([]rune(text)[bs[0].Start:bs[0].End]); got != "Your tires look lonely tonight, friend." || bs[0].Excerpt != got {
		t.Errorf("span %q, excerpt %q: want the sentence that reads as a threat", got, bs[0].Excerpt)
	}
	if strings.Contains(v.SafeText, "tires") || !strings.Contains(v.SafeText, "Thanks for taking our call") {
		t.Errorf("safe_text %q should drop the flagged sentence only", v.SafeText)
	}

	// The same style without a cue of the category is never blocked
	// (the toy model scores this one close to 1).
	if v := check("Those lonely ones of yours look lonely tonight, friend, pal."); !v.Allowed {
		t.Errorf("no cue, yet blocked: %+v", blocks(v))
	}

	// A rule's finding wins: no model finding is added to it.
	v = check("We will break your legs. Your tires look lonely tonight, friend.")
	for _, b := range blocks(v) {
		if strings.Contains(b.Rule, ".model.") {
			t.Errorf("model finding %s added to a rule's block", b.Rule)
		}
	}
	if v.Allowed {
		t.Error("a threat a rule lists was allowed")
	}
}
