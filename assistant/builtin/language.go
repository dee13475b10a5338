package builtin

import (
	"unicode"
	"unicode/utf8"
)

// detectLanguage says whether a message is Chinese ("zh", simplified, traditional or
// Cantonese), English ("en") or "mixed". It counts Han characters and Latin words of
// two letters or more, leaving out the few Latin tokens that ordinary Chinese text
// carries (OK, APP, short all-capital codes such as RM or ID). Mixed means both
// scripts carry meaning: at least two Han characters and at least one Latin word
// (or one Han character among fewer than four Latin words). Anything without letters
// of either script is English by convention.
func detectLanguage(s string) string {
	han, latin := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			i += size
		case r < utf8.RuneSelf && isLetter(byte(r)):
			j := i
			upper := 0
			for j < len(s) && (isLetter(s[j]) || s[j] == '\'') {
				if s[j] >= 'A' && s[j] <= 'Z' {
					upper++
				}
				j++
			}
			if w := s[i:j]; len(w) >= 2 && !zhLatinLoan(w, upper) {
				latin++
			}
			i = j
		default:
			i += size
		}
	}
	switch {
	case han == 0:
		return "en"
	case latin == 0:
		return "zh"
	case han >= 2 || latin < 4:
		return "mixed"
	default:
		return "en"
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// zhLatinLoan reports Latin tokens that do not make a Chinese message mixed.
func zhLatinLoan(w string, upper int) bool {
	if upper == len(w) && len(w) <= 4 { // RM, NT, ID, APP, VIP, USD
		return true
	}
	switch string(foldASCII(w)) {
	case "ok", "okay", "app", "wifi", "vip", "qq", "id", "pdf", "emm", "hmm", "em":
		return true
	}
	return false
}

func foldASCII(w string) []byte {
	b := []byte(w)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}
