package retrieval

import (
	"slices"

	"github.com/parley-dev/parley/assistant"
)

// ValidateEvent checks what any store requires of an event before storing it.
func ValidateEvent(e *assistant.Event) error {
	if e.CaseID == "" {
		return assistant.Invalid("case_id", "case_id is required")
	}
	if !slices.Contains(assistant.EventKinds, e.Kind) && e.Kind != assistant.EventAudit {
		return assistant.Invalid("kind", "kind must be one of message, call, note, payment, promise")
	}
	if e.At.IsZero() {
		return assistant.Invalid("at", "at is required")
	}
	return nil
}

// Cosine returns the dot product of two L2-normalised vectors (their cosine).
func Cosine(a, b []float32) float64 {
	n := min(len(a), len(b))
	var s float32
	for i := 0; i < n; i++ {
		s += a[i] * b[i]
	}
	return float64(s)
}
