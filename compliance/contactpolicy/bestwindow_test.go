package contactpolicy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

func TestBestWindow(t *testing.T) {
	london := func(s string) time.Time { return in(t, "Europe/London", s) }
	la := func(s string) time.Time { return in(t, "America/Los_Angeles", s) }
	// 9 June 2025 is a Monday.
	tests := []struct {
		name       string
		jur, kind  string
		tz         string
		from       time.Time
		start, end time.Time
	}{
		{"business, morning: this afternoon", "US", "business", "America/New_York", ny(t, "2025-06-09 10:00"),
			ny(t, "2025-06-09 14:00"), ny(t, "2025-06-09 16:00")},
		{"business, inside the window: the rest of it", "US", "business", "America/New_York", ny(t, "2025-06-09 15:00"),
			ny(t, "2025-06-09 15:00"), ny(t, "2025-06-09 16:00")},
		{"business, 16:00: tomorrow", "US", "business", "America/New_York", ny(t, "2025-06-09 16:00"),
			ny(t, "2025-06-10 14:00"), ny(t, "2025-06-10 16:00")},
		{"business, Friday evening: Monday", "US", "business", "America/New_York", ny(t, "2025-06-13 17:00"),
			ny(t, "2025-06-16 14:00"), ny(t, "2025-06-16 16:00")},
		{"business, Saturday: Monday", "US", "Business", "America/New_York", ny(t, "2025-06-14 09:00"),
			ny(t, "2025-06-16 14:00"), ny(t, "2025-06-16 16:00")},
		{"individual: this evening", "US", "individual", "America/New_York", ny(t, "2025-06-09 10:00"),
			ny(t, "2025-06-09 19:00"), ny(t, "2025-06-09 20:00")},
		{"individual: weekends too", "US", "individual", "America/New_York", ny(t, "2025-06-14 20:00"),
			ny(t, "2025-06-15 19:00"), ny(t, "2025-06-15 20:00")},
		{"individual on DST day: wall clock", "US", "individual", "America/New_York", ny(t, "2025-03-09 00:00"),
			ny(t, "2025-03-09 19:00"), ny(t, "2025-03-09 20:00")},
		{"individual, default zones: NY evening is LA afternoon", "US", "individual", "", ny(t, "2025-06-09 10:00"),
			ny(t, "2025-06-09 19:00"), ny(t, "2025-06-09 20:00")},
		{"individual in LA", "US", "individual", "America/Los_Angeles", ny(t, "2025-06-09 10:00"),
			la("2025-06-09 19:00"), la("2025-06-09 20:00")},
		{"CN individual", "CN", "individual", "Asia/Shanghai", bj(t, "2025-06-09 10:00"),
			bj(t, "2025-06-09 19:00"), bj(t, "2025-06-09 20:00")},
		{"CN business, default zone", "CN", "business", "", bj(t, "2025-06-09 10:00"),
			bj(t, "2025-06-09 14:00"), bj(t, "2025-06-09 16:00")},
		{"CN individual in LA: Beijing morning", "CN", "individual", "America/Los_Angeles", la("2025-06-09 10:00"),
			la("2025-06-09 19:00"), la("2025-06-09 20:00")},
		{"CN business in London: cut at 22:00 Beijing", "CN", "business", "Europe/London", london("2025-06-09 10:00"),
			london("2025-06-09 14:00"), london("2025-06-09 15:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end, err := contactpolicy.BestWindow(tt.jur, tt.kind, tt.tz, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			if !start.Equal(tt.start) || !end.Equal(tt.end) {
				t.Fatalf("window = %v - %v, want %v - %v", start, end, tt.start, tt.end)
			}
			// A best window is inside the legal hours: Check allows its start.
			var zones []string
			if tt.tz != "" {
				zones = []string{tt.tz}
			}
			d := mustCheck(t, contactpolicy.Request{Jurisdiction: tt.jur, Channel: "sms", SendAt: start, Timezones: zones})
			if !d.Allowed {
				t.Fatalf("Check refuses the window start: %+v", d.Findings)
			}
		})
	}
}

func TestBestWindowErrors(t *testing.T) {
	from := ny(t, "2025-06-09 10:00")
	tests := []struct {
		name          string
		jur, kind, tz string
		from          time.Time
		want          error
	}{
		{"unknown jurisdiction", "UK", "individual", "Europe/London", from, contactpolicy.ErrUnknownJurisdiction},
		{"unknown kind", "US", "household", "America/New_York", from, contactpolicy.ErrInvalidRequest},
		{"bad zone", "US", "individual", "America/Gotham", from, contactpolicy.ErrUnknownTimezone},
		{"zero from", "US", "individual", "America/New_York", time.Time{}, contactpolicy.ErrInvalidRequest},
		// 19:00-20:00 in London is 02:00-03:00 in Beijing, every day.
		{"no window: evening abroad is Beijing night", "CN", "individual", "Europe/London", from, contactpolicy.ErrNoWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := contactpolicy.BestWindow(tt.jur, tt.kind, tt.tz, tt.from); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func BenchmarkBestWindow(b *testing.B) {
	from := ny(b, "2025-06-13 17:00")
	for b.Loop() {
		if _, _, err := contactpolicy.BestWindow("US", "business", "America/New_York", from); err != nil {
			b.Fatal(err)
		}
	}
}
