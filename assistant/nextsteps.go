package assistant

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

// Suggestion is one next step for the agent: what, when and why.
type Suggestion struct {
	Action string `json:"action"`
	Detail string `json:"detail"`
	When   string `json:"when,omitempty"`
	Why    string `json:"why"`
	Plan   *Plan  `json:"plan,omitempty"`
	// Handoff means a person must take over before anything else is sent.
	Handoff bool `json:"handoff,omitempty"`
}

// Suggestion actions.
const (
	ActionSuppressContact = "suppress_contact"
	ActionSuppressChannel = "suppress_channel"
	ActionPauseAndVerify  = "pause_and_verify"
	ActionContactAttorney = "contact_attorney"
	ActionDiscloseNothing = "disclose_nothing"
	ActionRouteToPerson   = "route_to_person"
	ActionOfferPlan       = "offer_plan"
	ActionConfirmPromise  = "confirm_promise"
	ActionReminder        = "schedule_reminder"
	ActionCallback        = "schedule_callback"
	ActionContactWindow   = "contact_window"
	ActionIncentive       = "offer_incentive"
	ActionDeEscalate      = "de_escalate"
	ActionDemandLetter    = "demand_letter"
	ActionLastCall        = "last_call"
	ActionLegalReferral   = "legal_referral"
)

// reminderLead is the playbook's "a reminder 3 days before each due date".
const reminderLead = 3 * 24 * time.Hour

// NextSteps decides what to do after the debtor's latest message, following the
// playbook and the inbound-intent rules: rights first (stop, dispute, attorney, wrong
// party), then routing to a person, then the offer that fits the segment.
func NextSteps(c *Case, a *Analysis, history []*Event, now time.Time) []Suggestion {
	var out []Suggestion
	loc, err := time.LoadLocation(c.Debtor.Timezone)
	if err != nil {
		loc = time.UTC
	}
	if a == nil {
		a = &Analysis{Willingness: Willingness{Segment: c.Segment}}
	}
	// Rights the debtor invoked come first and may end the conversation.
	if a.HasIntent(IntentCeaseContact) || c.Flags.CeaseContact {
		out = append(out, Suggestion{Action: ActionSuppressContact, Handoff: true,
			Detail: "Record the request and stop collection contact (or the named channel only, if the debtor limited it); only a confirmation that contact stops may still be sent.",
			Why:    "A cease or opt-out request must be honoured (Reg F 1006.6(c), 1006.14(h); NIFA guidance)."})
		return out
	}
	if a.HasIntent(IntentWrongParty) {
		out = append(out, Suggestion{Action: ActionDiscloseNothing, Handoff: true,
			Detail: "Apologise, disclose nothing about any debt, and mark the number as wrong.",
			Why:    "Discussing the debt with a third party is forbidden (15 U.S.C. 1692c(b); NIFA art. 18)."})
		return out
	}
	if a.HasIntent(IntentRepresented) || c.Flags.AttorneyRepresented {
		out = append(out, Suggestion{Action: ActionContactAttorney, Handoff: true,
			Detail: "Ask for the attorney's contact details and communicate only with the attorney from now on.",
			Why:    "A represented consumer is contacted through their attorney (Reg F 1006.6(b)(2))."})
		return out
	}
	if a.HasIntent(IntentDispute) || c.Flags.Disputed {
		out = append(out, Suggestion{Action: ActionPauseAndVerify, Handoff: true,
			Detail: "Pause collection, send the contract, statements and a breakdown of every fee, and let a person answer the dispute.",
			Why:    "A disputed debt is verified before collection continues (Reg F 1006.38(d)(2)); explaining fees beats arguing."})
	}
	if c.Flags.Bankruptcy {
		out = append(out, Suggestion{Action: ActionRouteToPerson, Handoff: true,
			Detail: "Stop and route the case to a person: the debtor is in bankruptcy.", Why: "Bankruptcy changes what may be collected and by whom."})
		return out
	}
	if a.HasIntent(IntentComplaint) {
		out = append(out, Suggestion{Action: ActionRouteToPerson, Handoff: true,
			Detail: "Route to a supervisor today, answer the complaint fast and close it with a record.",
			Why:    "Complaints are answered fast and recorded (playbook)."})
	}
	if a.HasIntent(IntentHardship) {
		out = append(out, Suggestion{Action: ActionRouteToPerson, Handoff: true,
			Detail: "Let a person review hardship or vulnerability before any pressure; record the reason the debtor gave.",
			Why:    "Hardship and vulnerability are routed to a person (compliance rules, inbound intents)."})
	}
	if a.HasIntent(IntentCallbackRequest) {
		s := Suggestion{Action: ActionCallback, Detail: "Call back at the time the debtor asked for, and record it as a contact constraint.",
			Why: "The debtor named a convenient time; inconvenient times are off limits (1692c(a)(1))."}
		if len(a.Entities.Dates) > 0 {
			s.When = a.Entities.Dates[0]
		}
		out = append(out, s)
	}
	if a.HasIntent(IntentPromiseToPay) && a.Entities.Promise != nil && !a.Entities.Promise.Date.IsZero() {
		due := a.Entities.Promise.Date
		out = append(out, Suggestion{Action: ActionConfirmPromise, When: due.Format(time.DateOnly),
			Detail: "Confirm the promise in writing: " + describePromise(a.Entities.Promise, c.Balance.Currency) + ".",
			Why:    "Everything agreed is confirmed in writing and recorded (playbook)."})
		if r := due.Add(-reminderLead); r.After(now) {
			out = append(out, Suggestion{Action: ActionReminder, When: r.In(loc).Format(time.DateOnly),
				Detail: "Warm reminder 3 days before the promised date, with an offer to help if something is in the way; a person reviews it before it is sent.",
				Why:    "Reminders 3 days before a due date keep promises (playbook)."})
		}
	}
	seg := a.Willingness.Segment
	switch {
	case seg == SegmentWilling || a.HasIntent(IntentPlanRequest):
		if plan := suggestPlan(c, a, now, loc); plan != nil {
			out = append(out, Suggestion{Action: ActionOfferPlan, Plan: plan, When: plan.Installments[0].Due.Format(time.DateOnly),
				Detail: "Offer " + plan.Describe("en") + "; state each amount, due date and what happens if one is missed, and confirm in writing.",
				Why:    "A plan built from what the debtor can pay turns willingness into payments (playbook)."})
			for _, inst := range plan.Installments {
				if r := inst.Due.Add(-reminderLead); r.After(now) {
					out = append(out, Suggestion{Action: ActionReminder, When: r.Format(time.DateOnly),
						Detail: fmt.Sprintf("Reminder for the %s %s instalment due %s.", inst.Amount.Amount(), inst.Amount.Currency, inst.Due.Format(time.DateOnly)),
						Why:    "A reminder 3 days before each due date (playbook)."})
					break // the first reminder is enough to schedule now
				}
			}
		}
	case seg == SegmentWaitAndSee:
		by := now.In(loc).AddDate(0, 0, 10)
		out = append(out, Suggestion{Action: ActionIncentive, When: by.Format(time.DateOnly),
			Detail: "Offer to waive this period's late fee if paid (or a first part paid) by " + by.Format(time.DateOnly) + ", if the creditor allows it; follow up automatically.",
			Why:    "Wait-and-see debtors respond to staged reminders and a modest incentive (playbook)."})
	case seg == SegmentResistant:
		out = append(out, Suggestion{Action: ActionDeEscalate,
			Detail: "Answer calmly in writing: explain the debtor's rights and obligations, keep a full record, and propose a partial or staged payment instead of a confrontation.",
			Why:    "Resistant debtors are de-escalated, not pressured (playbook)."})
	case seg == SegmentHighRisk:
		out = append(out, escalation(c, history, now, loc)...)
	}
	if s, ok := contactWindow(c, now); ok {
		out = append(out, s)
	}
	return out
}

func describePromise(p *PromiseEntity, currency string) string {
	var parts []string
	if p.Amount != "" {
		parts = append(parts, p.Amount+" "+currency)
	}
	if !p.Date.IsZero() {
		parts = append(parts, "by "+p.Date.Format(time.DateOnly))
	}
	return strings.Join(parts, " ")
}

// suggestPlan sizes a plan from the monthly amount the debtor named, if any; else
// 20% now and three monthly payments, the playbook's first proposal.
func suggestPlan(c *Case, a *Analysis, now time.Time, loc *time.Location) *Plan {
	req := PlanRequest{Balance: c.Balance, Start: now, Location: loc}
	for _, amt := range a.Entities.Amounts {
		if m, err := ParseMoney(amt, c.Balance.Currency); err == nil && m.Minor > 0 && m.Minor < c.Balance.Minor {
			req.MonthlyCapacity = m
			break
		}
	}
	if req.MonthlyCapacity.Minor == 0 {
		req.DownPaymentPercent, req.Installments = 20, 3
	}
	plan, err := CalculatePlan(req)
	if err != nil {
		// Capacity too low for a plan: fall back to the default proposal.
		req.MonthlyCapacity, req.DownPaymentPercent, req.Installments = Money{}, 20, 3
		if plan, err = CalculatePlan(req); err != nil {
			return nil
		}
	}
	return plan
}

// escalation is the ladder for debtors who still do not pay: a demand letter with a
// final date that leaves room to settle, a last call with 3-5 days to decide, and
// legal referral only when the creditor has authorised it. Never a threat.
func escalation(c *Case, history []*Event, now time.Time, loc *time.Location) []Suggestion {
	letterSent := false
	for _, e := range history {
		if e.Kind == EventAudit {
			continue // Parley's own records, not contacts
		}
		if e.Direction == "outbound" && (e.Channel == "letter" || strings.Contains(strings.ToLower(e.Text), "demand letter") || strings.Contains(e.Text, "催款函")) {
			letterSent = true
		}
	}
	final := now.In(loc).AddDate(0, 0, 14).Format(time.DateOnly)
	if !letterSent {
		return []Suggestion{{Action: ActionDemandLetter, When: final,
			Detail: "Send a formal demand letter with a clear final date (" + final + ") naming only lawful steps the creditor really can and intends to take, while inviting the debtor to settle by agreement; coordinate with legal staff and document every step.",
			Why:    "High-risk debtors get documented, formal notices, still without threats (playbook: escalation without threats)."}}
	}
	out := []Suggestion{{Action: ActionLastCall, When: now.In(loc).AddDate(0, 0, 1).Format(time.DateOnly),
		Detail: "A last call explaining the real consequences (court costs, credit record) and giving 3-5 more days to decide.",
		Why:    "The ladder's second step, after the demand letter (playbook)."}}
	if c.Flags.LegalActionApproved {
		out = append(out, Suggestion{Action: ActionLegalReferral, Handoff: true,
			Detail: "Refer to the authorised legal team if nothing is agreed after the last call's deadline.",
			Why:    "Legal action is approved on this case; people authorised to decide it take over."})
	}
	return out
}

// contactWindow proposes the next best time to reach the debtor, cut to legal hours.
func contactWindow(c *Case, now time.Time) (Suggestion, bool) {
	start, end, err := contactpolicy.BestWindow(c.Jurisdiction, c.Debtor.Kind, c.Debtor.Timezone, now)
	if err != nil {
		return Suggestion{}, false
	}
	why := "Individuals answer best in the early evening (playbook), within legal hours."
	if c.Debtor.Kind == "business" {
		why = "Businesses answer best mid-afternoon on working days (playbook), within legal hours."
	}
	return Suggestion{Action: ActionContactWindow, When: start.Format(time.RFC3339),
		Detail: fmt.Sprintf("Next good contact window: %s to %s debtor time.", start.Format("Mon 2006-01-02 15:04"), end.Format("15:04")),
		Why:    why}, true
}
