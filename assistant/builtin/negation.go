package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Negation: a cue is negated when an odd number of negators stands in the few tokens
// before it (same clause) or inside the gaps of its pattern. "不满意" is a negative
// cue; "不是不满意" negates it. Tokens are Han characters or ASCII words.

const negationWindow = 3 // tokens looked at before a cue

var zhNegators = map[rune]bool{'不': true, '没': true, '别': true, '未': true, '无': true, '非': true, '勿': true, '甭': true, '莫': true, '唔': true, '冇': true}

// zhNotNegation are words in which a negator character does not negate.
var zhNotNegation = []string{
	"不错", "不好意思", "不过", "不少", "差不多", "了不起", "对不起", "不得不", "不管", "不论",
	"无论", "没事", "没关系", "没问题", "非常", "别人", "别的", "不客气", "不然", "要不", "除非",
	"不用谢", "唔该", "无奈", "莫名", "未来", "无聊", "不一会",
	// A-not-A questions ask; they do not negate: 能不能先还一部分？
	"能不能", "可不可以", "行不行", "是不是", "会不会", "要不要", "有没有", "好不好",
	"对不对", "肯不肯", "愿不愿意", "可以不可以", "方不方便", "够不够",
	// Cantonese A-not-A (folded to simplified): 可唔可以分六期还？
	"可唔可以", "得唔得", "系唔系", "有冇", "会唔会", "使唔使", "好唔好", "肯唔肯", "要唔要", "能唔能", "方唔方便",
	"冇问题", "无问题",
}

var zhNotNegationAt = func() map[rune][]struct {
	word   string
	offset int // byte offset of the negator in word
} {
	m := map[rune][]struct {
		word   string
		offset int
	}{}
	for _, w := range zhNotNegation {
		for off, r := range w {
			if zhNegators[r] {
				m[r] = append(m[r], struct {
					word   string
					offset int
				}{w, off})
			}
		}
	}
	return m
}()

func isEnNegator(w string) bool {
	switch w {
	case "not", "no", "never", "cannot", "nor", "without", "neither", "hardly",
		"dont", "wont", "cant", "didnt", "doesnt", "isnt", "arent", "wasnt", "werent",
		"havent", "hasnt", "wouldnt", "couldnt", "shouldnt", "aint", "nothing", "nobody":
		return true
	}
	return strings.HasSuffix(w, "n't")
}

// zhNegatorAt reports whether the rune at byte i is a negator in context.
func (t *text) zhNegatorAt(i int, r rune) bool {
	if !zhNegators[r] {
		return false
	}
	for _, ex := range zhNotNegationAt[r] {
		st := i - ex.offset
		if st >= 0 && strings.HasPrefix(t.s[st:], ex.word) {
			return false
		}
	}
	return true
}

// negatorsBefore counts negators among the negationWindow tokens before byte pos,
// stopping at a clause boundary.
func (t *text) negatorsBefore(pos int) int {
	n, tokens := 0, 0
	i := pos
	for i > 0 && tokens < negationWindow {
		r, size := utf8.DecodeLastRuneInString(t.s[:i])
		switch {
		case r == ' ' || r == '\t':
			i -= size
		case r < utf8.RuneSelf && (isWordByte(byte(r)) || r == '\''):
			j := i
			for j > 0 && (isWordByte(t.s[j-1]) || t.s[j-1] == '\'') {
				j--
			}
			if isEnNegator(t.s[j:i]) {
				n++
			}
			tokens++
			i = j
		case unicode.Is(unicode.Han, r):
			if t.zhNegatorAt(i-size, r) {
				n++
			}
			tokens++
			i -= size
		default:
			return n // punctuation ends the clause
		}
	}
	return n
}

// negatorsIn counts negators in s[a:b].
func (t *text) negatorsIn(a, b int) int {
	n := 0
	for i := a; i < b; {
		r, size := utf8.DecodeRuneInString(t.s[i:])
		switch {
		case r < utf8.RuneSelf && isWordByte(byte(r)):
			j := i
			for j < b && (isWordByte(t.s[j]) || t.s[j] == '\'') {
				j++
			}
			if isEnNegator(t.s[i:j]) {
				n++
			}
			i = j
			continue
		case t.zhNegatorAt(i, r):
			n++
		}
		i += size
	}
	return n
}

// negated reports whether match m is under negation.
func (t *text) negated(m match) bool {
	n := t.negatorsBefore(int(m.start))
	if m.lastStart > m.firstEnd {
		n += t.negatorsIn(int(m.firstEnd), int(m.lastStart))
	}
	return n%2 == 1
}

// interrogative reports whether the clause holding byte pos asks something: it ends
// with a question mark or carries a question particle after pos.
func (t *text) interrogative(pos int) bool {
	for i := pos; i < len(t.s); {
		r, size := utf8.DecodeRuneInString(t.s[i:])
		if r == '吗' || r == '呢' {
			return true
		}
		if isTerminator(t.s, i, r) {
			// "到时候 transfer 800 给你们 ok?": a tag asking consent to a statement
			// does not make the statement a question.
			return r == '?' && !endsWithTag(t.s[pos:i])
		}
		if r == ',' && !(i+1 < len(t.s) && t.s[i+1] >= '0' && t.s[i+1] <= '9') {
			return t.opensWithQuestionWord(pos) // the clause ends
		}
		i += size
	}
	// Texted questions often drop the mark: "whats the payoff if i pay it all".
	// A clause that opens with a question word asks something.
	return t.opensWithQuestionWord(pos)
}

// enQuestionWords open a clause that asks something even without a question mark.
var enQuestionWords = map[string]bool{
	"what": true, "whats": true, "what's": true, "how": true, "hows": true, "how's": true,
	"who": true, "whos": true, "who's": true, "why": true, "where": true, "wheres": true,
	"where's": true, "which": true,
}

// opensWithQuestionWord reports whether the clause holding byte pos starts with an
// English question word.
func (t *text) opensWithQuestionWord(pos int) bool {
	i := pos
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(t.s[:i])
		if r == ',' || isTerminator(t.s, i-size, r) {
			break
		}
		i -= size
	}
	for i < len(t.s) && t.s[i] == ' ' {
		i++
	}
	j := i
	for j < len(t.s) && (isWordByte(t.s[j]) || t.s[j] == '\'') {
		j++
	}
	return j > i && enQuestionWords[t.s[i:j]]
}

// consentTags close a statement with a request for consent: "sending 200 friday, ok?".
var consentTags = []string{" ok", " okay", " alright", " yeah", "ok", "okay"}

// endsWithTag reports whether clause ends with a consent tag standing as its own word.
func endsWithTag(clause string) bool {
	c := strings.TrimRight(clause, " ,")
	for _, tag := range consentTags {
		if !strings.HasSuffix(c, tag) {
			continue
		}
		rest := c[:len(c)-len(tag)]
		if tag[0] == ' ' {
			return strings.TrimSpace(rest) != ""
		}
		// A bare tag counts only after a non-Latin script: "给你们ok?".
		r, _ := utf8.DecodeLastRuneInString(rest)
		return rest != "" && r >= 0x2E80 && r != utf8.RuneError
	}
	return false
}
