package assistant

import (
	"fmt"
	"time"
)

// Ledger thresholds from the playbook: over 90 days past due is high risk; a long
// clean history with a first slip is low risk.
const (
	highRiskDays   = 90
	mediumRiskDays = 30
)

// RiskFromLedger grades a case from its amount, days past due and payment history.
func RiskFromLedger(c *Case, history []*Event) (RiskTier, []string) {
	var reasons []string
	score := 0
	switch {
	case c.DaysPastDue > highRiskDays:
		score += 2
		reasons = append(reasons, fmt.Sprintf("%d days past due (over %d)", c.DaysPastDue, highRiskDays))
	case c.DaysPastDue > mediumRiskDays:
		score++
		reasons = append(reasons, fmt.Sprintf("%d days past due", c.DaysPastDue))
	}
	if large(c.Balance) {
		score++
		reasons = append(reasons, "large balance "+c.Balance.String())
	}
	broken := 0
	for _, p := range c.Promises {
		if p.Status == "broken" {
			broken++
		}
	}
	if broken >= 2 {
		score += 2
		reasons = append(reasons, fmt.Sprintf("%d broken promises", broken))
	} else if broken == 1 {
		score++
		reasons = append(reasons, "1 broken promise")
	}
	payments := 0
	for _, e := range history {
		if e.Kind == EventPayment {
			payments++
		}
	}
	if payments > 0 && score > 0 {
		score--
		reasons = append(reasons, fmt.Sprintf("%d payments on record", payments))
	}
	switch {
	case score >= 3:
		return RiskHigh, reasons
	case score >= 1:
		return RiskMedium, reasons
	}
	return RiskLow, append(reasons, "current or recently overdue with no warning signs")
}

// large is a rough per-currency threshold for "large amount"; a creditor would tune it
// to its own receivables.
func large(m Money) bool {
	switch m.Currency {
	case "CNY":
		return m.Minor >= 50_000_00
	default:
		return m.Minor >= 10_000_00
	}
}

// recentWindow is how many of the latest inbound analyses decide the segment.
const recentWindow = 3

// SegmentFromHistory combines the debtor's recent messages with the ledger tier, as
// the playbook asks: what the debtor says sets the segment, a high ledger risk with no
// cooperation pushes towards high_risk, and a single angry message does not outweigh
// a fresh promise.
func SegmentFromHistory(tier RiskTier, history []*Event) (Segment, []string) {
	var recent []*Analysis
	for i := len(history) - 1; i >= 0 && len(recent) < recentWindow; i-- {
		if a := history[i].Analysis; a != nil && history[i].Direction == "inbound" {
			recent = append(recent, a)
		}
	}
	if len(recent) == 0 {
		if tier == RiskHigh {
			return SegmentHighRisk, []string{"no reply from the debtor and a high ledger risk"}
		}
		return SegmentWaitAndSee, []string{"no message from the debtor yet"}
	}
	// Most recent message weighs most.
	weights := []float64{1, 0.5, 0.25}
	votes := map[Segment]float64{}
	for i, a := range recent {
		votes[a.Willingness.Segment] += weights[i]
	}
	latest := recent[0].Willingness.Segment
	best := latest
	for _, s := range Segments {
		if votes[s] > votes[best] {
			best = s
		}
	}
	reasons := []string{fmt.Sprintf("latest message reads %s", latest)}
	if best != latest {
		reasons = append(reasons, fmt.Sprintf("recent messages lean %s", best))
	}
	if tier == RiskHigh && (best == SegmentWaitAndSee || best == SegmentResistant) {
		reasons = append(reasons, "high ledger risk without a commitment")
		return SegmentHighRisk, reasons
	}
	return best, reasons
}

// UpdatePromises marks an open promise kept when payments made after it was given and
// by its due date (one day's grace) cover its amount, each payment counting once, and
// broken when the due date passed without that.
func UpdatePromises(promises []Promise, history []*Event, now time.Time) []Promise {
	madeAt := map[string]time.Time{}
	for _, e := range history {
		madeAt[e.ID] = e.At
		if e.Kind == EventPromise {
			madeAt[e.ID] = e.CreatedAt // a promise event's At is the promised date
		}
	}
	used := map[string]int64{} // minor units of each payment already counted
	out := make([]Promise, 0, len(promises))
	for _, p := range promises {
		if p.Status == "open" {
			from := madeAt[p.EventID].Add(-24 * time.Hour)
			until := p.Due.Add(24 * time.Hour)
			var paid int64
			for _, e := range history {
				if e.Kind != EventPayment || e.Amount == nil || e.At.Before(from) || e.At.After(until) {
					continue
				}
				left := e.Amount.Minor - used[e.ID]
				need := p.Amount.Minor - paid
				if left <= 0 || (need <= 0 && p.Amount.Minor > 0) {
					continue
				}
				take := left
				if p.Amount.Minor > 0 {
					take = min(left, need)
				}
				used[e.ID] += take
				paid += take
			}
			switch {
			case paid > 0 && paid >= p.Amount.Minor:
				p.Status = "kept"
			case now.After(until):
				p.Status = "broken"
			}
		}
		out = append(out, p)
	}
	return out
}
