package assistant

import (
	"fmt"
	"time"
)

// PlanRequest is what a payment plan is built from: the balance and what the debtor
// can actually pay, never a figure the agent wishes for.
type PlanRequest struct {
	Balance Money
	// MonthlyCapacity is what the debtor says they can pay a month; zero lets
	// Installments decide.
	MonthlyCapacity Money
	// Installments is the wanted number of payments when capacity is unknown.
	Installments int
	// DueDay is the day of month each instalment is due by (default 10, as in the
	// playbook's "before the 10th").
	DueDay int
	// DownPaymentPercent asks for a first part payment now (e.g. 20 for 20%),
	// the rest spread over the following months.
	DownPaymentPercent int
	// Start is the reference time; Location the debtor's zone.
	Start    time.Time
	Location *time.Location
}

// Plan limits: long plans stop being plans; a tiny instalment costs more to collect
// than it brings.
const (
	maxInstallments = 24
	minLeadDays     = 7
	downPaymentDays = 3
)

// CalculatePlan builds the instalments: equal amounts in minor units with the
// remainder on the first ones (so the sum is exact), each due on DueDay of successive
// months, the first at least a week away. EINVALID when no sensible plan exists.
func CalculatePlan(req PlanRequest) (*Plan, error) {
	if req.Balance.Minor <= 0 {
		return nil, Invalid("balance", "nothing to plan: the balance is %s", req.Balance)
	}
	if req.DueDay == 0 {
		req.DueDay = 10
	}
	if req.DueDay < 1 || req.DueDay > 28 {
		return nil, Invalid("due_day", "due day must be between 1 and 28 so every month has it")
	}
	if req.DownPaymentPercent < 0 || req.DownPaymentPercent >= 100 {
		return nil, Invalid("down_payment_percent", "down payment must be between 0 and 99 percent")
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	start := req.Start.In(loc)
	remaining := req.Balance.Minor
	var inst []Installment
	if req.DownPaymentPercent > 0 {
		down := remaining * int64(req.DownPaymentPercent) / 100
		day := dateOnly(start.AddDate(0, 0, downPaymentDays), loc)
		inst = append(inst, Installment{Due: day, Amount: Money{Minor: down, Currency: req.Balance.Currency}})
		remaining -= down
	}
	n := req.Installments
	if c := req.MonthlyCapacity.Minor; c > 0 {
		if req.MonthlyCapacity.Currency != "" && req.MonthlyCapacity.Currency != req.Balance.Currency {
			return nil, Invalid("monthly_capacity", "capacity is in %s but the balance is in %s", req.MonthlyCapacity.Currency, req.Balance.Currency)
		}
		n = int((remaining + c - 1) / c)
	}
	if n <= 0 {
		n = 1
	}
	if n > maxInstallments {
		return nil, Invalid("monthly_capacity", "at that amount the plan would take %d months (more than %d); a person should review the case", n, maxInstallments)
	}
	first := firstDue(start, req.DueDay, loc)
	amounts := split(remaining, n, req.MonthlyCapacity.Minor)
	for i, a := range amounts {
		inst = append(inst, Installment{Due: first.AddDate(0, i, 0), Amount: Money{Minor: a, Currency: req.Balance.Currency}})
	}
	return &Plan{Installments: inst, Status: "proposed"}, nil
}

// split divides total into n parts. With a capacity, every part but the last is the
// capacity (the debtor pays what they said); otherwise parts are equal with the
// remainder on the first ones.
func split(total int64, n int, capacity int64) []int64 {
	out := make([]int64, n)
	if capacity > 0 {
		for i := range out {
			out[i] = min(capacity, total)
			total -= out[i]
		}
		return out
	}
	base, rem := total/int64(n), total%int64(n)
	for i := range out {
		out[i] = base
		if int64(i) < rem {
			out[i]++
		}
	}
	return out
}

func dateOnly(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// firstDue is the first DueDay at least minLeadDays away.
func firstDue(start time.Time, day int, loc *time.Location) time.Time {
	y, m, _ := start.Date()
	due := time.Date(y, m, day, 0, 0, 0, 0, loc)
	for due.Before(start.AddDate(0, 0, minLeadDays)) {
		due = due.AddDate(0, 1, 0)
	}
	return due
}

// Total sums a plan's instalments.
func (p *Plan) Total() Money {
	var t Money
	for _, i := range p.Installments {
		t.Minor += i.Amount.Minor
		t.Currency = i.Amount.Currency
	}
	return t
}

// Describe renders a plan in the debtor's language, for suggestions and drafts.
func (p *Plan) Describe(lang string) string {
	if len(p.Installments) == 0 {
		return ""
	}
	first := p.Installments[0]
	if lang == "zh" {
		return fmt.Sprintf("共%d期，首期%s元于%s前支付", len(p.Installments), first.Amount.Amount(), first.Due.Format("1月2日"))
	}
	return fmt.Sprintf("%d payments, the first of %s %s due by %s", len(p.Installments), first.Amount.Amount(), first.Amount.Currency, first.Due.Format("Jan 2"))
}
