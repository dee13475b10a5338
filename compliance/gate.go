package compliance

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance/contactpolicy"
	"github.com/parley-dev/parley/compliance/normalize"
)

// Gate screens outgoing messages. It is immutable after NewGate and safe
// for concurrent use.
type Gate struct {
	e   *engine
	now func() time.Time
	// templateOK caches whether each safe template passes under a plain
	// context, so a blocked message does not pay for screening it.
	templateOK map[templateKey]bool
}

type templateKey struct {
	jurisdiction, lang, channel string
	ai                          bool
}

// NewGate loads and compiles the embedded rule packs. It fails only if a
// pack is malformed, which the tests of this package rule out. The gate
// can be used at once; see Ready.
func NewGate() (*Gate, error) {
	e, err := loadEngine()
	if err != nil {
		return nil, err
	}
	normalize.PinyinOf('一') // build the pinyin table now, not on the first mixed message
	g := &Gate{e: e, now: time.Now, templateOK: map[templateKey]bool{}}
	for _, j := range supportedJurisdictions {
		p := e.packs[j]
		for _, lang := range []string{"en", "zh"} {
			for _, ch := range supportedChannels {
				for _, ai := range []bool{false, true} {
					req := Request{Jurisdiction: j, Channel: ch, Context: Context{AIGenerated: ai}}
					req.Text = g.template(req, p, lang)
					v, err := g.check(req, p, false)
					g.templateOK[templateKey{j, lang, ch, ai}] = err == nil && v.Allowed
				}
			}
		}
	}
	e.startDFA() // last, so the DFA builds do not slow the rest of the start-up
	return g, nil
}

// template is the pack's courteous fallback text for req.
func (g *Gate) template(req Request, p *pack, lang string) string {
	tmpl := p.safeTemplates[lang]
	if req.Context.AIGenerated {
		tmpl = p.aiLabel[lang] + tmpl
	}
	if req.Channel == "sms" || req.Channel == "email" {
		tmpl += p.optOutSuffix[lang]
	}
	return tmpl
}

// plainContext reports whether ctx sets nothing that context rules look
// at, so that a cached template verdict applies.
func plainContext(req *Request) bool {
	c := &req.Context
	return !c.CeaseContact && !c.AttorneyRepresented && !c.Bankruptcy && !c.Disputed && !c.TimeBarred &&
		len(c.OptedOutChannels) == 0 && c.SendAt == nil
}

// Ready is closed once the phrase automata run in DFA mode. The gate is
// fully usable before that, answering from the NFAs (same results, a few
// times slower); the switch happens within a few hundred milliseconds of
// NewGate.
func (g *Gate) Ready() <-chan struct{} { return g.e.ready }

// Check screens one message. It returns an *InputError when the request
// cannot be screened (codes: empty_text, text_too_large, invalid_utf8,
// unsupported_jurisdiction, unsupported_channel, invalid_context).
func (g *Gate) Check(req Request) (Verdict, error) {
	req, p, err := g.validate(req)
	if err != nil {
		return Verdict{Violations: []Violation{}}, err
	}
	return g.check(req, p, true)
}

func (g *Gate) validate(req Request) (Request, *pack, error) {
	if strings.TrimSpace(req.Text) == "" {
		return req, nil, inputErr(CodeEmptyText, "text is empty")
	}
	if len(req.Text) > MaxTextBytes {
		return req, nil, inputErr(CodeTextTooLarge, "text is %d bytes; the limit is %d", len(req.Text), MaxTextBytes)
	}
	if !utf8.ValidString(req.Text) {
		return req, nil, inputErr(CodeInvalidUTF8, "text is not valid UTF-8")
	}
	req.Jurisdiction = strings.ToUpper(strings.TrimSpace(req.Jurisdiction))
	p := g.e.packs[req.Jurisdiction]
	if p == nil {
		return req, nil, unsupported(CodeUnsupportedJurisdiction, "jurisdiction", req.Jurisdiction, supportedJurisdictions)
	}
	req.Channel = strings.ToLower(strings.TrimSpace(req.Channel))
	if !slices.Contains(supportedChannels, req.Channel) {
		return req, nil, unsupported(CodeUnsupportedChannel, "channel", req.Channel, supportedChannels)
	}
	return req, p, nil
}

// check screens a validated request; withSafe asks for a rewrite of a
// blocked message (off when checking a rewrite itself).
func (g *Gate) check(req Request, p *pack, withSafe bool) (Verdict, error) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	e := g.e
	s.prepare(e, req.Text, req.Jurisdiction)
	ctx := &req.Context
	s.approved = ctx.LegalActionApproved

	// Content rules.
	s.found = s.found[:0]
	for _, r := range p.rules {
		if r.when != nil && !holds(r.when, &req) {
			continue
		}
		s.evalRule(e, r)
	}

	// At most one violation per match, context rule and disclosure: out
	// is allocated once, at the first violation, with room for them all.
	var out []Violation
	capHint := len(s.found) + 1 + len(p.contextRules) + len(p.disclosures)
	blockedCats := 0 // bit set of categories blocked by content rules, for review conflicts
	for _, f := range s.found {
		if f.r.severity == SeverityBlock {
			blockedCats |= categoryBit(f.r.category)
		}
	}
	for _, f := range s.found {
		r := f.r
		sev, cat, expl := r.severity, r.category, r.explain
		if r.review != nil {
			reason := s.reviewReason(r, f, ctx, blockedCats)
			if reason == "" {
				continue // an authorised legal step, stated without pressure
			}
			sev, cat = SeverityBlock, r.review.blockCategory
			if x := r.review.explanations[reason]; x != "" {
				expl += " " + x
			}
		}
		start, end := s.span(f.lo, f.hi)
		out = appendViolation(out, capHint, Violation{
			Rule: r.id, Category: cat, Severity: sev, Start: start, End: end,
			Excerpt: s.excerpt(req.Text, start, end), Explanation: expl, Citation: r.citation,
		})
	}

	// The learned screen reads what the phrase lists missed: it runs only
	// when no rule blocked, so a rule's precise span and citation win.
	if e.model != nil && !hasBlock(out) {
		if f, ok := s.modelFinding(e, p); ok {
			start, end := s.span(f.lo, f.hi)
			out = appendViolation(out, capHint, Violation{
				Rule: f.r.id, Category: f.r.category, Severity: SeverityBlock, Start: start, End: end,
				Excerpt: s.excerpt(req.Text, start, end), Explanation: f.r.explain, Citation: f.r.citation,
			})
		}
	}

	// Context rules: what the case forbids whatever the wording.
	for _, cr := range p.contextRules {
		if !holds(&cr.when, &req) || s.anyHit(cr.unless, nil) {
			continue
		}
		out = appendViolation(out, capHint, Violation{Rule: cr.id, Category: cr.category, Severity: cr.severity,
			Explanation: cr.explain, Citation: cr.citation})
	}
	// Disclosures: warnings only.
	for _, d := range p.disclosures {
		if d.when != nil && !holds(d.when, &req) {
			continue
		}
		if s.anyHit(d.require, d.except) {
			continue
		}
		out = appendViolation(out, capHint, Violation{Rule: d.id, Category: d.category, Severity: SeverityWarn,
			Explanation: d.explain, Citation: d.citation})
	}

	// Contact policy: hours and frequency, when the sending time is known.
	if ctx.SendAt != nil {
		fs, err := contactFindings(req)
		if err != nil {
			return Verdict{Violations: []Violation{}}, err
		}
		out = append(out, fs...)
	}

	slices.SortStableFunc(out, func(a, b Violation) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if a.Severity != b.Severity {
			if a.Severity == SeverityBlock {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	v := Verdict{Allowed: true, Violations: out}
	if v.Violations == nil {
		v.Violations = []Violation{}
	}
	for _, x := range out {
		if x.Severity == SeverityBlock {
			v.Allowed = false
			break
		}
	}
	if !v.Allowed && withSafe {
		// The rewrite is screened with scratch of its own; s stays ours
		// until the deferred Put.
		v.SafeText = g.safeText(req, p, out, s.cuts, s.byteOff)
	}
	return v, nil
}

func hasBlock(vs []Violation) bool {
	for _, v := range vs {
		if v.Severity == SeverityBlock {
			return true
		}
	}
	return false
}

// appendViolation appends v to out, allocating room for capHint
// violations if out is nil.
func appendViolation(out []Violation, capHint int, v Violation) []Violation {
	if out == nil {
		out = make([]Violation, 0, capHint)
	}
	return append(out, v)
}

// reviewReason decides a review rule: "" when the step passes, otherwise
// the key of the explanation to add.
func (s *scratch) reviewReason(r *rule, f found, ctx *Context, blockedCats int) string {
	rv := r.review
	for _, flag := range rv.requires {
		if !flagValue(ctx, flag) {
			return "not_authorised"
		}
	}
	for _, flag := range rv.forbids {
		if flagValue(ctx, flag) {
			return "forbidden"
		}
	}
	for _, c := range rv.conflicts {
		if blockedCats&categoryBit(c) != 0 {
			return "conflict"
		}
	}
	if len(rv.aggravators) > 0 && s.inSentence(rv.aggravators, f.lo) {
		return "aggravated"
	}
	return ""
}

func categoryBit(c string) int {
	return 1 << slices.Index(knownCategories, c)
}

func flagValue(ctx *Context, name string) bool {
	switch name {
	case "legal_action_approved":
		return ctx.LegalActionApproved
	case "cease_contact":
		return ctx.CeaseContact
	case "attorney_represented":
		return ctx.AttorneyRepresented
	case "disputed":
		return ctx.Disputed
	case "bankruptcy":
		return ctx.Bankruptcy
	case "time_barred":
		return ctx.TimeBarred
	case "ai_generated":
		return ctx.AIGenerated
	case "first_contact":
		return ctx.FirstContact
	}
	return false
}

// holds reports whether every condition set in w holds for req.
func holds(w *whenSpec, req *Request) bool {
	ctx := &req.Context
	check := func(want *bool, got bool) bool { return want == nil || *want == got }
	if !check(w.LegalActionApproved, ctx.LegalActionApproved) || !check(w.CeaseContact, ctx.CeaseContact) ||
		!check(w.AttorneyRepresented, ctx.AttorneyRepresented) || !check(w.Disputed, ctx.Disputed) ||
		!check(w.Bankruptcy, ctx.Bankruptcy) || !check(w.TimeBarred, ctx.TimeBarred) ||
		!check(w.AIGenerated, ctx.AIGenerated) || !check(w.FirstContact, ctx.FirstContact) {
		return false
	}
	if w.ChannelOptedOut != nil {
		opted := false
		for _, c := range ctx.OptedOutChannels {
			if strings.EqualFold(strings.TrimSpace(c), req.Channel) {
				opted = true
				break
			}
		}
		if opted != *w.ChannelOptedOut {
			return false
		}
	}
	if len(w.Channels) > 0 && !slices.Contains(w.Channels, req.Channel) {
		return false
	}
	if len(w.DebtorKinds) > 0 {
		kind := strings.ToLower(strings.TrimSpace(ctx.DebtorKind))
		if kind == "" {
			kind = "individual"
		}
		if !slices.Contains(w.DebtorKinds, kind) {
			return false
		}
	}
	return true
}

// contactFindings runs the contact policy and turns its findings into
// message-level block violations.
func contactFindings(req Request) ([]Violation, error) {
	d, err := contactpolicy.Check(contactpolicy.Request{
		Jurisdiction: req.Jurisdiction,
		Channel:      req.Channel,
		SendAt:       *req.Context.SendAt,
		Timezones:    req.Context.DebtorTimezones,
		Log:          req.Context.ContactLog,
	})
	if err != nil {
		return nil, inputErr(CodeInvalidContext, "contact policy: %v", err)
	}
	var out []Violation
	for _, f := range d.Findings {
		expl := f.Explanation
		if !d.NextAllowed.IsZero() {
			expl += fmt.Sprintf(" Next allowed: %s.", d.NextAllowed.Format(time.RFC3339))
		}
		out = append(out, Violation{Rule: f.Rule, Category: f.Category, Severity: SeverityBlock,
			Explanation: expl, Citation: f.Citation})
	}
	return out, nil
}

// safeText builds a compliant rewrite of a blocked message: the message
// without the sentences that carry a blocking violation, if what remains
// still says something and passes; otherwise the pack's courteous template
// in the message's language. No rewrite is offered when a block concerns
// the message as a whole (cease contact, sending time): then nothing may
// be sent.
func (g *Gate) safeText(req Request, p *pack, vs []Violation, cuts, byteOff []int32) string {
	for _, v := range vs {
		if v.Severity == SeverityBlock && v.End <= v.Start {
			return ""
		}
	}
	// byteOff[i] is the byte offset of rune i of req.Text (which is valid
	// UTF-8), byteOff[n] == len(req.Text): the sentences are cut out of
	// the string directly, without converting it to runes.
	n := len(byteOff) - 1
	var kept strings.Builder
	kept.Grow(len(req.Text))
	start := 0
	for ci := 0; ci <= len(cuts); ci++ {
		end := n
		if ci < len(cuts) {
			end = int(cuts[ci])
		}
		if end <= start {
			continue
		}
		bad := false
		for _, v := range vs {
			if v.Severity == SeverityBlock && v.Start < end && start < v.End {
				bad = true
				break
			}
		}
		if !bad {
			kept.WriteString(req.Text[byteOff[start]:byteOff[end]])
		}
		start = end
	}
	rest := strings.TrimFunc(kept.String(), func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '"' && r != '“' && r != '」')
	})
	lang := textLanguage(req.Text)
	if meaningful(rest) {
		sub := req
		sub.Text = rest
		if v, err := g.check(sub, p, false); err == nil && v.Allowed {
			if !strings.ContainsAny(rest[len(rest)-1:], ".!?") && lang == "en" {
				rest += "."
			}
			return rest
		}
	}
	tmpl := g.template(req, p, lang)
	if plainContext(&req) {
		if g.templateOK[templateKey{req.Jurisdiction, lang, req.Channel, req.Context.AIGenerated}] {
			return tmpl
		}
		return ""
	}
	sub := req
	sub.Text = tmpl
	if v, err := g.check(sub, p, false); err == nil && v.Allowed {
		return tmpl
	}
	return ""
}

// meaningful reports whether a remainder says enough to be sent on its
// own: a few words, not a lone "Call us." fragment.
func meaningful(s string) bool {
	latin, han := 0, 0
	for _, r := range s {
		switch {
		case normalize.IsHan(r):
			han++
		case unicode.IsLetter(r):
			latin++
		}
	}
	return latin >= 24 || han >= 10 || (han >= 6 && latin >= 6)
}

// textLanguage says "zh" when ideographs outnumber Latin letters.
func textLanguage(s string) string {
	latin, han := 0, 0
	for _, r := range s {
		switch {
		case normalize.IsHan(r):
			han++
		case r < 0x80 && unicode.IsLetter(r):
			latin++
		}
	}
	if han*2 >= latin && han > 0 {
		return "zh"
	}
	return "en"
}

// Cleared is a message that has passed the gate. Only this package can
// make a valid one, so a function that takes a Cleared (the outbox) cannot
// be handed text that skipped screening. The zero value is not valid.
type Cleared struct {
	text, jurisdiction, channel string
	verdict                     Verdict
	at                          time.Time
	sendAt                      time.Time // the sending time the contact policy passed; zero if none was checked
	ok                          bool
}

// SendAt is the sending time the contact rules were checked for (zero when the
// request named none): the message is cleared to go at that time, not at any time.
func (c Cleared) SendAt() time.Time { return c.sendAt }

// Valid reports whether c came from a successful Clear.
func (c Cleared) Valid() bool { return c.ok }

// Text is the screened text, exactly as checked.
func (c Cleared) Text() string { return c.text }

// Jurisdiction is the jurisdiction the text was screened for.
func (c Cleared) Jurisdiction() string { return c.jurisdiction }

// Channel is the channel the text was screened for; sending it by another
// channel needs another Clear.
func (c Cleared) Channel() string { return c.channel }

// ClearedAt is when the text passed the gate.
func (c Cleared) ClearedAt() time.Time { return c.at }

// Verdict returns a copy of the verdict (it may carry warnings).
func (c Cleared) Verdict() Verdict {
	v := c.verdict
	v.Violations = slices.Clone(v.Violations)
	if v.Violations == nil {
		v.Violations = []Violation{}
	}
	return v
}

// Clear screens req like Check and, when the message may be sent, also
// returns it as a Cleared value. The Cleared is the zero value whenever the
// verdict does not allow the message or err is not nil.
func (g *Gate) Clear(req Request) (Cleared, Verdict, error) {
	v, err := g.Check(req)
	if err != nil || !v.Allowed {
		return Cleared{}, v, err
	}
	c := Cleared{
		text:         req.Text,
		jurisdiction: strings.ToUpper(strings.TrimSpace(req.Jurisdiction)),
		channel:      strings.ToLower(strings.TrimSpace(req.Channel)),
		verdict:      v,
		at:           g.now(),
		ok:           true,
	}
	if req.Context.SendAt != nil {
		c.sendAt = req.Context.SendAt.UTC()
	}
	c.verdict.Violations = slices.Clone(v.Violations)
	return c, v, nil
}

// RuleInfo describes one rule of a pack, for documentation, the API and
// tests.
type RuleInfo struct {
	ID           string
	Jurisdiction string
	Category     string
	// Severity as written in the pack: block, warn or review.
	Severity    Severity
	Citation    string
	Explanation string
	// Kind is "content", "context" or "disclosure".
	Kind     string
	Examples Examples
}

// Examples are texts a rule must flag (Match) and must not (NoMatch).
type Examples struct {
	Match   []Example
	NoMatch []Example
}

// Rules lists every rule of every pack, in pack order.
func (g *Gate) Rules() []RuleInfo {
	var out []RuleInfo
	for _, j := range supportedJurisdictions {
		p := g.e.packs[j]
		for _, r := range p.rules {
			out = append(out, RuleInfo{ID: r.id, Jurisdiction: j, Category: r.category, Severity: r.severity,
				Citation: r.citation, Explanation: r.explain, Kind: "content",
				Examples: Examples{Match: r.examples.Match, NoMatch: r.examples.NoMatch}})
		}
		for _, r := range p.contextRules {
			out = append(out, RuleInfo{ID: r.id, Jurisdiction: j, Category: r.category, Severity: r.severity,
				Citation: r.citation, Explanation: r.explain, Kind: "context",
				Examples: Examples{Match: r.examples.Match, NoMatch: r.examples.NoMatch}})
		}
		for _, r := range p.disclosures {
			out = append(out, RuleInfo{ID: r.id, Jurisdiction: j, Category: r.category, Severity: SeverityWarn,
				Citation: r.citation, Explanation: r.explain, Kind: "disclosure",
				Examples: Examples{Match: r.examples.Match, NoMatch: r.examples.NoMatch}})
		}
	}
	return out
}
