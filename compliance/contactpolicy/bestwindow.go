package contactpolicy

import (
	"fmt"
	"strings"
	"time"
)

// bestWindowDays bounds the BestWindow search. A long weekend is the longest
// gap between preferred windows, so finding none in two weeks means the preferred
// hours never meet the legal ones (e.g. a CN debtor whose evening is Beijing night).
const bestWindowDays = 14

// BestWindow returns the next window, at or after from, in which a debtor of this
// kind is most likely to answer, cut to the legal contact hours. Following the
// collections playbook: businesses mid-afternoon (14:00-16:00) on working days
// (Monday to Friday; public holidays are not known here), individuals early
// evening (19:00-20:00) on any day, both on the debtor's wall clock in tz. If from
// falls inside a window, the rest of that window is returned.
//
// The legal hours are those Check applies (US 08:00-21:00 in tz; CN 08:00-22:00
// in Beijing and in tz), but not the frequency caps or the debtor's inconvenient
// hours: a best window is a plan, and the contact must still pass Check.
// An empty tz means the jurisdiction default, as in Request.Timezones, with the
// preferred hours read in the first default zone (New York, Shanghai).
//
// Errors wrap ErrUnknownJurisdiction, ErrUnknownTimezone, ErrInvalidRequest
// (unknown debtorKind, zero from) or ErrNoWindow.
func BestWindow(jurisdiction, debtorKind string, tz string, from time.Time) (start, end time.Time, err error) {
	const op = "contactpolicy.BestWindow"
	fail := func(err error) (time.Time, time.Time, error) {
		return time.Time{}, time.Time{}, fmt.Errorf("%s: %w", op, err)
	}
	jur := strings.ToUpper(strings.TrimSpace(jurisdiction))
	if jur != US && jur != CN {
		return fail(fmt.Errorf("%w: %q", ErrUnknownJurisdiction, jurisdiction))
	}
	var open, close time.Duration
	var workdaysOnly bool
	switch strings.ToLower(strings.TrimSpace(debtorKind)) {
	case Business:
		// Avoid the morning rush and close of business.
		open, close, workdaysOnly = 14*time.Hour, 16*time.Hour, true
	case Individual:
		// Avoid working hours.
		open, close = 19*time.Hour, 20*time.Hour
	default:
		return fail(fmt.Errorf("%w: unknown debtor kind %q", ErrInvalidRequest, debtorKind))
	}
	if from.IsZero() {
		return fail(fmt.Errorf("%w: from is zero", ErrInvalidRequest))
	}

	var pref *time.Location
	var legal []*time.Location
	legalClose := 21 * time.Hour
	switch jur {
	case US:
		names := []string{tz}
		if tz == "" {
			names = []string{"America/New_York", "America/Los_Angeles"}
		}
		if legal, err = loadZones(names); err != nil {
			return fail(err)
		}
		pref = legal[0]
	case CN:
		legalClose = 22 * time.Hour
		beijing, err := loadZone("Asia/Shanghai")
		if err != nil {
			return fail(err)
		}
		pref, legal = beijing, []*time.Location{beijing}
		if tz != "" {
			if pref, err = loadZone(tz); err != nil {
				return fail(err)
			}
			legal = append(legal, pref)
		}
	}
	hours := &hoursRule{zones: legal, open: 8 * time.Hour, close: legalClose}
	p := &policy{rules: []rule{hours}}

	lf := from.In(pref)
	for k := range bestWindowDays + 1 {
		y, m, d := lf.Year(), lf.Month(), lf.Day()+k
		if wd := time.Date(y, m, d, 12, 0, 0, 0, pref).Weekday(); workdaysOnly && (wd == time.Saturday || wd == time.Sunday) {
			continue
		}
		a, b := wallAt(y, m, d, open, pref), wallAt(y, m, d, close, pref)
		if !b.After(from) {
			continue
		}
		a = later(a, from)
		s, ok := p.earliest(a, b)
		if !ok || !s.Before(b) {
			continue
		}
		// s is inside the legal hours of every zone, so each zone's closing
		// time today is after s; the window ends at the first of them.
		e := b
		for _, z := range legal {
			if c := wallAfter(s, z, 0, legalClose); c.Before(e) {
				e = c
			}
		}
		return s.In(pref), e.In(pref), nil
	}
	return fail(ErrNoWindow)
}
