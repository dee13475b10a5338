package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parley-dev/parley/compliance"
)

// Screener is what RunScreen measures: the compliance gate, or a fake in
// tests.
type Screener interface {
	Check(compliance.Request) (compliance.Verdict, error)
}

// ScreenChannel is the channel examples are screened on. The labelled sets
// carry none; SMS is the commonest outgoing channel, and the channel only
// changes warnings (opt-out), never whether content blocks.
const ScreenChannel = "sms"

// GroupScore is block recall (or, for allow lines, false blocks) for one
// group of examples: a category, an evasion, a jurisdiction.
type GroupScore struct {
	Group string `json:"group"`
	// Recall: block lines of the group that were blocked.
	Recall Rate `json:"recall"`
	// SameCategory: block lines blocked with a violation of the labelled
	// category (the reason is right, not only the outcome).
	SameCategory Rate `json:"same_category"`
	// FalseBlocks: allow lines of the group that were blocked.
	FalseBlocks Rate `json:"false_blocks"`
}

// ScreenMiss is one example the gate got wrong.
type ScreenMiss struct {
	ID           string   `json:"id"`
	Jurisdiction string   `json:"jurisdiction"`
	Expect       string   `json:"expect"`
	Category     string   `json:"category,omitempty"`
	Evasion      string   `json:"evasion,omitempty"`
	Text         string   `json:"text"`
	Rules        []string `json:"rules,omitempty"` // blocking rules, for false blocks
}

// ScreenReport is RunScreen's result.
type ScreenReport struct {
	N int `json:"n"`
	// BlockRecall: share of block lines that were blocked.
	BlockRecall Rate `json:"block_recall"`
	// ObfuscatedRecall: the same over block lines with an evasion.
	ObfuscatedRecall Rate `json:"obfuscated_recall"`
	// FalseBlockRate: share of allow lines that were blocked.
	FalseBlockRate Rate `json:"false_block_rate"`
	// Precision: share of blocked lines that should have been.
	Precision      Rate           `json:"precision"`
	SameCategory   Rate           `json:"same_category"`
	ByCategory     []GroupScore   `json:"by_category"`
	ByEvasion      []GroupScore   `json:"by_evasion"`
	ByJurisdiction []GroupScore   `json:"by_jurisdiction"`
	Latency        LatencySummary `json:"latency"`
	Errors         int            `json:"errors"` // Check calls that failed
	Misses         []ScreenMiss   `json:"misses"`
}

type groupTally struct{ blocks, caught, sameCat, allows, falseBlocks int }

func (g *groupTally) score(name string) GroupScore {
	return GroupScore{Group: name, Recall: NewRate(g.caught, g.blocks),
		SameCategory: NewRate(g.sameCat, g.blocks), FalseBlocks: NewRate(g.falseBlocks, g.allows)}
}

// ScreenContext turns a labelled example's context object into the gate's
// Context (same field names as the API).
func ScreenContext(m map[string]any) (compliance.Context, error) {
	var c compliance.Context
	if len(m) == 0 {
		return c, nil
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(raw, &c)
	return c, err
}

// RunScreen screens every example and scores the verdicts against the
// labels. An example whose Check fails counts as an error and as not
// blocked.
func RunScreen(s Screener, examples []ScreenExample) ScreenReport {
	var (
		rep                        ScreenReport
		all, obf                   groupTally
		byCat, byEv, byJur         = map[string]*groupTally{}, map[string]*groupTally{}, map[string]*groupTally{}
		blockedTotal, blockedRight int
		lat                        Latency
	)
	tally := func(m map[string]*groupTally, k string) *groupTally {
		if m[k] == nil {
			m[k] = &groupTally{}
		}
		return m[k]
	}
	for _, ex := range examples {
		rep.N++
		ctx, err := ScreenContext(ex.Context)
		var v compliance.Verdict
		if err == nil {
			start := time.Now()
			v, err = s.Check(compliance.Request{Text: ex.Text, Jurisdiction: ex.Jurisdiction, Channel: ScreenChannel, Context: ctx})
			lat.Add(time.Since(start))
		}
		if err != nil {
			rep.Errors++
			v = compliance.Verdict{Allowed: true}
		}
		blocked := !v.Allowed
		var rules []string
		sameCat := false
		for _, x := range v.Violations {
			if x.Severity == compliance.SeverityBlock {
				rules = append(rules, x.Rule)
				if x.Category == ex.Category {
					sameCat = true
				}
			}
		}
		if blocked {
			blockedTotal++
		}
		groups := []*groupTally{&all, tally(byJur, ex.Jurisdiction)}
		if ex.Category != "" {
			groups = append(groups, tally(byCat, ex.Category))
		}
		if ex.Evasion != "" {
			groups = append(groups, &obf, tally(byEv, ex.Evasion))
		}
		wrong := false
		for _, g := range groups {
			if ex.Expect == "block" {
				g.blocks++
				if blocked {
					g.caught++
				}
				if blocked && sameCat {
					g.sameCat++
				}
			} else {
				g.allows++
				if blocked {
					g.falseBlocks++
				}
			}
		}
		if ex.Expect == "block" {
			wrong = !blocked
			if blocked {
				blockedRight++
			}
		} else {
			wrong = blocked
		}
		if wrong {
			m := ScreenMiss{ID: ex.ID, Jurisdiction: ex.Jurisdiction, Expect: ex.Expect, Category: ex.Category,
				Evasion: ex.Evasion, Text: ex.Text}
			if blocked {
				m.Rules = rules
			}
			rep.Misses = append(rep.Misses, m)
		}
	}
	rep.BlockRecall = NewRate(all.caught, all.blocks)
	rep.SameCategory = NewRate(all.sameCat, all.blocks)
	rep.ObfuscatedRecall = NewRate(obf.caught, obf.blocks)
	rep.FalseBlockRate = NewRate(all.falseBlocks, all.allows)
	rep.Precision = NewRate(blockedRight, blockedTotal)
	rep.ByCategory = scores(byCat)
	rep.ByEvasion = scores(byEv)
	rep.ByJurisdiction = scores(byJur)
	rep.Latency = lat.Summary()
	return rep
}

func scores(m map[string]*groupTally) []GroupScore {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]GroupScore, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k].score(k))
	}
	return out
}

// Thresholds returns the screen's figures as thresholds: minimum block and
// obfuscated recall, maximum false-block rate.
func (r ScreenReport) Thresholds(minRecall, minObfuscated, maxFalseBlock float64) []Threshold {
	ts := []Threshold{
		{Name: "block_recall", Value: r.BlockRecall.Value, Min: minRecall},
		{Name: "false_block_rate", Value: r.FalseBlockRate.Value, Max: maxFalseBlock},
	}
	if r.ObfuscatedRecall.Total > 0 {
		ts = append(ts, Threshold{Name: "obfuscated_recall", Value: r.ObfuscatedRecall.Value, Min: minObfuscated})
	}
	return ts
}

// WriteTable prints the headline figures, per-group tables and the misses.
func (r ScreenReport) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "examples          %d (errors %d)\n", r.N, r.Errors)
	fmt.Fprintf(&b, "block recall      %s\n", r.BlockRecall)
	fmt.Fprintf(&b, "obfuscated recall %s\n", r.ObfuscatedRecall)
	fmt.Fprintf(&b, "false-block rate  %s\n", r.FalseBlockRate)
	fmt.Fprintf(&b, "precision         %s\n", r.Precision)
	fmt.Fprintf(&b, "same category     %s\n", r.SameCategory)
	fmt.Fprintf(&b, "latency           p50 %.1fµs p95 %.1fµs p99 %.1fµs\n", r.Latency.P50, r.Latency.P95, r.Latency.P99)
	for _, t := range []struct {
		title string
		rows  []GroupScore
	}{{"by category", r.ByCategory}, {"by evasion", r.ByEvasion}, {"by jurisdiction", r.ByJurisdiction}} {
		if len(t.rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%-20s %-18s %-18s %-18s\n", t.title, "recall", "same category", "false blocks")
		for _, g := range t.rows {
			fmt.Fprintf(&b, "%-20s %-18s %-18s %-18s\n", trunc(g.Group, 20), rateCell(g.Recall), rateCell(g.SameCategory), rateCell(g.FalseBlocks))
		}
	}
	if len(r.Misses) > 0 {
		fmt.Fprintf(&b, "\nmisses (%d)\n", len(r.Misses))
		for _, m := range r.Misses {
			extra := strings.Join(slices.Compact(m.Rules), ",")
			fmt.Fprintf(&b, "  %s %s expect=%s cat=%s ev=%s %s | %s\n", m.ID, m.Jurisdiction, m.Expect, m.Category, m.Evasion, extra, m.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func rateCell(r Rate) string {
	if r.Total == 0 {
		return "-"
	}
	return r.String()
}

// LoadHateCheck reads HateCheck's test_suite_cases.csv (Röttger et al.
// 2021) as screen examples: the threat functionalities (threat_dir_h,
// threat_norm_h) must block, and every non-hateful contrast (*_nh) must
// not. Other hateful functionalities are left out: they target groups,
// which is not what a collection message screen is for. Category holds
// the functionality; all examples are US, English.
func LoadHateCheck(path string) ([]ScreenExample, error) {
	rows, err := LoadCSV(path, map[string]string{"id": "case_id", "func": "functionality", "text": "test_case"})
	if err != nil {
		return nil, err
	}
	var out []ScreenExample
	for _, r := range rows {
		f := r["func"]
		var expect string
		switch {
		case f == "threat_dir_h" || f == "threat_norm_h":
			expect = "block"
		case strings.HasSuffix(f, "_nh"):
			expect = "allow"
		default:
			continue
		}
		out = append(out, ScreenExample{ID: "hatecheck-" + r["id"], Lang: "en", Text: strings.TrimSpace(r["text"]),
			Jurisdiction: "US", Expect: expect, Category: f})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no HateCheck threat or contrast rows", path)
	}
	return out, nil
}

// LoadCOLD reads a COLD split (Deng et al. 2022) with the fine-grained
// label (test.csv) as screen examples: insults aimed at an individual
// (fine-grained 1) must block, safe rows (label 0) must not. Attacks on
// groups (fine-grained 2) are left out. All examples are CN, Chinese;
// blocked rows get the category insult_profanity.
func LoadCOLD(path string) ([]ScreenExample, error) {
	rows, err := LoadCSV(path, map[string]string{"id": "", "label": "label", "fine": "fine-grained-label", "text": "TEXT"})
	if err != nil {
		return nil, err
	}
	var out []ScreenExample
	for i, r := range rows {
		id := r["id"]
		if id == "" {
			id = fmt.Sprint(i)
		}
		ex := ScreenExample{ID: "cold-" + id, Lang: "zh", Text: r["text"], Jurisdiction: "CN"}
		switch {
		case r["fine"] == "1":
			ex.Expect, ex.Category = "block", compliance.CategoryInsultProfanity
		case r["label"] == "0":
			ex.Expect = "allow"
		default:
			continue
		}
		if strings.TrimSpace(ex.Text) == "" {
			continue
		}
		out = append(out, ex)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no COLD rows with a fine-grained label", path)
	}
	return out, nil
}
