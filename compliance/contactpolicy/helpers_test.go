package contactpolicy_test

import (
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

// in parses "2006-01-02 15:04" as wall-clock time in zone.
func in(tb testing.TB, zone, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Fatalf("load %s: %v", zone, err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}

func ny(tb testing.TB, s string) time.Time { tb.Helper(); return in(tb, "America/New_York", s) }
func bj(tb testing.TB, s string) time.Time { tb.Helper(); return in(tb, "Asia/Shanghai", s) }

// mustCheck runs Check, fails on error, and verifies the promises every Decision
// makes: Allowed iff no findings; NextAllowed is SendAt when allowed; otherwise a
// non-zero NextAllowed is after SendAt, within 30 days, and itself allowed.
func mustCheck(tb testing.TB, req contactpolicy.Request) contactpolicy.Decision {
	tb.Helper()
	d, err := contactpolicy.Check(req)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	if d.Allowed != (len(d.Findings) == 0) {
		tb.Fatalf("Allowed = %v with %d findings", d.Allowed, len(d.Findings))
	}
	for _, f := range d.Findings {
		if f.Rule == "" || f.Explanation == "" || f.Citation == "" ||
			(f.Category != contactpolicy.CategoryTime && f.Category != contactpolicy.CategoryFrequency) {
			tb.Fatalf("incomplete finding %+v", f)
		}
	}
	switch {
	case d.Allowed:
		if !d.NextAllowed.Equal(req.SendAt) {
			tb.Fatalf("allowed but NextAllowed = %v, want SendAt %v", d.NextAllowed, req.SendAt)
		}
	case !d.NextAllowed.IsZero():
		if !d.NextAllowed.After(req.SendAt) || d.NextAllowed.After(req.SendAt.Add(30*24*time.Hour)) {
			tb.Fatalf("NextAllowed %v outside (SendAt, SendAt+30d], SendAt %v", d.NextAllowed, req.SendAt)
		}
		again := req
		again.SendAt = d.NextAllowed
		d2, err := contactpolicy.Check(again)
		if err != nil || !d2.Allowed {
			tb.Fatalf("re-check at NextAllowed %v: allowed=%v err=%v findings=%+v", d.NextAllowed, d2.Allowed, err, d2.Findings)
		}
	}
	return d
}

func rules(d contactpolicy.Decision) []string {
	var ids []string
	for _, f := range d.Findings {
		ids = append(ids, f.Rule)
	}
	slices.Sort(ids)
	return ids
}

// expect compares a decision with the wanted rule ids (nil: allowed) and, when
// next is non-zero, NextAllowed. A zero next with a refused contact means "none
// within 30 days" only if noNext is set.
type expect struct {
	rules  []string
	next   time.Time
	noNext bool
}

func (e expect) verify(tb testing.TB, d contactpolicy.Decision) {
	tb.Helper()
	want := slices.Clone(e.rules)
	slices.Sort(want)
	if got := rules(d); !slices.Equal(got, want) {
		for _, f := range d.Findings {
			tb.Logf("finding: %s: %s", f.Rule, f.Explanation)
		}
		tb.Fatalf("rules = %v, want %v", got, want)
	}
	if !e.next.IsZero() && !d.NextAllowed.Equal(e.next) {
		tb.Fatalf("NextAllowed = %v, want %v", d.NextAllowed, e.next)
	}
	if e.noNext && !d.NextAllowed.IsZero() {
		tb.Fatalf("NextAllowed = %v, want zero (none within 30 days)", d.NextAllowed)
	}
}

// calls returns connected call attempts at the given times.
func calls(ts ...time.Time) []contactpolicy.Attempt {
	var out []contactpolicy.Attempt
	for _, t := range ts {
		out = append(out, contactpolicy.Attempt{At: t, Channel: "call", Connected: true})
	}
	return out
}
