package match_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-dev/parley/compliance/match"
)

type occ struct{ p, start, end int }

func collect(m match.Matcher, text string) []occ {
	var out []occ
	m.Find([]byte(text), func(p, s, e int) { out = append(out, occ{p, s, e}) })
	slices.SortFunc(out, func(a, b occ) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return a.end - b.end
		}
		return a.p - b.p
	})
	return out
}

// alphabet mixes ASCII and multi-byte runes so that patterns share
// prefixes, suffixes and UTF-8 lead bytes.
var alphabet = []rune("abc#坐牢法院")

func randString(r *rand.Rand, maxLen int) string {
	n := r.IntN(maxLen + 1)
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestAhoCorasickMatchesNaive checks on random patterns and texts that the
// automaton reports exactly the occurrences a brute-force search finds.
func TestAhoCorasickMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var pats []string
		for range 1 + r.IntN(30) {
			pats = append(pats, randString(r, 5))
		}
		ac, nfa, nv := match.NewAhoCorasick(pats), match.NewNFA(pats), match.NewNaive(pats)
		for range 20 {
			text := randString(r, 60)
			want := collect(nv, text)
			if got := collect(ac, text); !slices.Equal(got, want) {
				t.Fatalf("round %d: patterns %q text %q:\n got %v\nwant %v", round, pats, text, got, want)
			}
			if got := collect(nfa, text); !slices.Equal(got, want) {
				t.Fatalf("NFA round %d: patterns %q text %q:\n got %v\nwant %v", round, pats, text, got, want)
			}
		}
	}
}

func TestFixed(t *testing.T) {
	pats := []string{"kill", "killyou", "you", "坐牢", "", "ill"}
	ac := match.NewAhoCorasick(pats)
	got := collect(ac, "iwillkillyou坐牢")
	want := []occ{{5, 2, 5}, {0, 5, 9}, {1, 5, 12}, {5, 6, 9}, {2, 9, 12}, {3, 12, 18}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	if ac.Len() != len(pats) {
		t.Fatalf("Len = %d", ac.Len())
	}
}

// TestWarming checks that the warming matcher answers the same before and
// after it switches to the DFA.
func TestWarming(t *testing.T) {
	pats := []string{"kill", "killyou", "you", "坐牢", "ill"}
	w := match.NewWarming(pats)
	before := collect(w, "iwillkillyou坐牢")
	w.Start()
	<-w.Ready()
	after := collect(w, "iwillkillyou坐牢")
	if !slices.Equal(before, after) || len(after) != 6 || w.Len() != len(pats) {
		t.Fatalf("before %v after %v", before, after)
	}
}

type countSink int

func (c *countSink) Hit(int, int, int) { *c++ }

// The screen runs the automaton several times per message; with the DFA a
// search must not allocate, however many matches it reports.
func TestAhoCorasickFindToAllocatesNothing(t *testing.T) {
	m := match.NewAhoCorasick([]string{"you", "your", "call", "every", "hour", "我们", "联系"})
	text := []byte("we will call you every hour about your account, 我们会联系您")
	var c countSink
	allocs := testing.AllocsPerRun(100, func() { m.FindTo(text, &c) })
	if allocs != 0 {
		t.Errorf("FindTo allocated %.0f times per call", allocs)
	}
	if c == 0 {
		t.Error("FindTo reported no match")
	}
}
