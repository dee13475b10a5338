package retrieval

import (
	"encoding/base64"
	"strconv"

	"github.com/parley-dev/parley/assistant"
)

// EncodeCursor turns a position into an opaque cursor.
func EncodeCursor(pos int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p" + strconv.FormatInt(pos, 10)))
}

// DecodeCursor parses a cursor from EncodeCursor; empty means the start.
func DecodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'p' {
		return 0, assistant.Invalid("cursor", "cursor is not one this API returned")
	}
	n, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return 0, assistant.Invalid("cursor", "cursor is not one this API returned")
	}
	return n, nil
}

// ClampLimit applies the default (50) and maximum (200) page sizes.
func ClampLimit(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, 200)
}
