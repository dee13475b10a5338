package builtin

import (
	"sort"
	"strings"
	"unicode/utf8"

	patternmatch "github.com/parley-dev/parley/compliance/match"
)

// The matcher finds every lexicon pattern in a folded text in one pass: the
// compliance screen's Aho-Corasick matcher over the literal pieces of all patterns
// reports where each
// piece occurs, then patterns made of several pieces ("will...pay") are assembled
// from those occurrences. The cost is linear in the text plus the hits, whatever the
// size of the lexicon.

// A pattern is a sequence of literal pieces separated by "...", meaning "followed,
// within the same sentence, by". A piece that starts or ends with an ASCII letter or
// digit only matches on a word boundary there; a leading or trailing "*" lifts that
// ("complain*" also matches "complaints").
const gapMarker = "..."

// defaultMaxGap is how many runes may separate two pieces of a pattern.
const defaultMaxGap = 16

type piece struct {
	lit          int32 // literal id in the automaton
	bStart, bEnd bool  // word boundary required before / after
}

type pattern struct {
	cue    int32
	pieces []piece
	maxGap int32
}

// match is one occurrence of a cue's pattern.
type match struct {
	cue        int32
	start, end int32 // byte offsets in the folded text
	// firstEnd and lastStart bound the gaps of a pattern with several pieces; for a
	// single piece they equal end and start.
	firstEnd, lastStart int32
}

// matcher is immutable after build and safe for concurrent use.
type matcher struct {
	ac       patternmatch.Matcher // every literal piece, shared with the compliance screen
	litLen   []int32
	byFirst  map[int32][]int32 // first literal -> patterns
	patterns []pattern
}

type matcherBuilder struct {
	lits     map[string]int32
	litText  []string
	patterns []pattern
}

func newMatcherBuilder() *matcherBuilder {
	return &matcherBuilder{lits: map[string]int32{}}
}

// add registers one pattern for a cue; the pattern is folded like the text.
func (mb *matcherBuilder) add(cue int32, raw string, maxGap int) (ok bool) {
	parts := strings.Split(raw, gapMarker)
	p := pattern{cue: cue, maxGap: int32(maxGap)}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		bs, be := true, true
		if strings.HasPrefix(part, "*") {
			bs, part = false, part[1:]
		}
		if strings.HasSuffix(part, "*") {
			be, part = false, part[:len(part)-1]
		}
		part = fold(part)
		if part == "" {
			return false
		}
		bs = bs && isWordByte(part[0])
		be = be && isWordByte(part[len(part)-1])
		id, seen := mb.lits[part]
		if !seen {
			id = int32(len(mb.litText))
			mb.lits[part] = id
			mb.litText = append(mb.litText, part)
		}
		p.pieces = append(p.pieces, piece{lit: id, bStart: bs, bEnd: be})
	}
	mb.patterns = append(mb.patterns, p)
	return true
}

func (mb *matcherBuilder) build() *matcher {
	// NFA mode: the lexicon is small, and the DFA would cost ~20 MB resident for
	// no measurable gain here (30 vs 26 us per message).
	m := &matcher{ac: patternmatch.NewNFA(mb.litText), byFirst: map[int32][]int32{}, patterns: mb.patterns}
	m.litLen = make([]int32, len(mb.litText))
	for i, s := range mb.litText {
		m.litLen[i] = int32(len(s))
	}
	for i, p := range mb.patterns {
		f := p.pieces[0].lit
		m.byFirst[f] = append(m.byFirst[f], int32(i))
	}
	return m
}

type hit struct {
	lit        int32
	start, end int32
}

// text is a folded message with the indexes the matcher and the rules share.
type text struct {
	s string
	// runeAt[i] is the number of runes before byte i; stopAt[i] the number of
	// sentence terminators before byte i.
	runeAt []int32
	stopAt []int32
}

func newText(s string) *text {
	t := &text{s: s, runeAt: make([]int32, len(s)+1), stopAt: make([]int32, len(s)+1)}
	var runes, stops int32
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		stop := isTerminator(s, i, r)
		for k := 0; k < size; k++ {
			t.runeAt[i+k] = runes
			t.stopAt[i+k] = stops
		}
		runes++
		if stop {
			stops++
		}
		i += size
	}
	t.runeAt[len(s)] = runes
	t.stopAt[len(s)] = stops
	return t
}

// isTerminator reports whether r at byte i ends a sentence. A full stop counts only
// when it is not inside a number ("1.5") or an abbreviation run ("...").
func isTerminator(s string, i int, r rune) bool {
	switch r {
	case '。', '!', '?', ';', '\n', '…':
		return true
	case '.':
		if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			return false
		}
		return true
	}
	return false
}

// sameSentence reports whether no terminator lies in s[a:b].
func (t *text) sameSentence(a, b int32) bool { return t.stopAt[a] == t.stopAt[b] }

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (t *text) boundaryOK(p piece, start, end int32) bool {
	if p.bStart && start > 0 && isWordByte(t.s[start-1]) {
		return false
	}
	if p.bEnd && int(end) < len(t.s) && isWordByte(t.s[end]) {
		return false
	}
	return true
}

// scan returns the literal hits in t, ordered by start.
func (m *matcher) scan(t *text) []hit {
	var hits []hit
	m.ac.Find([]byte(t.s), func(lit, start, end int) {
		hits = append(hits, hit{lit: int32(lit), start: int32(start), end: int32(end)})
	})
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		if hits[i].end != hits[j].end {
			return hits[i].end < hits[j].end
		}
		return hits[i].lit < hits[j].lit
	})
	return hits
}

// find returns every pattern occurrence (at most one per pattern and start).
// Negation is not decided here.
func (m *matcher) find(t *text) []match {
	hits := m.scan(t)
	var out []match
	for hi, h := range hits {
		for _, pi := range m.byFirst[h.lit] {
			p := &m.patterns[pi]
			if !t.boundaryOK(p.pieces[0], h.start, h.end) {
				continue
			}
			end, lastStart, ok := h.end, h.start, true
			for k := 1; k < len(p.pieces) && ok; k++ {
				ok = false
				want := p.pieces[k]
				for j := hi + 1; j < len(hits); j++ {
					c := hits[j]
					if c.start < end || c.lit != want.lit {
						continue
					}
					if t.runeAt[c.start]-t.runeAt[end] > p.maxGap || !t.sameSentence(end, c.start) {
						break
					}
					if t.boundaryOK(want, c.start, c.end) {
						end, lastStart, ok = c.end, c.start, true
						break
					}
				}
			}
			if ok {
				out = append(out, match{cue: p.cue, start: h.start, end: end, firstEnd: h.end, lastStart: lastStart})
			}
		}
	}
	return out
}
