package builtin

import (
	"unicode"
	"unicode/utf8"
)

// Entities are read from a token stream of the folded text: numbers (Arabic, with
// thousands separators and decimals, or Chinese numerals), ASCII words, single Han
// characters and single symbols. Spaces separate tokens and are otherwise dropped.

type tokKind uint8

const (
	tkNum  tokKind = iota // Arabic number
	tkCNum                // Chinese numeral
	tkWord                // ASCII letters
	tkHan                 // one Han character (not a numeral)
	tkSym                 // anything else, one rune
)

type token struct {
	kind       tokKind
	start, end int
	text       string
	// For numbers: value in hundredths (exact for at most two decimals) and whether
	// the numeral carried a magnitude (十百千万亿) of its own.
	cents     int64
	magnitude bool
	spaced    bool // whitespace before this token
}

func tokenize(s string) []token {
	toks := make([]token, 0, len(s)/2)
	spaced := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			spaced = true
			i += size
			continue
		case r >= '0' && r <= '9':
			j, cents := scanArabic(s, i)
			toks = append(toks, token{kind: tkNum, start: i, end: j, text: s[i:j], cents: cents, spaced: spaced})
			i = j
		case isCNumeral(r):
			j, v, mag, ok := scanChinese(s, i)
			if ok {
				toks = append(toks, token{kind: tkCNum, start: i, end: j, text: s[i:j], cents: v * 100, magnitude: mag, spaced: spaced})
				i = j
			} else {
				toks = append(toks, token{kind: tkHan, start: i, end: i + size, text: s[i : i+size], spaced: spaced})
				i += size
			}
		case r < utf8.RuneSelf && isLetter(byte(r)):
			j := i
			for j < len(s) && (isLetter(s[j]) || s[j] == '\'') {
				j++
			}
			toks = append(toks, token{kind: tkWord, start: i, end: j, text: s[i:j], spaced: spaced})
			i = j
		case unicode.Is(unicode.Han, r):
			toks = append(toks, token{kind: tkHan, start: i, end: i + size, text: s[i : i+size], spaced: spaced})
			i += size
		default:
			toks = append(toks, token{kind: tkSym, start: i, end: i + size, text: s[i : i+size], spaced: spaced})
			i += size
		}
		spaced = false
	}
	return toks
}

// scanArabic reads 1234, 1,234,567 or 12.50 at s[i:]; the value is in hundredths,
// further decimals are truncated.
func scanArabic(s string, i int) (end int, cents int64) {
	j := i
	var whole int64
	for j < len(s) {
		c := s[j]
		switch {
		case c >= '0' && c <= '9':
			if whole < 1e15 {
				whole = whole*10 + int64(c-'0')
			}
			j++
			continue
		case c == ',' && threeDigits(s, j+1):
			j++
			continue
		}
		break
	}
	cents = whole * 100
	if j+1 < len(s) && s[j] == '.' && s[j+1] >= '0' && s[j+1] <= '9' {
		j++
		k := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			if k == 0 {
				cents += int64(s[j]-'0') * 10
			} else if k == 1 {
				cents += int64(s[j] - '0')
			}
			k++
			j++
		}
	}
	return j, cents
}

// threeDigits reports exactly three digits at s[i:] not followed by a fourth.
func threeDigits(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for k := 0; k < 3; k++ {
		if s[i+k] < '0' || s[i+k] > '9' {
			return false
		}
	}
	return i+3 == len(s) || s[i+3] < '0' || s[i+3] > '9'
}

var cDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var cUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000, '万': 10000, '亿': 100000000}

func isCNumeral(r rune) bool {
	_, d := cDigits[r]
	_, u := cUnits[r]
	return d || u
}

// scanChinese reads a Chinese numeral (五千, 两万三, 一千五百, 十五) at s[i:]. ok is
// false for a lone unit character that is not a number in context ("千万别").
func scanChinese(s string, i int) (end int, value int64, magnitude, ok bool) {
	var total, section, digit int64
	hasDigit, lastDigit := false, false
	lastUnit := int64(0)
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if d, isD := cDigits[r]; isD {
			if hasDigit && lastDigit {
				break // 三一定: a numeral then 一定, not 31
			}
			lastDigit = d != 0
			digit = d
			hasDigit = true
			j += size
			continue
		}
		u, isU := cUnits[r]
		if !isU {
			break
		}
		magnitude = true
		lastDigit = false
		switch {
		case u >= 10000:
			section += digit
			if section == 0 {
				section = 1
			}
			total += section * u
			section = 0
		default:
			if digit == 0 && u == 10 {
				digit = 1 // 十五 = 15
			}
			section += digit * u
		}
		lastUnit = u
		digit = 0
		j += size
	}
	if !hasDigit && !(lastUnit == 10 && j > i) {
		return i, 0, false, false
	}
	// 两万三 = 23000, 一千五 = 1500: a trailing digit takes the next lower unit.
	if digit > 0 && lastUnit >= 100 {
		switch lastUnit {
		case 100000000:
			digit *= 10000000
		case 10000:
			digit *= 1000
		default:
			digit *= lastUnit / 10
		}
	}
	return j, total + section + digit, magnitude, true
}
