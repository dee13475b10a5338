package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/unicode/norm"
)

// Flag describes one rune of a [KeyView].
type Flag uint8

const (
	// WordStart: the rune begins a word of the folded text (what precedes
	// it is not a letter or digit). Latin phrases must start on one.
	WordStart Flag = 1 << iota
	// WordEnd: the rune ends a word of the folded text.
	WordEnd
	// Han: the rune is an ideograph (or kana, hangul); such text has no
	// spaces, so every Han rune is its own word for boundary checks.
	Han
	// FromHan: the rune is part of the pinyin spelling of an ideograph.
	FromHan
	// Letter: the rune is a letter written in the text (not an ideograph,
	// not a number, not pinyin made up from an ideograph).
	Letter
)

// NumberMark replaces every number in a key view (ASCII digit runs such as
// "1,850", and Chinese numerals followed by a unit, "五十个"), so that a
// phrase like "every 15 minutes" written once matches any number.
const NumberMark = '#'

// Separator stands for runes left out of a masked key view; no phrase
// contains it, so no match spans it.
const Separator = '|'

// KeyOptions selects the variant of a key view.
type KeyOptions struct {
	// Informal expands text-speak tokens ("u" -> "you", "ur" -> "your",
	// "2moro" -> "tomorrow", a lone "4" -> "for"). It is meant for the
	// de-leeted view only: applied to plain text it would garble
	// letter-by-letter spacing ("y o u").
	Informal bool
	// Pinyin spells every ideograph in toneless pinyin, so that phrases
	// written in pinyin ("zuo lao") can match text that mixes pinyin and
	// characters.
	Pinyin bool
	// Mask, when not nil, limits the view to the runes it marks; each run
	// of unmarked runes becomes one Separator. It is used with Pinyin so
	// that only the parts of a message that may be pinyin are spelt out
	// (see PinyinMask).
	Mask []bool
	// Coder, when not nil, writes Bytes in its compact coding instead of
	// UTF-8; the automaton's phrases must be coded with the same Coder.
	Coder *Coder
}

// KeyRune is where one rune of a key view came from.
type KeyRune struct {
	// Src and End are the range [Src, End) of folded runes the key rune
	// was produced from.
	Src, End int32
	// Flags are word-boundary and origin flags.
	Flags Flag
}

// KeyView is the matching form of a folded text: letters, digits and
// ideographs only, with every separator and punctuation mark removed (so
// "k.i.l.l" and "坐 牢" become "kill" and "坐牢"), numbers replaced by
// [NumberMark], contractions expanded ("we'll" -> "we will", without the
// space), and for each rune the range of folded runes it came from and its
// word-boundary flags.
type KeyView struct {
	// Bytes is the UTF-8 text to run a matcher over.
	Bytes []byte
	// RuneAt maps a byte offset of Bytes to the index in Runes of the key
	// rune that byte belongs to.
	RuneAt []int32
	// Runes describes each key rune.
	Runes []KeyRune

	coder *Coder
}

// Len returns the number of key runes.
func (k *KeyView) Len() int { return len(k.Runes) }

// Build replaces the view's contents with the key form of src, a folded
// (or de-leeted) text.
func (k *KeyView) Build(src []rune, opt KeyOptions) {
	k.Bytes = k.Bytes[:0]
	k.RuneAt = k.RuneAt[:0]
	k.Runes = k.Runes[:0]
	k.coder = opt.Coder
	n := len(src)
	mask := opt.Mask
	for i := 0; i < n; {
		r := src[i]
		if mask != nil && !mask[i] {
			if nb := len(k.Bytes); nb > 0 && k.Bytes[nb-1] != Separator {
				k.emit(Separator, int32(i), int32(i+1), 0)
			}
			i++
			continue
		}
		if isWordRune(r) {
			j := i + 1
			simple := r < utf8.RuneSelf
			for j < n {
				c := src[j]
				if mask != nil && !mask[j] {
					break
				}
				if isWordRune(c) {
					if c >= utf8.RuneSelf {
						simple = false
					}
					j++
					continue
				}
				// Keep apostrophes inside words (contractions) and
				// separators inside numbers ("1,850", "4.5") in the token.
				if j+1 < n && ((c == '\'' && isLetter(src[j-1]) && isLetter(src[j+1])) ||
					((c == ',' || c == '.') && isDigit(src[j-1]) && isDigit(src[j+1]))) {
					simple = false
					j += 2
					continue
				}
				break
			}
			if simple && numberWord(src[i:j]) {
				// "every ten minutes" is "every 10 minutes".
				k.emit(NumberMark, int32(i), int32(j), WordStart|WordEnd)
				i = j
				continue
			}
			if simple && !opt.Informal && !maybeExpanded(src[i:j]) {
				k.simple(src, i, j)
			} else {
				k.token(src, i, j, opt)
			}
			i = j
			continue
		}
		if r >= 0x2E80 && IsHan(r) {
			if isCnNumeral(r) {
				j := i + 1
				for j < n && isCnNumeral(src[j]) {
					j++
				}
				if j < n && isCnUnit(src[j]) {
					k.emit(NumberMark, int32(i), int32(j), WordStart|WordEnd|Han)
					i = j
					continue
				}
			}
			if opt.Pinyin {
				if py := PinyinOf(r); py != "" {
					for x := 0; x < len(py); x++ {
						f := FromHan
						if x == 0 {
							f |= WordStart
						}
						if x == len(py)-1 {
							f |= WordEnd
						}
						k.emit(rune(py[x]), int32(i), int32(i+1), f)
					}
					i++
					continue
				}
			}
			k.emit(r, int32(i), int32(i+1), WordStart|WordEnd|Han)
		}
		i++
	}
}

func (k *KeyView) emit(r rune, src, end int32, f Flag) {
	idx := int32(len(k.Runes))
	if r < utf8.RuneSelf {
		k.Bytes = append(k.Bytes, byte(r))
		k.RuneAt = append(k.RuneAt, idx)
	} else {
		if k.coder != nil {
			if k.coder.code(r) == 0 {
				// A rune in no phrase: runs of them collapse into one
				// Other byte, which no match can span anyway.
				if nb := len(k.Bytes); nb > 0 && k.Bytes[nb-1] == Other {
					k.Runes[len(k.Runes)-1].End = end
					return
				}
			}
			k.Bytes = k.coder.AppendRune(k.Bytes, r)
		} else {
			k.Bytes = utf8.AppendRune(k.Bytes, r)
		}
		for len(k.RuneAt) < len(k.Bytes) {
			k.RuneAt = append(k.RuneAt, idx)
		}
	}
	k.Runes = append(k.Runes, KeyRune{Src: src, End: end, Flags: f})
}

// simple emits an ASCII word of letters and digits: the common case.
func (k *KeyView) simple(src []rune, i, j int) {
	first := len(k.Runes)
	for x := i; x < j; {
		c := src[x]
		if c <= '9' {
			y := x + 1
			for y < j && src[y] <= '9' {
				y++
			}
			k.emit(NumberMark, int32(x), int32(y), 0)
			x = y
			continue
		}
		idx := int32(len(k.Runes))
		k.Bytes = append(k.Bytes, byte(c))
		k.RuneAt = append(k.RuneAt, idx)
		k.Runes = append(k.Runes, KeyRune{Src: int32(x), End: int32(x + 1), Flags: Letter})
		x++
	}
	k.Runes[first].Flags |= WordStart
	k.Runes[len(k.Runes)-1].Flags |= WordEnd
}

// numberWord reports English number words from two to a hundred, which
// key views write as NumberMark like digits. "One" is left alone: it is
// a pronoun as often as a number ("no one", "the one you owe").
func numberWord(tok []rune) bool {
	if len(tok) < 3 || len(tok) > 9 {
		return false
	}
	var buf [9]byte
	for i, c := range tok {
		buf[i] = byte(c)
	}
	switch string(buf[:len(tok)]) {
	case "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
		"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
		"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred":
		return true
	}
	return false
}

// maybeExpanded reports whether an ASCII word might be in the always map.
func maybeExpanded(tok []rune) bool {
	return len(tok) >= 4 && len(tok) <= 8 && tok[0] < 128 && alwaysFirst[tok[0]]
}

// emitWord emits an ASCII word standing for the folded range [src, end).
func (k *KeyView) emitWord(w string, src, end int32) {
	for x := 0; x < len(w); x++ {
		f := Letter
		if x == 0 {
			f |= WordStart
		}
		if x == len(w)-1 {
			f |= WordEnd
		}
		k.emit(rune(w[x]), src, end, f)
	}
}

// emitWords emits space-separated replacement words.
func (k *KeyView) emitWords(ws string, src, end int32) {
	for ws != "" {
		w := ws
		if i := strings.IndexByte(ws, ' '); i >= 0 {
			w, ws = ws[:i], ws[i+1:]
		} else {
			ws = ""
		}
		k.emitWord(w, src, end)
	}
}

// token emits the word src[i:j], expanding informal spellings and
// contractions.
func (k *KeyView) token(src []rune, i, j int, opt KeyOptions) {
	tok := src[i:j]
	if len(tok) <= 8 {
		var buf [32]byte
		b := buf[:0]
		ascii := true
		for _, c := range tok {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			b = append(b, byte(c))
		}
		if ascii && len(b) >= 4 && alwaysFirst[b[0]&0x7f] {
			if rep, ok := always[string(b)]; ok {
				k.emitWords(rep, int32(i), int32(j))
				return
			}
		}
		if ascii && opt.Informal {
			if rep, ok := informal[string(b)]; ok {
				k.emitWords(rep, int32(i), int32(j))
				return
			}
		}
	}
	// Contractions: expand so that "he'll" is "he will", never "hell".
	for a := 1; a < len(tok)-1; a++ {
		if tok[a] != '\'' {
			continue
		}
		base, suf := tok[:a], tok[a+1:]
		rest := ""
		switch string(suf) {
		case "ll":
			rest = "will"
		case "re":
			rest = "are"
		case "ve":
			rest = "have"
		case "d":
			rest = "would"
		case "m":
			rest = "am"
		case "s":
			if string(base) == "let" {
				rest = "us"
			} else {
				rest = "-" // possessive or "is": drop
			}
		case "t":
			if base[len(base)-1] != 'n' {
				break
			}
			switch string(base) {
			case "won":
				k.emitWords("will not", int32(i), int32(j))
				return
			case "can":
				k.emitWords("can not", int32(i), int32(j))
				return
			case "ain":
				k.emitWords("is not", int32(i), int32(j))
				return
			case "shan":
				k.emitWords("shall not", int32(i), int32(j))
				return
			}
			k.plain(src, i, i+a-1)
			k.emitWord("not", int32(i+a-1), int32(j))
			return
		}
		if rest == "" {
			break
		}
		k.plain(src, i, i+a)
		if rest != "-" {
			k.emitWord(rest, int32(i+a), int32(j))
		}
		return
	}
	k.plain(src, i, j)
}

// plain emits the word src[i:j] rune by rune, numbers as NumberMark,
// skipping apostrophes and number separators.
func (k *KeyView) plain(src []rune, i, j int) {
	first := len(k.Runes)
	for x := i; x < j; {
		c := src[x]
		if isDigit(c) {
			y := x + 1
			for y < j && (isDigit(src[y]) || ((src[y] == ',' || src[y] == '.') && y+1 < j && isDigit(src[y+1]))) {
				y++
			}
			k.emit(NumberMark, int32(x), int32(y), 0)
			x = y
			continue
		}
		if c != '\'' {
			k.emit(c, int32(x), int32(x+1), Letter)
		}
		x++
	}
	if len(k.Runes) > first {
		k.Runes[first].Flags |= WordStart
		k.Runes[len(k.Runes)-1].Flags |= WordEnd
	}
}

// always holds informal spellings expanded in every view.
var always = map[string]string{
	"gonna": "going to", "wanna": "want to", "gotta": "got to", "gimme": "give me",
	"cannot": "can not", "dont": "do not", "wont": "will not", "cant": "can not",
	"didnt": "did not", "doesnt": "does not", "isnt": "is not", "arent": "are not",
	"wouldnt": "would not", "shouldnt": "should not", "couldnt": "could not",
	"havent": "have not", "hasnt": "has not", "wasnt": "was not", "werent": "were not",
	"youll": "you will", "youre": "you are", "theyll": "they will", "itll": "it will",
}

// alwaysFirst marks the first letters of the always map, so that most
// tokens skip the map lookup.
var alwaysFirst = func() (t [128]bool) {
	for k := range always {
		t[k[0]] = true
	}
	return t
}()

// informal holds text-speak tokens expanded in the informal view only.
var informal = map[string]string{
	"u": "you", "ya": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are",
	"ure": "you are", "ull": "you will", "ill": "i will",
	"2day": "today", "2nite": "tonight", "tonite": "tonight",
	"2morrow": "tomorrow", "2moro": "tomorrow", "2morow": "tomorrow", "2mrw": "tomorrow",
	"tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow",
	"b4": "before", "pls": "please", "plz": "please", "thx": "thanks",
	"cuz": "because", "coz": "because", "bc": "because",
	"imma": "i am going to", "ima": "i am going to", "im": "i am",
	"2": "to", "4": "for", "w8": "wait", "l8r": "later", "gr8": "great",
}

// HasInformal reports whether the folded text contains a text-speak token
// ("u", "ur", "2moro") that only the informal key view expands. Lone
// digits ("4 all") are expanded in that view but do not call for one:
// "pay 2 instalments".
func HasInformal(src []rune) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			i++
			continue
		}
		j := i + 1
		for j < len(src) && (src[j] >= 'a' && src[j] <= 'z' || src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if n := j - i; n <= 7 && c >= 'a' && (j == len(src) || src[j] < utf8.RuneSelf) {
			for _, w := range informalBy[n][c-'a'] {
				if runesEqual(src[i:j], w) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

// informalBy lists the text-speak words that start with a letter, by
// length and first letter, so HasInformal compares a word with a handful
// of candidates instead of hashing it.
var informalBy = func() (t [8][26][]string) {
	for k := range informal {
		if len(k) < 8 && k[0] >= 'a' && k[0] <= 'z' {
			t[len(k)][k[0]-'a'] = append(t[len(k)][k[0]-'a'], k)
		}
	}
	return t
}()

func runesEqual(rs []rune, s string) bool {
	if len(rs) != len(s) {
		return false
	}
	for i, r := range rs {
		if r != rune(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	if r < 0x10000 {
		return classes[r]&classLetter != 0
	}
	return unicode.IsLetter(r) && !IsHan(r)
}

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	if r < 0x10000 {
		return classes[r]&classDigit != 0
	}
	return unicode.IsDigit(r)
}

// isWordRune reports letters (other than ideographs) and digits.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z'
	}
	if r < 0x10000 {
		return classes[r]&(classLetter|classDigit) != 0
	}
	return isLetter(r) || isDigit(r)
}

// IsWordRune reports whether r is part of a word that has boundaries: a
// letter other than an ideograph, or a digit.
func IsWordRune(r rune) bool { return isWordRune(r) }

func isCnNumeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '亿', '几', '半':
		return true
	}
	return false
}

// isCnUnit reports the measure words and units that make a preceding
// numeral a number ("三天", "五十个", "两小时") rather than part of a word
// ("一直", "万一").
func isCnUnit(r rune) bool {
	switch r {
	case '个', '次', '通', '条', '天', '日', '小', '分', '秒', '点', '号', '周', '月', '年', '期', '倍', '元', '块', '遍', '回', '趟', '位', '名', '笔', '岁', '成', '万', '千', '百':
		return true
	}
	return false
}

var (
	pinyinOnce sync.Once
	pinyinIdx  []uint16 // ideograph - 0x3400 -> syllable index + 1
	pinyinSyl  []string
	sylTrie    []sylNode // every toneless syllable, with ü also as v
)

// sylNode is a node of the syllable trie; next is indexed by letter.
type sylNode struct {
	next [26]int32
	end  bool
}

// Latin words that spell pinyin but are, on their own, read otherwise.
const (
	// notPinyin: a name or a syllable people write in English text ("Ms.
	// Wang", "Hong Kong"); it is not taken as pinyin on its own, which
	// keeps the pinyin view of English text small, but it can be part of
	// a pinyin match next to a word that is taken as pinyin.
	notPinyin uint8 = 1 + iota
	// englishPy: an ordinary English word ("hang", "men", "die"); besides,
	// a pinyin match in text without ideographs made only of such words
	// does not count (see EnglishPinyinWord).
	englishPy
)

// maxEnglishPinyin is the length of the longest word in englishPinyin.
const maxEnglishPinyin = 8

// englishPyWords are common English words (the 12,000 most frequent in
// Wikipedia, as listed by the popular-english-words package, that are
// lower-case entries of Debian's American English word list) which split
// into pinyin syllables. Regenerate by filtering those lists with
// isPinyin if the syllable inventory changes.
const englishPyWords = `a abuse academia ace acute adequate again age agenda aim aiming airing alien alike alone along
aluminum alumni am amazing ambition amino among an anger angle announce annoying antenna antique
anyone are area arena aria arise arising aside awaiting aware balance bamboo ban banana bang
banner banning bare base basin being bike bin binding bite bombing bone boom bore boring boxing
buying cabin cache cage cake cam came cameo camera camping can cane cannon canon canyon care
career caring case casino cease ceiling chain champion chance change chase cheese chile chin
china cinema citation cite citing citizen counting cousin cuisine cure dale dam damage dame damn
dance dancing danger dare data database date dating dealing dean debate decade decide deciding
decision deer defense delegate delete deleting deletion demise demo demon den denote dense
denying desire dialogue die ding dining dinner diocese dioxide disease due duke duo during ease
easier eaten eating editing edition educate elite emerge emotion empire ending enduring engage
enhance ensuing ensure ensuring entering entire equation era erosion exile eye facade face
facing fake fame fan fare fashion fate fence focusing footage forum founding fountain fun
funding fuselage fusion future gain gaining gala gale game gaming gamma gang gate gene generate
genocide genome genre guidance guide guiding guinea gun guru hale ham hammer hang hate he
heading healing hearing heating hen hence here heritage house housing huge human hung hunger
hunting jubilee jumping jungle keen keeping ken kin lake lance landing lane language late
latitude laying leading league lean leaning lease lee leisure licence license lie like lime
limiting line lineage liner lion loading loan locate location lone long longer longtime loose
lose losing lounge lung machine madame made magazine maiden main maintain make male mama man
manage mandate manner manning mansion mare maria marina marine maritime mate mating mature
maximum me mean meaning meantime measure media median medicine medium meeting men mention menu
mere merge mesa meta mice mike mile militia mine mini minimize minimum mining minute misuse
mixing mobile mode modeling module molecule mom momentum moon more motion mountain mounting
mouse musician mutation name namesake naming nation nature needing nice niche niece nine
nineteen no node nominate nominee none nonsense noon nose notation note notice noting notion
noun nude nun ocean omega on once one online open opinion orange ore pace pagan page pain
painting palace pale pan patience paying pen pending penguin pension piano pie piece pier pierce
pike pile pin pine ping pioneer podium poem pole police polite polo pose position pure pushing
quantum queen quote quoting ran range ranger reaching reading realize reduce reducing refuge
refugee refuse refusing regain regulate relate relating relation release remain remake remote
rename renaming reside residing resume retain retire retiring rice ride riding rim ring rise
risen rising rite rouge route routine routing rude rue ruin rule ruling run runner running
rushing saga sage sailing sake sale salon same sang satire saying sea seating secure securing
see seeing seem seen semi senate sending sense sentence sequence shade shake shame share sharing
she sheer shin shine shining shire side siding siege silence silver sin since sing singer single
site size song sue suicide suite sum summer sun sung sunrise sunshine sure take taken tale tan
tang taxi tea teaching team teammate teen teenage tempo ten tense tension tenure tide tie tier
time timeline timing tin tire touching touring tuition tune wade wage waiting wake wanna wanting
woman women won wooden wore yoga you young younger zen`

var englishPinyin = func() map[string]uint8 {
	m := map[string]uint8{}
	for _, w := range strings.Fields(`o e ai ou yo ye pa ha la ta bo po mo lo nu tai mai wen nan fen gen chan shan
		mi ti pi ne wan fang dang hong kong wang lang rang`) {
		m[w] = notPinyin
	}
	for _, w := range strings.Fields(englishPyWords) {
		if len(w) > maxEnglishPinyin {
			panic("normalize: englishPyWords: " + w + " is longer than maxEnglishPinyin")
		}
		m[w] = englishPy
	}
	return m
}()

// PinyinMask marks in mask (resized to len(src)) the runes of a folded
// text that may take part in a pinyin match: Latin words that read as a
// sequence of pinyin syllables ("zuo", "lao", "fayuan", "sha bi"), and up
// to window runes on either side of them. It reports whether it marked
// any. Ordinary English words ("reminder", "this") do not read as pinyin,
// so the pinyin view of a bilingual message stays small.
func PinyinMask(src []rune, mask []bool, window int) ([]bool, bool) {
	pinyinOnce.Do(buildPinyin)
	if cap(mask) < len(src) {
		mask = make([]bool, len(src))
	}
	mask = mask[:len(src)]
	clear(mask)
	marked := false
	for i := 0; i < len(src); {
		if !(src[i] >= 'a' && src[i] <= 'z') {
			i++
			continue
		}
		j := i + 1
		for j < len(src) && src[j] >= 'a' && src[j] <= 'z' {
			j++
		}
		if j-i <= 24 && (j == len(src) || !isWordRune(src[j])) && (i == 0 || !isWordRune(src[i-1])) && isPinyin(src[i:j]) && !englishWord(src[i:j]) {
			marked = true
			for x := max(0, i-window); x < min(len(src), j+window); x++ {
				mask[x] = true
			}
		}
		i = j
	}
	return mask, marked
}

func englishWord(w []rune) bool {
	if len(w) > maxEnglishPinyin {
		return false
	}
	var buf [maxEnglishPinyin]byte
	for i, c := range w {
		buf[i] = byte(c)
	}
	return englishPinyin[string(buf[:len(w)])] != 0
}

// EnglishPinyinWord reports whether the lower-case ASCII word w is an
// ordinary English word that also spells pinyin ("hang", "men", "die").
// A pinyin match made only of such words, in a message without a single
// ideograph, is English ("bang on", "hang on", "men die").
func EnglishPinyinWord(w []byte) bool {
	return len(w) <= maxEnglishPinyin && englishPinyin[string(w)] == englishPy
}

// isPinyin reports whether the lower-case ASCII word w splits into pinyin
// syllables.
func isPinyin(w []rune) bool {
	var ok [25]bool
	ok[0] = true
	for start := 0; start < len(w); start++ {
		if !ok[start] {
			continue
		}
		node := int32(0)
		for x := start; x < len(w) && x-start < 6; x++ {
			node = sylTrie[node].next[w[x]-'a']
			if node == 0 {
				break
			}
			if sylTrie[node].end {
				ok[x+1] = true
			}
		}
	}
	return ok[len(w)]
}

func addSyllable(s string) {
	node := int32(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return
		}
		next := sylTrie[node].next[c-'a']
		if next == 0 {
			sylTrie = append(sylTrie, sylNode{})
			next = int32(len(sylTrie) - 1)
			sylTrie[node].next[c-'a'] = next
		}
		node = next
	}
	if node != 0 {
		sylTrie[node].end = true
	}
}

const pinyinBase, pinyinTop = 0x3400, 0x9FFF

// PinyinOf returns the toneless pinyin of an ideograph's first reading
// ("还" -> "hai"), or "" when it has none. The table comes from
// github.com/mozillazg/go-pinyin and is built on first use.
func PinyinOf(r rune) string {
	pinyinOnce.Do(buildPinyin)
	if r < pinyinBase || r > pinyinTop {
		return ""
	}
	if v := pinyinIdx[r-pinyinBase]; v != 0 {
		return pinyinSyl[v-1]
	}
	return ""
}

func buildPinyin() {
	pinyinIdx = make([]uint16, pinyinTop-pinyinBase+1)
	sylTrie = []sylNode{{}}
	ids := map[string]uint16{}
	plain := map[string]string{} // tone-marked reading -> plain; ~1,500 distinct
	for cp, readings := range pinyin.PinyinDict {
		for n := 0; readings != ""; n++ {
			rd := readings
			if i := strings.IndexByte(readings, ','); i >= 0 {
				rd, readings = readings[:i], readings[i+1:]
			} else {
				readings = ""
			}
			syl, seen := plain[rd]
			if !seen {
				syl = StripTones(rd)
				plain[rd] = syl
				if !interjection(syl) {
					addSyllable(syl)
				}
				if strings.ContainsAny(rd, "üǖǘǚǜ") {
					addSyllable(strings.Replace(syl, "u", "v", 1))
				}
			}
			if n > 0 || cp < pinyinBase || cp > pinyinTop {
				continue
			}
			id, ok := ids[syl]
			if !ok {
				pinyinSyl = append(pinyinSyl, syl)
				id = uint16(len(pinyinSyl))
				ids[syl] = id
			}
			pinyinIdx[cp-pinyinBase] = id
		}
	}
}

// interjection reports the vowel-less syllables of interjections (呣 m,
// 嗯 n, ng, 哼 hng, hm). No one spells a threat with them, and as
// syllables they would make English words read as pinyin ("team" as
// te-a-m, "ten" as te-n).
func interjection(syl string) bool {
	switch syl {
	case "m", "n", "ng", "hm", "hng":
		return true
	}
	return false
}

// StripTones turns tone-marked pinyin ("lǜ", "zhōng") into plain ASCII
// ("lu", "zhong").
func StripTones(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, c := range s {
		if c < utf8.RuneSelf {
			b = append(b, byte(c))
			continue
		}
		// Pinyin uses a handful of marked vowels; decompose those to
		// find the base letter and drop the mark.
		for _, d := range norm.NFD.String(string(c)) {
			if d < utf8.RuneSelf {
				b = append(b, byte(d))
			}
		}
	}
	return string(b)
}
