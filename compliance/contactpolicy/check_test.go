package contactpolicy_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

func TestCheckErrors(t *testing.T) {
	ok := contactpolicy.Request{Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-06-10 10:00")}
	tests := []struct {
		name   string
		modify func(*contactpolicy.Request)
		want   error
	}{
		{"unknown jurisdiction", func(r *contactpolicy.Request) { r.Jurisdiction = "UK" }, contactpolicy.ErrUnknownJurisdiction},
		{"empty jurisdiction", func(r *contactpolicy.Request) { r.Jurisdiction = "" }, contactpolicy.ErrUnknownJurisdiction},
		{"bad zone", func(r *contactpolicy.Request) { r.Timezones = []string{"Mars/Olympus_Mons"} }, contactpolicy.ErrUnknownTimezone},
		{"bad zone in CN", func(r *contactpolicy.Request) { r.Jurisdiction = "CN"; r.Timezones = []string{"Asia/Peking"} }, contactpolicy.ErrUnknownTimezone},
		{"empty zone name is not UTC", func(r *contactpolicy.Request) { r.Timezones = []string{""} }, contactpolicy.ErrUnknownTimezone},
		{"server zone is refused", func(r *contactpolicy.Request) { r.Timezones = []string{"Local"} }, contactpolicy.ErrUnknownTimezone},
		{"path as zone", func(r *contactpolicy.Request) { r.Timezones = []string{"../../etc/passwd"} }, contactpolicy.ErrUnknownTimezone},
		{"unknown channel", func(r *contactpolicy.Request) { r.Channel = "fax" }, contactpolicy.ErrInvalidRequest},
		{"zero SendAt", func(r *contactpolicy.Request) { r.SendAt = time.Time{} }, contactpolicy.ErrInvalidRequest},
		{"empty window", func(r *contactpolicy.Request) {
			r.InconvenientHours = []contactpolicy.Window{{Start: time.Hour, End: time.Hour}}
		}, contactpolicy.ErrInvalidRequest},
		{"window past midnight", func(r *contactpolicy.Request) {
			r.InconvenientHours = []contactpolicy.Window{{Start: time.Hour, End: 25 * time.Hour}}
		}, contactpolicy.ErrInvalidRequest},
		{"negative window", func(r *contactpolicy.Request) {
			r.InconvenientHours = []contactpolicy.Window{{Start: -time.Hour, End: time.Hour}}
		}, contactpolicy.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.modify(&req)
			d, err := contactpolicy.Check(req)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if d.Allowed {
				t.Fatal("an invalid request must not be allowed")
			}
		})
	}
	if _, err := contactpolicy.Check(ok); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	// Jurisdiction is case-insensitive: "us" is not an unknown jurisdiction.
	lower := ok
	lower.Jurisdiction = "us"
	if _, err := contactpolicy.Check(lower); err != nil {
		t.Fatalf("lower-case jurisdiction: %v", err)
	}
}

// Check must not change the caller's log (it is shared with other checks).
func TestCheckDoesNotModifyLog(t *testing.T) {
	log := sevenCalls(t)
	log[0].Channel = " CALL "
	before := fmt.Sprint(log)
	mustCheck(t, contactpolicy.Request{Jurisdiction: "US", Channel: "call", SendAt: ny(t, "2025-06-10 10:00"), Log: log})
	if after := fmt.Sprint(log); after != before {
		t.Fatalf("log changed:\n%s\n%s", before, after)
	}
}

// NextAllowed must be the earliest allowed instant. Random requests (minute-aligned,
// so every rule changes state on a whole minute) are checked against a
// minute-by-minute scan with Check itself.
func TestNextAllowedIsEarliest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zonePool := []string{
		"America/New_York", "America/Los_Angeles", "America/Chicago", "Europe/London",
		"Asia/Tokyo", "Asia/Kolkata", "Australia/Lord_Howe", // half-hour offset and DST
	}
	// Dates just before daylight-saving changes in some of the zones.
	bases := []time.Time{
		time.Date(2025, 3, 7, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 4, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 10, 31, 0, 0, 0, 0, time.UTC),
	}
	minute := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo)) * time.Minute }
	n := 60
	if testing.Short() {
		n = 10
	}
	var refused, never int
	defer func() {
		t.Logf("%d requests: %d refused, %d with nothing allowed within 30 days", n, refused, never)
		// Guard against a generator that only produces easy cases.
		if refused < n/3 {
			t.Errorf("only %d of %d random requests were refused; the scan proves little", refused, n)
		}
	}()
	for i := range n {
		req := contactpolicy.Request{
			Jurisdiction: []string{"US", "CN"}[rng.IntN(2)],
			Channel:      []string{"call", "call", "call", "sms"}[rng.IntN(4)],
			SendAt:       bases[rng.IntN(len(bases))].Add(minute(0, 4*24*60)),
			StrictWindow: rng.IntN(2) == 0,
		}
		if rng.IntN(3) == 0 {
			req.State = "MA"
		}
		for range rng.IntN(3) {
			req.Timezones = append(req.Timezones, zonePool[rng.IntN(len(zonePool))])
		}
		if rng.IntN(3) == 0 {
			start := minute(0, 24*60)
			end := start + minute(30, 6*60)
			if end > 24*time.Hour {
				end -= 24 * time.Hour
			}
			req.InconvenientHours = []contactpolicy.Window{{Start: start, End: end}}
		}
		// Half the logs are bursts around SendAt, so that the daily caps bite.
		lo, hi := -9*24*60, 24*60
		if rng.IntN(2) == 0 {
			lo, hi = -12*60, 12*60
		}
		for range rng.IntN(30) {
			req.Log = append(req.Log, contactpolicy.Attempt{
				At:           req.SendAt.Add(minute(lo, hi)),
				Channel:      []string{"call", "call", "call", "sms"}[rng.IntN(4)],
				Connected:    rng.IntN(3) > 0,
				Conversation: rng.IntN(8) == 0,
				TwoWay:       rng.IntN(2) == 0,
				Consent:      rng.IntN(10) == 0,
				Number:       []string{"", "+1", "+2"}[rng.IntN(3)],
			})
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := mustCheck(t, req)
			limit := d.NextAllowed
			if !d.Allowed {
				refused++
				t.Logf("refused %v, next %v: %v", req.SendAt, d.NextAllowed, rules(d))
			}
			if limit.IsZero() {
				never++
				limit = req.SendAt.Add(30 * 24 * time.Hour)
			}
			probe := req
			for at := req.SendAt; at.Before(limit); at = at.Add(time.Minute) {
				probe.SendAt = at
				if p, _ := contactpolicy.Check(probe); p.Allowed {
					t.Fatalf("allowed at %v, before NextAllowed %v (request %+v)", at, d.NextAllowed, req)
				}
			}
		})
	}
}

func ExampleCheck() {
	ny, _ := time.LoadLocation("America/New_York")
	d, err := contactpolicy.Check(contactpolicy.Request{
		Jurisdiction: contactpolicy.US,
		Channel:      contactpolicy.ChannelCall,
		SendAt:       time.Date(2025, 6, 10, 7, 30, 0, 0, ny),
		Timezones:    []string{"America/New_York"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Allowed, d.NextAllowed.Format("2006-01-02 15:04 MST"))
	for _, f := range d.Findings {
		fmt.Printf("%s (%s): %s\n", f.Rule, f.Citation, f.Explanation)
	}
	// Output:
	// false 2025-06-10 08:00 EDT
	// us.regf.1006.6b1.hours (12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1)): local time 07:30 Tue in America/New_York is outside the allowed 08:00-21:00
}

// benchLog is a busy but realistic history: 40 attempts over 10 days.
func benchLog(end time.Time) []contactpolicy.Attempt {
	var log []contactpolicy.Attempt
	for i := range 40 {
		log = append(log, contactpolicy.Attempt{
			At:        end.Add(-time.Duration(i) * 6 * time.Hour),
			Channel:   []string{"call", "sms"}[i%2],
			Connected: i%3 != 0,
			TwoWay:    i%4 == 0,
			Number:    "+12125550100",
		})
	}
	return log
}

func BenchmarkCheck(b *testing.B) {
	send := ny(b, "2025-06-10 15:00")
	cases := map[string]contactpolicy.Request{
		"us_allowed_sms": {Jurisdiction: "US", Channel: "sms", SendAt: send, Log: benchLog(send.Add(-time.Hour))},
		"us_refused_call": {Jurisdiction: "US", Channel: "call", SendAt: send, State: "MA",
			Log: benchLog(send.Add(-time.Hour))},
		"cn_refused_call": {Jurisdiction: "CN", Channel: "call", SendAt: send, StrictWindow: true,
			Timezones: []string{"America/New_York"}, Log: benchLog(send.Add(-time.Hour))},
	}
	for name, req := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := contactpolicy.Check(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
