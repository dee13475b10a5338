package retrieval

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns a random identifier with a readable prefix ("case_", "evt_").
func NewID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + hex.EncodeToString(b[:])
}
