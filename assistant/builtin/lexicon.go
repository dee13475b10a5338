package builtin

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/parley-dev/parley/assistant"
)

// The lexicons are data: lexicon/*.json, one file per language, reviewed like code.
// Every cue names the phrases it fires on, what they signal and, as examples that
// the tests run, sentences it must and must not fire on.
//
//go:embed lexicon/*.json
var lexiconFS embed.FS

// cueSpec is one entry of a lexicon file.
type cueSpec struct {
	ID   string `json:"id"`
	Note string `json:"note,omitempty"`
	// Patterns: literal pieces joined by "..." (see match.go). Folded like the text,
	// so traditional characters and full-width forms need no entries of their own.
	Patterns []string `json:"patterns"`
	// Intents maps intent names (assistant.Intents) to a confidence.
	Intents map[string]float64 `json:"intents,omitempty"`
	// Sentiment is the cue's polarity, -1..1, flipped and damped under negation.
	Sentiment float64 `json:"sentiment,omitempty"`
	// Segment is evidence for willingness segments (assistant.Segments).
	Segment map[string]float64 `json:"segment,omitempty"`
	// Tags name roles the rules in rules.go look for (see tagNames).
	Tags []string `json:"tags,omitempty"`
	// Question restricts the cue to interrogative sentences, Statement to the others.
	Question  bool `json:"question,omitempty"`
	Statement bool `json:"statement,omitempty"`
	// Negation "ignore" keeps the cue whatever precedes it; by default a negated cue
	// loses its intents, segment evidence and tags and its sentiment is flipped.
	Negation string `json:"negation,omitempty"`
	// MaxGap overrides how many runes may separate two pieces of a pattern.
	MaxGap int `json:"max_gap,omitempty"`
	// Transparent cues silence nothing they contain: "want to pay" says the debtor
	// wants to pay without taking "pay" away from a promise ("want to pay, 250 by
	// Monday").
	Transparent bool `json:"transparent,omitempty"`
	// Concept names a building block that the frames of frames.go combine within a
	// sentence (see conceptNames): "pay" alone is no promise, "pay" with a time, an
	// amount or a commitment is.
	Concept string `json:"concept,omitempty"`
	// Match and NoMatch are examples run by the tests.
	Match   []string `json:"match"`
	NoMatch []string `json:"nomatch,omitempty"`
}

type lexiconFile struct {
	Lang string    `json:"lang"`
	Cues []cueSpec `json:"cues"`
}

// tag is a role a cue plays in the rules.
type tag uint8

const (
	tagIntensifier  tag = iota // strengthens the next sentiment cue
	tagHedge                   // takes the commitment out of a promise ("no promises")
	tagConditional             // a refusal that depends on something ("until you explain")
	tagWantSettle              // says they want to resolve it
	tagDelay                   // puts it off without a plan ("later", "再说")
	tagAcceptPlan              // accepts a plan already offered
	tagPlanTerms               // states instalment terms (request unless accepting)
	tagHostile                 // hostility towards the collector
	tagInconsistent            // a story that shifts or cannot be checked
	tagSarcasm                 // ironic praise or thanks
	tagThanks                  // gratitude
	tagRefusal                 // says they will not pay
	tagPayHow                  // asks how or where to pay
	tagUntouchable             // dares them to collect: nothing to take
	tagDisappear               // will disappear or change number
	tagTopic                   // a question only names a topic (the balance, the fee)
	numTags
)

var tagNames = map[string]tag{
	"intensifier": tagIntensifier, "hedge": tagHedge, "conditional": tagConditional,
	"want_settle": tagWantSettle, "delay": tagDelay, "accept_plan": tagAcceptPlan,
	"plan_terms": tagPlanTerms, "hostile": tagHostile, "inconsistent": tagInconsistent,
	"sarcasm": tagSarcasm, "thanks": tagThanks, "refusal": tagRefusal, "pay_how": tagPayHow,
	"untouchable": tagUntouchable, "disappear": tagDisappear, "topic": tagTopic,
}

type tagSet uint32

func (s tagSet) has(t tag) bool { return s&(1<<t) != 0 }

var intentIndex = func() map[string]int {
	m := map[string]int{}
	for i, n := range assistant.Intents {
		m[n] = i
	}
	return m
}()

const numIntents = 12

var segmentIndex = map[string]int{
	string(assistant.SegmentWilling): segWilling, string(assistant.SegmentWaitAndSee): segWait,
	string(assistant.SegmentResistant): segResistant, string(assistant.SegmentHighRisk): segHighRisk,
}

const (
	segWilling = iota
	segWait
	segResistant
	segHighRisk
)

// concept is a building block of the frames (frames.go).
type concept uint8

const (
	conceptNone     concept = iota
	conceptPay              // a paying verb, not in the past: pay, send, 还, 转
	conceptCommit           // commitment or future: will, promise, 会, 一定
	conceptTime             // a time or deadline: tomorrow, payday, 月底
	conceptAmount           // an amount in words: the rest, 全部
	conceptStop             // a stop or a negative imperative: stop, don't, 别, 唔好
	conceptContact          // contacting, any form: calling, texts, 打电话, 联系
	conceptReach            // asking to be reached: call me, text me, 打给我, 联系我
	conceptFee              // a charge or a sum: fee, interest, amount, 手续费, 利息
	conceptObject           // an objection: wrong, bogus, never agreed, 不认, 乱收
	conceptRedirect         // sends contact elsewhere: go through my (lawyer), 找我
	conceptLawyer           // a lawyer: attorney, counsel, 律师
	conceptSum              // a sum: amount, balance, 金额
	conceptRefuse           // a refusal to pay: won't pay, 不还
	conceptVague            // a vague time: later, someday, 以后
	conceptHedge            // a hedge: maybe, no promises, 尽量
	conceptFuture           // a time ahead: tomorrow, next week, 明天 (also a time)
	conceptPaidWeak         // a verb with a bare completion mark, 还了, 转了: paid, unless the future is named
	conceptAsk              // asks permission or proposes: can I, 能不能
	conceptWhy              // asks why: why, how come, 为什么
	numConcepts
)

var conceptNames = map[string]concept{
	"pay": conceptPay, "commit": conceptCommit, "time": conceptTime, "amount": conceptAmount,
	"stop": conceptStop, "contact": conceptContact, "reach": conceptReach, "fee": conceptFee,
	"object": conceptObject, "redirect": conceptRedirect, "lawyer": conceptLawyer, "sum": conceptSum,
	"refuse": conceptRefuse, "vague": conceptVague, "hedge": conceptHedge, "future": conceptFuture,
	"paid_weak": conceptPaidWeak, "ask": conceptAsk, "why": conceptWhy,
}

// cue is a compiled cueSpec.
type cue struct {
	id        string
	intents   [numIntents]float64
	hasIntent bool
	sentiment float64
	segment   [4]float64
	tags      tagSet
	question  bool
	statement bool
	negIgnore bool
	concept   concept
	// building: a concept cue with no intents, sentiment, segment or tags.
	building    bool
	transparent bool
}

// lexicon is every cue of every language with the matcher over their patterns.
type lexicon struct {
	cues  []cue
	specs []cueSpec // kept for the example tests
	m     *matcher
}

func loadLexicon(fsys fs.FS) (*lexicon, error) {
	names, err := fs.Glob(fsys, "lexicon/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	lx := &lexicon{}
	mb := newMatcherBuilder()
	seen := map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f lexiconFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		for _, spec := range f.Cues {
			c, err := compileCue(spec)
			if err != nil {
				return nil, fmt.Errorf("%s: cue %q: %w", path.Base(name), spec.ID, err)
			}
			if seen[spec.ID] {
				return nil, fmt.Errorf("%s: duplicate cue id %q", path.Base(name), spec.ID)
			}
			seen[spec.ID] = true
			idx := int32(len(lx.cues))
			gap := spec.MaxGap
			if gap == 0 {
				gap = defaultMaxGap
			}
			for _, p := range spec.Patterns {
				if !mb.add(idx, p, gap) {
					return nil, fmt.Errorf("%s: cue %q: empty piece in pattern %q", path.Base(name), spec.ID, p)
				}
			}
			lx.cues = append(lx.cues, c)
			lx.specs = append(lx.specs, spec)
		}
	}
	if len(lx.cues) == 0 {
		return nil, fmt.Errorf("no lexicon cues found")
	}
	lx.m = mb.build()
	return lx, nil
}

func compileCue(s cueSpec) (cue, error) {
	c := cue{id: s.ID, sentiment: s.Sentiment, question: s.Question, statement: s.Statement, transparent: s.Transparent}
	if s.Question && s.Statement {
		return c, fmt.Errorf("question and statement exclude each other")
	}
	if s.ID == "" {
		return c, fmt.Errorf("missing id")
	}
	if len(s.Patterns) == 0 {
		return c, fmt.Errorf("no patterns")
	}
	if s.Sentiment < -1 || s.Sentiment > 1 {
		return c, fmt.Errorf("sentiment %v outside [-1, 1]", s.Sentiment)
	}
	for name, v := range s.Intents {
		i, ok := intentIndex[name]
		if !ok {
			return c, fmt.Errorf("unknown intent %q", name)
		}
		if v <= 0 || v > 1 {
			return c, fmt.Errorf("intent %s confidence %v outside (0, 1]", name, v)
		}
		c.intents[i] = v
		c.hasIntent = true
	}
	for name, v := range s.Segment {
		i, ok := segmentIndex[name]
		if !ok {
			return c, fmt.Errorf("unknown segment %q", name)
		}
		c.segment[i] = v
	}
	for _, name := range s.Tags {
		t, ok := tagNames[name]
		if !ok {
			return c, fmt.Errorf("unknown tag %q", name)
		}
		c.tags |= 1 << t
	}
	if s.Concept != "" {
		k, ok := conceptNames[s.Concept]
		if !ok {
			return c, fmt.Errorf("unknown concept %q", s.Concept)
		}
		c.concept = k
	}
	c.building = c.concept != conceptNone && !c.hasIntent && c.sentiment == 0 && c.segment == [4]float64{} && c.tags == 0
	switch s.Negation {
	case "":
	case "ignore":
		c.negIgnore = true
	default:
		return c, fmt.Errorf("negation must be empty or \"ignore\", not %q", s.Negation)
	}
	return c, nil
}
