package builtin

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/parley-dev/parley/assistant"
)

// Engine is the name reported in Analysis.Engine.
const Engine = "builtin"

// Analyzer is the offline, deterministic analyser: lexicons (lexicon/*.json) matched
// in one pass, then the rules of rules.go. It is immutable after NewAnalyzer and safe
// for concurrent use.
type Analyzer struct {
	lx *lexicon
}

var _ assistant.Analyzer = (*Analyzer)(nil)

// NewAnalyzer loads and compiles the embedded lexicons. An error means a lexicon file
// is malformed, which the package's tests catch before release.
func NewAnalyzer() (*Analyzer, error) {
	lx, err := loadLexicon(lexiconFS)
	if err != nil {
		return nil, fmt.Errorf("assistant/builtin.NewAnalyzer: %w", err)
	}
	return &Analyzer{lx: lx}, nil
}

// MaxTextBytes bounds the text analysed; longer messages are cut at a rune boundary.
const MaxTextBytes = 16 << 10

// Analyze reads one debtor message. It returns EINVALID for empty text or an unknown
// time zone; it never fails otherwise.
func (a *Analyzer) Analyze(ctx context.Context, req assistant.AnalyzeRequest) (*assistant.Analysis, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Text) == "" {
		return nil, assistant.Invalid("text", "text is empty")
	}
	loc := time.UTC
	if req.Timezone != "" {
		l, err := time.LoadLocation(req.Timezone)
		if err != nil {
			return nil, assistant.Invalid("timezone", "unknown time zone %q", req.Timezone)
		}
		loc = l
	}
	ref := req.Reference
	if ref.IsZero() {
		ref = time.Now()
	}
	raw := truncate(req.Text, MaxTextBytes)

	lang := req.Language
	if lang == "" || lang == "auto" {
		lang = detectLanguage(raw)
	}
	t := newText(fold(raw))
	ents, spans := extractEntities(t, ref.In(loc))
	f := a.features(t, raw, spans)
	f.amounts = len(ents.Amounts) > 0
	intents := decideIntents(f)
	seg, segIdx, segScore := decideSegment(f, intents)
	sent := decideSentiment(f, intents, segIdx)

	an := &assistant.Analysis{
		Language:    lang,
		Sentiment:   sent,
		Willingness: assistant.Willingness{Segment: seg, Score: segScore},
		Intents:     intents,
		Entities:    ents,
		Engine:      Engine,
	}
	if an.HasIntent(assistant.IntentPromiseToPay) && (len(ents.Amounts) > 0 || len(ents.Dates) > 0) {
		p := &assistant.PromiseEntity{}
		if len(ents.Amounts) > 0 {
			p.Amount = ents.Amounts[0]
		}
		if len(ents.Dates) > 0 {
			d, _ := time.ParseInLocation(time.DateOnly, ents.Dates[0], loc)
			p.Date = d
		}
		an.Entities.Promise = p
	}
	return an, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8RuneStart(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// features is what the lexicon says about one message, before the rules decide.
type features struct {
	intent   [numIntents]float64 // noisy-or of cue confidences
	terms    [numIntents]float64 // from cues stating periodic terms, kept apart
	amounts  bool                // the message names an amount
	segment  [4]float64          // summed evidence
	sent     float64             // summed sentiment
	sentPos  float64             // its positive part
	sentNeg  float64             // its negative part
	tags     tagSet
	shouting bool // words in capitals
	exclaim  int  // exclamation marks
	queries  int  // question marks
	cues     []string
	frames   []string // frames.go: which frames fired
	// framePromise: a promise established by structure, which a hedge elsewhere in
	// the message does not cancel (frames.go weighs hedges per sentence).
	framePromise bool
	// redirectOnly: the only request to stop contact is sending it to a lawyer.
	redirectOnly bool
	// realQuestion: a question cue other than a bare topic ("the balance?") fired.
	realQuestion bool
	markers
	dated bool // the message names a date
}

func (a *Analyzer) features(t *text, raw string, sp entitySpans) *features {
	f := &features{}
	ms := a.lx.m.find(t)
	// Question-only and statement-only cues leave before they can silence others.
	kept := ms[:0]
	for _, m := range ms {
		if c := &a.lx.cues[m.cue]; !(c.question || c.statement) || c.question == t.interrogative(int(m.start)) {
			kept = append(kept, m)
		}
	}
	ms = a.dropContained(kept)
	var occ []occurrence
	// Stops ("don't", "别", "唔好") govern the contacting words a few runes after
	// them: "不要再给我发短信" asks for no texts, it does not ask for texts.
	var stops []match
	for _, m := range ms {
		if a.lx.cues[m.cue].concept == conceptStop {
			stops = append(stops, m)
		}
	}
	underStop := func(m match) bool {
		for _, st := range stops {
			if st.end <= m.start && t.sameSentence(st.end, m.start) && t.runeAt[m.start]-t.runeAt[st.end] <= stopGap {
				return true
			}
		}
		return false
	}
	// Intensifiers first: they scale the sentiment cue that follows them.
	// A complaint cue naming contact that a stop governs ("stop calling my work")
	// asks them to stop; the cease frame has it.
	// The stop may sit inside a longer cue ("please stop"), so kept is searched.
	contactAt := map[int32]bool{}
	var anyStops []match
	for _, m := range kept {
		switch a.lx.cues[m.cue].concept {
		case conceptContact:
			contactAt[m.start] = true
		case conceptStop:
			anyStops = append(anyStops, m)
		}
	}
	stoppedContact := func(m match) bool {
		if !contactAt[m.start] {
			return false
		}
		for _, st := range anyStops {
			if st.end <= m.start && t.sameSentence(st.end, m.start) && t.runeAt[m.start]-t.runeAt[st.end] <= stopGap {
				return true
			}
		}
		return false
	}
	ceaseByStop := false
	wantEnd := -1
	var boostEnds []int32
	for _, m := range ms {
		if a.lx.cues[m.cue].tags.has(tagIntensifier) {
			boostEnds = append(boostEnds, m.end)
		}
	}
	// Each cue counts once: its strongest sentiment occurrence, its intents and
	// segment evidence if any occurrence is not negated.
	sentOf := make(map[int32]float64, len(ms))
	seen := make(map[int32]bool, len(ms))
	for _, m := range ms {
		c := &a.lx.cues[m.cue]
		if c.intents[iComplaint] > 0 && stoppedContact(m) {
			ceaseByStop = true
			continue
		}
		neg := !c.negIgnore && t.negated(m)
		if (c.tags.has(tagWantSettle) || c.concept == conceptPay) && !neg && wantEnd < 0 {
			wantEnd = int(m.end)
		}
		if c.intents[iCallback] > 0 && underStop(m) {
			neg = true
		}
		if c.concept != conceptNone {
			occ = append(occ, occurrence{concept: c.concept, start: m.start, end: m.end,
				sentence: t.stopAt[m.start], negated: neg, question: t.interrogative(int(m.start))})
		}
		if c.sentiment != 0 {
			s := c.sentiment
			for _, e := range boostEnds {
				if e <= m.start && m.start-e <= 7 {
					s *= 1.5
					break
				}
			}
			if neg {
				s = -0.5 * s
			}
			if old, ok := sentOf[m.cue]; !ok || math.Abs(s) > math.Abs(old) {
				sentOf[m.cue] = s
			}
		}
		if neg || seen[m.cue] {
			continue
		}
		seen[m.cue] = true
		f.cues = append(f.cues, c.id)
		f.tags |= c.tags
		into := &f.intent
		if c.tags.has(tagPlanTerms) {
			into = &f.terms
		}
		if c.intents[iQuestion] > 0 && !c.tags.has(tagTopic) {
			f.realQuestion = true
		}
		for i, v := range c.intents {
			if v > 0 {
				into[i] = 1 - (1-into[i])*(1-v)
			}
		}
		for i, v := range c.segment {
			f.segment[i] += v
		}
	}
	for _, s := range sentOf {
		if s > 0 {
			f.sentPos += s
		} else {
			f.sentNeg += s
		}
	}
	f.sent = f.sentPos + f.sentNeg
	f.markers = markersOf(t, wantEnd)
	// "I want to pay but I can't right now": the wish is not willingness; the
	// inability is hardship.
	f.dated = len(sp.dates) > 0
	if f.inability {
		f.segment[segWilling] = math.Max(0, f.segment[segWilling]-1)
		f.segment[segWait] += 0.5
		if f.unaffordable {
			f.intent[iHardship] = 1 - (1-f.intent[iHardship])*(1-0.85)
		}
	}
	sort.Slice(occ, func(i, j int) bool { return occ[i].start < occ[j].start })
	f.applyFrames(t, occ, sp)
	if ceaseByStop && f.intent[iCease] < frameConfidence {
		f.intent[iCease] = 1 - (1-f.intent[iCease])*(1-frameConfidence)
		f.frames = append(f.frames, "frame.cease")
		f.segment[segResistant] += 0.3
	}
	f.shouting = shouting(raw)
	f.exclaim = strings.Count(t.s, "!")
	f.queries = strings.Count(t.s, "?")
	return f
}

// dropContained removes matches lying inside a longer match's contiguous piece, so
// "不会还" (will not pay) silences "会还" (will pay) and "no problem" silences
// "problem". Several pieces of one pattern only contain what lies inside a piece.
// A building block (a concept cue with no signal of its own, such as "the
// balance" as an amount) silences only building blocks of its own concept: it
// says nothing that could replace another cue. Transparent cues silence nothing.
func (a *Analyzer) dropContained(ms []match) []match {
	out := ms[:0:0]
	for i, m := range ms {
		inside := false
		for j, n := range ms {
			if i == j || n.end-n.start <= m.end-m.start {
				continue
			}
			if nc, mc := &a.lx.cues[n.cue], &a.lx.cues[m.cue]; nc.transparent || nc.building && (!mc.building || nc.concept != mc.concept) {
				continue
			}
			if (n.start <= m.start && m.end <= n.firstEnd) || (n.lastStart <= m.start && m.end <= n.end) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, m)
		}
	}
	return out
}

// shouting reports two or more words of three or more capital letters.
func shouting(s string) bool {
	n := 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') }) {
		if len(w) >= 3 && strings.ToUpper(w) == w {
			n++
		}
	}
	return n >= 2
}

func sortIntents(xs []assistant.IntentScore) {
	sort.Slice(xs, func(i, j int) bool {
		if xs[i].Confidence != xs[j].Confidence {
			return xs[i].Confidence > xs[j].Confidence
		}
		return xs[i].Name < xs[j].Name
	})
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
