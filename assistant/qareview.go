package assistant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/compliance/contactpolicy"
)

// TranscriptInput is a call or chat to review.
type TranscriptInput struct {
	CaseID       string // optional; when given the case must exist
	Channel      string
	Jurisdiction string // optional with a case: the case's
	Direction    string // outbound (default: the agent made the contact) | inbound
	StartedAt    time.Time
	Turns        []Turn
}

// The QA score is 100 minus a penalty per finding, clamped to 0..100. A blocking
// finding is a violation (a threat, contact at an unlawful hour, collecting after the
// debtor invoked a right); a warning is something a person should correct (a missing
// disclosure, a home-visit mention); review findings describe the debtor, not the
// agent, and cost nothing.
const (
	PenaltyBlock  = 25
	PenaltyWarn   = 5
	PenaltyReview = 0
	// ScoreFormula is returned with every review so a reader can recompute the score.
	ScoreFormula = "100 - 25 per block finding - 5 per warn finding - 0 per review finding, clamped to 0..100"
)

// disclosureTurns is how many of the agent's first turns may carry the required
// disclosures (who is calling, that it is a debt collector): a call opens with a
// greeting, so the disclosure may come in the second turn, but not later.
const disclosureTurns = 2

// QA rule ids for transcript-level findings; the screen's own rule ids are kept for
// the findings it makes.
const (
	RuleQAAfterCeaseContact = "qa.continued_after_cease_contact"
	RuleQAAfterAttorney     = "qa.continued_after_attorney"
	RuleQAAfterDispute      = "qa.continued_after_dispute"
	RuleQARightsRequest     = "qa.rights_request"
	RuleQAHighRisk          = "qa.debtor_high_risk"
)

// right is a debtor's request that changes what the agent may say next.
type right struct {
	intent string
	rule   string
	what   string // for explanations
	then   string // what the agent should have done instead
	flag   string // the case flag that records it
	set    func(*compliance.Context)
	has    func(Flags) bool
}

var rights = []right{
	{IntentCeaseContact, RuleQAAfterCeaseContact, "asked to stop contact",
		"after a request to stop, only a notice that collection stops or that a specific remedy will be invoked may follow", "cease_contact",
		func(c *compliance.Context) { c.CeaseContact = true }, func(f Flags) bool { return f.CeaseContact }},
	{IntentRepresented, RuleQAAfterAttorney, "said they have a lawyer",
		"the agent should take the lawyer's details and deal with the lawyer, not the debtor", "attorney_represented",
		func(c *compliance.Context) { c.AttorneyRepresented = true }, func(f Flags) bool { return f.AttorneyRepresented }},
	{IntentDispute, RuleQAAfterDispute, "disputed the debt",
		"collection pauses until the debt is verified", "disputed",
		func(c *compliance.Context) { c.Disputed = true }, func(f Flags) bool { return f.Disputed }},
}

// collectionTerms mark an agent turn as still pursuing payment. A turn the case
// context forbids is a "kept collecting" finding only when it also talks money: a
// plain "understood, goodbye" after "stop calling me" is what the agent should say.
var collectionTerms = []string{
	"pay", "owe", "balance", "debt", "amount", "due", "overdue", "installment", "instalment", "settle", "$",
	"还款", "还钱", "欠款", "欠费", "欠的", "逾期", "账单", "分期", "金额", "还清", "结清", "应还", "付款", "转账", "元",
}

// ReviewTranscript screens every agent turn, analyses every debtor turn, looks for
// what a QA reviewer would (collecting after the debtor invoked a right, missing
// disclosures, contact at an unlawful hour, a high-risk debtor), scores the call and
// flags it when it holds a blocking finding or a high-risk signal. The transcript and
// its review are stored; the returned flag is nil when there is none. EINVALID,
// ETOOLARGE, ENOTFOUND (case), EUNAVAILABLE.
func (s *Service) ReviewTranscript(ctx context.Context, in TranscriptInput) (*Transcript, *Flag, error) {
	start := time.Now()
	if s.Gate == nil || s.QA == nil {
		return nil, nil, Errorf(EUNAVAILABLE, "transcript review is not configured")
	}
	if err := validateTranscript(&in); err != nil {
		return nil, nil, err
	}
	var (
		c      *Case
		events []*Event
		err    error
	)
	if in.CaseID != "" {
		if c, err = s.Store.GetCase(ctx, in.CaseID); err != nil {
			return nil, nil, err
		}
		if events, err = s.allEvents(ctx, c.ID); err != nil {
			return nil, nil, err
		}
		if in.Jurisdiction == "" {
			in.Jurisdiction = c.Jurisdiction
		}
	}
	if in.Jurisdiction == "" {
		return nil, nil, Invalid("jurisdiction", "jurisdiction is required without a case_id; one of %s", strings.Join(Jurisdictions, ", "))
	}
	if in.StartedAt.IsZero() {
		for _, t := range in.Turns {
			if !t.At.IsZero() && (in.StartedAt.IsZero() || t.At.Before(in.StartedAt)) {
				in.StartedAt = t.At
			}
		}
	}
	r := &review{svc: s, in: &in, c: c, firstContact: c != nil && FirstContact(events)}
	r.tz = DefaultTimezone(in.Jurisdiction)
	if c != nil && c.Debtor.Timezone != "" {
		r.tz = c.Debtor.Timezone
	}
	if err := r.turns(ctx); err != nil {
		return nil, nil, err
	}
	if err := r.findAll(); err != nil {
		return nil, nil, err
	}
	result := TranscriptResult{Turns: r.results, Findings: r.findings, Score: Score(r.findings), Notes: r.notes}
	t := &Transcript{
		CaseID: in.CaseID, Channel: in.Channel, Jurisdiction: in.Jurisdiction, Direction: in.Direction,
		StartedAt: in.StartedAt, Turns: in.Turns, Result: result,
	}
	stored, flag, err := s.QA.CreateTranscript(ctx, t, flagFor(in.CaseID, r.findings))
	if err != nil {
		return nil, nil, err
	}
	if c != nil {
		line := fmt.Sprintf("transcript %s reviewed: %d turns, score %d; findings: %s", stored.ID, len(in.Turns), result.Score, findingSummary(result.Findings))
		if flag != nil {
			line += "; flagged as " + flag.ID
		}
		s.audit(ctx, c.ID, in.Channel, line)
	}
	// Ids, counts and timings only: turn texts never reach the logs.
	s.logger().InfoContext(ctx, "transcript reviewed", "transcript_id", stored.ID, "case_id", in.CaseID,
		"turns", len(in.Turns), "findings", len(result.Findings), "score", result.Score, "flagged", flag != nil,
		"duration_ms", float64(time.Since(start).Microseconds())/1000)
	return stored, flag, nil
}

func validateTranscript(in *TranscriptInput) error {
	in.Channel = strings.ToLower(strings.TrimSpace(in.Channel))
	if in.Channel == "" {
		return Invalid("channel", "channel is required; one of %s", strings.Join(Channels, ", "))
	}
	if !slices.Contains(Channels, in.Channel) {
		return Invalid("channel", "channel must be one of %s", strings.Join(Channels, ", "))
	}
	in.Jurisdiction = strings.ToUpper(strings.TrimSpace(in.Jurisdiction))
	if in.Jurisdiction != "" && !slices.Contains(Jurisdictions, in.Jurisdiction) {
		return Invalid("jurisdiction", "jurisdiction must be one of %s", strings.Join(Jurisdictions, ", "))
	}
	switch in.Direction {
	case "":
		in.Direction = "outbound"
	case "outbound", "inbound":
	default:
		return Invalid("direction", "direction must be outbound or inbound")
	}
	if len(in.Turns) == 0 {
		return Invalid("turns", "turns is required: at least one turn")
	}
	if len(in.Turns) > MaxTranscriptTurns {
		return Invalid("turns", "a transcript has at most %d turns; split longer ones", MaxTranscriptTurns)
	}
	for i, t := range in.Turns {
		field := fmt.Sprintf("turns[%d].speaker", i)
		switch t.Speaker {
		case SpeakerAgent, SpeakerDebtor:
		case "":
			return Invalid(field, "%s is required: agent or debtor", field)
		default:
			return Invalid(field, "%s must be agent or debtor", field)
		}
		if err := ValidateText(fmt.Sprintf("turns[%d].text", i), t.Text, true); err != nil {
			return err
		}
	}
	return nil
}

// review is the state of one transcript review.
type review struct {
	svc          *Service
	in           *TranscriptInput
	c            *Case // nil without a case
	tz           string
	firstContact bool
	results      []TurnResult
	findings     []Finding
	notes        []string
}

// turns analyses debtor turns and screens agent turns.
func (r *review) turns(ctx context.Context) error {
	r.results = make([]TurnResult, len(r.in.Turns))
	firstAgent := true
	for i, t := range r.in.Turns {
		res := TurnResult{Index: i, Speaker: t.Speaker}
		if t.Speaker == SpeakerDebtor {
			res.Analysis = r.analyse(ctx, i, t)
		} else {
			v, err := r.screen(i, t.Text, firstAgent, nil)
			if err != nil {
				return err
			}
			res.Verdict = &v
			firstAgent = false
		}
		r.results[i] = res
	}
	return nil
}

func (r *review) analyse(ctx context.Context, i int, t Turn) *Analysis {
	if r.svc.Analyzer == nil {
		return nil
	}
	ref := t.At
	if ref.IsZero() {
		ref = r.in.StartedAt
	}
	if ref.IsZero() {
		ref = r.svc.now()
	}
	a, err := r.svc.Analyzer.Analyze(ctx, AnalyzeRequest{Text: t.Text, Reference: ref, Timezone: r.tz})
	if err != nil {
		r.svc.logger().WarnContext(ctx, "analysis of a transcript turn failed", "case_id", r.in.CaseID, "turn", i, "err", err)
		return nil
	}
	return a
}

// screen checks one agent turn with the case's context; extra adds what the debtor
// said earlier in the call (a right they invoked).
func (r *review) screen(i int, text string, first bool, extra func(*compliance.Context)) (compliance.Verdict, error) {
	var req compliance.Request
	if r.c != nil {
		req = screenRequest(r.c, r.in.Channel, text, false, first && r.firstContact, nil)
	} else {
		req = compliance.Request{Text: text, Channel: r.in.Channel}
	}
	req.Jurisdiction = r.in.Jurisdiction
	if extra != nil {
		extra(&req.Context)
	}
	v, err := r.svc.Gate.Check(req)
	var inputErr *compliance.InputError
	if errors.As(err, &inputErr) {
		// Validation ran first, so this is an input the gate sees differently; it is
		// still the client's input, never a 500.
		field := fmt.Sprintf("turns[%d].text", i)
		if inputErr.Code == compliance.CodeTextTooLarge {
			return v, &Error{Code: ETOOLARGE, Field: field, Message: inputErr.Message}
		}
		return v, Invalid(field, "%s: %s", field, inputErr.Message)
	}
	if err != nil {
		return v, Internal("assistant.ReviewTranscript", err)
	}
	return v, nil
}

func (r *review) findAll() error {
	r.screenFindings()
	if err := r.disclosureFindings(); err != nil {
		return err
	}
	if err := r.rightsFindings(); err != nil {
		return err
	}
	r.highRiskFinding()
	r.contactTimeFinding()
	slices.SortStableFunc(r.findings, func(a, b Finding) int {
		ta, tb := -1, -1
		if a.Turn != nil {
			ta = *a.Turn
		}
		if b.Turn != nil {
			tb = *b.Turn
		}
		if ta != tb {
			return ta - tb
		}
		return a.Start - b.Start
	})
	for i := range r.findings {
		r.findings[i].Penalty = penalty(r.findings[i].Severity)
	}
	if r.findings == nil {
		r.findings = []Finding{}
	}
	return nil
}

func penalty(severity string) int {
	switch severity {
	case FindingBlock:
		return PenaltyBlock
	case FindingWarn:
		return PenaltyWarn
	}
	return PenaltyReview
}

// Score is 100 minus the findings' penalties, clamped to 0..100 (see ScoreFormula).
func Score(findings []Finding) int {
	score := 100
	for _, f := range findings {
		score -= penalty(f.Severity)
	}
	return max(0, min(100, score))
}

// screenFindings turns the agents' violations into findings. Overlapping rules of
// one category in one turn ("arrest" found by two rules) are one finding; apart, they
// are separate findings, so no span covers the text between them. A violation of the
// case context (cease contact on file) repeats on every turn and counts once.
func (r *review) screenFindings() {
	type key struct {
		turn     int
		category string
	}
	merged := map[key][]int{}     // indexes into r.findings
	wholeTurn := map[string]int{} // rule -> index into r.findings
	for i, res := range r.results {
		if res.Verdict == nil {
			continue
		}
		text := []rune(r.in.Turns[i].Text)
		for _, v := range res.Verdict.Violations {
			if v.Category == compliance.CategoryMissingDisclosure {
				continue // judged over the agent's first turns, not turn by turn
			}
			if v.Start == v.End {
				if j, ok := wholeTurn[v.Rule]; ok {
					r.findings[j].Explanation = addTurn(r.findings[j].Explanation, i)
					continue
				}
				wholeTurn[v.Rule] = len(r.findings)
				r.findings = append(r.findings, Finding{Rule: v.Rule, Category: v.Category, Severity: string(v.Severity),
					Turn: intp(i), Explanation: v.Explanation, Citation: v.Citation})
				continue
			}
			k := key{i, v.Category}
			if j, ok := overlapping(r.findings, merged[k], v); ok {
				f := &r.findings[j]
				f.Start, f.End = min(f.Start, v.Start), max(f.End, v.End)
				f.Excerpt = excerpt(text, f.Start, f.End)
				continue
			}
			merged[k] = append(merged[k], len(r.findings))
			r.findings = append(r.findings, Finding{Rule: v.Rule, Category: v.Category, Severity: string(v.Severity),
				Turn: intp(i), Start: v.Start, End: v.End, Excerpt: excerpt(text, v.Start, v.End),
				Explanation: v.Explanation, Citation: v.Citation})
		}
	}
}

// overlapping finds, among the findings at idx (one turn and category), one of the
// violation's severity whose span overlaps the violation's.
func overlapping(findings []Finding, idx []int, v compliance.Violation) (int, bool) {
	for _, j := range idx {
		f := findings[j]
		if f.Severity == string(v.Severity) && v.Start < f.End && f.Start < v.End {
			return j, true
		}
	}
	return 0, false
}

// addTurn notes a further turn in which a whole-turn violation recurred.
func addTurn(expl string, turn int) string {
	const marker = " Also in turns "
	if i := strings.Index(expl, marker); i >= 0 {
		return strings.TrimSuffix(expl, ".") + fmt.Sprintf(", %d.", turn)
	}
	return expl + marker + fmt.Sprintf("%d.", turn)
}

func excerpt(text []rune, start, end int) string {
	start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
	if start >= end {
		return ""
	}
	return string(text[start:end])
}

func intp(i int) *int { return &i }

// disclosureFindings warns, as the screen does, for each required disclosure that
// none of the agent's first turns made. On a first contact each of those turns is
// screened as the first communication for this check, since the first-contact
// disclosure may come in any of them: a later turn's own verdict, made without
// first_contact, lacks that rule whether or not the agent said it.
func (r *review) disclosureFindings() error {
	var first []int
	for i, res := range r.results {
		if res.Verdict != nil && len(first) < disclosureTurns {
			first = append(first, i)
		}
	}
	if len(first) == 0 {
		return nil
	}
	verdicts := make([]*compliance.Verdict, len(first))
	for k, i := range first {
		verdicts[k] = r.results[i].Verdict
		if k > 0 && r.firstContact {
			v, err := r.screen(i, r.in.Turns[i].Text, true, nil)
			if err != nil {
				return err
			}
			verdicts[k] = &v
		}
	}
	for _, v := range verdicts[0].Violations {
		if v.Category != compliance.CategoryMissingDisclosure {
			continue
		}
		missing := true
		for _, later := range verdicts[1:] {
			if !hasRule(later, v.Rule) {
				missing = false
			}
		}
		if missing {
			r.findings = append(r.findings, Finding{Rule: v.Rule, Category: v.Category, Severity: FindingWarn,
				Turn: intp(first[0]), Explanation: fmt.Sprintf("%s Not said in the agent's first %d turn(s).", v.Explanation, len(first)),
				Citation: v.Citation})
		}
	}
	return nil
}

func hasRule(v *compliance.Verdict, rule string) bool {
	if v == nil {
		return false
	}
	for _, x := range v.Violations {
		if x.Rule == rule {
			return true
		}
	}
	return false
}

// rightsFindings follows the call: once the debtor asks to stop contact, names a
// lawyer or disputes the debt, each later agent turn is screened again as if the case
// already recorded it. A turn that the screen then refuses and that still talks money
// is the agent collecting over the debtor's right. A right the agent respected is a
// review finding, so someone records it on the case.
func (r *review) rightsFindings() error {
	for _, rt := range rights {
		if r.c != nil && rt.has(r.c.Flags) {
			continue // on file: every agent turn was already screened with it
		}
		invoked := -1
		for i, res := range r.results {
			if invoked < 0 {
				if res.Analysis.HasIntent(rt.intent) {
					invoked = i
				}
				continue
			}
			if res.Verdict == nil {
				continue
			}
			text := r.in.Turns[i].Text
			v, err := r.screen(i, text, false, rt.set)
			if err != nil {
				return err
			}
			blocked := compliance.Violation{}
			for _, x := range v.Violations {
				if x.Severity == compliance.SeverityBlock && x.Category == compliance.CategoryCeaseContact && !hasRule(res.Verdict, x.Rule) {
					blocked = x
					break
				}
			}
			if blocked.Rule == "" {
				continue
			}
			start, end, ok := collectionSpan(text)
			if !ok {
				continue
			}
			runes := []rune(text)
			r.findings = append(r.findings, Finding{Rule: rt.rule, Category: compliance.CategoryCeaseContact, Severity: FindingBlock,
				Turn: intp(i), Start: start, End: end, Excerpt: excerpt(runes, start, end),
				Explanation: fmt.Sprintf("The debtor %s in turn %d and the agent kept collecting: %s.", rt.what, invoked, rt.then),
				Citation:    blocked.Citation})
			invoked = -2 // reported once per right
			break
		}
		if invoked >= 0 {
			r.findings = append(r.findings, Finding{Rule: RuleQARightsRequest, Category: rt.intent, Severity: FindingReview,
				Turn: intp(invoked), Explanation: fmt.Sprintf("The debtor %s; the agent did not keep collecting. Record it on the case (flag %s).", rt.what, rt.flag)})
		}
	}
	return nil
}

// collectionSpan finds the first collection term in text, as rune offsets. English
// terms match at the start of a word, so "pay" finds "payment" but not "display".
func collectionSpan(text string) (int, int, bool) {
	lower := asciiLower(text)
	best, bestLen := -1, 0
	for _, term := range collectionTerms {
		from := 0
		for {
			j := strings.Index(lower[from:], term)
			if j < 0 {
				break
			}
			j += from
			if wordStart(lower, j, term) {
				if best < 0 || j < best {
					best, bestLen = j, len(term)
				}
				break
			}
			from = j + len(term)
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	start := utf8.RuneCountInString(text[:best])
	return start, start + utf8.RuneCountInString(text[best:best+bestLen]), true
}

// asciiLower lowercases ASCII letters only, so byte offsets stay those of text.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func wordStart(s string, i int, term string) bool {
	if i == 0 || term[0] >= utf8.RuneSelf || !isLetter(term[0]) {
		return true
	}
	return !isLetter(s[i-1])
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// highRiskFinding notes the first debtor turn that reads as high risk (evasive,
// walking away): such calls go to a person whatever the agent did.
func (r *review) highRiskFinding() {
	for i, res := range r.results {
		if res.Analysis != nil && res.Analysis.Willingness.Segment == SegmentHighRisk {
			r.findings = append(r.findings, Finding{Rule: RuleQAHighRisk, Category: string(SegmentHighRisk), Severity: FindingReview,
				Turn: intp(i), Explanation: fmt.Sprintf("The debtor reads as high risk (willingness %.2f): coordinate with legal staff and document every step; still no threats.", res.Analysis.Willingness.Score)})
			return
		}
	}
}

// contactTimeFinding checks the hour the agent made the contact, in the debtor's zone
// (the case's, else the jurisdiction's default). Calls the debtor made are not
// checked.
func (r *review) contactTimeFinding() {
	if r.in.Direction != "outbound" {
		return
	}
	if r.in.StartedAt.IsZero() {
		r.notes = append(r.notes, "contact hours not checked: no started_at and no turn time")
		return
	}
	d, err := contactpolicy.Check(contactpolicy.Request{Jurisdiction: r.in.Jurisdiction, Channel: r.in.Channel,
		SendAt: r.in.StartedAt, Timezones: []string{r.tz}})
	if err != nil {
		r.notes = append(r.notes, "contact hours not checked: "+err.Error())
		return
	}
	for _, f := range d.Findings {
		if f.Category != contactpolicy.CategoryTime {
			continue
		}
		r.findings = append(r.findings, Finding{Rule: f.Rule, Category: f.Category, Severity: FindingBlock,
			Explanation: f.Explanation, Citation: f.Citation})
	}
}

// flagFor builds the open flag for a transcript with a blocking finding or a
// high-risk signal; nil otherwise.
func flagFor(caseID string, findings []Finding) *Flag {
	var f *Flag
	for _, x := range findings {
		if x.Severity != FindingBlock && x.Rule != RuleQAHighRisk {
			continue
		}
		if f == nil {
			f = &Flag{CaseID: caseID, Status: FlagOpen, Reasons: []FlagReason{}, Spans: []FlagSpan{}}
		}
		f.Reasons = append(f.Reasons, FlagReason{Rule: x.Rule, Category: x.Category, Severity: x.Severity, Turn: x.Turn, Explanation: x.Explanation})
		if x.Turn != nil && x.End > x.Start {
			f.Spans = append(f.Spans, FlagSpan{Turn: *x.Turn, Start: x.Start, End: x.End, Excerpt: x.Excerpt})
		}
	}
	return f
}

func findingSummary(fs []Finding) string {
	if len(fs) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		p := f.Severity + ":" + f.Rule
		if f.Turn != nil {
			p += fmt.Sprintf("@%d", *f.Turn)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// GetTranscript returns a stored transcript with its review. ENOTFOUND.
func (s *Service) GetTranscript(ctx context.Context, id string) (*Transcript, error) {
	if s.QA == nil {
		return nil, Errorf(EUNAVAILABLE, "transcript review is not configured")
	}
	return s.QA.GetTranscript(ctx, id)
}

// GetFlag returns a QA flag. ENOTFOUND.
func (s *Service) GetFlag(ctx context.Context, id string) (*Flag, error) {
	if s.QA == nil {
		return nil, Errorf(EUNAVAILABLE, "transcript review is not configured")
	}
	return s.QA.GetFlag(ctx, id)
}

// ListFlags pages through QA flags, oldest first; the status defaults to open.
// EINVALID.
func (s *Service) ListFlags(ctx context.Context, f FlagFilter) (FlagPage, error) {
	if s.QA == nil {
		return FlagPage{}, Errorf(EUNAVAILABLE, "transcript review is not configured")
	}
	if f.Status == "" {
		f.Status = FlagOpen
	}
	if f.Status != FlagAll && !slices.Contains(FlagStatuses, f.Status) {
		return FlagPage{}, Invalid("status", "status must be one of open, confirmed, dismissed, all")
	}
	return s.QA.ListFlags(ctx, f)
}

// ResolveFlag records a QA reviewer's decision on an open flag. EINVALID, ENOTFOUND,
// ECONFLICT (already resolved).
func (s *Service) ResolveFlag(ctx context.Context, id, decision, note string) (*Flag, error) {
	if s.QA == nil {
		return nil, Errorf(EUNAVAILABLE, "transcript review is not configured")
	}
	if decision != FlagConfirmed && decision != FlagDismissed {
		return nil, Invalid("decision", "decision must be confirmed or dismissed")
	}
	if err := ValidateText("note", note, false); err != nil {
		return nil, err
	}
	f, err := s.QA.ResolveFlag(ctx, id, decision, note)
	if err != nil {
		return nil, err
	}
	if f.CaseID != "" {
		line := fmt.Sprintf("QA flag %s on transcript %s %s", f.ID, f.TranscriptID, f.Decision)
		if strings.TrimSpace(note) != "" {
			line += ": " + note
		}
		s.audit(ctx, f.CaseID, "", line)
	}
	s.logger().InfoContext(ctx, "QA flag resolved", "flag_id", f.ID, "transcript_id", f.TranscriptID, "case_id", f.CaseID, "decision", f.Decision)
	return f, nil
}
