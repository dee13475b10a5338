// Package normalize folds text into the canonical form the compliance screen
// (and anything else that matches phrases, such as the analysis engine)
// compares against, while remembering where every folded rune came from so
// that findings can be reported as rune offsets into the original text.
//
// Folding undoes the tricks people use to slip words past a filter:
// compatibility and full-width forms (NFKC), case, zero-width and other
// invisible characters, combining marks, Cyrillic and Greek look-alikes,
// Kangxi and supplementary CJK radicals, and traditional Chinese characters
// (mapped to simplified with a table generated from Unihan). Leetspeak
// ("l0$3r") is undone in a separate view so that prices and dates keep their
// meaning in the plain one. Separators inserted inside words ("k.i.l.l",
// "坐 牢") are removed in the key views built by [KeyView.Build], which keep
// letters, digits and ideographs only, plus word-boundary flags taken from
// the folded text so that "skill you" never matches "kill you".
//
// Folding is idempotent: folding a folded string returns it unchanged.
//
// The traditional-to-simplified and radical tables (tables_gen.go) are
// generated from the Unicode Character Database as packaged by Debian
// (unicode-data); regenerate with `go generate` after installing it.
package normalize

//go:generate go run ./internal/gentables -unihan /usr/share/unicode/Unihan_Variants.txt.bz2 -radicals /usr/share/unicode/EquivalentUnifiedIdeograph.txt -o tables_gen.go

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Result is the folded form of a text.
type Result struct {
	// Folded is the text after NFKC, case folding, dropping invisible
	// characters and combining marks, and mapping look-alikes and
	// traditional Chinese to their canonical characters. Spaces and
	// punctuation are kept (all whitespace becomes ' ' or '\n').
	Folded string
	// Offsets maps each rune of Folded to the index of the rune of the
	// original text it came from. One original rune may produce several
	// folded runes ("ß" -> "ss") or none (zero-width space).
	Offsets []int
	// Deleeted is Folded with leetspeak undone inside alphabetic tokens
	// ("d34db34t" -> "deadbeat", while "$480" stays). It has the same number
	// of runes as Folded, so Offsets applies to it too. It equals Folded
	// when there is nothing to undo.
	Deleeted string
}

// Text folds s. It allocates; hot paths should reuse a [Folder].
func Text(s string) Result {
	var f Folder
	f.Fold(s)
	res := Result{Folded: string(f.Runes), Offsets: make([]int, len(f.Orig))}
	for i, o := range f.Orig {
		res.Offsets[i] = int(o)
	}
	if d, changed := Deleet(nil, f.Runes, 'i'); changed {
		res.Deleeted = string(d)
	} else {
		res.Deleeted = res.Folded
	}
	return res
}

// Folder folds text into reusable buffers, so that screening many messages
// does not allocate once the buffers have grown. A Folder is not safe for
// concurrent use.
type Folder struct {
	// Runes is the folded text.
	Runes []rune
	// Orig maps each folded rune to the original rune index.
	Orig []int32
	// N is the number of runes in the original text.
	N int
}

// Fold replaces the Folder's contents with the folded form of s. Invalid
// UTF-8 bytes count as one rune each and fold to U+FFFD.
func (f *Folder) Fold(s string) {
	f.Runes = f.Runes[:0]
	f.Orig = f.Orig[:0]
	idx := int32(0)
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		if c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
		f.appendRune(r, idx)
		idx++
	}
	f.N = int(idx)
}

func (f *Folder) appendRune(r rune, idx int32) {
	var v uint32
	if r < 0x10000 {
		v = bmpTable[r]
	} else {
		v = astralTable[r]
	}
	switch {
	case v == 0:
		f.Runes = append(f.Runes, r)
		f.Orig = append(f.Orig, idx)
	case v == dropMark:
	case v&expandFlag != 0:
		off, n := (v&^expandFlag)>>8, v&0xff
		for _, e := range expansions[off : off+n] {
			f.Runes = append(f.Runes, e)
			f.Orig = append(f.Orig, idx)
		}
	default:
		f.Runes = append(f.Runes, rune(v))
		f.Orig = append(f.Orig, idx)
	}
}

// Rune returns the folded form of a single rune (possibly empty). It is the
// per-rune table Fold uses, exposed for building phrase lists.
func Rune(r rune) []rune {
	var f Folder
	f.appendRune(r, 0)
	return f.Runes
}

// Table encoding: 0 = the rune folds to itself; dropMark = the rune is
// removed; a value with expandFlag set holds offset<<8|length into
// expansions; anything else is the single replacement rune.
const (
	dropMark   = 0xFFFFFFFF
	expandFlag = 0x80000000
)

var (
	bmpTable    [0x10000]uint32
	astralTable = map[rune]uint32{}
	expansions  []rune
)

func init() {
	buildClasses()
	buildTables()
}

// astralBlocks are the supplementary-plane ranges that need folding:
// mathematical alphanumerics and enclosed/squared letters (styled text used
// to dodge filters), CJK compatibility ideographs, tags and variation
// selectors. Traditional characters outside the BMP are added from the t2s
// table directly.
var astralBlocks = [][2]rune{
	{0x1D400, 0x1D7FF}, // mathematical alphanumeric symbols
	{0x1F100, 0x1F1FF}, // enclosed alphanumeric supplement
	{0x1FBF0, 0x1FBF9}, // segmented digits
	{0x2F800, 0x2FA1F}, // CJK compatibility ideographs supplement
	{0xE0000, 0xE007F}, // tags
	{0xE0100, 0xE01EF}, // variation selectors supplement
}

func buildTables() {
	t2s := pairMap(t2sPairs)
	radicals := pairMap(radicalPairs)
	folder := cases.Fold()

	// step folds one rune once: compatibility decomposition, case folding,
	// then look-alikes, radicals and traditional characters.
	step := func(r rune) []rune {
		if drop(r) {
			return nil
		}
		if unicode.IsSpace(r) {
			if r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029 {
				return []rune{'\n'}
			}
			return []rune{' '}
		}
		if r >= 0xAC00 && r <= 0xD7A3 { // Hangul syllables: decomposing would split them into jamo
			return []rune{r}
		}
		if to, ok := radicals[r]; ok {
			r = to
		}
		s := folder.String(norm.NFKD.String(string(r)))
		out := make([]rune, 0, 2)
		for _, c := range s {
			if drop(c) {
				continue
			}
			if unicode.IsSpace(c) {
				c = ' '
			}
			if to, ok := homoglyphs[c]; ok {
				c = to
			}
			if to, ok := radicals[c]; ok {
				c = to
			}
			if to, ok := t2s[c]; ok {
				c = to
			}
			if to, ok := cjkVariants[c]; ok {
				c = to
			}
			out = append(out, c)
		}
		return out
	}
	// full folds to a fixed point so that folding is idempotent even when
	// one table's output is another table's input.
	var full func(r rune, depth int) []rune
	full = func(r rune, depth int) []rune {
		first := step(r)
		if depth > 4 || (len(first) == 1 && first[0] == r) {
			return first
		}
		var out []rune
		for _, c := range first {
			if c == r {
				out = append(out, c)
				continue
			}
			out = append(out, full(c, depth+1)...)
		}
		return out
	}
	encode := func(r rune, out []rune) (uint32, bool) {
		switch {
		case len(out) == 0:
			return dropMark, true
		case len(out) == 1 && out[0] == r:
			return 0, false
		case len(out) == 1:
			return uint32(out[0]), true
		}
		off := len(expansions)
		expansions = append(expansions, out...)
		return expandFlag | uint32(off)<<8 | uint32(len(out)), true
	}
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			bmpTable[r] = 0xFFFD
			continue
		}
		v, _ := encode(r, full(r, 0))
		bmpTable[r] = v
	}
	addAstral := func(r rune) {
		if v, ok := encode(r, full(r, 0)); ok {
			astralTable[r] = v
		}
	}
	for _, b := range astralBlocks {
		for r := b[0]; r <= b[1]; r++ {
			addAstral(r)
		}
	}
	for from, to := range t2s {
		if from >= 0x10000 {
			addAstral(from)
		}
		if to >= 0x10000 {
			addAstral(to)
		}
	}
}

func pairMap(s string) map[rune]rune {
	m := make(map[rune]rune, len(s)/6)
	rs := []rune(s)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
}

// drop reports whether r is invisible or decorative: format characters
// (zero-width space and joiners, bidi controls, soft hyphen, BOM),
// combining marks, variation selectors and control characters other than
// whitespace.
func drop(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Cf, r):
		return true
	case unicode.IsControl(r) && !unicode.IsSpace(r):
		return true
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	case r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0: // Hangul fillers render as blanks
		return true
	case r == 0x034F: // combining grapheme joiner
		return true
	}
	return false
}

// homoglyphs maps letters that look like ASCII letters (after case folding)
// to those letters, plus typographic quotes and dashes to their ASCII forms.
// Only shapes that are confusable in common fonts are listed; genuine
// Cyrillic or Greek text is not a goal of this screen.
var homoglyphs = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o',
	'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ь': 'b', 'і': 'i', 'ї': 'i',
	'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ɡ': 'g',
	'п': 'n', 'г': 'r', 'ѵ': 'v', 'ү': 'y', 'ҽ': 'e', 'ԍ': 'g', 'ʏ': 'y',
	// Greek
	'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o',
	'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w', 'η': 'n', 'μ': 'u', 'ς': 'c',
	'ϲ': 'c', 'ϳ': 'j', 'ϵ': 'e',
	// Armenian
	'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'ց': 'g', 'զ': 'q',
	// Latin letters without a decomposition
	'ı': 'i', 'ȷ': 'j', 'ɑ': 'a', 'ɩ': 'i', 'ʟ': 'l', 'ø': 'o', 'đ': 'd', 'ł': 'l',
	'ħ': 'h', 'ŧ': 't', 'ɵ': 'o', 'ƅ': 'b', 'ɪ': 'i', 'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c',
	'ᴅ': 'd', 'ᴇ': 'e', 'ɢ': 'g', 'ʜ': 'h', 'ᴊ': 'j', 'ᴋ': 'k', 'ᴍ': 'm', 'ɴ': 'n',
	'ᴏ': 'o', 'ᴘ': 'p', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't', 'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w',
	'ᴢ': 'z',
	// punctuation
	'‘': '\'', '’': '\'', '‛': '\'', 'ʼ': '\'', 'ʻ': '\'', '′': '\'', '`': '\'', '´': '\'',
	'‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', '﹘': '-',
	'“': '"', '”': '"', '„': '"', '″': '"',
}

// cjkVariants merges simplified characters that are used interchangeably
// in the words the screen looks for (帳戶 folds to 帐户, which mainland text
// writes 账户).
var cjkVariants = map[rune]rune{'帐': '账'}

// IsHan reports whether r is an ideograph or another CJK letter that is
// written without spaces between words (kana, hangul). Such runes carry no
// word boundaries.
func IsHan(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	if r < 0x10000 {
		return classes[r]&classHan != 0
	}
	return isHanSlow(r)
}

func isHanSlow(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// Rune classes, precomputed for the BMP because unicode.Is on range tables
// is the slowest part of building a key view otherwise.
const (
	classLetter uint8 = 1 << iota // a letter other than an ideograph
	classDigit
	classHan
)

var classes [0x10000]uint8

func buildClasses() {
	for r := rune(0); r < 0x10000; r++ {
		var c uint8
		switch {
		case r >= 0x2E80 && isHanSlow(r):
			c = classHan
		case unicode.IsLetter(r):
			c = classLetter
		case unicode.IsDigit(r):
			c = classDigit
		}
		classes[r] = c
	}
}

// String folds s and returns only the folded string, for callers that do
// not need offsets (phrase lists, tests).
func String(s string) string {
	var f Folder
	f.Fold(s)
	return string(f.Runes)
}

// Deleet appends to dst the runes of src with leetspeak undone inside
// alphabetic tokens and reports whether anything changed. one is what '1'
// becomes ('i' or 'l': "k1ll" needs 'l', "f1l1ng" needs 'i'). A token is a
// run of printable ASCII; it is de-leeted only when it contains an ASCII
// letter, so "$480", "4" and "1-800-555-0199" keep their digits, and
// number-plus-unit tokens ("5pm", "1st", "24h") are left alone.
func Deleet(dst, src []rune, one rune) ([]rune, bool) {
	if !MayBeLeet(src) {
		return append(dst, src...), false
	}
	changed := false
	// lastLeet is where the previous de-leeted token ended in dst, and
	// pending a digit-only token after it that waits to see whether the
	// next token is leetspeak too ("7h15 15 7h3" - the middle "15" reads
	// "is" only between leet words).
	lastLeet, pendingFrom, pendingTo := -1, -1, -1
	gapOK := func(from, to int) bool { // only spaces between two tokens
		for _, c := range dst[from:to] {
			if c != ' ' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(src); {
		if !leetTokenRune(src[i]) {
			dst = append(dst, src[i])
			i++
			continue
		}
		j := i
		letters, leet, digitsOnly := 0, 0, true
		for j < len(src) && leetTokenRune(src[j]) {
			c := src[j]
			if c >= 'a' && c <= 'z' {
				letters++
			} else if isLeet(c) {
				leet++
			}
			if !strings.ContainsRune("0134578", c) {
				digitsOnly = false
			}
			j++
		}
		tok := src[i:j]
		start := len(dst)
		if letters == 0 || leet == 0 || numberWithUnit(tok) {
			dst = append(dst, tok...)
			if digitsOnly && lastLeet >= 0 && gapOK(lastLeet, start) {
				pendingFrom, pendingTo = start, len(dst)
			} else {
				pendingFrom = -1
			}
			i = j
			continue
		}
		if pendingFrom >= 0 && gapOK(pendingTo, start) {
			for x := pendingFrom; x < pendingTo; x++ {
				dst[x] = leetLetter(dst[x], one)
			}
			changed = true
		}
		pendingFrom = -1
		for k, c := range tok {
			out := c
			switch c {
			case '$':
				// "$" opening a number is a currency sign, not an s
				// ("US $20"); inside a word ("l0$3r") it is an s.
				if (k == 0 || !leetOrLetter(tok[k-1])) && k+1 < len(tok) && tok[k+1] >= '0' && tok[k+1] <= '9' {
					out = c
				} else {
					out = 's'
				}
			case '!', '|':
				// Only inside a word: "k!ll", "ki||", not "hi!".
				if k > 0 && k+1 < len(tok) && leetOrLetter(tok[k-1]) && leetOrLetter(tok[k+1]) {
					if c == '!' {
						out = 'i'
					} else {
						out = 'l'
					}
				}
			default:
				out = leetLetter(c, one)
			}
			if out != c {
				changed = true
			}
			dst = append(dst, out)
		}
		lastLeet = len(dst)
		i = j
	}
	return dst, changed
}

// MayBeLeet reports whether src has a leet digit or symbol next to an
// ASCII letter, the precondition for Deleet to change anything; most
// messages have none and skip the de-leeted view.
func MayBeLeet(src []rune) bool {
	for i, c := range src {
		if c < '!' || c > '|' || !isLeet(c) {
			continue
		}
		if (i > 0 && src[i-1] >= 'a' && src[i-1] <= 'z') || (i+1 < len(src) && src[i+1] >= 'a' && src[i+1] <= 'z') {
			return true
		}
	}
	return false
}

// leetLetter maps a leet digit or symbol to its letter.
func leetLetter(c, one rune) rune {
	switch c {
	case '0':
		return 'o'
	case '1':
		return one
	case '3':
		return 'e'
	case '4':
		return 'a'
	case '5':
		return 's'
	case '7':
		return 't'
	case '8':
		return 'b'
	case '@':
		return 'a'
	}
	return c
}

// leetTokenRune reports runes that can be part of a leetspeak token:
// ASCII letters, digits and the symbols used as letters. Anything else
// ends a token, so "inv-2291" is "inv" and "2291" (neither is leetspeak)
// and "2,150.00元" is no token with letters at all.
func leetTokenRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '$' || c == '!' || c == '|'
}

func isLeet(c rune) bool {
	switch c {
	case '0', '1', '3', '4', '5', '7', '8', '@', '$', '!', '|':
		return true
	}
	return false
}

func leetOrLetter(c rune) bool { return (c >= 'a' && c <= 'z') || isLeet(c) }

// numberWithUnit reports tokens such as "5pm", "10am", "1st", "24h", "30min",
// "2x" (after trimming punctuation), which are numbers, not leetspeak.
func numberWithUnit(tok []rune) bool {
	s := strings.Trim(string(tok), ".,;:!?()[]\"'")
	i := 0
	for i < len(s) && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ',' || s[i] == ':' || s[i] == '$' || s[i] == '#') {
		i++
	}
	if i == 0 {
		return false
	}
	switch s[i:] {
	case "am", "pm", "st", "nd", "rd", "th", "h", "hr", "hrs", "m", "min", "mins", "s", "sec", "d", "k", "x", "mo", "yr", "yrs", "kg", "km", "g", "gb", "mb", "":
		return true
	}
	return false
}
