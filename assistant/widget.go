package assistant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/compliance"
)

// The chat widget lets a debtor write to Parley directly through a signed link
// scoped to their case. Every debtor message is stored and analysed like any other;
// the answer comes from the builtin drafter (never a model: nobody reviews it before
// the debtor reads it), passes the gate, and is stored as the outbound event. What
// needs a person (a right invoked, a dispute, a complaint, abuse, a request for a
// person) is handed off with a short acknowledgement and an audit record.

// WidgetChannel is the channel of widget conversations in the case history.
const WidgetChannel = "chat"

// WidgetInput is one message a debtor typed into the widget of their case.
type WidgetInput struct {
	CaseID string
	Text   string
}

// Widget option actions: next steps the debtor can tap.
const (
	OptionPayNow       = "pay_now"
	OptionPlan         = "plan"
	OptionPayBy        = "pay_by"
	OptionReminder     = "reminder"
	OptionCallback     = "callback"
	OptionTalkToPerson = "talk_to_person"
)

// WidgetOption is one next step the debtor can tap. Message is what the widget sends
// as the debtor's next message when it is tapped, so the choice is analysed and
// recorded like anything the debtor writes.
type WidgetOption struct {
	Action  string `json:"action"`
	Label   string `json:"label"`
	Message string `json:"message"`
	When    string `json:"when,omitempty"` // YYYY-MM-DD in the debtor's zone
	Amount  *Money `json:"amount,omitempty"`
	Plan    *Plan  `json:"plan,omitempty"`
}

// Handoff reasons, besides the intent names (dispute, complaint, cease_contact,
// represented, abusive, wrong_party, hardship).
const (
	HandoffPersonRequested = "person_requested"
	HandoffHighRisk        = "high_risk"
	HandoffReplyBlocked    = "reply_blocked"
)

// WidgetReply answers one widget message. Text has passed the gate (it is empty
// only when nothing at all may be sent; Handoff is then true).
type WidgetReply struct {
	Text           string         `json:"text"`
	Handoff        bool           `json:"handoff"`
	HandoffReasons []string       `json:"handoff_reasons,omitempty"`
	Analysis       *Analysis      `json:"analysis"`
	Options        []WidgetOption `json:"options"`
	Language       string         `json:"language"`
	MessageID      string         `json:"message_id"`         // the debtor's message, stored
	ReplyID        string         `json:"reply_id,omitempty"` // the reply, stored; empty when none was sent
}

// WidgetLink checks that a case exists before a widget link is issued for it and
// records the issue in its history by the token's random id (never the token). The
// returned case carries the WidgetEpoch the token must be signed with. ENOTFOUND.
func (s *Service) WidgetLink(ctx context.Context, caseID, tokenID string, expiresAt time.Time) (*Case, error) {
	c, err := s.Store.GetCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, c.ID, WidgetChannel, "chat widget link issued (token id "+tokenID+"), valid until "+expiresAt.UTC().Format(time.RFC3339))
	return c, nil
}

// RevokeWidgetLinks makes every widget link issued for the case so far stop working
// (links issued afterwards work) and records that in its history. ENOTFOUND.
func (s *Service) RevokeWidgetLinks(ctx context.Context, caseID string) (*Case, error) {
	c, err := s.Store.RevokeWidgetLinks(ctx, caseID)
	if err != nil {
		return nil, err
	}
	s.audit(context.WithoutCancel(ctx), c.ID, WidgetChannel, "chat widget links revoked: every link issued for this case before now no longer opens the chat")
	return c, nil
}

// CheckWidgetLink admits a widget token issued in epoch for the case only while the
// case's links have not been revoked since. EUNAUTHORIZED for a revoked link,
// ENOTFOUND for a case that is gone.
func (s *Service) CheckWidgetLink(ctx context.Context, caseID string, epoch int64) error {
	c, err := s.Store.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	if epoch < c.WidgetEpoch {
		return Errorf(EUNAUTHORIZED, "this chat link was revoked; ask for a new link")
	}
	return nil
}

// WidgetMessage stores a debtor's widget message, answers it with a screened
// builtin reply and stores that too. EINVALID, ETOOLARGE, ENOTFOUND, EUNAVAILABLE.
func (s *Service) WidgetMessage(ctx context.Context, in WidgetInput) (*WidgetReply, error) {
	return s.widgetMessage(ctx, in, nil)
}

// WidgetMessageStream is WidgetMessage with the reply delivered through onText; it
// receives only text that has passed the gate and has been stored. reset is never
// needed by the builtin drafter but keeps the shape of DraftStream.
func (s *Service) WidgetMessageStream(ctx context.Context, in WidgetInput, onText func(delta string) error, reset func() error) (*WidgetReply, error) {
	return s.widgetMessage(ctx, in, &streamSink{onText: onText, reset: reset})
}

func (s *Service) widgetMessage(ctx context.Context, in WidgetInput, sink *streamSink) (*WidgetReply, error) {
	start := time.Now()
	if s.Gate == nil || s.Fallback == nil {
		return nil, Errorf(EUNAVAILABLE, "the chat widget is not configured")
	}
	if err := ValidateText("text", in.Text, true); err != nil {
		return nil, err
	}
	din := DraftInput{CaseID: in.CaseID, Message: in.Text, Channel: WidgetChannel}
	dc, err := s.gather(ctx, &din)
	if err != nil {
		return nil, err
	}
	out := &WidgetReply{Analysis: dc.analysis, Language: dc.language, Options: []WidgetOption{}, MessageID: dc.messageID}
	reasons, step := handoff(dc, in.Text)
	req := DraftRequest{
		Case: dc.c, Message: dc.message, Analysis: dc.analysis, History: dc.history,
		Suggestions: dc.suggestions, Channel: WidgetChannel, Goal: "reply", Language: dc.language,
		Variant: variant(dc.c.ID, len(dc.events)), FirstContact: FirstContact(dc.events),
	}
	if len(reasons) > 0 {
		req.Goal, req.Suggestions = GoalHandoff, []Suggestion{step}
	} else {
		req.Suggestions = unreviewed(dc.suggestions)
	}
	var (
		cleared compliance.Cleared
		refused *compliance.Verdict
		blocked *BlockedError
	)
	res, _, _, err := s.writeBuiltin(ctx, req, nil, nil)
	switch {
	case errors.As(err, &blocked):
		refused = &blocked.Verdict
	case err != nil:
		return nil, err
	default:
		// Clear the final text once more, so only a value the gate made is stored and shown.
		var v compliance.Verdict
		if cleared, v, err = s.Gate.Clear(screenRequest(dc.c, WidgetChannel, res.Text, false, req.FirstContact, nil)); err != nil {
			return nil, Internal("assistant.WidgetMessage", err)
		}
		if !cleared.Valid() {
			refused = &v
		}
	}
	// The reply is decided: what follows is recorded even when the client has gone
	// (a closed tab cancels the request's context), so no handoff is ever lost.
	wctx := context.WithoutCancel(ctx)
	if refused != nil {
		// Nothing may be sent on this case (e.g. bankruptcy on file): a person answers.
		reasons = appendUnique(reasons, HandoffReplyBlocked)
		s.audit(wctx, dc.c.ID, WidgetChannel, "chat widget reply withheld by the screen: "+verdictSummary(*refused))
	} else {
		ev, err := s.recordWidgetReply(wctx, dc.c.ID, cleared)
		if err != nil {
			return nil, err
		}
		out.Text, out.ReplyID = ev.Text, ev.ID
	}
	if len(reasons) > 0 {
		// Recorded before the reply is streamed: a failed write to the client must not
		// lose the request for a person.
		out.Handoff, out.HandoffReasons = true, reasons
		s.audit(wctx, dc.c.ID, WidgetChannel, fmt.Sprintf("chat widget conversation handed to a person (%s): an agent should follow up", strings.Join(reasons, ", ")))
	} else {
		out.Options = s.widgetOptions(dc.c, dc.suggestions, dc.language)
	}
	if sink != nil && out.Text != "" {
		if err := sink.onText(out.Text); err != nil {
			return nil, err
		}
	}
	// Ids, flags and timings only: the debtor's words and the reply never reach the
	// logs, and why a conversation was handed off (hardship, abuse, a dispute) says
	// something about the debtor, so it is logged at debug level only.
	s.logger().InfoContext(ctx, "widget message answered", "case_id", dc.c.ID, "message_id", out.MessageID,
		"reply_id", out.ReplyID, "handoff", out.Handoff,
		"options", len(out.Options), "duration_ms", float64(time.Since(start).Microseconds())/1000)
	if out.Handoff {
		s.logger().DebugContext(ctx, "widget message handed off", "case_id", dc.c.ID, "message_id", out.MessageID,
			"handoff_reasons", strings.Join(reasons, ","))
	}
	return out, nil
}

// unreviewed keeps the next steps a reply nobody reviews may speak about: a fee
// waiver needs the creditor's consent (NextSteps says "if the creditor allows it"),
// so the widget offers "pay by" as an option but never promises the waiver.
func unreviewed(steps []Suggestion) []Suggestion {
	return slices.DeleteFunc(slices.Clone(steps), func(s Suggestion) bool { return s.Action == ActionIncentive })
}

// recordWidgetReply stores a reply as an outbound chat event. It takes a Cleared
// value, so text that skipped the gate cannot be recorded as sent.
func (s *Service) recordWidgetReply(ctx context.Context, caseID string, msg compliance.Cleared) (*Event, error) {
	if !msg.Valid() {
		return nil, Internal("assistant.WidgetMessage", fmt.Errorf("reply was not cleared by the gate"))
	}
	return s.AppendEvent(ctx, &Event{CaseID: caseID, Kind: EventMessage, Direction: "outbound", Channel: msg.Channel(), Text: msg.Text()})
}

// stickyRights are requests that keep applying to later messages: after a debtor
// asked to stop, named a lawyer, said we have the wrong person or disputed the debt,
// every later widget message goes to a person with the same acknowledgement (a
// possible third party must never get collection text, nor a disputed debt be
// collected before it is verified).
var stickyRights = []string{IntentCeaseContact, IntentRepresented, IntentWrongParty, IntentDispute}

// handoffIntents are the debtor intents a person must handle.
var handoffIntents = []string{
	IntentCeaseContact, IntentRepresented, IntentWrongParty, IntentDispute,
	IntentComplaint, IntentAbusive, IntentHardship,
}

// handoffPriority orders the acknowledgement when several apply: the rights first,
// and a possible third party before everything (its reply names nobody and no debt,
// and promises no further contact, which also honours a stop request).
var handoffPriority = []string{
	ActionDiscloseNothing, ActionSuppressContact, ActionContactAttorney, ActionPauseAndVerify, ActionRouteToPerson,
}

// handoff decides whether a person must take over and which step the
// acknowledgement is about; no reasons means the widget answers on its own.
func handoff(dc *draftContext, text string) ([]string, Suggestion) {
	var reasons, actions []string
	a := dc.analysis
	for _, intent := range handoffIntents {
		if a.HasIntent(intent) {
			reasons = append(reasons, intent)
		}
	}
	if a != nil && a.Willingness.Segment == SegmentHighRisk {
		reasons = appendUnique(reasons, HandoffHighRisk)
	}
	if AsksForPerson(text) {
		reasons = appendUnique(reasons, HandoffPersonRequested)
	}
	for _, e := range dc.events {
		if e.Direction != "inbound" || e.Analysis == nil {
			continue
		}
		for _, r := range stickyRights {
			if e.Analysis.HasIntent(r) {
				reasons = appendUnique(reasons, r)
			}
		}
	}
	byAction := map[string]Suggestion{}
	for _, st := range dc.suggestions {
		if !st.Handoff {
			continue
		}
		reasons = appendUnique(reasons, handoffReason(dc, st.Action))
		if !slices.Contains(handoffPriority, st.Action) {
			st = Suggestion{Action: ActionRouteToPerson, Handoff: true} // legal referral: a person answers
		}
		if _, ok := byAction[st.Action]; !ok {
			byAction[st.Action] = st
		}
		actions = append(actions, st.Action)
	}
	if len(reasons) == 0 {
		return nil, Suggestion{}
	}
	if slices.Contains(reasons, IntentCeaseContact) {
		actions = append(actions, ActionSuppressContact)
	}
	if slices.Contains(reasons, IntentWrongParty) {
		actions = append(actions, ActionDiscloseNothing)
	}
	if slices.Contains(reasons, IntentRepresented) {
		actions = append(actions, ActionContactAttorney)
	}
	if slices.Contains(reasons, IntentDispute) {
		actions = append(actions, ActionPauseAndVerify)
	}
	for _, action := range handoffPriority {
		if slices.Contains(actions, action) {
			if st, ok := byAction[action]; ok {
				return reasons, st
			}
			return reasons, Suggestion{Action: action, Handoff: true}
		}
	}
	return reasons, Suggestion{Action: ActionRouteToPerson, Handoff: true}
}

// handoffReason names why a next step hands off: the intent or case flag behind it.
func handoffReason(dc *draftContext, action string) string {
	switch action {
	case ActionSuppressContact:
		return IntentCeaseContact
	case ActionDiscloseNothing:
		return IntentWrongParty
	case ActionContactAttorney:
		return IntentRepresented
	case ActionPauseAndVerify:
		return IntentDispute
	case ActionRouteToPerson:
		for _, intent := range []string{IntentComplaint, IntentHardship} {
			if dc.analysis.HasIntent(intent) {
				return intent
			}
		}
		if dc.c.Flags.Bankruptcy {
			return "bankruptcy"
		}
	}
	return action
}

func appendUnique(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

// personPhrases are how debtors ask for a person in a chat. A false match hands a
// conversation to a person, which is the safe direction.
var personPhrases = []string{
	"talk to a person", "speak to a person", "speak with a person", "talk with a person",
	"talk to a human", "speak to a human", "speak with a human", "real person", "a human",
	"talk to someone", "speak to someone", "speak with someone", "talk to somebody",
	"talk to an agent", "speak to an agent", "speak with an agent", "live agent", "real agent",
	"representative", "operator", "customer service", "transfer me", "not a bot", "not a robot",
	"人工", "真人", "转接", "客服人员", "工作人员", "找人", "跟人说", "和人说", "跟人聊", "和人聊", "找你们领导", "找主管",
}

// AsksForPerson reports whether a debtor's message asks to talk to a person.
func AsksForPerson(text string) bool {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	for _, p := range personPhrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}

// widgetOptions turns the next steps into choices the debtor can tap, each screened
// like any text the debtor will read; "talk to a person" is always offered.
func (s *Service) widgetOptions(c *Case, steps []Suggestion, lang string) []WidgetOption {
	loc, err := time.LoadLocation(c.Debtor.Timezone)
	if err != nil {
		loc = time.UTC
	}
	t := optionTexts[lang]
	if t == nil {
		t = optionTexts["en"]
	}
	var opts []WidgetOption
	if c.Balance.Minor > 0 {
		bal := c.Balance
		amt := moneyText(bal, lang)
		opts = append(opts, WidgetOption{Action: OptionPayNow, Label: fmt.Sprintf(t.payNow, amt), Message: fmt.Sprintf(t.payNowMsg, amt), Amount: &bal})
	}
	for _, st := range steps {
		switch st.Action {
		case ActionOfferPlan:
			if st.Plan == nil || len(st.Plan.Installments) == 0 {
				continue
			}
			desc := planText(st.Plan, lang)
			opts = append(opts, WidgetOption{Action: OptionPlan, Label: desc, Message: fmt.Sprintf(t.planMsg, len(st.Plan.Installments)), When: st.When, Plan: st.Plan})
		case ActionIncentive:
			if d, ok := optionDate(st.When, lang, loc); ok {
				opts = append(opts, WidgetOption{Action: OptionPayBy, Label: fmt.Sprintf(t.payBy, d), Message: fmt.Sprintf(t.payByMsg, d), When: st.When})
			}
		case ActionReminder:
			if d, ok := optionDate(st.When, lang, loc); ok && !hasOption(opts, OptionReminder) {
				opts = append(opts, WidgetOption{Action: OptionReminder, Label: fmt.Sprintf(t.reminder, d), Message: fmt.Sprintf(t.reminderMsg, d), When: st.When})
			}
		case ActionCallback:
			if d, ok := optionDate(st.When, lang, loc); ok {
				opts = append(opts, WidgetOption{Action: OptionCallback, Label: fmt.Sprintf(t.callback, d), Message: fmt.Sprintf(t.callbackMsg, d), When: st.When})
			}
		}
	}
	opts = append(opts, WidgetOption{Action: OptionTalkToPerson, Label: t.person, Message: t.personMsg})
	out := make([]WidgetOption, 0, len(opts))
	for _, o := range opts {
		v, err := s.Gate.Check(screenRequest(c, WidgetChannel, o.Label+"\n"+o.Message, false, false, nil))
		if err == nil && v.Allowed {
			out = append(out, o)
		}
	}
	return out
}

func hasOption(opts []WidgetOption, action string) bool {
	for _, o := range opts {
		if o.Action == action {
			return true
		}
	}
	return false
}

type optionWording struct {
	payNow, payNowMsg, planMsg, payBy, payByMsg, reminder, reminderMsg, callback, callbackMsg, person, personMsg string
}

// optionTexts word the options in the debtor's language. The person option's
// message must itself read as a request for a person (AsksForPerson).
var optionTexts = map[string]*optionWording{
	"en": {
		payNow: "Pay the full balance now (%s)", payNowMsg: "I'd like to pay the full balance of %s now.",
		planMsg: "I'd like the payment plan you proposed (%d payments).",
		payBy:   "Pay by %s", payByMsg: "I will pay by %s.",
		reminder: "Remind me on %s", reminderMsg: "Please send me a reminder on %s.",
		callback: "Contact me on %s", callbackMsg: "Please contact me on %s.",
		person: "Talk to a person", personMsg: "I'd like to talk to a person.",
	},
	"zh": {
		payNow: "现在一次性还清（%s）", payNowMsg: "我想现在一次性还清%s。",
		planMsg: "我选择您提出的分期方案（共%d期）。",
		payBy:   "%s前还款", payByMsg: "我会在%s前还款。",
		reminder: "%s提醒我", reminderMsg: "请在%s给我发提醒。",
		callback: "%s联系我", callbackMsg: "请在%s联系我。",
		person: "转人工客服", personMsg: "我想和工作人员沟通，转人工。",
	},
}

func optionDate(when, lang string, loc *time.Location) (string, bool) {
	if when == "" {
		return "", false
	}
	t, err := time.ParseInLocation(time.DateOnly, when, loc)
	if err != nil {
		return "", false
	}
	return dateText(t, lang), true
}

func dateText(t time.Time, lang string) string {
	if lang == "zh" {
		return t.Format("1月2日")
	}
	return t.Format("Jan 2")
}

func moneyText(m Money, lang string) string {
	if lang == "zh" && m.Currency == "CNY" {
		return m.Amount() + "元"
	}
	return m.Amount() + " " + m.Currency
}

// planText states every amount and due date of a plan, grouping equal consecutive
// instalments: "Pay in 4 parts: 2400.00 CNY by Nov 25, then 3200.00 CNY each by
// Dec 10, Jan 10 and Feb 10".
func planText(p *Plan, lang string) string {
	type group struct {
		amount Money
		dates  []string
	}
	var groups []group
	for _, inst := range p.Installments {
		d := dateText(inst.Due, lang)
		if n := len(groups); n > 0 && groups[n-1].amount == inst.Amount {
			groups[n-1].dates = append(groups[n-1].dates, d)
			continue
		}
		groups = append(groups, group{amount: inst.Amount, dates: []string{d}})
	}
	var parts []string
	for _, g := range groups {
		amt := moneyText(g.amount, lang)
		dates := g.dates
		if lang == "zh" {
			switch {
			case len(dates) == 1:
				parts = append(parts, dates[0]+"前还"+amt)
			case len(dates) > 4:
				parts = append(parts, fmt.Sprintf("%s至%s每月各还%s（%d期）", dates[0], dates[len(dates)-1], amt, len(dates)))
			default:
				parts = append(parts, strings.Join(dates, "、")+"前各还"+amt)
			}
			continue
		}
		switch {
		case len(dates) == 1:
			parts = append(parts, amt+" by "+dates[0])
		case len(dates) > 4:
			parts = append(parts, fmt.Sprintf("%s a month from %s to %s (%d payments)", amt, dates[0], dates[len(dates)-1], len(dates)))
		default:
			parts = append(parts, amt+" each by "+strings.Join(dates[:len(dates)-1], ", ")+" and "+dates[len(dates)-1])
		}
	}
	if lang == "zh" {
		return fmt.Sprintf("分%d期：%s", len(p.Installments), strings.Join(parts, "，之后"))
	}
	return fmt.Sprintf("Pay in %d parts: %s", len(p.Installments), strings.Join(parts, ", then "))
}
