package contactpolicy_test

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

const (
	cnHours        = contactpolicy.RuleCNHours
	cnStrict       = contactpolicy.RuleCNStrictHours
	cnInconvenient = contactpolicy.RuleCNInconvenient
	cnVoice        = contactpolicy.RuleCNVoiceDailyCap
	cnReminder     = contactpolicy.RuleCNReminderDailyCap
	cnUnanswered   = contactpolicy.RuleCNUnansweredDailyCap
)

// CN-T1, CN-T2: 08:00-22:00 (strict: 21:00) in Beijing and in the debtor's zone.
func TestCNHours(t *testing.T) {
	london := func(s string) time.Time { return in(t, "Europe/London", s) }
	tests := []struct {
		name    string
		channel string
		zones   []string
		strict  bool
		windows []contactpolicy.Window
		at      time.Time
		want    expect
	}{
		{"07:59 refused", "call", nil, false, nil, bj(t, "2025-06-10 07:59"),
			expect{rules: []string{cnHours}, next: bj(t, "2025-06-10 08:00")}},
		{"08:00 allowed", "call", nil, false, nil, bj(t, "2025-06-10 08:00"), expect{}},
		{"21:59 allowed", "wechat", nil, false, nil, bj(t, "2025-06-10 21:59"), expect{}},
		{"22:00 refused", "sms", nil, false, nil, bj(t, "2025-06-10 22:00"),
			expect{rules: []string{cnHours}, next: bj(t, "2025-06-11 08:00")}},
		{"strict: 20:59 allowed", "call", nil, true, nil, bj(t, "2025-06-10 20:59"), expect{}},
		{"strict: 21:00 refused", "call", nil, true, nil, bj(t, "2025-06-10 21:00"),
			expect{rules: []string{cnStrict}, next: bj(t, "2025-06-11 08:00")}},
		{"strict: 22:00 breaks both", "call", nil, true, nil, bj(t, "2025-06-10 22:00"),
			expect{rules: []string{cnHours, cnStrict}, next: bj(t, "2025-06-11 08:00")}},
		{"strict: 07:59 breaks both", "call", nil, true, nil, bj(t, "2025-06-10 07:59"),
			expect{rules: []string{cnHours, cnStrict}, next: bj(t, "2025-06-10 08:00")}},
		{"abroad: 07:59 in London", "call", []string{"Europe/London"}, false, nil, bj(t, "2025-06-10 14:59"),
			expect{rules: []string{cnHours}, next: london("2025-06-10 08:00")}},
		{"abroad: 08:00 in London", "call", []string{"Europe/London"}, false, nil, bj(t, "2025-06-10 15:00"), expect{}},
		{"abroad: Beijing night still counts", "call", []string{"Europe/London"}, false, nil, london("2025-06-10 16:00"),
			// 23:00 in Beijing; Beijing 08:00 is London 01:00, London 08:00 is Beijing 15:00.
			expect{rules: []string{cnHours}, next: bj(t, "2025-06-11 15:00")}},
		{"inconvenient hours in the local zone", "call", nil, false,
			[]contactpolicy.Window{{Start: 12 * time.Hour, End: 14 * time.Hour}}, bj(t, "2025-06-10 12:00"),
			expect{rules: []string{cnInconvenient}, next: bj(t, "2025-06-10 14:00")}},
		{"inconvenient hours read in the debtor's own zone", "call", []string{"Europe/London"}, false,
			[]contactpolicy.Window{{Start: 12 * time.Hour, End: 14 * time.Hour}}, bj(t, "2025-06-10 19:30"), // 12:30 London
			expect{rules: []string{cnInconvenient}, next: london("2025-06-10 14:00")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "CN", Channel: tt.channel, SendAt: tt.at, Timezones: tt.zones,
				StrictWindow: tt.strict, InconvenientHours: tt.windows,
			})
			tt.want.verify(t, d)
		})
	}
}

// CN-F1..F3: daily caps per Beijing calendar day.
func TestCNDailyCaps(t *testing.T) {
	send := bj(t, "2025-06-10 16:00")
	tomorrow := bj(t, "2025-06-11 08:00")
	attempts := func(n int, a contactpolicy.Attempt, day string) []contactpolicy.Attempt {
		var out []contactpolicy.Attempt
		for i := range n {
			a.At = bj(t, day).Add(time.Duration(i) * 10 * time.Minute)
			out = append(out, a)
		}
		return out
	}
	twoWay := contactpolicy.Attempt{Channel: "call", Connected: true, TwoWay: true}
	oneWay := contactpolicy.Attempt{Channel: "call", Connected: true}
	missed := func(number string) contactpolicy.Attempt {
		return contactpolicy.Attempt{Channel: "call", Number: number}
	}
	const a, b = "+8613800000001", "+8613800000002"
	cat := func(ls ...[]contactpolicy.Attempt) []contactpolicy.Attempt {
		var out []contactpolicy.Attempt
		for _, l := range ls {
			out = append(out, l...)
		}
		return out
	}
	tests := []struct {
		name    string
		channel string
		number  string
		log     []contactpolicy.Attempt
		at      time.Time
		want    expect
	}{
		{"3rd two-way contact allowed", "call", "", attempts(2, twoWay, "2025-06-10 09:00"), send, expect{}},
		{"4th two-way contact refused until tomorrow", "call", "", attempts(3, twoWay, "2025-06-10 09:00"), send,
			expect{rules: []string{cnVoice}, next: tomorrow}},
		{"a conversation is a two-way contact", "call", "",
			attempts(3, contactpolicy.Attempt{Channel: "call", Conversation: true}, "2025-06-10 09:00"), send,
			expect{rules: []string{cnVoice}, next: tomorrow}},
		{"yesterday's contacts do not count", "call", "", attempts(3, twoWay, "2025-06-09 21:00"), send, expect{}},
		{"the day is Beijing's, not the debtor's", "call", "",
			attempts(3, twoWay, "2025-06-10 00:10"), // still 9 June in London
			bj(t, "2025-06-10 16:00"), expect{rules: []string{cnVoice}, next: tomorrow}},
		{"3rd one-way reminder allowed", "call", "", attempts(2, oneWay, "2025-06-10 09:00"), send, expect{}},
		{"4th one-way reminder refused", "call", "", attempts(3, oneWay, "2025-06-10 09:00"), send,
			expect{rules: []string{cnReminder}, next: tomorrow}},
		{"caps are separate", "call", "", cat(attempts(2, twoWay, "2025-06-10 09:00"), attempts(2, oneWay, "2025-06-10 11:00")),
			send, expect{}},
		{"caps are for calls only", "sms", "", attempts(3, twoWay, "2025-06-10 09:00"), send, expect{}},
		{"6th unanswered attempt allowed", "call", a, attempts(5, missed(a), "2025-06-10 09:00"), send, expect{}},
		{"7th unanswered attempt refused", "call", a, attempts(6, missed(a), "2025-06-10 09:00"), send,
			expect{rules: []string{cnUnanswered}, next: tomorrow}},
		{"another number is allowed", "call", b, attempts(6, missed(a), "2025-06-10 09:00"), send, expect{}},
		{"unknown target number: refused if any number is at the cap", "call", "", attempts(6, missed(a), "2025-06-10 09:00"), send,
			expect{rules: []string{cnUnanswered}, next: tomorrow}},
		{"unlogged numbers count against every number", "call", b,
			cat(attempts(3, missed(""), "2025-06-10 09:00"), attempts(3, missed(b), "2025-06-10 11:00")), send,
			expect{rules: []string{cnUnanswered}, next: tomorrow}},
		{"answered calls are not unanswered attempts", "call", a,
			cat(attempts(5, missed(a), "2025-06-10 09:00"), attempts(2, oneWay, "2025-06-10 11:00")), send, expect{}},
		{"after 22:00 the next day opens at 08:00", "call", "", attempts(3, twoWay, "2025-06-10 09:00"),
			bj(t, "2025-06-10 22:30"), expect{rules: []string{cnHours, cnVoice}, next: tomorrow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, contactpolicy.Request{
				Jurisdiction: "CN", Channel: tt.channel, SendAt: tt.at, Log: tt.log, Number: tt.number,
			})
			tt.want.verify(t, d)
		})
	}
}

// Findings explain themselves with local times; Beijing given explicitly is not
// listed twice.
func TestCNExplanation(t *testing.T) {
	d := mustCheck(t, contactpolicy.Request{
		Jurisdiction: "CN", Channel: "call", SendAt: bj(t, "2025-06-10 23:00"), Timezones: []string{"Asia/Shanghai"},
	})
	if len(d.Findings) != 1 {
		t.Fatalf("findings = %+v", d.Findings)
	}
	const want = "local time 23:00 Tue in Asia/Shanghai is outside the allowed 08:00-22:00"
	if got := d.Findings[0].Explanation; got != want {
		t.Fatalf("explanation = %q, want %q", got, want)
	}
}
