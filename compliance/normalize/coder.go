package normalize

import (
	"fmt"
	"unicode/utf8"
)

// Coder packs key views into fewer bytes for matching. ASCII stays as it
// is; each non-ASCII rune that occurs in some phrase gets a two-byte code;
// every other non-ASCII rune becomes the byte Other, which no phrase
// contains (a key view collapses a run of them into one). An ideograph costs 3 bytes in UTF-8 and 1 or 2 here, which
// shortens both the text an automaton scans and the automaton itself.
//
// Code bytes never collide with ASCII: the first byte of a code is in
// 0xC0-0xFF, the second in 0x80-0xBF, so 4,096 runes can have codes.
type Coder struct {
	bmp    []uint16 // rune -> code+1 for the BMP (0: no code)
	astral map[rune]uint16
	n      int
}

// Other is the byte for a rune that occurs in no phrase.
const Other = 0x01

const maxCodes = 64 * 64

// NewCoder assigns codes to the non-ASCII runes of the given phrases (key
// strings in UTF-8), in order of first appearance.
func NewCoder(phrases []string) (*Coder, error) {
	c := &Coder{bmp: make([]uint16, 0x10000), astral: map[rune]uint16{}}
	for _, p := range phrases {
		for _, r := range p {
			if r < utf8.RuneSelf || c.code(r) != 0 {
				continue
			}
			if c.n >= maxCodes {
				return nil, fmt.Errorf("more than %d distinct non-ASCII runes in phrases", maxCodes)
			}
			c.n++
			if r < 0x10000 {
				c.bmp[r] = uint16(c.n)
			} else {
				c.astral[r] = uint16(c.n)
			}
		}
	}
	return c, nil
}

func (c *Coder) code(r rune) uint16 {
	if r < 0x10000 {
		return c.bmp[r]
	}
	return c.astral[r]
}

// Len returns the number of runes with a code.
func (c *Coder) Len() int { return c.n }

// AppendRune appends the coded form of r.
func (c *Coder) AppendRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(dst, byte(r))
	}
	v := c.code(r)
	if v == 0 {
		return append(dst, Other)
	}
	v--
	return append(dst, 0xC0|byte(v>>6), 0x80|byte(v&0x3f))
}

// Encode returns the coded form of a UTF-8 string.
func (c *Coder) Encode(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = c.AppendRune(b, r)
	}
	return string(b)
}
