package contactpolicy

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// zoneCache memoises time.LoadLocation, which parses zone data on every call and
// reads /usr/share/zoneinfo when present; only valid names are stored, so its size
// is bounded by the zone database however bad the input.
var zoneCache sync.Map // string -> *time.Location

// loadZone resolves an IANA zone name. "" and "Local" are refused: LoadLocation
// maps them to UTC and to the server's own zone, and a debtor's contact hours must
// not depend on where the service happens to run.
func loadZone(name string) (*time.Location, error) {
	if v, ok := zoneCache.Load(name); ok {
		return v.(*time.Location), nil
	}
	if strings.TrimSpace(name) == "" || name == "Local" {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTimezone, name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTimezone, name)
	}
	zoneCache.Store(name, loc)
	return loc, nil
}

// loadZones resolves names, dropping duplicates.
func loadZones(names []string) ([]*time.Location, error) {
	out := make([]*time.Location, 0, len(names))
	for _, n := range names {
		loc, err := loadZone(n)
		if err != nil {
			return nil, err
		}
		dup := false
		for _, o := range out {
			dup = dup || o.String() == loc.String()
		}
		if !dup {
			out = append(out, loc)
		}
	}
	return out, nil
}
