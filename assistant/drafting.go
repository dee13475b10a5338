package assistant

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/compliance/contactpolicy"
)

// DraftInput is an agent's request for a reply.
type DraftInput struct {
	CaseID  string
	Message string // the debtor's latest message; stored as an inbound event when given
	Channel string
	Goal    string
}

// Goals a draft may serve.
var Goals = []string{"reply", "reminder", "plan_offer", "follow_up", "promise_confirmation", "settlement_thanks"}

// GoalHandoff asks the builtin drafter for a short acknowledgement that a person
// takes over. It is set by the chat widget only, never accepted from clients.
const GoalHandoff = "handoff"

// draftContext is everything gathered before writing.
type draftContext struct {
	c           *Case
	analysis    *Analysis
	message     string
	messageID   string // the stored event of the message being answered
	history     []ScoredEvent
	events      []*Event
	suggestions []Suggestion
	language    string
}

// Draft writes a reply for an agent to review: analyse the debtor's message, load the
// relevant history, decide next steps, draft, screen, record. The returned draft's
// text always passed the gate. ENOTFOUND, EINVALID, EUNAVAILABLE.
func (s *Service) Draft(ctx context.Context, in DraftInput) (*Draft, error) {
	return s.draft(ctx, in, nil)
}

// DraftStream is Draft with the text delivered as it is written. onText receives
// only text that has passed the screen as part of the accumulated draft; reset is
// called when already-shown text must be replaced by a fallback draft.
func (s *Service) DraftStream(ctx context.Context, in DraftInput, onText func(delta string) error, reset func() error) (*Draft, error) {
	return s.draft(ctx, in, &streamSink{onText: onText, reset: reset})
}

type streamSink struct {
	onText func(string) error
	reset  func() error
	shown  int // bytes of the accumulated text already shown
}

func (s *Service) draft(ctx context.Context, in DraftInput, sink *streamSink) (*Draft, error) {
	if s.Gate == nil || s.Drafts == nil || s.Fallback == nil {
		return nil, Errorf(EUNAVAILABLE, "drafting is not configured")
	}
	if err := ValidateText("message", in.Message, false); err != nil {
		return nil, err
	}
	if in.Goal != "" && !slices.Contains(Goals, in.Goal) {
		return nil, Invalid("goal", "goal must be one of %s", strings.Join(Goals, ", "))
	}
	dc, err := s.gather(ctx, &in)
	if err != nil {
		return nil, err
	}
	req := DraftRequest{
		Case: dc.c, Message: dc.message, Analysis: dc.analysis, History: dc.history,
		Suggestions: dc.suggestions, Channel: in.Channel, Goal: in.Goal, Language: dc.language,
		Variant: variant(dc.c.ID, len(dc.events)), FirstContact: FirstContact(dc.events),
	}
	result, verdict, trace, err := s.write(ctx, req, sink)
	if err != nil {
		return nil, err
	}
	d, err := s.Drafts.CreateDraft(ctx, &Draft{
		CaseID: dc.c.ID, Status: DraftPending, Text: result.Text, Language: dc.language,
		Channel: in.Channel, Goal: in.Goal, Analysis: dc.analysis, Suggestions: dc.suggestions,
		Citations: nonNil(result.Citations), Verdict: verdict, Engine: result.Engine, Trace: trace,
	})
	if err != nil {
		return nil, err
	}
	if d.Suggestions == nil {
		d.Suggestions = []Suggestion{}
	}
	s.audit(ctx, dc.c.ID, in.Channel, fmt.Sprintf("draft %s created by %s engine; screen: %s", d.ID, d.Engine, verdictSummary(verdict)))
	return d, nil
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// gather loads the case, records the message, and decides next steps.
func (s *Service) gather(ctx context.Context, in *DraftInput) (*draftContext, error) {
	c, err := s.Store.GetCase(ctx, in.CaseID)
	if err != nil {
		return nil, err
	}
	if in.Channel == "" {
		in.Channel = defaultChannel(c)
	}
	if !slices.Contains(Channels, in.Channel) {
		return nil, Invalid("channel", "channel must be one of %s", strings.Join(Channels, ", "))
	}
	dc := &draftContext{c: c, message: in.Message}
	current := ""
	var messageVec []float32 // the stored message's embedding, reused as the history query
	if strings.TrimSpace(in.Message) != "" {
		ev, err := s.AppendEvent(ctx, &Event{CaseID: c.ID, Kind: EventMessage, Direction: "inbound", Channel: in.Channel, Text: in.Message})
		if err != nil {
			return nil, err
		}
		dc.analysis, current, messageVec = ev.Analysis, ev.ID, ev.Embedding
		if c, err = s.Store.GetCase(ctx, c.ID); err != nil { // segment refreshed by the new message
			return nil, err
		}
		dc.c = c
	}
	if dc.events, err = s.allEvents(ctx, c.ID); err != nil {
		return nil, err
	}
	if dc.analysis == nil {
		for i := len(dc.events) - 1; i >= 0; i-- {
			if e := dc.events[i]; e.Direction == "inbound" && e.Analysis != nil {
				dc.analysis, dc.message, current = e.Analysis, e.Text, e.ID
				break
			}
		}
	}
	var hits []ScoredEvent
	if len(messageVec) > 0 {
		hits, err = s.searchVector(ctx, c.ID, messageVec, 6)
	} else {
		hits, err = s.SearchHistory(ctx, c.ID, dc.message, 6)
	}
	if err != nil {
		return nil, err
	}
	// The message being answered is already in the prompt; history is the rest.
	for _, h := range hits {
		if h.Event.ID != current && h.Event.Kind != EventAudit && len(dc.history) < 5 {
			dc.history = append(dc.history, h)
		}
	}
	dc.suggestions = NextSteps(c, dc.analysis, dc.events, s.now())
	dc.language = replyLanguage(c, dc.analysis)
	dc.messageID = current
	return dc, nil
}

// replyLanguage answers in the language the debtor wrote in; mixed writers get
// Chinese, which they read, with the English terms they used kept by the drafter.
func replyLanguage(c *Case, a *Analysis) string {
	lang := c.Debtor.Language
	if a != nil && a.Language != "" {
		lang = a.Language
	}
	if lang == "mixed" {
		return "zh"
	}
	if lang != "zh" {
		return "en"
	}
	return lang
}

func defaultChannel(c *Case) string {
	for _, cp := range c.Debtor.Contacts {
		if !cp.OptedOut {
			return cp.Channel
		}
	}
	return "sms"
}

// variant spreads wording choices over cases and turns, deterministically.
func variant(caseID string, n int) int {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", caseID, n)
	return int(h.Sum32() & 0x7fffffff)
}

// write drafts with the configured engine, screens, redrafts once with the refusal
// as feedback, and falls back to the builtin drafter; only screened text leaves.
func (s *Service) write(ctx context.Context, req DraftRequest, sink *streamSink) (DraftResult, compliance.Verdict, []string, error) {
	var trace []string
	if s.Drafter != nil {
		for attempt := 0; attempt < 2; attempt++ {
			res, err := s.runDrafter(ctx, s.Drafter, req, sink)
			if err != nil {
				trace = append(trace, fmt.Sprintf("%T failed: %v", s.Drafter, err))
				s.logger().WarnContext(ctx, "drafter failed; falling back", "case_id", req.Case.ID, "err", err)
				break
			}
			res.Text = labelAI(req.Case.Jurisdiction, req.Language, res.Text)
			v, err := s.screen(req, res.Text, res.Engine != "builtin")
			if err != nil {
				trace = append(trace, "screen error: "+err.Error())
				break
			}
			if v.Allowed {
				return res, v, append(trace, res.Engine+" draft allowed"), nil
			}
			trace = append(trace, fmt.Sprintf("%s draft refused: %s", res.Engine, verdictSummary(v)))
			req.Feedback = feedback(v)
			// What the refused attempt showed must go before the next one streams.
			if sink != nil && sink.shown > 0 {
				if err := sink.reset(); err != nil {
					return DraftResult{}, compliance.Verdict{}, trace, err
				}
				sink.shown = 0
			}
		}
		req.Feedback = nil
		if sink != nil && sink.shown > 0 {
			if err := sink.reset(); err != nil {
				return DraftResult{}, compliance.Verdict{}, trace, err
			}
			sink.shown = 0
		}
	}
	return s.writeBuiltin(ctx, req, sink, trace)
}

// writeBuiltin drafts with the builtin drafter and screens; a refused text is
// replaced by the gate's safe text when it has one that passes, else refused.
func (s *Service) writeBuiltin(ctx context.Context, req DraftRequest, sink *streamSink, trace []string) (DraftResult, compliance.Verdict, []string, error) {
	res, err := s.Fallback.Draft(ctx, req)
	if err != nil {
		return DraftResult{}, compliance.Verdict{}, trace, Internal("assistant.Draft", err)
	}
	v, err := s.screen(req, res.Text, false)
	if err != nil {
		return DraftResult{}, compliance.Verdict{}, trace, Internal("assistant.Draft", err)
	}
	if !v.Allowed {
		// The builtin templates are screened in tests; reaching here means the case
		// context forbids contact (e.g. an attorney on file). Offer the gate's safe
		// text when it has one, else refuse with the verdict.
		trace = append(trace, "builtin draft refused: "+verdictSummary(v))
		if v.SafeText == "" {
			return DraftResult{}, v, trace, &BlockedError{Verdict: v}
		}
		safe, err := s.screen(req, v.SafeText, false)
		if err != nil || !safe.Allowed {
			return DraftResult{}, v, trace, &BlockedError{Verdict: v}
		}
		res.Text, v = v.SafeText, safe
	}
	if sink != nil {
		if err := sink.onText(res.Text); err != nil {
			return DraftResult{}, compliance.Verdict{}, trace, err
		}
	}
	return res, v, append(trace, "builtin draft allowed"), nil
}

// runDrafter streams when it can, showing only text whose accumulated whole passes
// the screen at each sentence end.
func (s *Service) runDrafter(ctx context.Context, d Drafter, req DraftRequest, sink *streamSink) (DraftResult, error) {
	sd, ok := d.(StreamingDrafter)
	if sink == nil || !ok {
		return d.Draft(ctx, req)
	}
	var acc strings.Builder
	acc.WriteString(labelAI(req.Case.Jurisdiction, req.Language, "")) // shown first, as in the final text
	blocked := false
	return sd.DraftStream(ctx, req, func(delta string) error {
		acc.WriteString(delta)
		if blocked || !endsSentence(delta) {
			return nil
		}
		text := acc.String()
		v, err := s.screen(req, text, true)
		if err != nil || !v.Allowed {
			blocked = true // show nothing more; the final screen decides
			return nil
		}
		if len(text) > sink.shown {
			if err := sink.onText(text[sink.shown:]); err != nil {
				return err
			}
			sink.shown = len(text)
		}
		return nil
	})
}

func endsSentence(delta string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(delta, " \n"))
	return strings.ContainsRune(".!?。！？\n；;", r)
}

// screen checks a text against the gate with everything the case knows.
func (s *Service) screen(req DraftRequest, text string, aiGenerated bool) (compliance.Verdict, error) {
	return s.Gate.Check(screenRequest(req.Case, req.Channel, text, aiGenerated, req.FirstContact, nil))
}

// FirstContact reports whether nothing has been sent to the debtor yet (Parley's own
// audit records are not contacts).
func FirstContact(events []*Event) bool {
	for _, e := range events {
		if e.Kind != EventAudit && e.Direction == "outbound" && (e.Kind == EventMessage || e.Kind == EventCall || e.Kind == EventNote) {
			return false
		}
	}
	return true
}

func screenRequest(c *Case, channel, text string, aiGenerated, firstContact bool, sendAt *time.Time) compliance.Request {
	var optedOut []string
	for _, cp := range c.Debtor.Contacts {
		if cp.OptedOut {
			optedOut = append(optedOut, cp.Channel)
		}
	}
	return compliance.Request{
		Text: text, Jurisdiction: c.Jurisdiction, Channel: channel,
		Context: compliance.Context{
			LegalActionApproved: c.Flags.LegalActionApproved,
			CaseID:              c.ID,
			SendAt:              sendAt,
			CeaseContact:        c.Flags.CeaseContact,
			AttorneyRepresented: c.Flags.AttorneyRepresented,
			Disputed:            c.Flags.Disputed,
			Bankruptcy:          c.Flags.Bankruptcy,
			AIGenerated:         aiGenerated,
			FirstContact:        firstContact,
			OptedOutChannels:    optedOut,
			DebtorTimezones:     []string{c.Debtor.Timezone},
			DebtorKind:          c.Debtor.Kind,
		},
	}
}

func feedback(v compliance.Verdict) []string {
	var out []string
	for _, x := range v.Violations {
		if x.Severity == compliance.SeverityBlock {
			out = append(out, fmt.Sprintf("%s (%s): %q - %s", x.Category, x.Rule, x.Excerpt, x.Explanation))
		}
	}
	return out
}

func verdictSummary(v compliance.Verdict) string {
	if len(v.Violations) == 0 {
		return "allowed, no findings"
	}
	var rules []string
	for _, x := range v.Violations {
		rules = append(rules, string(x.Severity)+":"+x.Rule)
	}
	state := "allowed"
	if !v.Allowed {
		state = "blocked"
	}
	return state + " (" + strings.Join(rules, ", ") + ")"
}

// audit appends an immutable record of Parley's own action to the case. Failing to
// record is logged, not hidden, and does not undo the action the agent saw succeed.
func (s *Service) audit(ctx context.Context, caseID, channel, text string) {
	_, err := s.Store.AppendEvent(ctx, &Event{CaseID: caseID, Kind: EventAudit, Direction: "outbound", Channel: channel, Text: text, At: s.now().UTC()})
	if err != nil {
		s.logger().ErrorContext(ctx, "audit event not recorded", "case_id", caseID, "err", err)
	}
}

// ApproveInput is an agent's approval, with an optional edited text.
type ApproveInput struct {
	DraftID string
	Text    *string
	SendAt  *time.Time
}

// Approve screens the final text again and, when it passes, places it in the outbox.
// A refused text returns *BlockedError with the verdict. ENOTFOUND, ECONFLICT.
func (s *Service) Approve(ctx context.Context, in ApproveInput) (*Draft, *OutboxItem, error) {
	if s.Gate == nil || s.Drafts == nil {
		return nil, nil, Errorf(EUNAVAILABLE, "drafting is not configured")
	}
	d, err := s.Drafts.GetDraft(ctx, in.DraftID)
	if err != nil {
		return nil, nil, err
	}
	if d.Status != DraftPending {
		return nil, nil, Errorf(ECONFLICT, "draft %s is already %s", d.ID, d.Status)
	}
	text := d.Text
	if in.Text != nil {
		if err := ValidateText("text", *in.Text, true); err != nil {
			return nil, nil, err
		}
		text = *in.Text
	}
	c, err := s.Store.GetCase(ctx, d.CaseID)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.allEvents(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	sendAt := in.SendAt
	if sendAt == nil {
		// Approving at night queues the message for the debtor's next lawful hour
		// rather than refusing it; the time travels with the cleared message.
		next := s.nextLawfulTime(c, d.Channel)
		sendAt = &next
	}
	cleared, v, err := s.Gate.Clear(screenRequest(c, d.Channel, text, d.Engine != "builtin" && text == d.Text, FirstContact(events), sendAt))
	if err != nil {
		return nil, nil, Invalid("text", "%v", err)
	}
	edit := ""
	if text != d.Text {
		edit = "; edit: " + EditDiff(d.Text, text)
	}
	if !v.Allowed {
		s.audit(ctx, c.ID, d.Channel, fmt.Sprintf("approval of draft %s refused by the screen: %s%s", d.ID, verdictSummary(v), edit))
		return nil, nil, &BlockedError{Verdict: v}
	}
	approved, item, err := s.Drafts.ApproveDraft(ctx, d.ID, cleared)
	if err != nil {
		return nil, nil, err
	}
	approved.Verdict = v
	s.audit(ctx, c.ID, d.Channel, fmt.Sprintf("draft %s approved into outbox %s; screen: %s%s", d.ID, item.ID, verdictSummary(v), edit))
	return approved, item, nil
}

// Reject records an agent's rejection with a reason. ENOTFOUND, ECONFLICT, EINVALID.
func (s *Service) Reject(ctx context.Context, draftID, reason string) (*Draft, error) {
	if s.Drafts == nil {
		return nil, Errorf(EUNAVAILABLE, "drafting is not configured")
	}
	if err := ValidateText("reason", reason, true); err != nil {
		return nil, err
	}
	d, err := s.Drafts.RejectDraft(ctx, draftID, reason)
	if err != nil {
		return nil, err
	}
	s.audit(ctx, d.CaseID, d.Channel, fmt.Sprintf("draft %s rejected: %s", d.ID, reason))
	return d, nil
}

// GetDraft returns a draft. ENOTFOUND.
func (s *Service) GetDraft(ctx context.Context, id string) (*Draft, error) {
	if s.Drafts == nil {
		return nil, Errorf(EUNAVAILABLE, "drafting is not configured")
	}
	return s.Drafts.GetDraft(ctx, id)
}

// Outbox pages through approved messages for the sending system. EINVALID.
func (s *Service) Outbox(ctx context.Context, cursor string, limit int) (OutboxPage, error) {
	if s.Drafts == nil {
		return OutboxPage{}, Errorf(EUNAVAILABLE, "drafting is not configured")
	}
	return s.Drafts.ListOutbox(ctx, cursor, limit)
}

// EditDiff describes an agent's edit as the changed middle between the common prefix
// and suffix, short enough for an audit line.
func EditDiff(before, after string) string {
	a, b := []rune(before), []rune(after)
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	sfx := 0
	for sfx < len(a)-p && sfx < len(b)-p && a[len(a)-1-sfx] == b[len(b)-1-sfx] {
		sfx++
	}
	return fmt.Sprintf("at %d: -%q +%q", p, string(a[p:len(a)-sfx]), string(b[p:len(b)-sfx]))
}

// labelAI marks model-written text for mainland China, where AI-generated content
// shown to a person must carry a visible label (CN-D3).
func labelAI(jurisdiction, lang, text string) string {
	if jurisdiction != "CN" || strings.Contains(text, "AI生成") || strings.Contains(text, "AI-generated") {
		return text
	}
	if lang == "zh" {
		return "【AI生成】" + text
	}
	return "[AI-generated] " + text
}

// nextLawfulTime is the earliest time from now at which the contact rules allow this
// channel for this debtor; now when the policy cannot tell (the gate then decides).
func (s *Service) nextLawfulTime(c *Case, channel string) time.Time {
	now := s.now().UTC()
	d, err := contactpolicy.Check(contactpolicy.Request{Jurisdiction: c.Jurisdiction, Channel: channel, SendAt: now, Timezones: []string{c.Debtor.Timezone}})
	if err != nil || d.NextAllowed.IsZero() {
		return now
	}
	return d.NextAllowed.UTC()
}
