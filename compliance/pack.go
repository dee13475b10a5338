package compliance

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/mozillazg/go-pinyin"
	"gopkg.in/yaml.v3"

	"github.com/parley-dev/parley/compliance/match"
	"github.com/parley-dev/parley/compliance/model"
	"github.com/parley-dev/parley/compliance/normalize"
)

// packFS holds the rule packs. common.yaml carries the bilingual phrase
// lists; every other file is one jurisdiction's pack.
//
//go:embed packs/*.yaml
var packFS embed.FS

// Names of the lexicons the engine itself relies on. Their contents are
// data in common.yaml; only the names are fixed.
const (
	lexNegation       = "negation"
	lexNegationVoid   = "negation_void"
	lexScopeBreak     = "scope_break"
	lexScopeBreakVoid = "scope_break_void"
	lexRights         = "rights"
	lexFrames         = "frames"
	lexListBreak      = "list_break"
	lexPolite         = "polite_conditional"
	lexCondOpen       = "condition_open"
	lexCondSpeaker    = "condition_speaker"
	lexCondKeep       = "condition_keep"
)

// --- YAML schema -----------------------------------------------------------

type commonFile struct {
	Version  string                 `yaml:"version"`
	Lexicons map[string]lexiconSpec `yaml:"lexicons"`
	// ModelCues lists, per block category, the lexicons (or phrases) of
	// which a message must contain one before the learned screen may
	// block it for that category.
	ModelCues map[string][]string `yaml:"model_cues"`
}

type lexiconSpec struct {
	Description string   `yaml:"description"`
	Pinyin      *bool    `yaml:"pinyin"`
	EN          []string `yaml:"en"`
	ZH          []string `yaml:"zh"`
}

type packFile struct {
	Jurisdiction  string                 `yaml:"jurisdiction"`
	Name          string                 `yaml:"name"`
	Version       string                 `yaml:"version"`
	Lexicons      map[string]lexiconSpec `yaml:"lexicons"`
	SafeTemplates map[string]string      `yaml:"safe_templates"`
	OptOutSuffix  map[string]string      `yaml:"opt_out_suffix"`
	AILabel       map[string]string      `yaml:"ai_label"`
	Rules         []ruleSpec             `yaml:"rules"`
	ContextRules  []contextRuleSpec      `yaml:"context_rules"`
	Disclosures   []disclosureSpec       `yaml:"disclosures"`
}

type ruleSpec struct {
	ID          string        `yaml:"id"`
	Category    string        `yaml:"category"`
	Severity    Severity      `yaml:"severity"`
	Citation    string        `yaml:"citation"`
	Explanation string        `yaml:"explanation"`
	Match       []triggerSpec `yaml:"match"`
	Except      []string      `yaml:"except"`
	Unless      []string      `yaml:"unless"`
	Negatable   *bool         `yaml:"negatable"`
	Review      *reviewSpec   `yaml:"review"`
	When        *whenSpec     `yaml:"when"`
	Examples    examplesSpec  `yaml:"examples"`
}

type triggerSpec struct {
	Any      []string   `yaml:"any"`
	All      [][]string `yaml:"all"`
	Ordered  bool       `yaml:"ordered"`
	MaxGap   int        `yaml:"max_gap"`
	Scope    string     `yaml:"scope"`
	MaxStart int        `yaml:"max_start"`
}

type reviewSpec struct {
	Requires      []string          `yaml:"requires"`
	Forbids       []string          `yaml:"forbids"`
	Conflicts     []string          `yaml:"conflicts"`
	Aggravators   []string          `yaml:"aggravators"`
	BlockCategory string            `yaml:"block_category"`
	Explanations  map[string]string `yaml:"explanations"`
}

type contextRuleSpec struct {
	ID          string       `yaml:"id"`
	Category    string       `yaml:"category"`
	Severity    Severity     `yaml:"severity"`
	Citation    string       `yaml:"citation"`
	Explanation string       `yaml:"explanation"`
	When        whenSpec     `yaml:"when"`
	Unless      []string     `yaml:"unless"`
	Examples    examplesSpec `yaml:"examples"`
}

type disclosureSpec struct {
	ID          string       `yaml:"id"`
	Category    string       `yaml:"category"`
	Citation    string       `yaml:"citation"`
	Explanation string       `yaml:"explanation"`
	When        *whenSpec    `yaml:"when"`
	Require     []string     `yaml:"require"`
	Except      []string     `yaml:"except"`
	Examples    examplesSpec `yaml:"examples"`
}

// whenSpec is a condition on the request: every field that is set must
// hold.
type whenSpec struct {
	LegalActionApproved *bool    `yaml:"legal_action_approved"`
	CeaseContact        *bool    `yaml:"cease_contact"`
	AttorneyRepresented *bool    `yaml:"attorney_represented"`
	Disputed            *bool    `yaml:"disputed"`
	Bankruptcy          *bool    `yaml:"bankruptcy"`
	TimeBarred          *bool    `yaml:"time_barred"`
	AIGenerated         *bool    `yaml:"ai_generated"`
	FirstContact        *bool    `yaml:"first_contact"`
	ChannelOptedOut     *bool    `yaml:"channel_opted_out"`
	Channels            []string `yaml:"channels"`
	DebtorKinds         []string `yaml:"debtor_kinds"`
}

type examplesSpec struct {
	Match   []Example `yaml:"match"`
	NoMatch []Example `yaml:"no_match"`
}

// Example is one example of a rule from a pack: a text, with the channel
// and context to screen it under. In YAML it is either a plain string or
// a mapping with text, channel and context.
type Example struct {
	Text    string  `yaml:"text"`
	Channel string  `yaml:"channel"`
	Context Context `yaml:"context"`
}

// UnmarshalYAML accepts a plain string as an example with default channel
// and context.
func (e *Example) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Text = n.Value
		return nil
	}
	type plain Example
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = Example(p)
	return nil
}

// --- compiled form ---------------------------------------------------------

// term is one pattern of an automaton.
type term struct {
	lex                []int32 // lexicons the phrase belongs to
	needStart, needEnd bool    // Latin ends must sit on word boundaries
	// syllables, for pinyin terms only: one bit set per offset at which a
	// syllable starts, one mask per way of splitting the term (the same
	// letters can come from different phrases: "xian" is 先 or 西安). A
	// word written in Latin letters must cover whole syllables, so "and I"
	// never reads as "an di".
	syllables []uint64
}

type scopeKind uint8

const (
	scopeSentence scopeKind = iota
	scopeClause
	// scopeMessage lets the groups of a trigger fall in different
	// sentences ("Special Agent Lowe here. We need to discuss your
	// balance."); max_gap still bounds the distance in runes. Negation is
	// still found per clause at each component.
	scopeMessage
)

type trigger struct {
	groups   [][]int32 // each group: lexicon ids; one hit per group
	ordered  bool
	maxGap   int32
	scope    scopeKind
	maxStart int32 // > 0: the first hit must start within this many runes of the message start
}

type reviewRule struct {
	requires, forbids []string
	conflicts         []string
	aggravators       []int32
	blockCategory     string
	explanations      map[string]string
}

type rule struct {
	id, category      string
	severity          Severity
	citation, explain string
	triggers          []trigger
	except, unless    []int32
	negatable         bool
	review            *reviewRule
	when              *whenSpec
	examples          examplesSpec
	firstLex          []int32 // lexicons whose hits can start a match (first groups)
	jurisdiction      string
}

type contextRule struct {
	id, category      string
	severity          Severity
	citation, explain string
	when              whenSpec
	unless            []int32
	examples          examplesSpec
}

type disclosure struct {
	id, category      string
	citation, explain string
	when              *whenSpec
	require, except   []int32
	examples          examplesSpec
}

type pack struct {
	jurisdiction, name, version string
	rules                       []*rule
	// modelRules stand for the learned screen's findings, one per
	// category, with the citation of the pack's first block rule of that
	// category.
	modelRules    map[string]*rule
	contextRules  []*contextRule
	disclosures   []*disclosure
	safeTemplates map[string]string
	optOutSuffix  map[string]string
	aiLabel       map[string]string
}

// engine is everything compiled from the packs; immutable once built.
type engine struct {
	lexNames []string
	lexIndex map[string]int32

	terms    []term
	coder    *normalize.Coder // codes the main automaton's phrases and text
	ac       match.Matcher
	pyTerms  []term
	pyAC     match.Matcher
	ready    chan struct{} // closed when both automata run as DFAs
	startDFA func()        // starts building the DFAs
	packs    map[string]*pack
	model    *model.Model // the learned second stage; nil in tests of the rules alone
	// modelCues: the model blocks for a category only a message with a
	// hit of one of that category's cues (for exposure a third party, for
	// violence harm or menace, ...), so that it cannot block "We hope you
	// and your family have a lovely holiday" on its style alone.
	modelCues map[string][]int32
	negation  []int32 // negation + rights: neutralise within a proposition
	frames    int32   // questions and reported speech: neutralise to the clause end
	negVoid   int32
	brk       int32
	brkVoid   int32
	listBrk   int32 // conditions that keep a negation from reaching across a comma
	polite    int32 // politeness conditionals: an unless phrase among them reaches its own clause only
	// A negation just after "if"/"unless" negates the condition, not the
	// consequence: see scratch.inCondition.
	condOpen, condSpeaker, condKeep int32
}

type compiler struct {
	e         *engine
	specs     map[string]lexiconSpec
	keys      map[termKey]int
	pyKeys    map[termKey]int
	patterns  []string
	pyPattern []string
	folder    normalize.Folder
	kv        normalize.KeyView
	anon      int
}

type termKey struct {
	key                string
	needStart, needEnd bool
}

// loadEngine parses and compiles the embedded packs.
func loadEngine() (*engine, error) {
	e, err := compileFS(packFS)
	if err != nil {
		return nil, err
	}
	if e.model, err = model.Default(); err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	for _, c := range e.model.Classes[1:] {
		if !slices.Contains(blockCategories, c) {
			return nil, fmt.Errorf("compliance: the screen model has an unknown class %q", c)
		}
	}
	return e, nil
}

func compileFS(fsys fs.FS) (*engine, error) {
	const op = "compliance.loadPacks"
	raw, err := fs.ReadFile(fsys, "packs/common.yaml")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var common commonFile
	if err := decodeStrict(raw, &common); err != nil {
		return nil, fmt.Errorf("%s: common.yaml: %w", op, err)
	}
	c := &compiler{
		e:      &engine{lexIndex: map[string]int32{}, packs: map[string]*pack{}},
		specs:  map[string]lexiconSpec{},
		keys:   map[termKey]int{},
		pyKeys: map[termKey]int{},
	}
	for name, spec := range common.Lexicons {
		c.specs[name] = spec
	}
	files, err := fs.Glob(fsys, "packs/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	sort.Strings(files)
	var packs []packFile
	for _, f := range files {
		if f == "packs/common.yaml" {
			continue
		}
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		var p packFile
		if err := decodeStrict(raw, &p); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", op, f, err)
		}
		for name, spec := range p.Lexicons {
			if _, dup := c.specs[name]; dup {
				return nil, fmt.Errorf("%s: %s: lexicon %q already defined", op, f, name)
			}
			c.specs[name] = spec
		}
		packs = append(packs, p)
	}
	// Compile named lexicons in a stable order so ids do not depend on
	// map iteration.
	names := make([]string, 0, len(c.specs))
	for n := range c.specs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.lexicon(n, c.specs[n]); err != nil {
			return nil, fmt.Errorf("%s: lexicon %q: %w", op, n, err)
		}
	}
	e := c.e
	for _, n := range []string{lexNegation, lexNegationVoid, lexScopeBreak, lexScopeBreakVoid, lexRights, lexFrames, lexListBreak, lexPolite, lexCondOpen, lexCondSpeaker, lexCondKeep} {
		if _, ok := e.lexIndex[n]; !ok {
			return nil, fmt.Errorf("%s: common.yaml lacks the %q lexicon", op, n)
		}
	}
	e.negation = []int32{e.lexIndex[lexNegation], e.lexIndex[lexRights]}
	e.frames = e.lexIndex[lexFrames]
	e.negVoid = e.lexIndex[lexNegationVoid]
	e.brk = e.lexIndex[lexScopeBreak]
	e.brkVoid = e.lexIndex[lexScopeBreakVoid]
	e.listBrk = e.lexIndex[lexListBreak]
	e.polite = e.lexIndex[lexPolite]
	e.condOpen = e.lexIndex[lexCondOpen]
	e.condSpeaker = e.lexIndex[lexCondSpeaker]
	e.condKeep = e.lexIndex[lexCondKeep]
	e.modelCues = map[string][]int32{}
	for _, cat := range blockCategories {
		if len(common.ModelCues[cat]) == 0 {
			return nil, fmt.Errorf("%s: common.yaml: model_cues has none for %s", op, cat)
		}
		if e.modelCues[cat], err = c.refs("model_cues/"+cat, common.ModelCues[cat]); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	for cat := range common.ModelCues {
		if !slices.Contains(blockCategories, cat) {
			return nil, fmt.Errorf("%s: common.yaml: model_cues: unknown category %q", op, cat)
		}
	}

	for _, pf := range packs {
		p, err := c.pack(pf)
		if err != nil {
			return nil, fmt.Errorf("%s: pack %s: %w", op, pf.Jurisdiction, err)
		}
		if _, dup := e.packs[p.jurisdiction]; dup {
			return nil, fmt.Errorf("%s: two packs for %s", op, p.jurisdiction)
		}
		e.packs[p.jurisdiction] = p
	}
	for _, j := range supportedJurisdictions {
		if e.packs[j] == nil {
			return nil, fmt.Errorf("%s: no pack for %s", op, j)
		}
	}
	// Ideographs are coded in one or two bytes instead of three, for a
	// smaller automaton and shorter texts to scan.
	if e.coder, err = normalize.NewCoder(c.patterns); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	coded := make([]string, len(c.patterns))
	for i, p := range c.patterns {
		coded[i] = e.coder.Encode(p)
	}
	// Building the DFAs would dominate load time (the automaton library
	// allocates for every byte value of every state), so the gate starts
	// on the NFAs, built in a few milliseconds, and switches to the DFAs
	// when they are ready.
	main, py := match.NewWarming(coded), match.NewWarming(c.pyPattern)
	e.ac, e.pyAC = main, py
	e.ready = make(chan struct{})
	e.startDFA = func() {
		main.Start()
		py.Start()
		go func() {
			<-main.Ready()
			<-py.Ready()
			close(e.ready)
		}()
	}
	return e, nil
}

func decodeStrict(raw []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true) // a misspelt key in a pack is an error, not a silently ignored rule
	return dec.Decode(v)
}

// lexicon registers a named lexicon and its phrases.
func (c *compiler) lexicon(name string, spec lexiconSpec) error {
	id := c.newLex(name)
	py := spec.Pinyin == nil || *spec.Pinyin
	for _, ph := range spec.EN {
		if err := c.phrase(id, ph, false); err != nil {
			return err
		}
	}
	for _, ph := range spec.ZH {
		if err := c.phrase(id, ph, py); err != nil {
			return err
		}
	}
	if len(spec.EN)+len(spec.ZH) == 0 {
		return fmt.Errorf("no phrases")
	}
	return nil
}

func (c *compiler) newLex(name string) int32 {
	id := int32(len(c.e.lexNames))
	c.e.lexNames = append(c.e.lexNames, name)
	c.e.lexIndex[name] = id
	return id
}

// phrase folds one phrase the way text is folded and adds it to the
// automaton (and, for Chinese, its pinyin spellings to the pinyin one).
func (c *compiler) phrase(lex int32, ph string, withPinyin bool) error {
	ph = strings.TrimSpace(ph)
	starStart, starEnd := strings.HasPrefix(ph, "*"), strings.HasSuffix(ph, "*")
	ph = strings.Trim(ph, "*")
	// "#" in a phrase stands for any number: write it as a digit so that
	// folding turns it into the number mark, as it does digits in text.
	ph = strings.ReplaceAll(ph, "#", "0")
	c.folder.Fold(ph)
	c.kv.Build(c.folder.Runes, normalize.KeyOptions{})
	key := string(c.kv.Bytes)
	if key == "" {
		return fmt.Errorf("phrase %q is empty after folding", ph)
	}
	letters := 0
	for _, r := range key {
		if r != normalize.NumberMark {
			letters++
		}
	}
	if letters < 1 {
		return fmt.Errorf("phrase %q is too short to match safely", ph)
	}
	n := c.kv.Len()
	tk := termKey{
		key:       key,
		needStart: !starStart && c.kv.Runes[0].Flags&normalize.Han == 0,
		needEnd:   !starEnd && c.kv.Runes[n-1].Flags&normalize.Han == 0,
	}
	c.addTerm(&c.e.terms, &c.patterns, c.keys, tk, lex)

	if !withPinyin {
		return nil
	}
	han := 0
	for _, kr := range c.kv.Runes {
		if kr.Flags&normalize.Han != 0 {
			han++
		}
	}
	if han < 2 {
		return nil
	}
	for _, v := range pinyinVariants([]rune(key)) {
		if len(v.text) < 4 {
			continue // too short to tell from an English word
		}
		if len(v.text) > 64 {
			return fmt.Errorf("phrase %q is too long to spell in pinyin (%d letters)", ph, len(v.text))
		}
		i := c.addTerm(&c.e.pyTerms, &c.pyPattern, c.pyKeys, termKey{key: v.text, needStart: true, needEnd: true}, lex)
		t := &c.e.pyTerms[i]
		if !slices.Contains(t.syllables, v.syllables) {
			t.syllables = append(t.syllables, v.syllables)
		}
	}
	return nil
}

func (c *compiler) addTerm(terms *[]term, pats *[]string, keys map[termKey]int, tk termKey, lex int32) int {
	i, ok := keys[tk]
	if !ok {
		i = len(*terms)
		keys[tk] = i
		*terms = append(*terms, term{needStart: tk.needStart, needEnd: tk.needEnd})
		*pats = append(*pats, tk.key)
	}
	t := &(*terms)[i]
	if !slices.Contains(t.lex, lex) {
		t.lex = append(t.lex, lex)
	}
	return i
}

// pyVariant is one pinyin spelling of a phrase and where its syllables
// start (bit i: a syllable starts at letter i). A run of non-ideographs
// in the phrase counts as one syllable.
type pyVariant struct {
	text      string
	syllables uint64
}

// pinyinVariants spells a folded phrase in toneless pinyin, one variant per
// combination of readings of its polyphonic characters (capped), with ü
// written both u and v as people type it.
func pinyinVariants(key []rune) []pyVariant {
	// People typing pinyin use the common reading; go-pinyin lists it
	// first, so a few variants per phrase are enough and keep the DFA small.
	const maxVariants = 4
	args := pinyin.NewArgs()
	args.Style = pinyin.Tone
	args.Heteronym = true
	variants := []pyVariant{{}}
	prevHan := true
	for _, r := range key {
		var readings []string
		han := normalize.IsHan(r)
		if han {
			for _, p := range pinyin.SinglePinyin(r, args) {
				plain := normalize.StripTones(p)
				readings = append(readings, plain)
				if strings.ContainsRune(p, 'ü') || strings.ContainsAny(p, "ǖǘǚǜ") {
					readings = append(readings, strings.Map(func(c rune) rune {
						switch c {
						case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
							return 'v'
						}
						return c
					}, strings.ToLower(p)))
				}
			}
			if len(readings) == 0 {
				return nil // a character without a reading: no pinyin form
			}
		} else {
			readings = []string{string(r)}
		}
		// A syllable starts at every ideograph, at the start of a run of
		// other runes, and at a number.
		starts := han || prevHan || r == normalize.NumberMark
		prevHan = han
		next := make([]pyVariant, 0, len(variants)*len(readings))
		for _, v := range variants {
			for i, rd := range readings {
				if len(next) >= maxVariants && i > 0 {
					break // keep the first reading of every character at least
				}
				nv := pyVariant{text: v.text + rd, syllables: v.syllables}
				if starts && len(v.text) < 64 {
					nv.syllables |= 1 << len(v.text)
				}
				next = append(next, nv)
			}
		}
		variants = next
	}
	slices.SortFunc(variants, func(a, b pyVariant) int {
		if c := strings.Compare(a.text, b.text); c != 0 {
			return c
		}
		return cmp.Compare(a.syllables, b.syllables)
	})
	return slices.Compact(variants)
}

// refs resolves a list of "@lexicon" references and literal phrases to
// lexicon ids; literals become one anonymous lexicon.
func (c *compiler) refs(where string, items []string) ([]int32, error) {
	var ids []int32
	var literals []string
	for _, it := range items {
		if name, ok := strings.CutPrefix(it, "@"); ok {
			id, ok := c.e.lexIndex[name]
			if !ok {
				return nil, fmt.Errorf("%s: unknown lexicon %q", where, name)
			}
			ids = append(ids, id)
			continue
		}
		literals = append(literals, it)
	}
	if len(literals) > 0 {
		c.anon++
		id := c.newLex(fmt.Sprintf("%s#%d", where, c.anon))
		for _, l := range literals {
			if err := c.phrase(id, l, true); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// blockCategories are the content categories of shared/eval/LABELS.md, the
// classes of the learned screen.
var blockCategories = []string{
	CategoryThreatViolence, CategoryThreatArrest, CategoryThreatExposure, CategoryThreatFalseLegal,
	CategoryInsultProfanity, CategoryImpersonation, CategoryDeception, CategoryHarassment,
}

var knownCategories = []string{
	CategoryThreatViolence, CategoryThreatArrest, CategoryThreatExposure, CategoryThreatFalseLegal,
	CategoryInsultProfanity, CategoryImpersonation, CategoryDeception, CategoryHarassment,
	CategoryCeaseContact, CategoryMissingDisclosure, CategoryThirdPartyDisclosure,
	CategoryContactTime, CategoryContactFrequency,
}

var knownFlags = []string{"legal_action_approved", "cease_contact", "attorney_represented", "disputed",
	"bankruptcy", "time_barred", "ai_generated", "first_contact", "channel_opted_out"}

func (c *compiler) pack(pf packFile) (*pack, error) {
	if !slices.Contains(supportedJurisdictions, pf.Jurisdiction) {
		return nil, fmt.Errorf("jurisdiction %q is not supported", pf.Jurisdiction)
	}
	p := &pack{
		jurisdiction:  pf.Jurisdiction,
		name:          pf.Name,
		version:       pf.Version,
		safeTemplates: pf.SafeTemplates,
		optOutSuffix:  pf.OptOutSuffix,
		aiLabel:       pf.AILabel,
	}
	if p.safeTemplates["en"] == "" || p.safeTemplates["zh"] == "" {
		return nil, fmt.Errorf("safe_templates needs en and zh")
	}
	seen := map[string]bool{}
	checkID := func(id, category string) error {
		if id == "" {
			return fmt.Errorf("a rule without id")
		}
		if seen[id] {
			return fmt.Errorf("duplicate rule id %q", id)
		}
		seen[id] = true
		if !strings.HasPrefix(id, strings.ToLower(pf.Jurisdiction)+".") {
			return fmt.Errorf("rule id %q must start with %q", id, strings.ToLower(pf.Jurisdiction)+".")
		}
		if !slices.Contains(knownCategories, category) {
			return fmt.Errorf("rule %s: unknown category %q", id, category)
		}
		return nil
	}
	for _, rs := range pf.Rules {
		if err := checkID(rs.ID, rs.Category); err != nil {
			return nil, err
		}
		r, err := c.rule(rs)
		if err != nil {
			return nil, err
		}
		r.jurisdiction = pf.Jurisdiction
		p.rules = append(p.rules, r)
	}
	p.modelRules = map[string]*rule{}
	for _, r := range p.rules {
		if r.severity != SeverityBlock || p.modelRules[r.category] != nil {
			continue
		}
		p.modelRules[r.category] = &rule{
			id: strings.ToLower(pf.Jurisdiction) + ".model." + r.category, category: r.category,
			severity: SeverityBlock, citation: r.citation, jurisdiction: pf.Jurisdiction,
			explain: "The learned screen (trained on labelled collection messages) reads this as " +
				strings.ReplaceAll(r.category, "_", " ") + ", though no listed phrase matched; reword it.",
		}
	}
	for _, cs := range pf.ContextRules {
		if err := checkID(cs.ID, cs.Category); err != nil {
			return nil, err
		}
		if cs.Severity != SeverityBlock && cs.Severity != SeverityWarn {
			return nil, fmt.Errorf("context rule %s: severity must be block or warn", cs.ID)
		}
		unless, err := c.refs(cs.ID+"/unless", cs.Unless)
		if err != nil {
			return nil, err
		}
		if err := checkWhen(cs.ID, &cs.When); err != nil {
			return nil, err
		}
		p.contextRules = append(p.contextRules, &contextRule{
			id: cs.ID, category: cs.Category, severity: cs.Severity, citation: cs.Citation,
			explain: cs.Explanation, when: cs.When, unless: unless, examples: cs.Examples,
		})
	}
	for _, ds := range pf.Disclosures {
		if ds.Category == "" {
			ds.Category = CategoryMissingDisclosure
		}
		if err := checkID(ds.ID, ds.Category); err != nil {
			return nil, err
		}
		req, err := c.refs(ds.ID+"/require", ds.Require)
		if err != nil {
			return nil, err
		}
		if len(req) == 0 {
			return nil, fmt.Errorf("disclosure %s: require is empty", ds.ID)
		}
		exc, err := c.refs(ds.ID+"/except", ds.Except)
		if err != nil {
			return nil, err
		}
		if err := checkWhen(ds.ID, ds.When); err != nil {
			return nil, err
		}
		p.disclosures = append(p.disclosures, &disclosure{
			id: ds.ID, category: ds.Category, citation: ds.Citation, explain: ds.Explanation,
			when: ds.When, require: req, except: exc, examples: ds.Examples,
		})
	}
	return p, nil
}

func checkWhen(id string, w *whenSpec) error {
	if w == nil {
		return nil
	}
	for _, ch := range w.Channels {
		if !slices.Contains(supportedChannels, ch) {
			return fmt.Errorf("%s: unknown channel %q in when", id, ch)
		}
	}
	return nil
}

func (c *compiler) rule(rs ruleSpec) (*rule, error) {
	switch rs.Severity {
	case SeverityBlock, SeverityWarn, SeverityReview:
	default:
		return nil, fmt.Errorf("rule %s: severity %q (want block, warn or review)", rs.ID, rs.Severity)
	}
	if rs.Explanation == "" || rs.Citation == "" {
		return nil, fmt.Errorf("rule %s: explanation and citation are required", rs.ID)
	}
	if len(rs.Match) == 0 {
		return nil, fmt.Errorf("rule %s: no match patterns", rs.ID)
	}
	if len(rs.Examples.Match) == 0 || len(rs.Examples.NoMatch) == 0 {
		return nil, fmt.Errorf("rule %s: needs examples that match and that do not", rs.ID)
	}
	r := &rule{
		id: rs.ID, category: rs.Category, severity: rs.Severity, citation: rs.Citation,
		explain: rs.Explanation, negatable: rs.Negatable == nil || *rs.Negatable,
		when: rs.When, examples: rs.Examples,
	}
	if err := checkWhen(rs.ID, rs.When); err != nil {
		return nil, err
	}
	var err error
	if r.except, err = c.refs(rs.ID+"/except", rs.Except); err != nil {
		return nil, err
	}
	if r.unless, err = c.refs(rs.ID+"/unless", rs.Unless); err != nil {
		return nil, err
	}
	for i, ts := range rs.Match {
		where := fmt.Sprintf("%s/match[%d]", rs.ID, i)
		t := trigger{ordered: ts.Ordered, maxGap: int32(ts.MaxGap), maxStart: int32(ts.MaxStart)}
		switch ts.Scope {
		case "", "sentence":
			t.scope = scopeSentence
		case "clause":
			t.scope = scopeClause
		case "message":
			t.scope = scopeMessage
			if ts.MaxGap <= 0 {
				return nil, fmt.Errorf("%s: scope message needs max_gap", where)
			}
		default:
			return nil, fmt.Errorf("%s: scope %q (want clause, sentence or message)", where, ts.Scope)
		}
		switch {
		case len(ts.Any) > 0 && len(ts.All) == 0:
			g, err := c.refs(where, ts.Any)
			if err != nil {
				return nil, err
			}
			t.groups = [][]int32{g}
		case len(ts.All) > 1 && len(ts.Any) == 0:
			for j, items := range ts.All {
				g, err := c.refs(fmt.Sprintf("%s/all[%d]", where, j), items)
				if err != nil {
					return nil, err
				}
				if len(g) == 0 {
					return nil, fmt.Errorf("%s: empty group", where)
				}
				t.groups = append(t.groups, g)
			}
		default:
			return nil, fmt.Errorf("%s: give either any (one list) or all (two or more lists)", where)
		}
		r.triggers = append(r.triggers, t)
		for _, id := range t.groups[0] {
			if !slices.Contains(r.firstLex, id) {
				r.firstLex = append(r.firstLex, id)
			}
		}
	}
	if rs.Severity == SeverityReview {
		if rs.Review == nil {
			return nil, fmt.Errorf("rule %s: severity review needs a review block", rs.ID)
		}
		rv := &reviewRule{
			requires: rs.Review.Requires, forbids: rs.Review.Forbids, conflicts: rs.Review.Conflicts,
			blockCategory: rs.Review.BlockCategory, explanations: rs.Review.Explanations,
		}
		if rv.blockCategory == "" {
			rv.blockCategory = CategoryThreatFalseLegal
		}
		for _, f := range append(slices.Clone(rv.requires), rv.forbids...) {
			if !slices.Contains(knownFlags, f) {
				return nil, fmt.Errorf("rule %s: unknown context flag %q", rs.ID, f)
			}
		}
		for _, cat := range rv.conflicts {
			if !slices.Contains(knownCategories, cat) {
				return nil, fmt.Errorf("rule %s: unknown category %q in conflicts", rs.ID, cat)
			}
		}
		if rv.aggravators, err = c.refs(rs.ID+"/aggravators", rs.Review.Aggravators); err != nil {
			return nil, err
		}
		r.review = rv
	} else if rs.Review != nil {
		return nil, fmt.Errorf("rule %s: review block on a %s rule", rs.ID, rs.Severity)
	}
	return r, nil
}
