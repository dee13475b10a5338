package aho_corasick

import (
	"math/rand"
	"reflect"
	"testing"
)

// TestOverlappingFuncMatchesIterator checks the patch against upstream's
// iterator, in DFA and NFA mode, on random texts over a small alphabet
// (so that patterns overlap and nest often).
func TestOverlappingFuncMatchesIterator(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc\xe4\xb8"[rng.Intn(5)]
		}
		return string(b)
	}
	for round := 0; round < 200; round++ {
		pats := make([]string, 1+rng.Intn(20))
		for i := range pats {
			pats[i] = word(1 + rng.Intn(4))
		}
		text := []byte(word(rng.Intn(60)))
		for _, dfa := range []bool{true, false} {
			b := NewAhoCorasickBuilder(Opts{MatchKind: StandardMatch, DFA: dfa})
			ac := b.Build(pats)
			var want, got [][3]int
			it := ac.IterOverlappingByte(text)
			for m := it.Next(); m != nil; m = it.Next() {
				want = append(want, [3]int{m.Pattern(), m.Start(), m.End()})
			}
			ac.OverlappingFunc(text, func(p, s, e int) { got = append(got, [3]int{p, s, e}) })
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("dfa=%v patterns %q text %q:\n got %v\nwant %v", dfa, pats, text, got, want)
			}
		}
	}
}

func TestOverlappingFuncAllocatesNothing(t *testing.T) {
	b := NewAhoCorasickBuilder(Opts{MatchKind: StandardMatch, DFA: true})
	ac := b.Build([]string{"he", "she", "hers", "his"})
	text := []byte("ushers and his sheep, she said, hers")
	n := 0
	allocs := testing.AllocsPerRun(100, func() { ac.OverlappingFunc(text, func(int, int, int) { n++ }) })
	if allocs != 0 {
		t.Fatalf("OverlappingFunc allocated %.0f times per call", allocs)
	}
	if n == 0 {
		t.Fatal("no matches reported")
	}
}
