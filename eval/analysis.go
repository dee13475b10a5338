package eval

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/parley-dev/parley/assistant"
)

// AnalysisScores are the headline figures of an analyser on one set of messages.
type AnalysisScores struct {
	N                 int          `json:"n"`
	SegmentAccuracy   float64      `json:"segment_accuracy"`
	SegmentMacroF1    float64      `json:"segment_macro_f1"`
	SentimentAccuracy float64      `json:"sentiment_accuracy"`
	SentimentMacroF1  float64      `json:"sentiment_macro_f1"`
	IntentMicroF1     float64      `json:"intent_micro_f1"`
	IntentMacroF1     float64      `json:"intent_macro_f1"`
	LanguageAccuracy  float64      `json:"language_accuracy"`
	Intents           []ClassScore `json:"intents"`
	Segments          []ClassScore `json:"segments"`
	Sentiments        []ClassScore `json:"sentiments"`
	SegmentMatrix     *Confusion   `json:"segment_confusion"`
	SentimentMatrix   *Confusion   `json:"sentiment_confusion"`
}

// AnalysisMiss is one example the analyser got wrong on some figure.
type AnalysisMiss struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	Segment   [2]string `json:"segment,omitempty"`   // gold, predicted
	Sentiment [2]string `json:"sentiment,omitempty"` // gold, predicted
	Missing   []string  `json:"missing_intents,omitempty"`
	Extra     []string  `json:"extra_intents,omitempty"`
}

// AnalysisReport is RunAnalysis's result: overall, per gold language, latency, and
// the examples that went wrong.
type AnalysisReport struct {
	Overall    AnalysisScores            `json:"overall"`
	ByLanguage map[string]AnalysisScores `json:"by_language"`
	Latency    LatencySummary            `json:"latency"`
	Errors     int                       `json:"errors"` // Analyze calls that failed
	Misses     []AnalysisMiss            `json:"misses"`
}

type analysisTally struct {
	seg, sent, lang *Confusion
	intents         *MultiLabel
	n               int
}

func newTally() *analysisTally {
	segs := make([]string, len(assistant.Segments))
	for i, s := range assistant.Segments {
		segs[i] = string(s)
	}
	return &analysisTally{
		seg:     NewConfusion(segs...),
		sent:    NewConfusion("negative", "neutral", "positive"),
		lang:    NewConfusion(assistant.Languages...),
		intents: NewMultiLabel(),
	}
}

func (t *analysisTally) scores() AnalysisScores {
	return AnalysisScores{
		N:                 t.n,
		SegmentAccuracy:   t.seg.Accuracy(),
		SegmentMacroF1:    t.seg.MacroF1(),
		SentimentAccuracy: t.sent.Accuracy(),
		SentimentMacroF1:  t.sent.MacroF1(),
		IntentMicroF1:     t.intents.MicroF1(),
		IntentMacroF1:     t.intents.MacroF1(),
		LanguageAccuracy:  t.lang.Accuracy(),
		Intents:           t.intents.PerLabel(),
		Segments:          t.seg.PerClass(),
		Sentiments:        t.sent.PerClass(),
		SegmentMatrix:     t.seg,
		SentimentMatrix:   t.sent,
	}
}

// RunAnalysis runs the analyser on every example, in order, with a fixed reference
// time so relative dates are reproducible. A failed call counts as predicting
// nothing (and is counted in Errors); a cancelled context stops the run early.
func RunAnalysis(ctx context.Context, analyzer assistant.Analyzer, examples []AnalysisExample) AnalysisReport {
	ref := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	all := newTally()
	byLang := map[string]*analysisTally{}
	rep := AnalysisReport{}
	var lat Latency
	for _, e := range examples {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		an, err := analyzer.Analyze(ctx, assistant.AnalyzeRequest{Text: e.Text, Language: "auto", Reference: ref, Timezone: "UTC"})
		lat.Add(time.Since(start))
		if err != nil || an == nil {
			rep.Errors++
			an = &assistant.Analysis{}
		}
		var pred []string
		for _, i := range an.Intents {
			pred = append(pred, i.Name)
		}
		tl := byLang[e.Lang]
		if tl == nil {
			tl = newTally()
			byLang[e.Lang] = tl
		}
		for _, t := range []*analysisTally{all, tl} {
			t.n++
			t.seg.Add(e.Segment, string(an.Willingness.Segment))
			t.sent.Add(e.Sentiment, an.Sentiment.Label)
			t.intents.Add(e.Intents, pred)
			if e.Lang != "" {
				t.lang.Add(e.Lang, an.Language)
			}
		}
		if m, wrong := miss(e, an, pred); wrong {
			rep.Misses = append(rep.Misses, m)
		}
	}
	rep.Overall = all.scores()
	rep.ByLanguage = map[string]AnalysisScores{}
	for l, t := range byLang {
		rep.ByLanguage[l] = t.scores()
	}
	rep.Latency = lat.Summary()
	return rep
}

func miss(e AnalysisExample, an *assistant.Analysis, pred []string) (AnalysisMiss, bool) {
	m := AnalysisMiss{ID: e.ID, Text: e.Text}
	wrong := false
	if string(an.Willingness.Segment) != e.Segment {
		m.Segment, wrong = [2]string{e.Segment, string(an.Willingness.Segment)}, true
	}
	if an.Sentiment.Label != e.Sentiment {
		m.Sentiment, wrong = [2]string{e.Sentiment, an.Sentiment.Label}, true
	}
	g, p := set(e.Intents), set(pred)
	for l := range g {
		if !p[l] {
			m.Missing = append(m.Missing, l)
		}
	}
	for l := range p {
		if !g[l] {
			m.Extra = append(m.Extra, l)
		}
	}
	sort.Strings(m.Missing)
	sort.Strings(m.Extra)
	return m, wrong || len(m.Missing) > 0 || len(m.Extra) > 0
}

// Thresholds are the minimums the analysis test enforces on a development set.
func (r AnalysisReport) Thresholds(min float64) []Threshold {
	return []Threshold{
		{Name: "segment_accuracy", Value: r.Overall.SegmentAccuracy, Min: min},
		{Name: "sentiment_macro_f1", Value: r.Overall.SentimentMacroF1, Min: min},
		{Name: "intent_micro_f1", Value: r.Overall.IntentMicroF1, Min: min},
	}
}

// WriteTable prints the figures, per language, the matrices and per-intent scores.
func (r AnalysisReport) WriteTable(w io.Writer) error {
	var b strings.Builder
	row := func(name string, s AnalysisScores) {
		fmt.Fprintf(&b, "%-8s %5d %9.3f %9.3f %9.3f %9.3f\n", name, s.N, s.SegmentAccuracy, s.SentimentMacroF1, s.IntentMicroF1, s.LanguageAccuracy)
	}
	fmt.Fprintf(&b, "%-8s %5s %9s %9s %9s %9s\n", "set", "n", "seg_acc", "sent_mF1", "int_µF1", "lang_acc")
	row("overall", r.Overall)
	langs := make([]string, 0, len(r.ByLanguage))
	for l := range r.ByLanguage {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		row(l, r.ByLanguage[l])
	}
	fmt.Fprintf(&b, "\nlatency p50 %.0fµs p95 %.0fµs p99 %.0fµs over %d calls; %d errors\n\n",
		r.Latency.P50, r.Latency.P95, r.Latency.P99, r.Latency.N, r.Errors)
	b.WriteString("segment confusion\n" + r.Overall.SegmentMatrix.Table() + "\n")
	b.WriteString("sentiment confusion\n" + r.Overall.SentimentMatrix.Table() + "\n")
	b.WriteString(ClassTable("intents", r.Overall.Intents))
	_, err := io.WriteString(w, b.String())
	return err
}

// CFPBReport is what the analyser makes of real US complaint narratives: almost all
// are negative, and complaints filed as "Struggling to pay ..." should mostly read as
// hardship.
type CFPBReport struct {
	Files    []string       `json:"files"`
	N        int            `json:"n"`
	Negative Rate           `json:"negative"` // narratives judged negative
	Segments map[string]int `json:"segments"` // predicted segment counts
	Struggle struct {
		N        int            `json:"n"`
		Hardship Rate           `json:"hardship"` // share with the hardship intent
		Intents  map[string]int `json:"intents"`  // every intent found, counted
	} `json:"struggling_to_pay"`
	Latency LatencySummary `json:"latency"`
	Errors  int            `json:"errors"`
}

// cfpbColumns are the two spellings of the narrative and issue columns in CFPB exports.
var cfpbColumns = []map[string]string{
	{"text": "Consumer complaint narrative", "issue": "Issue"},
	{"text": "Consumer_complaint_narrative", "issue": "Issue"},
}

// RunCFPB analyses the narratives of every CSV file in dir (rows without one are
// skipped). limit > 0 caps the rows read per file, for quick runs.
func RunCFPB(ctx context.Context, analyzer assistant.Analyzer, dir string, limit int) (CFPBReport, error) {
	rep := CFPBReport{Segments: map[string]int{}}
	rep.Struggle.Intents = map[string]int{}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return rep, err
	}
	if len(files) == 0 {
		return rep, fmt.Errorf("no CSV files in %s", dir)
	}
	ref := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	var lat Latency
	neg, hard := 0, 0
	for _, f := range files {
		rows, err := loadCFPB(f)
		if err != nil {
			return rep, err
		}
		rep.Files = append(rep.Files, filepath.Base(f))
		for i, row := range rows {
			if limit > 0 && i >= limit {
				break
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			text := strings.TrimSpace(row["text"])
			if text == "" {
				continue
			}
			start := time.Now()
			an, err := analyzer.Analyze(ctx, assistant.AnalyzeRequest{Text: text, Reference: ref, Timezone: "UTC"})
			lat.Add(time.Since(start))
			if err != nil {
				rep.Errors++
				continue
			}
			rep.N++
			rep.Segments[string(an.Willingness.Segment)]++
			if an.Sentiment.Label == "negative" {
				neg++
			}
			if strings.HasPrefix(row["issue"], "Struggling to pay") {
				rep.Struggle.N++
				for _, in := range an.Intents {
					rep.Struggle.Intents[in.Name]++
				}
				if an.HasIntent(assistant.IntentHardship) {
					hard++
				}
			}
		}
	}
	rep.Negative = NewRate(neg, rep.N)
	rep.Struggle.Hardship = NewRate(hard, rep.Struggle.N)
	rep.Latency = lat.Summary()
	return rep, nil
}

func loadCFPB(path string) ([]map[string]string, error) {
	var firstErr error
	for _, cols := range cfpbColumns {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rows, err := ReadCSV(f, cols)
		f.Close()
		if err == nil {
			return rows, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("%s: %w", filepath.Base(path), firstErr)
}

// WriteTable prints the CFPB figures.
func (r CFPBReport) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "CFPB narratives: %d from %s (%d errors)\n", r.N, strings.Join(r.Files, ", "), r.Errors)
	fmt.Fprintf(&b, "judged negative: %s\n", r.Negative)
	fmt.Fprintf(&b, "segments: %v\n", r.Segments)
	fmt.Fprintf(&b, "'Struggling to pay' complaints: %d; with hardship %s\n", r.Struggle.N, r.Struggle.Hardship)
	names := make([]string, 0, len(r.Struggle.Intents))
	for n := range r.Struggle.Intents {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return r.Struggle.Intents[names[i]] > r.Struggle.Intents[names[j]] })
	for _, n := range names {
		fmt.Fprintf(&b, "  %-18s %d\n", n, r.Struggle.Intents[n])
	}
	fmt.Fprintf(&b, "latency p50 %.0fµs p95 %.0fµs p99 %.0fµs\n", r.Latency.P50, r.Latency.P95, r.Latency.P99)
	_, err := io.WriteString(w, b.String())
	return err
}
