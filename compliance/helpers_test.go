package compliance_test

import (
	"sync"
	"testing"

	"github.com/parley-dev/parley/compliance"
)

var (
	gateOnce sync.Once
	gate     *compliance.Gate
	gateErr  error
)

// mustGate returns a shared Gate: it is safe for concurrent use and
// loading it once keeps the tests fast.
func mustGate(tb testing.TB) *compliance.Gate {
	tb.Helper()
	gateOnce.Do(func() { gate, gateErr = compliance.NewGate() })
	if gateErr != nil {
		tb.Fatalf("NewGate: %v", gateErr)
	}
	return gate
}
