package builtin

import (
	"testing"
	"testing/fstest"
	"time"
)

// fired reports whether the cue fires on s after containment, negation and the
// question/statement restrictions, exactly as Analyze sees it.
func fired(a *Analyzer, id, s string) bool {
	t := newText(fold(s))
	_, sp := extractEntities(t, time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC))
	f := a.features(t, s, sp)
	for _, c := range append(f.cues, f.frames...) {
		if c == id {
			return true
		}
	}
	return false
}

// TestLexiconExamples runs every cue's own examples: each must fire on its match
// examples and stay silent on its nomatch examples.
func TestLexiconExamples(t *testing.T) {
	a, err := NewAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range a.lx.specs {
		if len(spec.Match) == 0 {
			t.Errorf("%s: no match examples", spec.ID)
		}
		for _, s := range spec.Match {
			if !fired(a, spec.ID, s) {
				t.Errorf("%s: does not fire on %q", spec.ID, s)
			}
		}
		for _, s := range spec.NoMatch {
			if fired(a, spec.ID, s) {
				t.Errorf("%s: fires on %q", spec.ID, s)
			}
		}
	}
}

func TestLexiconRejectsBadFiles(t *testing.T) {
	tests := map[string]string{
		"bad json":       `{"cues": [`,
		"unknown intent": `{"cues": [{"id": "x", "patterns": ["a"], "intents": {"nope": 0.5}}]}`,
		"unknown tag":    `{"cues": [{"id": "x", "patterns": ["a"], "tags": ["nope"]}]}`,
		"no patterns":    `{"cues": [{"id": "x"}]}`,
		"empty piece":    `{"cues": [{"id": "x", "patterns": ["a......b"]}]}`,
		"duplicate id":   `{"cues": [{"id": "x", "patterns": ["a"]}, {"id": "x", "patterns": ["b"]}]}`,
		"bad segment":    `{"cues": [{"id": "x", "patterns": ["a"], "segment": {"nope": 1}}]}`,
		"both modes":     `{"cues": [{"id": "x", "patterns": ["a"], "question": true, "statement": true}]}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"lexicon/x.json": {Data: []byte(body)}}
			if _, err := loadLexicon(fsys); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestMatcherGapsAndBoundaries(t *testing.T) {
	mb := newMatcherBuilder()
	mb.add(0, "will...pay", 10)
	mb.add(1, "pay", 16)
	mb.add(2, "complain*", 16)
	m := mb.build()
	tests := []struct {
		text string
		want []int32
	}{
		{"i will pay", []int32{0, 1}},
		{"i will. pay", []int32{1}},                                // the gap may not cross a sentence
		{"i will be able, after a long while, to pay", []int32{1}}, // too far apart
		{"payday", nil},                                            // word boundary
		{"complaints filed", []int32{2}},                           // open end
	}
	for _, tt := range tests {
		var got []int32
		for _, x := range m.find(newText(fold(tt.text))) {
			got = append(got, x.cue)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: cues %v, want %v", tt.text, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: cues %v, want %v", tt.text, got, tt.want)
			}
		}
	}
}
