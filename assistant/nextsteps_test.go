package assistant_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
)

func actions(ss []assistant.Suggestion) string {
	var a []string
	for _, s := range ss {
		a = append(a, s.Action)
	}
	return strings.Join(a, ",")
}

func analysis(seg assistant.Segment, intents ...string) *assistant.Analysis {
	a := &assistant.Analysis{Willingness: assistant.Willingness{Segment: seg}}
	for _, i := range intents {
		a.Intents = append(a.Intents, assistant.IntentScore{Name: i, Confidence: 0.9})
	}
	return a
}

func TestNextSteps(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	base := func() *assistant.Case {
		return &assistant.Case{Jurisdiction: "CN", Balance: assistant.MustMoney("20000", "CNY"),
			Debtor: assistant.Debtor{Timezone: "Asia/Shanghai", Kind: "individual"}}
	}
	promise := analysis(assistant.SegmentWilling, assistant.IntentPromiseToPay)
	promise.Entities.Promise = &assistant.PromiseEntity{Amount: "5000", Date: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)}
	capacity := analysis(assistant.SegmentWilling, assistant.IntentPlanRequest)
	capacity.Entities.Amounts = []string{"5000"}
	legal := base()
	legal.Flags.LegalActionApproved = true
	tests := []struct {
		name      string
		c         *assistant.Case
		a         *assistant.Analysis
		history   []*assistant.Event
		want      []string // actions that must appear
		never     []string // actions that must not
		wantFirst string
	}{
		{name: "stop request suppresses everything else", c: base(), a: analysis(assistant.SegmentResistant, assistant.IntentCeaseContact), wantFirst: assistant.ActionSuppressContact, never: []string{assistant.ActionOfferPlan, assistant.ActionContactWindow}},
		{name: "wrong party discloses nothing", c: base(), a: analysis(assistant.SegmentHighRisk, assistant.IntentWrongParty), wantFirst: assistant.ActionDiscloseNothing, never: []string{assistant.ActionDemandLetter}},
		{name: "attorney", c: base(), a: analysis(assistant.SegmentWaitAndSee, assistant.IntentRepresented), wantFirst: assistant.ActionContactAttorney},
		{name: "dispute pauses and verifies", c: base(), a: analysis(assistant.SegmentResistant, assistant.IntentDispute), wantFirst: assistant.ActionPauseAndVerify, want: []string{assistant.ActionDeEscalate}},
		{name: "promise is confirmed with a reminder 3 days before", c: base(), a: promise, want: []string{assistant.ActionConfirmPromise, assistant.ActionReminder, assistant.ActionOfferPlan, assistant.ActionContactWindow}},
		{name: "plan from stated capacity", c: base(), a: capacity, want: []string{assistant.ActionOfferPlan}},
		{name: "wait and see gets an incentive", c: base(), a: analysis(assistant.SegmentWaitAndSee), want: []string{assistant.ActionIncentive, assistant.ActionContactWindow}},
		{name: "high risk starts with a demand letter", c: base(), a: analysis(assistant.SegmentHighRisk), want: []string{assistant.ActionDemandLetter}, never: []string{assistant.ActionLegalReferral}},
		{name: "after the letter, a last call; referral only when approved", c: legal, a: analysis(assistant.SegmentHighRisk),
			history: []*assistant.Event{{Kind: assistant.EventMessage, Direction: "outbound", Channel: "letter", Text: "催款函"}},
			want:    []string{assistant.ActionLastCall, assistant.ActionLegalReferral}},
		{name: "hardship goes to a person", c: base(), a: analysis(assistant.SegmentWilling, assistant.IntentHardship), want: []string{assistant.ActionRouteToPerson, assistant.ActionOfferPlan}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := assistant.NextSteps(tt.c, tt.a, tt.history, now)
			all := actions(got)
			if tt.wantFirst != "" && (len(got) == 0 || got[0].Action != tt.wantFirst) {
				t.Fatalf("first action in %q, want %s", all, tt.wantFirst)
			}
			for _, w := range tt.want {
				if !strings.Contains(","+all+",", ","+w+",") {
					t.Errorf("actions %q lack %s", all, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(","+all+",", ","+n+",") {
					t.Errorf("actions %q must not include %s", all, n)
				}
			}
			if tt.a == promise && !strings.Contains(fmtWhen(got, assistant.ActionReminder), "2026-12-07") {
				t.Errorf("no reminder 3 days before the promised 2026-12-10: %s", fmtWhen(got, assistant.ActionReminder))
			}
			for _, s := range got {
				if s.Detail == "" || s.Why == "" {
					t.Errorf("suggestion %s lacks detail or why", s.Action)
				}
				if s.Action == assistant.ActionOfferPlan && s.Plan.Total().Minor != tt.c.Balance.Minor {
					t.Errorf("plan totals %s, balance %s", s.Plan.Total(), tt.c.Balance)
				}
			}
		})
	}
}

func fmtWhen(ss []assistant.Suggestion, action string) string {
	var w []string
	for _, s := range ss {
		if s.Action == action {
			w = append(w, s.When)
		}
	}
	return strings.Join(w, ",")
}

func TestAuditEventsAreNotContacts(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := &assistant.Case{Jurisdiction: "US", Balance: assistant.MustMoney("900", "USD"), Debtor: assistant.Debtor{Timezone: "America/Chicago", Kind: "individual"}}
	history := []*assistant.Event{{Kind: assistant.EventAudit, Direction: "outbound", Channel: "letter", Text: "draft draft_1 created by builtin engine"}}
	got := actions(assistant.NextSteps(c, analysis(assistant.SegmentHighRisk), history, now))
	if !strings.Contains(got, assistant.ActionDemandLetter) || strings.Contains(got, assistant.ActionLastCall) {
		t.Fatalf("a draft's audit record counted as a sent letter: %s", got)
	}
	if !assistant.FirstContact(history) {
		t.Fatal("audit records are not contacts")
	}
}

func TestUpdatePromises(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
	usd := func(a string) *assistant.Money { m := assistant.MustMoney(a, "USD"); return &m }
	history := []*assistant.Event{
		{ID: "m1", Kind: assistant.EventMessage, At: day(10)},
		{ID: "m2", Kind: assistant.EventMessage, At: day(12)},
		{ID: "early", Kind: assistant.EventPayment, At: day(1), Amount: usd("50")},
		{ID: "p1", Kind: assistant.EventPayment, At: day(15), Amount: usd("500")},
	}
	promises := []assistant.Promise{
		{EventID: "m1", Amount: *usd("500"), Due: day(20), Status: "open"}, // paid by p1
		{EventID: "m2", Amount: *usd("500"), Due: day(26), Status: "open"}, // p1 already used: broken
	}
	got := assistant.UpdatePromises(promises, history, day(28))
	if got[0].Status != "kept" || got[1].Status != "broken" {
		t.Fatalf("statuses %s, %s; want kept, broken (a payment counts once, and not before the promise)", got[0].Status, got[1].Status)
	}
	got = assistant.UpdatePromises(promises[1:], history[:3], day(20))
	if got[0].Status != "open" {
		t.Fatalf("a promise not yet due stays open, got %s", got[0].Status)
	}
}
