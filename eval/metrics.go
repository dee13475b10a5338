package eval

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Confusion counts (gold, predicted) pairs for a single-label task.
type Confusion struct {
	Labels []string                  `json:"labels"`
	Counts map[string]map[string]int `json:"counts"` // gold -> predicted -> n
}

// NewConfusion returns an empty matrix over the given labels; unseen labels are added
// as they appear.
func NewConfusion(labels ...string) *Confusion {
	return &Confusion{Labels: append([]string(nil), labels...), Counts: map[string]map[string]int{}}
}

// Add records one prediction.
func (c *Confusion) Add(gold, pred string) {
	c.ensure(gold)
	c.ensure(pred)
	if c.Counts[gold] == nil {
		c.Counts[gold] = map[string]int{}
	}
	c.Counts[gold][pred]++
}

func (c *Confusion) ensure(l string) {
	for _, x := range c.Labels {
		if x == l {
			return
		}
	}
	c.Labels = append(c.Labels, l)
}

// Total is the number of predictions recorded.
func (c *Confusion) Total() int {
	n := 0
	for _, row := range c.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy is the share of predictions equal to gold.
func (c *Confusion) Accuracy() float64 {
	correct := 0
	for l, row := range c.Counts {
		correct += row[l]
	}
	return ratio(correct, c.Total())
}

// ClassScore is precision, recall and F1 of one class.
type ClassScore struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // gold count
}

// PerClass returns the scores of every label, in label order.
func (c *Confusion) PerClass() []ClassScore {
	out := make([]ClassScore, 0, len(c.Labels))
	for _, l := range c.Labels {
		tp := c.Counts[l][l]
		gold, pred := 0, 0
		for _, v := range c.Counts[l] {
			gold += v
		}
		for _, row := range c.Counts {
			pred += row[l]
		}
		out = append(out, score(l, tp, pred-tp, gold-tp))
	}
	return out
}

// MacroF1 averages F1 over labels that occur in gold or predictions.
func (c *Confusion) MacroF1() float64 {
	sum, n := 0.0, 0
	for _, s := range c.PerClass() {
		if s.Support == 0 && s.Precision == 0 {
			continue
		}
		sum += s.F1
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Table renders the matrix with gold labels as rows.
func (c *Confusion) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-14s", "gold\\pred")
	for _, l := range c.Labels {
		fmt.Fprintf(&b, " %12s", trunc(l, 12))
	}
	b.WriteString("\n")
	for _, g := range c.Labels {
		fmt.Fprintf(&b, "%-14s", trunc(g, 14))
		for _, p := range c.Labels {
			fmt.Fprintf(&b, " %12d", c.Counts[g][p])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// MultiLabel scores a multi-label task (intents) by counting per-label decisions.
type MultiLabel struct {
	tp, fp, fn map[string]int
}

// NewMultiLabel returns an empty multi-label scorer.
func NewMultiLabel() *MultiLabel {
	return &MultiLabel{tp: map[string]int{}, fp: map[string]int{}, fn: map[string]int{}}
}

// Add records the gold and predicted label sets of one example.
func (m *MultiLabel) Add(gold, pred []string) {
	g := set(gold)
	p := set(pred)
	for l := range p {
		if g[l] {
			m.tp[l]++
		} else {
			m.fp[l]++
		}
	}
	for l := range g {
		if !p[l] {
			m.fn[l]++
		}
	}
}

// MicroF1 pools decisions over all labels.
func (m *MultiLabel) MicroF1() float64 {
	tp, fp, fn := 0, 0, 0
	for _, v := range m.tp {
		tp += v
	}
	for _, v := range m.fp {
		fp += v
	}
	for _, v := range m.fn {
		fn += v
	}
	return score("", tp, fp, fn).F1
}

// MacroF1 averages per-label F1.
func (m *MultiLabel) MacroF1() float64 {
	scores := m.PerLabel()
	if len(scores) == 0 {
		return 0
	}
	sum := 0.0
	for _, s := range scores {
		sum += s.F1
	}
	return sum / float64(len(scores))
}

// PerLabel returns precision/recall/F1 per label, sorted by label.
func (m *MultiLabel) PerLabel() []ClassScore {
	labels := map[string]bool{}
	for _, mm := range []map[string]int{m.tp, m.fp, m.fn} {
		for l := range mm {
			labels[l] = true
		}
	}
	var out []ClassScore
	for l := range labels {
		out = append(out, score(l, m.tp[l], m.fp[l], m.fn[l]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

func score(label string, tp, fp, fn int) ClassScore {
	p := ratio(tp, tp+fp)
	r := ratio(tp, tp+fn)
	f := 0.0
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return ClassScore{Label: label, Precision: p, Recall: r, F1: f, Support: tp + fn}
}

// Rate is a count out of a total, reported with both.
type Rate struct {
	Hits  int     `json:"hits"`
	Total int     `json:"total"`
	Value float64 `json:"value"`
}

// NewRate computes hits/total (0 when total is 0).
func NewRate(hits, total int) Rate { return Rate{Hits: hits, Total: total, Value: ratio(hits, total)} }

func (r Rate) String() string { return fmt.Sprintf("%.3f (%d/%d)", r.Value, r.Hits, r.Total) }

// Latency summarises durations as percentiles.
type Latency struct {
	samples []time.Duration
}

// Add records one duration.
func (l *Latency) Add(d time.Duration) { l.samples = append(l.samples, d) }

// Percentile returns the p-th percentile (0-100), nearest rank.
func (l *Latency) Percentile(p float64) time.Duration {
	if len(l.samples) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l.samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

// LatencySummary is the JSON form of a Latency.
type LatencySummary struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_us"`
	P95 float64 `json:"p95_us"`
	P99 float64 `json:"p99_us"`
}

// Summary returns p50/p95/p99 in microseconds.
func (l *Latency) Summary() LatencySummary {
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	return LatencySummary{N: len(l.samples), P50: us(l.Percentile(50)), P95: us(l.Percentile(95)), P99: us(l.Percentile(99))}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
