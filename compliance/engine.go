package compliance

import (
	"cmp"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance/match"
	"github.com/parley-dev/parley/compliance/model"
	"github.com/parley-dev/parley/compliance/normalize"
)

// hit is one occurrence of a lexicon phrase, as a range [lo, hi) of folded
// runes.
type hit struct {
	lex    int32
	lo, hi int32
}

// found is a rule matched at a folded range.
type found struct {
	r      *rule
	lo, hi int32
}

// negWindow bounds how far (in folded runes) a negation reaches forward:
// far enough for "we will not, in any case, contact ..." within a clause,
// not so far that it swallows an unrelated threat.
const negWindow = 60

// pinyinWindow is how many runes around a pinyin-looking word are spelt in
// pinyin too: enough for the characters of a phrase half written in pinyin
// ("他去 fa yuan 了", "要 qi su 你").
const pinyinWindow = 8

// scratch holds the per-message working memory, pooled so that screening
// allocates little.
type scratch struct {
	folder  normalize.Folder
	deleet  []rune
	kv      normalize.KeyView
	byteOff []int32 // byte offset of each original rune, plus len(text)
	clause  []int32 // clause id per folded rune
	// afterComma[c] reports whether clause c begins right after a comma,
	// so that a negation can reach across a list ("we will never call
	// you, visit you or contact your family").
	afterComma []bool
	sent       []int32 // sentence id per folded rune
	hits       []hit
	lexPos     []int32 // hits of lexicon l are hits[lexPos[l]:lexPos[l+1]]
	found      []found
	cuts       []int32 // original rune indexes after which a sentence ends
	first      int32   // first folded rune that is a letter or ideograph
	pyMask     []bool  // runes that may be part of a pinyin match

	hasHan, hasLatin bool

	// approved is the legal_action_approved flag of the message being
	// screened: a court named at the start of an authorised notice is
	// the subject of what it reports, not a sender header.
	approved bool

	model     model.Scratch
	probs     [16]float32
	bestProbs [16]float32

	// The scan in progress, for Hit.
	scanTerms  []term
	scanKV     *normalize.KeyView
	scanPinyin bool
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// prepare folds text, segments it into clauses and sentences and collects
// every phrase hit from every view of it.
func (s *scratch) prepare(e *engine, text string, jurisdiction string) {
	s.folder.Fold(text)
	s.byteOff = s.byteOff[:0]
	for i := range text {
		s.byteOff = append(s.byteOff, int32(i))
	}
	s.byteOff = append(s.byteOff, int32(len(text)))
	// Fold counts an invalid byte as one rune; range over a string does
	// too, so the two agree (the gate rejects invalid UTF-8 anyway).
	s.segment(text)

	s.hits = s.hits[:0]
	runes := s.folder.Runes
	s.kv.Build(runes, normalize.KeyOptions{Coder: e.coder})
	s.scan(e.ac, e.terms, &s.kv, false)

	var changed bool
	s.deleet, changed = normalize.Deleet(s.deleet[:0], runes, 'i')
	if changed || normalize.HasInformal(runes) {
		s.kv.Build(s.deleet, normalize.KeyOptions{Informal: true, Coder: e.coder})
		s.scan(e.ac, e.terms, &s.kv, false)
		if changed && slices.Contains(runes, '1') {
			s.deleet, _ = normalize.Deleet(s.deleet[:0], runes, 'l')
			s.kv.Build(s.deleet, normalize.KeyOptions{Informal: true, Coder: e.coder})
			s.scan(e.ac, e.terms, &s.kv, false)
		}
	}
	if s.hasLatin && (s.hasHan || jurisdiction == "CN") {
		// Pinyin: the parts of the text that may be pinyin, with the
		// characters around them, are spelt entirely in pinyin ("我们是 fa
		// yuan 的" -> "womenshifayuande"); a hit counts only if part of
		// it was written in Latin letters, so that homophones among
		// characters never match.
		var any bool
		if s.pyMask, any = normalize.PinyinMask(runes, s.pyMask, pinyinWindow); any {
			s.kv.Build(runes, normalize.KeyOptions{Pinyin: true, Mask: s.pyMask})
			s.scan(e.pyAC, e.pyTerms, &s.kv, true)
		}
	}
	s.index(len(e.lexNames))
}

func (s *scratch) scan(m match.Matcher, terms []term, kv *normalize.KeyView, pinyinMode bool) {
	s.scanTerms, s.scanKV, s.scanPinyin = terms, kv, pinyinMode
	m.FindTo(kv.Bytes, s) // s as the Sink: no closure to allocate per scan
	s.scanTerms, s.scanKV = nil, nil
}

// Hit implements match.Sink for scan: it records the match of term p at
// bytes [bs, be) of s.scanKV, if the term's conditions hold there.
func (s *scratch) Hit(p, bs, be int) {
	kv := s.scanKV
	t := &s.scanTerms[p]
	k0, k1 := kv.RuneAt[bs], kv.RuneAt[be-1]
	if t.needStart && kv.Runes[k0].Flags&normalize.WordStart == 0 {
		return
	}
	if t.needEnd && kv.Runes[k1].Flags&normalize.WordEnd == 0 {
		return
	}
	if s.scanPinyin && !s.pinyinHitOK(kv, t, bs, be) {
		return
	}
	lo, hi := kv.Runes[k0].Src, kv.Runes[k1].End
	for _, l := range t.lex {
		s.hits = append(s.hits, hit{lex: l, lo: lo, hi: hi})
	}
}

// pinyinHitOK decides whether a match in the pinyin view counts.
//
//   - Every word inside the match must cover whole syllables of the
//     phrase: "an di", "andi" and "AN-DI" read as 案底, "and I" does not
//     (the syllable "di" would start inside "and").
//   - Part of it must be written in Latin letters, so that homophones
//     among characters never match.
//   - A match written entirely in Latin letters must look like pinyin
//     rather than English: two or more words ("sha bi"), one long word
//     ("zuolao"), or a word set in Chinese text ("你个laji"); "Dani, please
//     call us" is not 打你.
//   - In a message without a single ideograph, a match made only of
//     ordinary English words ("hang on", "men die") is English.
func (s *scratch) pinyinHitOK(kv *normalize.KeyView, t *term, bs, be int) bool {
	// A pinyin term is ASCII, so within a match byte i is key rune
	// k0+i-bs.
	if !syllablesAligned(kv, t, bs, be) {
		return false
	}
	k0, k1 := kv.RuneAt[bs], kv.RuneAt[be-1]
	if s.clause[kv.Runes[k0].Src] != s.clause[kv.Runes[k1].End-1] {
		return false // "Mr. Li, an agent will call" is not 立案
	}
	letters, words, fromHan := 0, 0, false
	for k := k0; k <= k1; k++ {
		f := kv.Runes[k].Flags
		switch {
		case f&normalize.Letter != 0:
			letters++
			if f&normalize.WordStart != 0 {
				words++
				if s.afterTitle(kv.Runes[k].Src) {
					return false // "Ms. Ni made a payment" is a name
				}
			}
		case f&normalize.FromHan != 0:
			fromHan = true
		}
	}
	switch {
	case letters == 0:
		return false
	case !s.hasHan && allEnglish(kv, bs, be):
		return false
	case fromHan || words >= 2 || letters >= 6:
		return true
	}
	runes := s.folder.Runes
	for i := int(kv.Runes[k0].Src) - 1; i >= 0 && runes[i] != '\n'; i-- {
		if runes[i] != ' ' {
			if normalize.IsHan(runes[i]) {
				return true
			}
			break
		}
	}
	for i := int(kv.Runes[k1].End); i < len(runes) && runes[i] != '\n'; i++ {
		if runes[i] != ' ' {
			return normalize.IsHan(runes[i])
		}
	}
	return false
}

// afterTitle reports whether the word at folded rune i follows a title
// or salutation ("Mr. Li", "Ms Ni", "Dear Wang"), which makes it a name.
func (s *scratch) afterTitle(i int32) bool {
	runes := s.folder.Runes
	j := int(i) - 1
	for j >= 0 && (runes[j] == ' ' || runes[j] == '.') {
		j--
	}
	end := j + 1
	for j >= 0 && runes[j] >= 'a' && runes[j] <= 'z' {
		j--
	}
	if end-j-1 < 2 || (j >= 0 && normalize.IsWordRune(runes[j])) {
		return false
	}
	switch string(runes[j+1 : end]) {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "madam", "madame", "sir", "dear", "mister":
		return true
	}
	return false
}

// syllablesAligned reports whether every word that starts inside the
// match kv.Bytes[bs:be] of pinyin term t starts on one of its syllables,
// under one way of splitting t into syllables. (The match itself starts
// and ends on word boundaries: pinyin terms need both.)
func syllablesAligned(kv *normalize.KeyView, t *term, bs, be int) bool {
	if be-bs > 64 {
		return false
	}
	var starts uint64
	for b := bs + 1; b < be; b++ {
		if kv.Runes[kv.RuneAt[b]].Flags&normalize.WordStart != 0 {
			starts |= 1 << (b - bs)
		}
	}
	for _, m := range t.syllables {
		if starts&^m == 0 {
			return true
		}
	}
	return false
}

// allEnglish reports whether every word of the match kv.Bytes[bs:be] is
// an ordinary English word that happens to spell pinyin.
func allEnglish(kv *normalize.KeyView, bs, be int) bool {
	for b := bs; b < be; {
		if kv.Runes[kv.RuneAt[b]].Flags&normalize.Letter == 0 {
			return false
		}
		w := b
		for ; b < be; b++ {
			if kv.Runes[kv.RuneAt[b]].Flags&normalize.WordEnd != 0 {
				b++
				break
			}
		}
		if !normalize.EnglishPinyinWord(kv.Bytes[w:b]) {
			return false
		}
	}
	return true
}

// index sorts the hits by lexicon and position, drops duplicates found in
// several views, and records where each lexicon's hits start.
func (s *scratch) index(nLex int) {
	slices.SortFunc(s.hits, func(a, b hit) int {
		if c := cmp.Compare(a.lex, b.lex); c != 0 {
			return c
		}
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return cmp.Compare(a.hi, b.hi)
	})
	s.hits = slices.Compact(s.hits)
	if cap(s.lexPos) < nLex+1 {
		s.lexPos = make([]int32, nLex+1)
	}
	s.lexPos = s.lexPos[:nLex+1]
	j := 0
	for l := 0; l <= nLex; l++ {
		for j < len(s.hits) && int(s.hits[j].lex) < l {
			j++
		}
		s.lexPos[l] = int32(j)
	}
}

func (s *scratch) hitsOf(l int32) []hit {
	return s.hits[s.lexPos[l]:s.lexPos[l+1]]
}

// overlapsLex reports whether a hit of lexicon l overlaps [lo, hi).
func (s *scratch) overlapsLex(l int32, lo, hi int32) bool {
	for _, h := range s.hitsOf(l) {
		if h.lo < hi && lo < h.hi {
			return true
		}
	}
	return false
}

func (s *scratch) overlapsAny(ls []int32, lo, hi int32) bool {
	for _, l := range ls {
		if s.overlapsLex(l, lo, hi) {
			return true
		}
	}
	return false
}

// segment assigns clause and sentence ids to folded runes and records the
// sentence ends in original rune indexes.
//
// Punctuation is a boundary only where it reads as punctuation: a full
// stop or comma wedged between letters ("l.a.w.s.u.i.t", "k,i,l,l") or
// digits ("$1,850") is an obfuscation or a number; full-width and CJK
// punctuation always is one (after folding "，" looks like ",", so the
// original rune decides).
func (s *scratch) segment(text string) {
	runes := s.folder.Runes
	n := len(runes)
	if cap(s.clause) < n {
		s.clause = make([]int32, n, n+n/2)
		s.sent = make([]int32, n, n+n/2)
	}
	s.clause, s.sent = s.clause[:n], s.sent[:n]
	s.afterComma = append(s.afterComma[:0], false)
	s.cuts = s.cuts[:0]
	s.hasHan, s.hasLatin = false, false
	s.first = -1
	clause, sent := int32(0), int32(0)
	for i, r := range runes {
		s.clause[i], s.sent[i] = clause, sent
		switch {
		case r >= 'a' && r <= 'z':
			s.hasLatin = true
			if s.first < 0 {
				s.first = int32(i)
			}
			continue
		case r < 0x80 && (r == ' ' || (r >= '0' && r <= '9')):
			continue
		case r >= 0x2E80 && normalize.IsHan(r):
			s.hasHan = true
			if s.first < 0 {
				s.first = int32(i)
			}
			continue
		}
		kind := s.boundary(text, i)
		if kind == 0 {
			continue
		}
		clause++
		// Only an ASCII comma joins list items: a Chinese comma (，)
		// separates propositions that often drop their subject (没钱，你就是…).
		s.afterComma = append(s.afterComma, r == ',' && text[s.byteOff[s.folder.Orig[i]]] == ',')
		if kind == 2 {
			sent++
			s.cuts = append(s.cuts, s.folder.Orig[i]+1)
		}
	}
	if s.first < 0 {
		s.first = 0
	}
}

// boundary classifies folded rune i: 0 none, 1 clause end, 2 sentence end.
func (s *scratch) boundary(text string, i int) int {
	runes := s.folder.Runes
	r := runes[i]
	var kind int
	switch r {
	case '\n', '。', '…':
		return 2
	case '.', '!', '?', ';':
		kind = 2
	case ',', ':', '(', ')', '[', ']', '【', '】', '《', '》':
		kind = 1
	case '"', '「', '」', '『', '』':
		// Quotation marks do not end a clause: what is quoted belongs to
		// the clause that reports it ("您说的“警察来过”…", "the 'final
		// notice' you mentioned"), so a reporting frame or a negation
		// before the quote reaches into it.
		return 0
	case '-':
		if i > 0 && i+1 < len(runes) && runes[i-1] == ' ' && runes[i+1] == ' ' {
			return 1
		}
		return 0
	default:
		return 0
	}
	orig, _ := utf8.DecodeRuneInString(text[s.byteOff[s.folder.Orig[i]]:])
	if orig >= 0x2000 { // full-width or CJK punctuation: always a boundary
		return kind
	}
	if i > 0 && i+1 < len(runes) && wordish(runes[i-1]) && wordish(runes[i+1]) {
		return 0 // wedged between letters or digits
	}
	if r == '.' && i > 0 && abbreviation(runes[:i]) {
		return 0
	}
	return kind
}

func wordish(r rune) bool {
	if r < 0x80 {
		return (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// abbreviation reports whether the word before a full stop is a single
// letter ("u.s.", "p.m.") or a common abbreviation ("mr.", "ms."), after
// which a full stop does not end a sentence.
func abbreviation(before []rune) bool {
	j := len(before)
	i := j
	for i > 0 && before[i-1] >= 'a' && before[i-1] <= 'z' {
		i--
	}
	if i == j {
		return false
	}
	if i > 0 && before[i-1] != ' ' && before[i-1] != '.' && before[i-1] != '(' {
		return false
	}
	w := string(before[i:j])
	if len(w) == 1 {
		return true
	}
	switch w {
	case "mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "inc", "ltd", "co", "vs", "approx", "dept", "apt", "ave", "blvd", "ste", "corp", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec":
		return true
	}
	return false
}

// scopeOf returns the clause or sentence id of folded rune i, or 0 for the
// whole message.
func (s *scratch) scopeOf(sc scopeKind, i int32) int32 {
	switch sc {
	case scopeClause:
		return s.clause[i]
	case scopeMessage:
		return 0
	}
	return s.sent[i]
}

// neutralized reports whether a negation or a mention of rights reaches
// position at, with nothing that starts a new proposition in between ("if
// you don't pay we will ..."). The negation must lie in the same clause,
// before at and at or after from (from == at: before the match; from <
// at: inside it).
func (s *scratch) neutralized(e *engine, from, at int32) bool {
	c := s.clause[at]
	for _, n := range s.hitsOf(e.frames) {
		if n.hi <= at && at-n.hi <= negWindow && s.clause[n.lo] == c && (from == at || n.lo >= from) {
			return true
		}
	}
	for _, nl := range e.negation {
		for _, n := range s.hitsOf(nl) {
			if n.hi > at || at-n.hi > negWindow || !s.listClause(e, n.lo, c, at) {
				continue
			}
			if from < at && n.lo < from {
				continue // before the match: the from == at check covers it
			}
			if s.overlapsLex(e.negVoid, n.lo, n.hi) || s.inCondition(e, n) {
				continue
			}
			if s.clause[n.lo] != c && s.contrastive(n) {
				continue // "you owe $4,800, not the $2,400, due to ..."
			}
			broken := false
			for _, b := range s.hitsOf(e.brk) {
				if b.lo >= n.hi && b.hi <= at && !s.overlapsLex(e.brkVoid, b.lo, b.hi) {
					broken = true
					break
				}
			}
			if !broken {
				return true
			}
		}
	}
	return false
}

// inCondition reports whether negation n belongs to the condition of an
// "if" or "unless" it closely follows ("if that $860 isn't in by tonight
// somebody is coming over ..."): it negates the condition, not the
// consequence after it, which a comma often fails to mark off. Not when
// the speaker is the subject ("if you'd prefer we not call you at work")
// or a wish is negated ("if you do not want us to call your office").
func (s *scratch) inCondition(e *engine, n hit) bool {
	const maxWords, maxRunes = 4, 32
	for _, o := range s.hitsOf(e.condOpen) {
		if o.hi > n.lo || n.lo-o.hi > maxRunes || s.clause[o.lo] != s.clause[n.lo] {
			continue
		}
		if s.words(o.hi, n.lo) > maxWords || s.anyHitWithin(e.condSpeaker, o.hi, n.lo) {
			continue
		}
		if s.anyHitWithin(e.condKeep, max(o.hi, n.lo-12), n.hi+12) {
			continue
		}
		return true
	}
	return false
}

// words counts the words among folded runes [lo, hi).
func (s *scratch) words(lo, hi int32) int {
	n, in := 0, false
	for _, r := range s.folder.Runes[lo:hi] {
		w := unicode.IsLetter(r) || unicode.IsDigit(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// anyHitWithin reports whether a hit of lexicon l lies inside [lo, hi).
func (s *scratch) anyHitWithin(l, lo, hi int32) bool {
	for _, h := range s.hitsOf(l) {
		if h.lo >= lo && h.hi <= hi {
			return true
		}
	}
	return false
}

// contrastive reports whether negation n opens a clause that follows a
// comma ("you owe $4,800, not the $2,400 you think"): a correction of
// what came before, which negates only its own clause, never the list
// items after it.
func (s *scratch) contrastive(n hit) bool {
	c := s.clause[n.lo]
	if !s.afterComma[c] {
		return false
	}
	for j := n.lo - 1; j >= 0 && s.clause[j] == c; j-- {
		if s.folder.Runes[j] != ' ' {
			return false
		}
	}
	return true
}

// listClause reports whether folded rune i lies in clause c or in one of
// the two clauses before it, joined to it by commas only: the items of a
// list a negation scopes over ("we will never call you, visit you or
// contact your family"). A condition before the match keeps the negation
// in its own clause ("if this isn't paid today, a warrant ..."), and a
// scope break in between still ends it ("we won't sue you, we'll call
// your boss").
func (s *scratch) listClause(e *engine, i, c, at int32) bool {
	ci := s.clause[i]
	if ci == c {
		return true
	}
	if ci > c || c-ci > 2 {
		return false
	}
	for x := ci + 1; x <= c; x++ {
		if !s.afterComma[x] {
			return false
		}
	}
	for _, h := range s.hitsOf(e.listBrk) {
		if h.lo < at && s.clause[h.lo] >= ci && s.clause[h.lo] <= c {
			return false
		}
	}
	return true
}

// evalRule finds every match of r and appends it to s.found.
func (s *scratch) evalRule(e *engine, r *rule) {
	for ti := range r.triggers {
		t := &r.triggers[ti]
		for _, l := range t.groups[0] {
			for _, h0 := range s.hitsOf(l) {
				if len(r.except) > 0 && s.overlapsAny(r.except, h0.lo, h0.hi) {
					continue
				}
				if t.maxStart > 0 && h0.lo-s.first > t.maxStart {
					continue
				}
				if t.maxStart > 0 && s.approved && len(t.groups) == 1 && !s.standalone(h0) {
					continue // "法院已作出判决…" in an authorised notice reports, it does not sign
				}
				lo, hi, last, ok := s.complete(r, t, h0)
				if !ok {
					continue
				}
				if r.negatable && (s.neutralized(e, lo, lo) || (last > lo && s.neutralized(e, lo, last))) {
					continue
				}
				if len(r.unless) > 0 && (s.unlessAt(e, r.unless, lo) || s.unlessAt(e, r.unless, last)) {
					continue
				}
				s.record(r, lo, hi)
			}
		}
	}
}

// complete tries to find, for a hit of the first group, one hit of every
// other group in the same scope, in order and within the gap if asked.
//
// last is the start of the component that comes last in the text (the
// predicate in "your employer will never be contacted"), so that a
// negation inside the match can be found too.
func (s *scratch) complete(r *rule, t *trigger, h0 hit) (lo, hi, last int32, ok bool) {
	lo, hi, last = h0.lo, h0.hi, h0.lo
	if len(t.groups) == 1 {
		return lo, hi, last, true
	}
	scope := s.scopeOf(t.scope, h0.lo)
	prevHi := h0.hi
	for _, g := range t.groups[1:] {
		best := hit{lo: -1}
		bestGap := int32(1 << 30)
		for _, l := range g {
			for _, h := range s.hitsOf(l) {
				if s.scopeOf(t.scope, h.lo) != scope {
					continue
				}
				if h.lo == h0.lo && h.hi == h0.hi {
					continue
				}
				var gap int32
				if t.ordered {
					if h.lo < prevHi {
						continue
					}
					gap = h.lo - prevHi
				} else {
					switch {
					case h.lo >= hi:
						gap = h.lo - hi
					case h.hi <= lo:
						gap = lo - h.hi
					}
				}
				if t.maxGap > 0 && gap > t.maxGap {
					continue
				}
				if len(r.except) > 0 && s.overlapsAny(r.except, h.lo, h.hi) {
					continue
				}
				if gap < bestGap {
					best, bestGap = h, gap
				}
			}
		}
		if best.lo < 0 {
			return 0, 0, 0, false
		}
		lo, hi, last = min(lo, best.lo), max(hi, best.hi), max(last, best.lo)
		prevHi = best.hi
	}
	return lo, hi, last, true
}

// unlessAt reports whether an unless phrase of ls cancels a match at
// folded rune i: any hit in its sentence, except that a politeness
// conditional ("if you want", "如您愿意") reaches only its own clause, or
// the next one when it is a clause of its own ("If you'd like, we can
// ..."), so that it cannot hide a threat later in the sentence ("turn
// your phone off if you want, we'll call your mom").
func (s *scratch) unlessAt(e *engine, ls []int32, i int32) bool {
	sent := s.sent[i]
	for _, l := range ls {
		for _, h := range s.hitsOf(l) {
			if s.sent[h.lo] != sent {
				continue
			}
			if !s.overlapsLex(e.polite, h.lo, h.hi) {
				return true
			}
			c, ci := s.clause[h.lo], s.clause[i]
			if c == ci || (ci == c+1 && s.standalone(h)) {
				return true
			}
		}
	}
	return false
}

// standalone reports whether hit h makes up its clause: nothing but spaces
// between it and the clause boundaries (or the message ends), as a sender
// header ("【法院】", "法院：") or a bare condition ("if you'd like,").
func (s *scratch) standalone(h hit) bool {
	runes := s.folder.Runes
	c := s.clause[h.lo]
	for j := h.lo - 1; j >= 0; j-- {
		if s.clause[j] != c || !s.isWordOrSpaceAt(j) {
			break
		}
		if runes[j] != ' ' {
			return false
		}
	}
	for j := int(h.hi); j < len(runes); j++ {
		if s.clause[j] != c || !s.isWordOrSpaceAt(int32(j)) {
			break
		}
		if runes[j] != ' ' {
			return false
		}
	}
	return true
}

// isWordOrSpaceAt reports whether folded rune j is a letter, digit,
// ideograph or space rather than punctuation.
func (s *scratch) isWordOrSpaceAt(j int32) bool {
	r := s.folder.Runes[j]
	return r == ' ' || wordish(r)
}

// inSentence reports whether any lexicon in ls has a hit in the sentence
// of folded rune i.
func (s *scratch) inSentence(ls []int32, i int32) bool {
	sent := s.sent[i]
	for _, l := range ls {
		for _, h := range s.hitsOf(l) {
			if s.sent[h.lo] == sent {
				return true
			}
		}
	}
	return false
}

// anyHit reports whether any lexicon in ls has a hit not overlapped by an
// exception.
func (s *scratch) anyHit(ls, except []int32) bool {
	for _, l := range ls {
		for _, h := range s.hitsOf(l) {
			if len(except) == 0 || !s.overlapsAny(except, h.lo, h.hi) {
				return true
			}
		}
	}
	return false
}

// record adds a match, merging it with an overlapping match of the same
// rule so that one phrase reported by several views is one violation.
func (s *scratch) record(r *rule, lo, hi int32) {
	for i := range s.found {
		f := &s.found[i]
		if f.r == r && f.lo < hi && lo < f.hi {
			f.lo, f.hi = min(f.lo, lo), max(f.hi, hi)
			return
		}
	}
	s.found = append(s.found, found{r: r, lo: lo, hi: hi})
}

// span converts a folded range to original rune offsets.
func (s *scratch) span(lo, hi int32) (int, int) {
	return int(s.folder.Orig[lo]), int(s.folder.Orig[hi-1]) + 1
}

func (s *scratch) excerpt(text string, start, end int) string {
	return text[s.byteOff[start]:s.byteOff[end]]
}

// minCueShare is the least share of the block probability the learned
// screen must give a category the message has a cue of.
const minCueShare = 0.25

// modelFinding scores the message with the learned screen. On a block it
// returns the category's rule and the folded range of the sentence that
// reads most like a violation, so that safe_text can drop it.
func (s *scratch) modelFinding(e *engine, p *pack) (found, bool) {
	m := e.model
	// Without a cue of any category the model cannot block: skip it
	// (most courteous messages).
	var cued [16]bool
	anyCue := false
	for c := 1; c < len(m.Classes); c++ {
		cued[c] = s.anyHit(e.modelCues[m.Classes[c]], nil)
		anyCue = anyCue || cued[c]
	}
	if !anyCue {
		return found{}, false
	}
	probs := m.Score(&s.model, s.folder.Runes, s.approved, s.probs[:0])
	if !m.Blocks(probs) {
		return found{}, false
	}
	// The category: the likeliest among those the message has a cue of,
	// if the model gives it a fair share of the block probability.
	cat, best := "", float32(0)
	for c := 1; c < len(probs); c++ {
		if cued[c] && probs[c] > best {
			cat, best = m.Classes[c], probs[c]
		}
	}
	if cat == "" || best < minCueShare*(1-probs[0]) || p.modelRules[cat] == nil {
		return found{}, false
	}
	lo, hi := s.bestSentence(m)
	if hi <= lo {
		return found{}, false
	}
	return found{r: p.modelRules[cat], lo: lo, hi: hi}, true
}

// bestSentence returns the folded range of the sentence with the highest
// block score, trimmed of spaces; the whole text when it is one sentence.
func (s *scratch) bestSentence(m *model.Model) (lo, hi int32) {
	runes := s.folder.Runes
	n := int32(len(runes))
	best := float32(-1)
	for a := int32(0); a < n; {
		b := a
		for b < n && s.sent[b] == s.sent[a] {
			b++
		}
		x, y := a, b
		for x < y && unicode.IsSpace(runes[x]) {
			x++
		}
		for y > x && unicode.IsSpace(runes[y-1]) {
			y--
		}
		if x < y {
			if a == 0 && b == n {
				return x, y
			}
			probs := m.Score(&s.model, runes[x:y], s.approved, s.bestProbs[:0])
			if p := 1 - probs[0]; p > best {
				best, lo, hi = p, x, y
			}
		}
		a = b
	}
	return lo, hi
}
