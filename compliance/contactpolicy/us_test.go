package contactpolicy_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

const (
	usHours        = contactpolicy.RuleUSHours
	usInconvenient = contactpolicy.RuleUSInconvenient
	usFreq         = contactpolicy.RuleUSCallFrequency
	usConv         = contactpolicy.RuleUSAfterConversation
	maFreq         = contactpolicy.RuleMAFrequency
)

var nyOnly = []string{"America/New_York"}

// US-T1, US-T3: 08:00 <= local < 21:00, for every channel, on the send time.
func TestUSHours(t *testing.T) {
	tests := []struct {
		name    string
		channel string
		zones   []string
		at      time.Time
		want    expect
	}{
		{"07:59 refused", "call", nyOnly, ny(t, "2025-06-10 07:59"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-10 08:00")}},
		{"08:00 allowed", "call", nyOnly, ny(t, "2025-06-10 08:00"), expect{}},
		{"20:59 allowed", "call", nyOnly, ny(t, "2025-06-10 20:59"), expect{}},
		{"21:00 refused until next morning", "call", nyOnly, ny(t, "2025-06-10 21:00"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-11 08:00")}},
		{"midnight refused", "call", nyOnly, ny(t, "2025-06-11 00:00"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-11 08:00")}},
		{"sms checked on send time", "sms", nyOnly, ny(t, "2025-06-10 21:00"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-11 08:00")}},
		{"email checked on send time", "email", nyOnly, ny(t, "2025-06-10 07:59"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-10 08:00")}},
		{"letter checked too", "letter", nyOnly, ny(t, "2025-06-10 22:00"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-11 08:00")}},
		{"SendAt in UTC is read in the debtor's zone", "call", nyOnly,
			time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC), expect{}}, // 08:00 EDT
		{"zone other than NY", "chat", []string{"America/Chicago"}, in(t, "America/Chicago", "2025-06-10 07:59"),
			expect{rules: []string{usHours}, next: in(t, "America/Chicago", "2025-06-10 08:00")}},
		{"channel is case-insensitive", "CALL", nyOnly, ny(t, "2025-06-10 07:59"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-10 08:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: tt.channel, SendAt: tt.at, Timezones: tt.zones,
			})
			tt.want.verify(t, d)
		})
	}
}

// US-T2: with several candidate zones, only times lawful in every one pass; with
// none, New York and Los Angeles both apply.
func TestUSSeveralZones(t *testing.T) {
	la := func(s string) time.Time { return in(t, "America/Los_Angeles", s) }
	tests := []struct {
		name  string
		zones []string
		at    time.Time
		want  expect
	}{
		{"default: 10:59 NY is 07:59 LA", nil, ny(t, "2025-06-10 10:59"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-10 11:00")}},
		{"default: 11:00 NY is 08:00 LA", nil, ny(t, "2025-06-10 11:00"), expect{}},
		{"default: 17:59 LA is 20:59 NY", nil, la("2025-06-10 17:59"), expect{}},
		{"default: 18:00 LA is 21:00 NY", nil, la("2025-06-10 18:00"),
			expect{rules: []string{usHours}, next: ny(t, "2025-06-11 11:00")}},
		{"explicit NY and LA: morning waits for LA", []string{"America/New_York", "America/Los_Angeles"},
			ny(t, "2025-06-10 09:00"), expect{rules: []string{usHours}, next: la("2025-06-10 08:00")}},
		{"explicit NY and LA: evening waits for both", []string{"America/Los_Angeles", "America/New_York"},
			la("2025-06-10 20:30"), expect{rules: []string{usHours}, next: la("2025-06-11 08:00")}},
		{"duplicate zone names are harmless", []string{"America/New_York", "America/New_York"},
			ny(t, "2025-06-10 08:00"), expect{}},
		{"zones 13h apart meet in a 2h overlap", []string{"America/New_York", "Asia/Tokyo"},
			ny(t, "2025-06-10 12:00"), // 01:00 Tokyo; NY evening 19:00-21:00 is Tokyo 08:00-10:00
			expect{rules: []string{usHours}, next: ny(t, "2025-06-10 19:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: "call", SendAt: tt.at, Timezones: tt.zones,
			})
			tt.want.verify(t, d)
		})
	}
}

// The hours are wall-clock hours, so the same UTC instant is lawful on one side
// of a daylight-saving change and not on the other.
func TestUSHoursAcrossDST(t *testing.T) {
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		at   time.Time
		want expect
	}{
		// Spring forward: Sunday 9 March 2025, 02:00 EST -> 03:00 EDT.
		{"Saturday 12:00Z is 07:00 EST", utc("2025-03-08 12:00"),
			expect{rules: []string{usHours}, next: utc("2025-03-08 13:00")}},
		{"Sunday 11:59Z is 07:59 EDT", utc("2025-03-09 11:59"),
			expect{rules: []string{usHours}, next: utc("2025-03-09 12:00")}},
		{"Sunday 12:00Z is 08:00 EDT", utc("2025-03-09 12:00"), expect{}},
		{"over the short night to 08:00 EDT", ny(t, "2025-03-08 21:00"),
			expect{rules: []string{usHours}, next: utc("2025-03-09 12:00")}},
		{"in the skipped hour", utc("2025-03-09 07:30"), // 03:30 EDT
			expect{rules: []string{usHours}, next: utc("2025-03-09 12:00")}},
		// Fall back: Sunday 2 November 2025, 02:00 EDT -> 01:00 EST.
		{"Sunday 12:59Z is 07:59 EST", utc("2025-11-02 12:59"),
			expect{rules: []string{usHours}, next: utc("2025-11-02 13:00")}},
		{"Sunday 13:00Z is 08:00 EST", utc("2025-11-02 13:00"), expect{}},
		{"Saturday 21:00 EDT to 08:00 EST", ny(t, "2025-11-01 21:00"),
			expect{rules: []string{usHours}, next: utc("2025-11-02 13:00")}},
		{"in the repeated hour, second pass", utc("2025-11-02 06:30"), // 01:30 EST
			expect{rules: []string{usHours}, next: utc("2025-11-02 13:00")}},
		{"Sunday 20:59 EST", utc("2025-11-03 01:59"), expect{}},
		{"Sunday 21:00 EST", utc("2025-11-03 02:00"),
			expect{rules: []string{usHours}, next: utc("2025-11-03 13:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: "sms", SendAt: tt.at, Timezones: nyOnly,
			})
			tt.want.verify(t, d)
		})
	}
}

// US-T1: a time the consumer said is inconvenient.
func TestUSInconvenientHours(t *testing.T) {
	lunch := contactpolicy.Window{Start: 12 * time.Hour, End: 13 * time.Hour}
	evening := contactpolicy.Window{Start: 18 * time.Hour, End: 9 * time.Hour} // wraps midnight
	tests := []struct {
		name    string
		zones   []string
		windows []contactpolicy.Window
		at      time.Time
		want    expect
	}{
		{"11:59 before window", nyOnly, []contactpolicy.Window{lunch}, ny(t, "2025-06-10 11:59"), expect{}},
		{"12:00 in window", nyOnly, []contactpolicy.Window{lunch}, ny(t, "2025-06-10 12:00"),
			expect{rules: []string{usInconvenient}, next: ny(t, "2025-06-10 13:00")}},
		{"12:59 in window", nyOnly, []contactpolicy.Window{lunch}, ny(t, "2025-06-10 12:59"),
			expect{rules: []string{usInconvenient}, next: ny(t, "2025-06-10 13:00")}},
		{"13:00 after window", nyOnly, []contactpolicy.Window{lunch}, ny(t, "2025-06-10 13:00"), expect{}},
		{"wrapping window, evening part", nyOnly, []contactpolicy.Window{evening}, ny(t, "2025-06-10 18:30"),
			expect{rules: []string{usInconvenient}, next: ny(t, "2025-06-11 09:00")}},
		{"wrapping window, morning part, also outside hours", nyOnly, []contactpolicy.Window{evening},
			ny(t, "2025-06-11 07:00"),
			expect{rules: []string{usHours, usInconvenient}, next: ny(t, "2025-06-11 09:00")}},
		{"wrapping window, 09:00 allowed", nyOnly, []contactpolicy.Window{evening}, ny(t, "2025-06-11 09:00"), expect{}},
		{"two windows chained", nyOnly, []contactpolicy.Window{lunch, {Start: 13 * time.Hour, End: 14 * time.Hour}},
			ny(t, "2025-06-10 12:30"),
			expect{rules: []string{usInconvenient}, next: ny(t, "2025-06-10 14:00")}},
		{"window read in every zone", []string{"America/New_York", "America/Los_Angeles"},
			[]contactpolicy.Window{lunch}, ny(t, "2025-06-10 15:30"), // 12:30 LA
			expect{rules: []string{usInconvenient}, next: ny(t, "2025-06-10 16:00")}},
		{"whole day: nothing within 30 days", nyOnly,
			[]contactpolicy.Window{{Start: 0, End: 24 * time.Hour}}, ny(t, "2025-06-10 10:00"),
			expect{rules: []string{usInconvenient}, noNext: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: "call", SendAt: tt.at, Timezones: tt.zones,
				InconvenientHours: tt.windows,
			})
			tt.want.verify(t, d)
		})
	}
}

// sevenCalls are 7 connected calls between 3 and 9 June, the oldest on 3 June
// at 14:00 New York time.
func sevenCalls(t *testing.T) []contactpolicy.Attempt {
	return calls(
		ny(t, "2025-06-03 14:00"), ny(t, "2025-06-04 10:00"), ny(t, "2025-06-05 10:00"),
		ny(t, "2025-06-06 10:00"), ny(t, "2025-06-07 10:00"), ny(t, "2025-06-08 10:00"),
		ny(t, "2025-06-09 10:00"),
	)
}

// US-F1 and US-F3: no 8th counted call within 7 consecutive days.
func TestUSCallFrequency(t *testing.T) {
	send := ny(t, "2025-06-10 10:00")
	with := func(log []contactpolicy.Attempt, f func([]contactpolicy.Attempt)) []contactpolicy.Attempt {
		f(log)
		return log
	}
	tests := []struct {
		name    string
		channel string
		log     []contactpolicy.Attempt
		at      time.Time
		want    expect
	}{
		{"7th call allowed", "call", sevenCalls(t)[1:], send, expect{}},
		{"8th call refused until the oldest leaves the window", "call", sevenCalls(t), send,
			expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"8th call exactly 7 days after the oldest is allowed", "call", sevenCalls(t), ny(t, "2025-06-10 14:00"), expect{}},
		{"8th call a minute earlier is refused", "call", sevenCalls(t), ny(t, "2025-06-10 13:59"),
			expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"a call that did not connect is not counted", "call",
			with(sevenCalls(t), func(l []contactpolicy.Attempt) { l[3].Connected = false }), send, expect{}},
		{"a consented call is not counted", "call",
			with(sevenCalls(t), func(l []contactpolicy.Attempt) { l[3].Consent = true }), send, expect{}},
		{"calls to different numbers all count", "call",
			with(sevenCalls(t), func(l []contactpolicy.Attempt) {
				for i := range l {
					l[i].Number = []string{"+12125550100", "+12125550101"}[i%2]
				}
			}), send, expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"texts are not calls", "call",
			with(sevenCalls(t), func(l []contactpolicy.Attempt) { l[3].Channel = "sms" }), send, expect{}},
		{"the cap is for calls only", "sms", sevenCalls(t), send, expect{}},
		{"log channel is case-insensitive", "call",
			with(sevenCalls(t), func(l []contactpolicy.Attempt) { l[3].Channel = " Call " }), send,
			expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"attempts after SendAt are not history yet", "call",
			append(sevenCalls(t)[1:], calls(ny(t, "2025-06-10 10:01"))...), send, expect{}},
		{"log order does not matter", "call",
			func() []contactpolicy.Attempt {
				l := sevenCalls(t)
				l[0], l[6] = l[6], l[0]
				return l
			}(), send, expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"8 calls: two must leave the window", "call",
			append(calls(ny(t, "2025-06-03 12:00")), sevenCalls(t)...), send,
			expect{rules: []string{usFreq}, next: ny(t, "2025-06-10 14:00")}},
		{"next allowed lands in legal hours", "call",
			calls(ny(t, "2025-06-03 21:30"), ny(t, "2025-06-04 10:00"), ny(t, "2025-06-05 10:00"),
				ny(t, "2025-06-06 10:00"), ny(t, "2025-06-07 10:00"), ny(t, "2025-06-08 10:00"),
				ny(t, "2025-06-09 10:00")),
			ny(t, "2025-06-10 20:00"), expect{rules: []string{usFreq}, next: ny(t, "2025-06-11 08:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: tt.channel, SendAt: tt.at, Timezones: nyOnly, Log: tt.log,
			})
			tt.want.verify(t, d)
		})
	}
}

// A call stays counted for 7 days on the clock, which is 167 hours across the
// spring change; never less than 168 hours, so it counts an hour longer.
func TestUSCallFrequencyAcrossDST(t *testing.T) {
	log := calls(
		ny(t, "2025-03-03 10:00"), ny(t, "2025-03-04 10:00"), ny(t, "2025-03-05 10:00"),
		ny(t, "2025-03-06 10:00"), ny(t, "2025-03-07 10:00"), ny(t, "2025-03-08 10:00"),
		ny(t, "2025-03-09 10:00"),
	)
	d := mustCheck(t, contactpolicy.Request{
		Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-03-10 10:00"), Timezones: nyOnly, Log: log,
	})
	expect{rules: []string{usFreq}, next: ny(t, "2025-03-10 11:00")}.verify(t, d)

	// Across the autumn change 7 days on the clock are 169 hours.
	log = calls(
		ny(t, "2025-10-27 10:00"), ny(t, "2025-10-28 10:00"), ny(t, "2025-10-29 10:00"),
		ny(t, "2025-10-30 10:00"), ny(t, "2025-10-31 10:00"), ny(t, "2025-11-01 10:00"),
		ny(t, "2025-11-02 10:00"),
	)
	d = mustCheck(t, contactpolicy.Request{
		Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-11-03 09:30"), Timezones: nyOnly, Log: log,
	})
	expect{rules: []string{usFreq}, next: ny(t, "2025-11-03 10:00")}.verify(t, d)
}

// US-F2: no call within 7 days after a telephone conversation, the date of the
// conversation being day 1.
func TestUSAfterConversation(t *testing.T) {
	conv := func(at time.Time) []contactpolicy.Attempt {
		return []contactpolicy.Attempt{{At: at, Channel: "call", Connected: true, Conversation: true, TwoWay: true}}
	}
	send := ny(t, "2025-06-10 10:00")
	tests := []struct {
		name    string
		channel string
		zones   []string
		log     []contactpolicy.Attempt
		at      time.Time
		want    expect
	}{
		{"6 days ago: refused until day 8 opens", "call", nyOnly, conv(ny(t, "2025-06-04 15:00")), send,
			expect{rules: []string{usConv}, next: ny(t, "2025-06-11 08:00")}},
		{"8 days ago: allowed", "call", nyOnly, conv(ny(t, "2025-06-02 15:00")), send, expect{}},
		{"day 8 though under 168 hours: allowed", "call", nyOnly, conv(ny(t, "2025-06-03 15:00")), send, expect{}},
		{"day 7 at 20:59: refused", "call", nyOnly, conv(ny(t, "2025-06-03 08:00")), ny(t, "2025-06-09 20:59"),
			expect{rules: []string{usConv}, next: ny(t, "2025-06-10 08:00")}},
		{"the consumer called in: still a conversation", "call", nyOnly,
			[]contactpolicy.Attempt{{At: ny(t, "2025-06-09 15:00"), Channel: "call", Conversation: true}}, send,
			expect{rules: []string{usConv}, next: ny(t, "2025-06-16 08:00")}},
		{"texts are not limited", "sms", nyOnly, conv(ny(t, "2025-06-09 15:00")), send, expect{}},
		{"a connected call without conversation does not block", "call", nyOnly,
			calls(ny(t, "2025-06-09 15:00")), send, expect{}},
		{"a later conversation is not history yet", "call", nyOnly, conv(ny(t, "2025-06-10 11:00")), send, expect{}},
		{"day 1 differs by zone: the later end wins", "call", []string{"America/New_York", "America/Los_Angeles"},
			conv(ny(t, "2025-06-04 01:30")), // 3 June 22:30 in LA
			ny(t, "2025-06-10 23:30"),       // 10 June 20:30 in LA: day 8 in LA, day 7 in NY
			expect{rules: []string{usHours, usConv}, next: in(t, "America/Los_Angeles", "2025-06-11 08:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: tt.channel, SendAt: tt.at, Timezones: tt.zones, Log: tt.log,
			})
			tt.want.verify(t, d)
		})
	}
}

// US-F4: Massachusetts allows 2 telephone communications per 7 days, calls and
// texts, answered or not.
func TestMassachusetts(t *testing.T) {
	send := ny(t, "2025-06-10 10:00")
	two := calls(ny(t, "2025-06-05 10:00"), ny(t, "2025-06-08 10:00"))
	tests := []struct {
		name    string
		state   string
		channel string
		log     []contactpolicy.Attempt
		want    expect
	}{
		{"2nd call allowed", "MA", "call", two[1:], expect{}},
		{"3rd call refused", "MA", "call", two,
			expect{rules: []string{maFreq}, next: ny(t, "2025-06-12 10:00")}},
		{"lower-case state", "ma", "call", two,
			expect{rules: []string{maFreq}, next: ny(t, "2025-06-12 10:00")}},
		{"unanswered calls count", "MA", "call",
			[]contactpolicy.Attempt{{At: two[0].At, Channel: "call"}, {At: two[1].At, Channel: "call"}},
			expect{rules: []string{maFreq}, next: ny(t, "2025-06-12 10:00")}},
		{"consented calls count", "MA", "call",
			[]contactpolicy.Attempt{{At: two[0].At, Channel: "call", Connected: true, Consent: true}, two[1]},
			expect{rules: []string{maFreq}, next: ny(t, "2025-06-12 10:00")}},
		{"texts count and are limited", "MA", "sms",
			[]contactpolicy.Attempt{{At: two[0].At, Channel: "sms"}, two[1]},
			expect{rules: []string{maFreq}, next: ny(t, "2025-06-12 10:00")}},
		{"email is not a telephone communication", "MA", "email", two, expect{}},
		{"other states: federal cap only", "NY", "call", two, expect{}},
		{"no state: federal cap only", "", "call", two, expect{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "US", Channel: tt.channel, SendAt: send, Timezones: nyOnly, Log: tt.log, State: tt.state,
			})
			tt.want.verify(t, d)
		})
	}
}

// Several rules at once: every broken rule is reported, and NextAllowed satisfies
// all of them.
func TestUSSeveralRules(t *testing.T) {
	log := append(sevenCalls(t), contactpolicy.Attempt{
		At: ny(t, "2025-06-09 20:00"), Channel: "call", Connected: true, Conversation: true,
	})
	d := mustCheck(t, contactpolicy.Request{
		Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-06-10 07:00"), Log: log, State: "MA",
	})
	// Conversation on 9 June (also 9 June in LA): blocked until 16 June, 11:00 NY.
	expect{rules: []string{usHours, usFreq, usConv, maFreq}, next: ny(t, "2025-06-16 11:00")}.verify(t, d)
}

func TestUSFrequencyExplanation(t *testing.T) {
	d := mustCheck(t, contactpolicy.Request{
		Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-06-10 10:00"), Timezones: nyOnly, Log: sevenCalls(t),
	})
	if len(d.Findings) != 1 {
		t.Fatalf("findings = %+v", d.Findings)
	}
	f := d.Findings[0]
	for _, want := range []string{"7 counted calls", "limit is 7", "2025-06-03 14:00 EDT"} {
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation %q lacks %q", f.Explanation, want)
		}
	}
	if f.Category != contactpolicy.CategoryFrequency || !strings.Contains(f.Citation, "1006.14(b)(2)(i)(A)") {
		t.Errorf("finding = %+v", f)
	}
}
