package playbook_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/playbook"
	"github.com/parley-dev/parley/compliance"
)

func hanShare(s string) float64 {
	han, letters := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if letters == 0 {
		return 0
	}
	return float64(han) / float64(letters)
}

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func demoCase(jur string, kind string, flags assistant.Flags) *assistant.Case {
	c := &assistant.Case{ID: "case_t", Jurisdiction: jur, Creditor: "Acme Finance", Flags: flags,
		Balance: assistant.MustMoney("20000", "CNY"), Debtor: assistant.Debtor{Name: "Li Na", Timezone: "Asia/Shanghai", Kind: kind}}
	if jur == "US" {
		c.Balance = assistant.MustMoney("1200.50", "USD")
		c.Debtor.Timezone = "America/Chicago"
	}
	return c
}

func analysisWith(seg assistant.Segment, intents ...string) *assistant.Analysis {
	a := &assistant.Analysis{Willingness: assistant.Willingness{Segment: seg}}
	for _, i := range intents {
		a.Intents = append(a.Intents, assistant.IntentScore{Name: i, Confidence: 0.9})
	}
	if len(intents) > 0 && intents[0] == assistant.IntentPromiseToPay {
		a.Entities.Promise = &assistant.PromiseEntity{Amount: "500", Date: now.AddDate(0, 0, 10)}
	}
	return a
}

// TestEveryReplyPassesTheScreen drafts every segment x intent x language x channel x
// jurisdiction x variant combination and screens it: the builtin drafter is the
// fallback, so none of its texts may ever be refused.
func TestEveryReplyPassesTheScreen(t *testing.T) {
	d, err := playbook.NewDrafter()
	if err != nil {
		t.Fatal(err)
	}
	gate, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	intents := append([]string{""}, assistant.Intents...)
	checked := 0
	for _, jur := range []string{"US", "CN"} {
		for _, kind := range []string{"individual", "business"} {
			for _, seg := range assistant.Segments {
				for _, intent := range intents {
					var a *assistant.Analysis
					if intent == "" {
						a = analysisWith(seg)
					} else {
						a = analysisWith(seg, intent)
					}
					c := demoCase(jur, kind, assistant.Flags{})
					steps := assistant.NextSteps(c, a, nil, now)
					for _, lang := range []string{"en", "zh"} {
						for _, ch := range assistant.Channels {
							for v := 0; v < 3; v++ {
								res, err := d.Draft(context.Background(), assistant.DraftRequest{Case: c, Analysis: a, Suggestions: steps, Channel: ch, Language: lang, Variant: v, FirstContact: v == 0})
								if err != nil {
									t.Fatal(err)
								}
								name := fmt.Sprintf("%s/%s/%s/%s/%s/%s/%d", jur, kind, seg, intent, lang, ch, v)
								if strings.Contains(res.Text, "{") || strings.TrimSpace(res.Text) == "" {
									t.Fatalf("%s: unfilled or empty text %q", name, res.Text)
								}
								if lang == "zh" && hanShare(res.Text) < 0.5 || lang == "en" && hanShare(res.Text) > 0.1 {
									t.Errorf("%s: reply not in %s: %q", name, lang, res.Text)
								}
								if n := len([]rune(res.Text)); n > 2*assistant.MaxDraftRunes(ch) {
									t.Errorf("%s: %d runes is too long for %s", name, n, ch)
								}
								verdict, err := gate.Check(compliance.Request{Text: res.Text, Jurisdiction: jur, Channel: ch, Context: compliance.Context{FirstContact: v == 0}})
								if err != nil {
									t.Fatal(err)
								}
								if !verdict.Allowed {
									t.Errorf("%s: builtin reply refused: %+v\n%s", name, verdict.Violations, res.Text)
								}
								checked++
							}
						}
					}
				}
			}
		}
	}
	t.Logf("screened %d builtin replies", checked)
}

func TestReplyShape(t *testing.T) {
	d, _ := playbook.NewDrafter()
	c := demoCase("US", "individual", assistant.Flags{})
	a := analysisWith(assistant.SegmentWilling, assistant.IntentPlanRequest)
	a.Entities.Amounts = []string{"300"}
	steps := assistant.NextSteps(c, a, nil, now)
	tests := []struct {
		name    string
		channel string
		first   bool
		want    []string
	}{
		{"first sms carries the initial disclosure and opt-out", "sms", true, []string{"Li Na", "attempt to collect a debt", "Reply STOP"}},
		{"later sms says it is from a debt collector", "sms", false, []string{"debt collector", "Reply STOP"}},
		{"email lists the plan and what a missed payment means", "email", false, []string{"Payment 1: 300.00 USD", "missed", "Kind regards, Acme Finance", "UNSUBSCRIBE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.Draft(context.Background(), assistant.DraftRequest{Case: c, Analysis: a, Suggestions: steps, Channel: tt.channel, Language: "en", FirstContact: tt.first})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.Text, w) {
					t.Errorf("reply lacks %q:\n%s", w, res.Text)
				}
			}
		})
	}
	// Wrong party: nothing about a debt or the creditor.
	wrong := analysisWith(assistant.SegmentWaitAndSee, assistant.IntentWrongParty)
	res, _ := d.Draft(context.Background(), assistant.DraftRequest{Case: c, Analysis: wrong, Suggestions: assistant.NextSteps(c, wrong, nil, now), Channel: "sms", Language: "en"})
	for _, leak := range []string{"debt", "Acme", "balance", "1200"} {
		if strings.Contains(res.Text, leak) {
			t.Errorf("wrong-party reply discloses %q: %s", leak, res.Text)
		}
	}
	// Variants differ, so replies do not read as form letters.
	seen := map[string]bool{}
	for v := 0; v < 6; v++ {
		r, _ := d.Draft(context.Background(), assistant.DraftRequest{Case: c, Analysis: a, Suggestions: steps, Channel: "chat", Language: "en", Variant: v})
		seen[r.Text] = true
	}
	if len(seen) < 3 {
		t.Errorf("only %d distinct wordings over 6 variants", len(seen))
	}
}

// TestHandoffReplies: the widget's acknowledgements when a person takes over pass
// the screen in every combination, stay short, and say nothing about paying.
func TestHandoffReplies(t *testing.T) {
	d, err := playbook.NewDrafter()
	if err != nil {
		t.Fatal(err)
	}
	gate, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	actions := []string{assistant.ActionRouteToPerson, assistant.ActionPauseAndVerify, assistant.ActionSuppressContact,
		assistant.ActionContactAttorney, assistant.ActionDiscloseNothing, "unknown_action"}
	intents := []string{"", assistant.IntentComplaint, assistant.IntentAbusive, assistant.IntentHardship}
	payTalk := map[string][]string{"en": {"plan", "pay ", "balance", "instalment"}, "zh": {"分期", "还款方案", "首期", "欠款明细"}}
	checked := 0
	for _, jur := range []string{"US", "CN"} {
		c := demoCase(jur, "individual", assistant.Flags{})
		for _, action := range actions {
			for _, intent := range intents {
				a := analysisWith(assistant.SegmentResistant)
				if intent != "" {
					a = analysisWith(assistant.SegmentResistant, intent)
				}
				for _, lang := range []string{"en", "zh"} {
					for _, ch := range []string{"chat", "sms"} {
						for v := 0; v < 2; v++ {
							res, err := d.Draft(context.Background(), assistant.DraftRequest{Case: c, Analysis: a, Goal: assistant.GoalHandoff,
								Suggestions: []assistant.Suggestion{{Action: action, Handoff: true}}, Channel: ch, Language: lang, Variant: v, FirstContact: v == 0})
							if err != nil {
								t.Fatal(err)
							}
							name := fmt.Sprintf("%s/%s/%s/%s/%s/%d", jur, action, intent, lang, ch, v)
							if strings.Contains(res.Text, "{") || len([]rune(res.Text)) > assistant.MaxDraftRunes("chat") {
								t.Errorf("%s: unfilled or too long: %q", name, res.Text)
							}
							for _, w := range payTalk[lang] {
								if strings.Contains(strings.ToLower(res.Text), w) {
									t.Errorf("%s: a handoff talks about %q: %q", name, w, res.Text)
								}
							}
							if action == assistant.ActionDiscloseNothing {
								// Possibly a third party: no name, no debt, no amount, only that this number is dropped.
								for _, w := range []string{c.Debtor.Name, c.Balance.Amount(), "debt", "account", "欠", "账"} {
									if strings.Contains(strings.ToLower(res.Text), strings.ToLower(w)) {
										t.Errorf("%s: a wrong-party handoff says %q: %q", name, w, res.Text)
									}
								}
								if want := map[string]string{"en": "this number", "zh": "这个号码"}[lang]; !strings.Contains(res.Text, want) {
									t.Errorf("%s: a wrong-party handoff does not say %q: %q", name, want, res.Text)
								}
							}
							verdict, err := gate.Check(compliance.Request{Text: res.Text, Jurisdiction: jur, Channel: ch, Context: compliance.Context{FirstContact: v == 0}})
							if err != nil || !verdict.Allowed {
								t.Errorf("%s: handoff reply refused: %+v %v\n%s", name, verdict.Violations, err, res.Text)
							}
							checked++
						}
					}
				}
			}
		}
	}
	t.Logf("screened %d handoff replies", checked)
}
