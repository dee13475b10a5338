package assistant_test

import (
	"testing"

	"github.com/parley-dev/parley/assistant"
)

func TestScore(t *testing.T) {
	f := func(sev ...string) []assistant.Finding {
		var out []assistant.Finding
		for _, s := range sev {
			out = append(out, assistant.Finding{Severity: s})
		}
		return out
	}
	tests := []struct {
		name     string
		findings []assistant.Finding
		want     int
	}{
		{"clean", nil, 100},
		{"review costs nothing", f("review", "review"), 100},
		{"one warning", f("warn"), 95},
		{"one block", f("block"), 75},
		{"mixed", f("block", "warn", "review", "warn"), 65},
		{"clamped at zero", f("block", "block", "block", "block", "block"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := assistant.Score(tt.findings); got != tt.want {
				t.Fatalf("Score = %d, want %d", got, tt.want)
			}
		})
	}
}
