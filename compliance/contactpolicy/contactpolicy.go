// Package contactpolicy decides when a debt collector may contact a debtor: the
// legal contact hours in the debtor's time zone(s), the hours the debtor said are
// inconvenient, and the call-frequency caps of the United States (FDCPA, Regulation
// F, Massachusetts) and of mainland China (national standard and industry
// guidelines). It also suggests the best time of day to reach a debtor within those
// hours.
//
// Every function is a pure function of its arguments: there is no clock, no store
// and no configuration, so the same request always gets the same answer and an
// auditor can replay a decision from the logged request. The rules are those in
// shared/domain/compliance-rules.md (US-T1..T3, US-F1..F4, CN-T1, CN-T2,
// CN-F1..F3); the readings of ambiguous text are documented next to each rule and
// always lean towards not contacting, because a missed call costs little and an
// unlawful one costs a complaint or a lawsuit.
//
// The one input that is not an argument is the time zone database: the
// system's copy when present (read once per zone, then cached), otherwise the
// copy embedded through time/tzdata, so that the package also works on a machine
// without /usr/share/zoneinfo, such as a scratch container. Two machines with
// different tzdata releases can disagree about future clock changes.
package contactpolicy

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zone data for machines without /usr/share/zoneinfo
)

// Jurisdictions understood by Check and BestWindow.
const (
	US = "US" // United States: FDCPA and Regulation F, plus state rules
	CN = "CN" // mainland China: national standard and industry guidelines
)

// Channels understood by Check. Hours apply to every channel; the frequency caps
// apply to calls (and, in Massachusetts, to texts).
const (
	ChannelSMS    = "sms"
	ChannelEmail  = "email"
	ChannelChat   = "chat"
	ChannelCall   = "call"
	ChannelLetter = "letter"
	ChannelWeChat = "wechat"
)

// Debtor kinds understood by BestWindow.
const (
	Individual = "individual"
	Business   = "business"
)

// Finding categories, as in the public API contract.
const (
	CategoryTime      = "contact_time"
	CategoryFrequency = "contact_frequency"
)

// Rule identifiers reported in Finding.Rule. They are stable: audit records and
// dashboards refer to them, so a rule may be added but an id is never reused.
const (
	// US-T1: 08:00-21:00 in every candidate zone of the consumer.
	RuleUSHours = "us.regf.1006.6b1.hours"
	// US-T1: a time the consumer said is inconvenient.
	RuleUSInconvenient = "us.regf.1006.6b1.inconvenient"
	// US-F1 and US-F3: no 8th counted call within 7 consecutive days.
	RuleUSCallFrequency = "us.regf.1006.14b2iA.frequency"
	// US-F2: no call within 7 days after a telephone conversation.
	RuleUSAfterConversation = "us.regf.1006.14b2iB.after_conversation"
	// US-F4: Massachusetts, at most 2 telephone communications per 7 days.
	RuleMAFrequency = "us.ma.940cmr7.04.frequency"
	// CN-T1: no contact 22:00-08:00 in Beijing and in the debtor's own zone.
	RuleCNHours = "cn.std.hours"
	// CN-T2: the optional stricter 08:00-21:00 window.
	RuleCNStrictHours = "cn.nifa.strict_hours"
	// A time the debtor said is inconvenient (NIFA asks for appropriate times).
	RuleCNInconvenient = "cn.nifa.inconvenient"
	// CN-F1: at most 3 effective two-way voice contacts per Beijing day.
	RuleCNVoiceDailyCap = "cn.std.voice_daily_cap"
	// CN-F2: at most 3 connected one-way reminder calls per Beijing day.
	RuleCNReminderDailyCap = "cn.nifa.reminder_daily_cap"
	// CN-F3: at most 6 unanswered call attempts per number per Beijing day.
	RuleCNUnansweredDailyCap = "cn.cba.unanswered_daily_cap"
)

// Errors returned (wrapped, with the operation name) by Check and BestWindow; test
// with errors.Is. All of them mean the caller sent something invalid.
var (
	ErrUnknownJurisdiction = errors.New("unknown jurisdiction")
	ErrUnknownTimezone     = errors.New("unknown time zone")
	ErrInvalidRequest      = errors.New("invalid request")
	// ErrNoWindow means BestWindow found no preferred window inside the legal hours
	// in the next two weeks, e.g. a CN debtor whose local evening is Beijing night.
	ErrNoWindow = errors.New("no contact window")
)

// Attempt is one past contact attempt with the debtor about this debt. For the US
// the log must hold every attempt to this person about this debt, over all numbers;
// for CN every attempt to this debtor by the lender and all its agencies, because
// that is how the caps are counted.
type Attempt struct {
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	// Connected: the call was picked up, by a person, voicemail or an answering
	// machine. False for busy, no answer, not in service and network failures.
	// 12 CFR 1006.14(b)(3)(ii) leaves calls that "do not connect to the dialed
	// number" out of the US count; CN-F3 counts the ones that are not picked up.
	Connected bool `json:"connected"`
	// Conversation: a telephone conversation about the debt took place, whoever
	// started it (US-F2). A conversation implies the call was picked up.
	Conversation bool `json:"conversation"`
	// TwoWay: a two-way voice contact, as opposed to a one-way recorded reminder
	// (CN-F1 versus CN-F2). AI voices count like people.
	TwoWay bool `json:"two_way"`
	// Number dialled, in one canonical form (E.164); CN-F3 counts per number.
	// Empty means unknown and counts against every number.
	Number string `json:"number,omitempty"`
	// Consent: the call was placed with the consumer's consent given directly
	// within the 7 days before it (12 CFR 1006.14(b)(3)(i)); not counted in US-F1.
	Consent bool `json:"consent,omitempty"`
}

// Request asks whether one contact may be made at SendAt.
type Request struct {
	// Jurisdiction is US or CN.
	Jurisdiction string
	// Channel is one of the Channel constants.
	Channel string
	// SendAt is when the contact would be made; for email and text the send time
	// is what counts (US-T3).
	SendAt time.Time
	// Timezones are IANA names of every candidate zone of the debtor (e.g. from
	// the address and from the phone's area code). Empty means the jurisdiction
	// default: for US both America/New_York and America/Los_Angeles, so that only
	// times lawful anywhere in the continental US pass; for CN Asia/Shanghai.
	// In CN Beijing time is always checked as well.
	Timezones []string
	// Log holds earlier attempts, in any order. Attempts after SendAt are ignored
	// when deciding about SendAt (they are not yet history then) and the log must
	// not contain the contact being checked, or it would count twice.
	Log []Attempt
	// StrictWindow, for CN, narrows the hours to 08:00-21:00 (CN-T2).
	StrictWindow bool
	// State is an optional US state code; "MA" adds the Massachusetts cap.
	State string
	// Number is the number to be dialled, for CN-F3, which is per number. Empty
	// means unknown: the call is then refused if any of the debtor's numbers
	// has reached the cap. (An addition to the original API; optional.)
	Number string
	// InconvenientHours are times the debtor said are inconvenient, as wall-clock
	// windows in the debtor's own zone(s).
	InconvenientHours []Window
}

// Finding is one rule the contact would break.
type Finding struct {
	Rule        string // one of the Rule constants
	Category    string // CategoryTime or CategoryFrequency
	Explanation string // for the agent: what was found, with local times
	Citation    string // the legal source, for counsel and auditors
}

// Decision is the answer to a Request.
type Decision struct {
	// Allowed is true when no rule is broken; then Findings is empty.
	Allowed bool
	// Findings lists every rule the contact at SendAt would break.
	Findings []Finding
	// NextAllowed is the earliest instant at or after SendAt at which the same
	// contact (same channel, zones and log) would be allowed: SendAt itself when
	// Allowed, the zero time when there is none within 30 days. It is found by
	// re-checking every rule at the candidate instant, not by estimation.
	NextAllowed time.Time
}

// Window is a daily wall-clock window in the debtor's local time, as offsets from
// local midnight: {8 * time.Hour, 9 * time.Hour} is 08:00-09:00. The offsets are
// wall-clock readings, not elapsed time, so 08:00 means 08:00 on the clock on a
// day when daylight saving time starts or ends. Start is inclusive, End exclusive.
// An End before Start wraps past midnight ({22h, 7h} is 22:00-07:00); {0, 24h} is
// the whole day.
type Window struct {
	Start, End time.Duration
}

// String formats w as "HH:MM-HH:MM".
func (w Window) String() string {
	return clock(w.Start) + "-" + clock(w.End)
}

// valid rejects windows that cannot mean what the caller intended, instead of
// silently never matching.
func (w Window) valid() error {
	const day = 24 * time.Hour
	if w.Start < 0 || w.Start >= day || w.End <= 0 || w.End > day || w.Start == w.End {
		return fmt.Errorf("%w: window %v (start in [0,24h), end in (0,24h], start != end)",
			ErrInvalidRequest, [2]time.Duration{w.Start, w.End})
	}
	return nil
}

// contains reports whether the wall-clock offset tod lies in w.
func (w Window) contains(tod time.Duration) bool {
	if w.Start < w.End {
		return w.Start <= tod && tod < w.End
	}
	return tod >= w.Start || tod < w.End
}

// horizon bounds the search for NextAllowed, as the API promises.
const horizon = 30 * 24 * time.Hour

// maxSteps stops the NextAllowed search even if a rule misbehaves. Each step jumps
// to the next instant at which a broken rule could pass (a window opening, a call
// leaving the 7-day window, a new Beijing day), so real searches take a few
// dozen steps at most.
const maxSteps = 10000

// Check decides whether the contact described by req may be made at req.SendAt
// and, if not, which rules it breaks and when it could be made instead. It
// returns an error wrapping ErrUnknownJurisdiction, ErrUnknownTimezone or
// ErrInvalidRequest (unknown channel, zero SendAt, malformed window) when the
// request cannot be judged; never a Decision that silently skipped a rule.
func Check(req Request) (Decision, error) {
	const op = "contactpolicy.Check"
	p, err := compile(req)
	if err != nil {
		return Decision{}, fmt.Errorf("%s: %w", op, err)
	}
	s := req.SendAt
	var d Decision
	for _, r := range p.rules {
		if broken, _ := r.check(s); broken {
			m := r.meta()
			d.Findings = append(d.Findings, Finding{
				Rule:        m.id,
				Category:    m.category,
				Explanation: r.explain(s),
				Citation:    m.citation,
			})
		}
	}
	if len(d.Findings) == 0 {
		d.Allowed = true
		d.NextAllowed = s
		return d, nil
	}
	if t, ok := p.earliest(s, s.Add(horizon)); ok {
		d.NextAllowed = t.In(s.Location())
	}
	return d, nil
}

// policy is a request compiled into the rules that apply to it.
type policy struct {
	rules []rule
}

// earliest returns the first instant in [from, until] at which no rule is broken.
// Each broken rule names the earliest instant at which it alone could pass; no
// instant before the latest of those can pass all rules, so jumping there never
// skips an allowed instant, and the loop ends on an instant that was checked
// against every rule.
func (p *policy) earliest(from, until time.Time) (time.Time, bool) {
	t := from
	for range maxSteps {
		if t.After(until) {
			return time.Time{}, false
		}
		var next time.Time
		for _, r := range p.rules {
			broken, n := r.check(t)
			if !broken {
				continue
			}
			if n.IsZero() {
				return time.Time{}, false // this rule never passes again
			}
			if !n.After(t) {
				n = t.Add(time.Nanosecond) // guarantee progress
			}
			if n.After(next) {
				next = n
			}
		}
		if next.IsZero() {
			return t, true
		}
		t = next
	}
	return time.Time{}, false
}

// compile validates req and builds the rules that apply to it.
func compile(req Request) (*policy, error) {
	jur := strings.ToUpper(strings.TrimSpace(req.Jurisdiction))
	if jur != US && jur != CN {
		return nil, fmt.Errorf("%w: %q", ErrUnknownJurisdiction, req.Jurisdiction)
	}
	ch := strings.ToLower(strings.TrimSpace(req.Channel))
	switch ch {
	case ChannelSMS, ChannelEmail, ChannelChat, ChannelCall, ChannelLetter, ChannelWeChat:
	default:
		// Refuse rather than guess: a misspelt "Call" must not skip the call caps.
		return nil, fmt.Errorf("%w: unknown channel %q", ErrInvalidRequest, req.Channel)
	}
	if req.SendAt.IsZero() {
		return nil, fmt.Errorf("%w: SendAt is zero", ErrInvalidRequest)
	}
	for _, w := range req.InconvenientHours {
		if err := w.valid(); err != nil {
			return nil, err
		}
	}
	given, err := loadZones(req.Timezones)
	if err != nil {
		return nil, err
	}
	log := relevant(req.Log, req.SendAt)
	if jur == US {
		return compileUS(req, ch, given, log)
	}
	return compileCN(req, ch, given, log)
}

// lookback covers the longest a past attempt can matter: a conversation blocks
// until local midnight starting day 8 in the latest candidate zone.
const lookback = 10 * 24 * time.Hour

// relevant keeps the attempts that can affect a decision between SendAt and the
// end of the NextAllowed search, so that a long history does not slow every check.
func relevant(log []Attempt, s time.Time) []Attempt {
	from, until := s.Add(-lookback), s.Add(horizon+24*time.Hour)
	out := make([]Attempt, 0, len(log))
	for _, a := range log {
		if !a.At.Before(from) && !a.At.After(until) {
			a.Channel = strings.ToLower(strings.TrimSpace(a.Channel))
			a.Number = strings.TrimSpace(a.Number)
			out = append(out, a)
		}
	}
	return out
}

// compileUS builds the US rules: US-T1..T3 for every channel, US-F1..F4 for calls.
func compileUS(req Request, ch string, zones []*time.Location, log []Attempt) (*policy, error) {
	if len(zones) == 0 {
		var err error
		// New York and Los Angeles bracket every continental zone, so a time
		// lawful in both is lawful anywhere in between (US-T2).
		if zones, err = loadZones([]string{"America/New_York", "America/Los_Angeles"}); err != nil {
			return nil, err
		}
	}
	const citeHours = "12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1)"
	p := &policy{}
	// US-T1/T2/T3: hours apply to every channel, letters included: the file
	// names no exception and checking the mailing time costs nothing.
	p.rules = append(p.rules, &hoursRule{
		ruleMeta: ruleMeta{RuleUSHours, CategoryTime, citeHours},
		zones:    zones, open: 8 * time.Hour, close: 21 * time.Hour,
	})
	if len(req.InconvenientHours) > 0 {
		p.rules = append(p.rules, &inconvenientRule{
			ruleMeta: ruleMeta{RuleUSInconvenient, CategoryTime, citeHours},
			zones:    zones, windows: req.InconvenientHours,
		})
	}
	ma := strings.EqualFold(strings.TrimSpace(req.State), "MA")
	if ch == ChannelCall {
		// US-F1 with the US-F3 exclusions, read literally: calls that did not
		// connect and calls made with consent given directly in the prior 7 days
		// are not counted. A conversation implies the call connected.
		var counted []window
		var conversations []time.Time
		for _, a := range log {
			if a.Channel == ChannelCall && (a.Connected || a.Conversation) && !a.Consent {
				counted = append(counted, window{a.At, sevenDaysLater(a.At, zones)})
			}
			if a.Conversation {
				conversations = append(conversations, a.At)
			}
		}
		p.rules = append(p.rules,
			&rollingCap{
				ruleMeta: ruleMeta{RuleUSCallFrequency, CategoryFrequency,
					"12 CFR 1006.14(b)(2)(i)(A); exclusions 1006.14(b)(3)"},
				entries: counted, limit: 7, what: "counted calls", show: zones[0],
				note: "calls that did not connect and calls with consent given directly in the prior 7 days are not counted",
			},
			&afterConversation{
				ruleMeta:      ruleMeta{RuleUSAfterConversation, CategoryFrequency, "12 CFR 1006.14(b)(2)(i)(B)"},
				conversations: conversations, zones: zones,
			})
	}
	if ma && (ch == ChannelCall || ch == ChannelSMS) {
		// US-F4, Massachusetts. 940 CMR 7.04(1)(f) limits "initiating a
		// communication ... via telephone, either in person or via text
		// messaging or recorded audio message" to two per seven-day period, and
		// Armata v. Target (SJC 2018) counts calls that were not answered and
		// left no message. So every call and text attempt counts, connected or
		// not, and the federal consent exclusion is not applied.
		var counted []window
		for _, a := range log {
			if a.Channel == ChannelCall || a.Channel == ChannelSMS {
				counted = append(counted, window{a.At, sevenDaysLater(a.At, zones)})
			}
		}
		p.rules = append(p.rules, &rollingCap{
			ruleMeta: ruleMeta{RuleMAFrequency, CategoryFrequency, "940 CMR 7.04(1)(f)"},
			entries:  counted, limit: 2, what: "telephone communications (calls and texts)", show: zones[0],
			note: "Massachusetts counts every call and text attempt",
		})
	}
	return p, nil
}

// compileCN builds the CN rules: CN-T1/T2 for every channel, CN-F1..F3 for calls.
func compileCN(req Request, ch string, given []*time.Location, log []Attempt) (*policy, error) {
	beijing, err := loadZone("Asia/Shanghai")
	if err != nil {
		return nil, err
	}
	// CN-T1: Beijing time always, and the debtor's own clock when abroad.
	hoursZones := []*time.Location{beijing}
	for _, z := range given {
		if z.String() != beijing.String() {
			hoursZones = append(hoursZones, z)
		}
	}
	local := given
	if len(local) == 0 {
		local = []*time.Location{beijing}
	}
	const (
		citeStd  = "National standard on post-loan collection for internet consumer credit (2025)"
		citeCBA  = "China Banking Association collection guideline for personal consumer loans (2026)"
		citeNIFA = "NIFA collection self-discipline convention (2018), art. 17"
	)
	p := &policy{}
	p.rules = append(p.rules, &hoursRule{
		ruleMeta: ruleMeta{RuleCNHours, CategoryTime, citeStd + "; " + citeCBA},
		zones:    hoursZones, open: 8 * time.Hour, close: 22 * time.Hour,
	})
	if req.StrictWindow {
		p.rules = append(p.rules, &hoursRule{
			ruleMeta: ruleMeta{RuleCNStrictHours, CategoryTime, citeNIFA + " (stricter window 08:00-21:00 by policy)"},
			zones:    hoursZones, open: 8 * time.Hour, close: 21 * time.Hour,
		})
	}
	if len(req.InconvenientHours) > 0 {
		p.rules = append(p.rules, &inconvenientRule{
			ruleMeta: ruleMeta{RuleCNInconvenient, CategoryTime, citeNIFA},
			zones:    local, windows: req.InconvenientHours,
		})
	}
	if ch != ChannelCall {
		return p, nil
	}
	// The request does not say whether the planned call will be a two-way
	// contact or a one-way reminder, so both caps apply to every call.
	var twoWay, oneWay []time.Time
	byNumber := map[string][]time.Time{}
	for _, a := range log {
		if a.Channel != ChannelCall {
			continue
		}
		switch {
		case a.Conversation || (a.Connected && a.TwoWay):
			twoWay = append(twoWay, a.At)
		case a.Connected:
			oneWay = append(oneWay, a.At)
		default:
			byNumber[a.Number] = append(byNumber[a.Number], a.At)
		}
	}
	p.rules = append(p.rules,
		&dailyCap{
			ruleMeta: ruleMeta{RuleCNVoiceDailyCap, CategoryFrequency, citeStd},
			beijing:  beijing, groups: [][]time.Time{twoWay}, limit: 3,
			what: "effective two-way voice contacts",
		},
		&dailyCap{
			ruleMeta: ruleMeta{RuleCNReminderDailyCap, CategoryFrequency, "NIFA post-loan collection guideline (2024)"},
			beijing:  beijing, groups: [][]time.Time{oneWay}, limit: 3,
			what: "connected one-way reminder calls",
		},
		&dailyCap{
			ruleMeta: ruleMeta{RuleCNUnansweredDailyCap, CategoryFrequency, citeCBA},
			beijing:  beijing, groups: numberGroups(byNumber, strings.TrimSpace(req.Number)), limit: 6,
			what: "unanswered call attempts to one number",
		})
	return p, nil
}

// numberGroups returns the unanswered attempts that count against the number to
// be dialled: its own plus those whose number was not logged (they may have been
// to it). With no number given, every known number is a candidate.
func numberGroups(byNumber map[string][]time.Time, number string) [][]time.Time {
	unknown := byNumber[""]
	withUnknown := func(ts []time.Time) []time.Time {
		return append(append([]time.Time(nil), ts...), unknown...)
	}
	if number != "" {
		return [][]time.Time{withUnknown(byNumber[number])}
	}
	groups := [][]time.Time{unknown}
	for n, ts := range byNumber {
		if n != "" {
			groups = append(groups, withUnknown(ts))
		}
	}
	return groups
}

// sevenDaysLater is when a call made at c stops counting towards a 7-day cap.
// Regulation F speaks of "seven consecutive days" without saying whose clock; a
// call therefore stays counted until 7 days later on every candidate clock (longer
// than 168 hours in the week clocks go back), and never less than 168 hours (the
// week clocks go forward). Every window of seven consecutive calendar days in
// any candidate zone lies inside this, so either reading of the rule is met.
func sevenDaysLater(c time.Time, zones []*time.Location) time.Time {
	end := c.Add(7 * 24 * time.Hour)
	for _, z := range zones {
		if e := c.In(z).AddDate(0, 0, 7); e.After(end) {
			end = e
		}
	}
	return end
}
