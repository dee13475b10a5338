// Package match finds every occurrence of a fixed set of patterns in a text.
//
// The screen runs one automaton over each key view of a message, so the
// cost per message is linear in its length whatever the number of phrases.
// The automaton is github.com/petar-dambovaliev/aho-corasick in DFA mode,
// patched (third_party/aho-corasick) with a callback search that allocates
// nothing per match;
// it sits behind [Matcher] so that tests can compare it with the obvious
// quadratic search ([NewNaive]), so that a [Warming] matcher can serve from
// the NFA until the DFA is built, and so that it can be swapped out.
package match

import (
	"bytes"
	"sync"
	"sync/atomic"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// Matcher reports every occurrence of its patterns, overlapping ones
// included. Implementations are safe for concurrent use.
type Matcher interface {
	// Find calls fn for each occurrence of pattern number p at byte
	// offsets [start, end) of text. The order of calls is unspecified.
	Find(text []byte, fn func(p, start, end int))
	// FindTo is Find reporting to a Sink, which lets a caller that keeps
	// its state in a long-lived value avoid allocating a closure per call.
	FindTo(text []byte, sink Sink)
	// Len returns the number of patterns.
	Len() int
}

// Sink receives the occurrences found by [Matcher.FindTo].
type Sink interface {
	// Hit is called for each occurrence of pattern number p at byte
	// offsets [start, end) of the text.
	Hit(p, start, end int)
}

// funcSink adapts a function to a Sink.
type funcSink func(p, start, end int)

func (f funcSink) Hit(p, start, end int) { f(p, start, end) }

// NewAhoCorasick builds a DFA-backed Aho-Corasick matcher. Empty patterns
// are never reported.
func NewAhoCorasick(patterns []string) Matcher {
	return newAC(patterns, true)
}

// NewNFA builds the same automaton in NFA mode: about ten times cheaper to
// build, several times slower to run.
func NewNFA(patterns []string) Matcher {
	return newAC(patterns, false)
}

// Warming is a matcher that is usable at once and fast soon after: it
// answers with the NFA while the DFA is built in the background, then
// switches. The automaton library spends most of a DFA build allocating,
// so a large phrase set takes a few hundred milliseconds to compile; this
// keeps that off the start-up path. Results are the same in both modes.
type Warming struct {
	cur   atomic.Pointer[Matcher]
	ready chan struct{}
	n     int
	pats  []string
	once  sync.Once
}

// NewWarming builds the NFA now; Start builds the DFA in the background.
func NewWarming(patterns []string) *Warming {
	w := &Warming{ready: make(chan struct{}), n: len(patterns), pats: append([]string(nil), patterns...)}
	nfa := NewNFA(patterns)
	w.cur.Store(&nfa)
	return w
}

// Start begins building the DFA, once; the caller chooses when, so that
// the build does not compete with the rest of its start-up.
func (w *Warming) Start() {
	w.once.Do(func() {
		go func() {
			dfa := NewAhoCorasick(w.pats)
			w.cur.Store(&dfa)
			w.pats = nil
			close(w.ready)
		}()
	})
}

// Find implements Matcher with whichever automaton is current.
func (w *Warming) Find(text []byte, fn func(p, start, end int)) { (*w.cur.Load()).Find(text, fn) }

// FindTo implements Matcher with whichever automaton is current.
func (w *Warming) FindTo(text []byte, sink Sink) { (*w.cur.Load()).FindTo(text, sink) }

// Len implements Matcher.
func (w *Warming) Len() int { return w.n }

// Ready is closed once the DFA is in use (after Start).
func (w *Warming) Ready() <-chan struct{} { return w.ready }

func newAC(patterns []string, dfa bool) Matcher {
	idx := make([]int, 0, len(patterns))
	nonEmpty := make([]string, 0, len(patterns))
	for i, p := range patterns {
		if p != "" {
			idx = append(idx, i)
			nonEmpty = append(nonEmpty, p)
		}
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{
		MatchKind: ahocorasick.StandardMatch, // the only kind that reports overlapping matches
		DFA:       dfa,
	})
	return &acMatcher{ac: b.Build(nonEmpty), idx: idx, n: len(patterns)}
}

type acMatcher struct {
	ac  ahocorasick.AhoCorasick
	idx []int // automaton pattern number -> caller's pattern number
	n   int
}

func (m *acMatcher) Len() int { return m.n }

func (m *acMatcher) Find(text []byte, fn func(p, start, end int)) { m.FindTo(text, funcSink(fn)) }

func (m *acMatcher) FindTo(text []byte, sink Sink) {
	if len(m.idx) == 0 || len(text) == 0 {
		return
	}
	// The library allocates its iterator and each *Match it returns; it
	// has no API that reuses them.
	m.ac.OverlappingFunc(text, func(p, start, end int) { sink.Hit(m.idx[p], start, end) })
}

// NewNaive returns a matcher that tries every pattern at every offset. It
// is the reference the automaton is tested against.
func NewNaive(patterns []string) Matcher {
	return naive(append([]string(nil), patterns...))
}

type naive []string

func (n naive) Len() int { return len(n) }

func (n naive) Find(text []byte, fn func(p, start, end int)) { n.FindTo(text, funcSink(fn)) }

func (n naive) FindTo(text []byte, sink Sink) {
	for start := 0; start < len(text); start++ {
		for p, pat := range n {
			if pat != "" && bytes.HasPrefix(text[start:], []byte(pat)) {
				sink.Hit(p, start, start+len(pat))
			}
		}
	}
}
