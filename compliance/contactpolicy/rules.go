package contactpolicy

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// rule is one compiled check. check must be cheap: the NextAllowed search calls
// it many times; explain formats text and runs only for the reported findings.
type rule interface {
	meta() ruleMeta
	// check reports whether a contact at t breaks the rule and, if so, the
	// earliest instant after t at which the rule could pass (zero: never).
	// That instant must never be later than the true one, or the search in
	// policy.earliest could skip an allowed time.
	check(t time.Time) (broken bool, next time.Time)
	// explain says why a contact at t breaks the rule.
	explain(t time.Time) string
}

type ruleMeta struct {
	id, category, citation string
}

func (m ruleMeta) meta() ruleMeta { return m }

// hoursRule allows contact only between open and close on the wall clock of every
// zone.
type hoursRule struct {
	ruleMeta
	zones       []*time.Location
	open, close time.Duration
}

func (r *hoursRule) check(t time.Time) (bool, time.Time) {
	var broken bool
	var next time.Time
	for _, z := range r.zones {
		lt := t.In(z)
		var n time.Time
		switch tod := wallOffset(lt); {
		case tod < r.open:
			n = wallAfter(t, z, 0, r.open)
		case tod >= r.close:
			n = wallAfter(t, z, 1, r.open)
		default:
			continue
		}
		broken = true
		next = later(next, n)
	}
	return broken, next
}

func (r *hoursRule) explain(t time.Time) string {
	var out []string
	for _, z := range r.zones {
		lt := t.In(z)
		if tod := wallOffset(lt); tod < r.open || tod >= r.close {
			out = append(out, fmt.Sprintf("%s in %s", lt.Format("15:04 Mon"), z))
		}
	}
	return fmt.Sprintf("local time %s is outside the allowed %s-%s",
		strings.Join(out, " and "), clock(r.open), clock(r.close))
}

// inconvenientRule refuses contact inside windows the debtor named, on the wall
// clock of every zone the debtor may be in.
type inconvenientRule struct {
	ruleMeta
	zones   []*time.Location
	windows []Window
}

func (r *inconvenientRule) check(t time.Time) (bool, time.Time) {
	var broken bool
	var next time.Time
	for _, z := range r.zones {
		tod := wallOffset(t.In(z))
		for _, w := range r.windows {
			if !w.contains(tod) {
				continue
			}
			days := 0
			if w.End <= tod { // a window wrapping midnight, entered before midnight
				days = 1
			}
			broken = true
			next = later(next, wallAfter(t, z, days, w.End))
		}
	}
	return broken, next
}

func (r *inconvenientRule) explain(t time.Time) string {
	var out []string
	for _, z := range r.zones {
		lt := t.In(z)
		for _, w := range r.windows {
			if w.contains(wallOffset(lt)) {
				out = append(out, fmt.Sprintf("%s in %s falls in %s", lt.Format("15:04"), z, w))
			}
		}
	}
	return "local time " + strings.Join(out, "; ") + ", which the debtor said is inconvenient"
}

// window is a past attempt that counts towards a cap from at until end.
type window struct {
	at, end time.Time
}

// rollingCap refuses a contact when limit attempts already count at that instant.
type rollingCap struct {
	ruleMeta
	entries []window
	limit   int
	what    string         // what is counted, for explanations
	note    string         // how it is counted, for explanations
	show    *time.Location // the debtor's zone, for explanations
}

// active returns the ends of the entries that count at t.
func (r *rollingCap) active(t time.Time) []time.Time {
	var ends []time.Time
	for _, e := range r.entries {
		if !e.at.After(t) && t.Before(e.end) {
			ends = append(ends, e.end)
		}
	}
	return ends
}

func (r *rollingCap) check(t time.Time) (bool, time.Time) {
	ends := r.active(t)
	if len(ends) < r.limit {
		return false, time.Time{}
	}
	// The count falls below the limit once len-limit+1 entries have ended;
	// attempts logged later may raise it again, which the next step sees.
	slices.SortFunc(ends, time.Time.Compare)
	return true, ends[len(ends)-r.limit]
}

func (r *rollingCap) explain(t time.Time) string {
	ends := r.active(t)
	var first time.Time
	for _, e := range r.entries {
		if !e.at.After(t) && t.Before(e.end) && (first.IsZero() || e.at.Before(first)) {
			first = e.at
		}
	}
	return fmt.Sprintf("%d %s in the 7 days before this contact (the first at %s); the limit is %d per 7 consecutive days, so this would exceed it (%s)",
		len(ends), r.what, first.In(r.show).Format(stamp), r.limit, r.note)
}

// afterConversation refuses calls within 7 days after a telephone conversation
// about the debt. Regulation F makes the date of the conversation the first day,
// so the block ends at local midnight starting day 8; with several candidate
// zones it ends when that midnight has passed in all of them.
type afterConversation struct {
	ruleMeta
	conversations []time.Time
	zones         []*time.Location
}

func (r *afterConversation) end(c time.Time) time.Time {
	var end time.Time
	for _, z := range r.zones {
		lc := c.In(z)
		end = later(end, time.Date(lc.Year(), lc.Month(), lc.Day()+7, 0, 0, 0, 0, z))
	}
	return end
}

// blocking returns the latest conversation at or before t that still blocks, and
// when its block ends.
func (r *afterConversation) blocking(t time.Time) (conv, end time.Time) {
	for _, c := range r.conversations {
		if c.After(t) {
			continue
		}
		if e := r.end(c); t.Before(e) && e.After(end) {
			conv, end = c, e
		}
	}
	return conv, end
}

func (r *afterConversation) check(t time.Time) (bool, time.Time) {
	_, end := r.blocking(t)
	return !end.IsZero(), end
}

func (r *afterConversation) explain(t time.Time) string {
	conv, end := r.blocking(t)
	return fmt.Sprintf("a telephone conversation about the debt took place at %s; no call within 7 days counting that date as day 1, i.e. until %s",
		conv.In(r.zones[0]).Format(stamp), end.In(r.zones[0]).Format(stamp))
}

// dailyCap refuses a call when, on the Beijing calendar day of the call, any
// group already has limit attempts at or before it.
type dailyCap struct {
	ruleMeta
	beijing *time.Location
	groups  [][]time.Time
	limit   int
	what    string
}

// worst returns the largest count of any group today up to t, and when today
// (Beijing) ends.
func (r *dailyCap) worst(t time.Time) (int, time.Time) {
	lt := t.In(r.beijing)
	start := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, r.beijing)
	worst := 0
	for _, g := range r.groups {
		n := 0
		for _, a := range g {
			if !a.Before(start) && !a.After(t) {
				n++
			}
		}
		worst = max(worst, n)
	}
	return worst, start.AddDate(0, 0, 1)
}

func (r *dailyCap) check(t time.Time) (bool, time.Time) {
	n, tomorrow := r.worst(t)
	if n < r.limit {
		return false, time.Time{}
	}
	return true, tomorrow
}

func (r *dailyCap) explain(t time.Time) string {
	n, _ := r.worst(t)
	return fmt.Sprintf("%d %s already on %s (Beijing time); the limit is %d per day",
		n, r.what, t.In(r.beijing).Format("2006-01-02"), r.limit)
}

// stamp formats instants in explanations; the zone abbreviation keeps them
// unambiguous.
const stamp = "2006-01-02 15:04 MST"

// wallOffset is t's wall-clock time of day as an offset from midnight.
func wallOffset(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// wallAt is the instant the wall clock in loc reads off on the given local date.
// time.Date normalises overflowing fields, so off = 24h is the next midnight and
// a wall time skipped by a clock change moves forward.
func wallAt(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	h := off / time.Hour
	off -= h * time.Hour
	mi := off / time.Minute
	off -= mi * time.Minute
	s := off / time.Second
	off -= s * time.Second
	return time.Date(y, m, d, int(h), int(mi), int(s), int(off), loc)
}

// wallAfter is the instant after t at which the wall clock in loc reads off, days
// after t's local date.
func wallAfter(t time.Time, loc *time.Location, days int, off time.Duration) time.Time {
	lt := t.In(loc)
	c := wallAt(lt.Year(), lt.Month(), lt.Day()+days, off, loc)
	if !c.After(t) {
		// Only inside an hour that repeats when clocks go back, where time.Date
		// picks the earlier of two instants with the same wall clock: count the
		// wall-clock distance instead.
		if d := time.Duration(days)*24*time.Hour + off - wallOffset(lt); d > 0 {
			c = t.Add(d)
		}
	}
	return c
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// clock formats an offset from midnight as HH:MM, with seconds if any.
func clock(d time.Duration) string {
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}
