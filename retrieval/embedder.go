package retrieval

import (
	"context"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/parley-dev/parley/assistant"
)

// HashEmbedderName names the builtin embedder's vector space. Vectors from different
// names (or dimensions) are not comparable: a store records the name and dimension it
// was filled with, and switching means re-embedding everything.
const HashEmbedderName = "builtin-hash-v1"

// DefaultHashDimension is the builtin embedder's dimension when none is given.
const DefaultHashDimension = 384

// HashEmbedder is the builtin, offline embedder: signed feature hashing of
//   - character 1-, 2- and 3-grams inside runs of Han (and kana, hangul) characters,
//     so Chinese works without word segmentation;
//   - character 3-, 4- and 5-grams inside other words, with boundary marks
//     ("<pay>" gives "<pa", "pay", "ay>", ...), so "paid" and "payment" share features;
//   - whole words (letters and digits).
//
// Text is NFKC-normalised (full-width forms become ASCII) and lower-cased first. Each
// feature's 64-bit FNV-1a hash picks a dimension and a sign, the weights add up, and
// the result is L2-normalised. It is deterministic across runs and machines: the
// hash and the feature rules are fixed for the name "builtin-hash-v1", and changing
// them means a new name (a test pins a vector). Only characters whose Unicode
// properties change between Unicode versions (new in a later Go or x/text) could
// embed differently.
//
// A text with no features (empty, or only spaces and punctuation) gives the zero
// vector: its cosine with anything is 0 (Cosine returns 0; the PostgreSQL store maps
// pgvector's NaN distance to similarity 0), so such an event never outranks a real
// match. The zero vector is the one output that is not unit length.
//
// Safe for concurrent use.
type HashEmbedder struct {
	dim int
}

var _ assistant.Embedder = (*HashEmbedder)(nil)

// NewHashEmbedder returns the builtin embedder with dim dimensions (DefaultHashDimension
// when dim <= 0).
func NewHashEmbedder(dim int) *HashEmbedder {
	if dim <= 0 {
		dim = DefaultHashDimension
	}
	return &HashEmbedder{dim: dim}
}

// Name implements assistant.Embedder.
func (h *HashEmbedder) Name() string { return HashEmbedderName }

// Dimension implements assistant.Embedder.
func (h *HashEmbedder) Dimension() int { return h.dim }

// Embed implements assistant.Embedder. It fails only when ctx is done.
func (h *HashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	// One backing array for the batch: one allocation instead of len(texts).
	backing := make([]float32, len(texts)*h.dim)
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := backing[i*h.dim : (i+1)*h.dim : (i+1)*h.dim]
		h.embedInto(v, t)
		out[i] = v
	}
	return out, nil
}

// EmbedText embeds one text; it never fails.
func (h *HashEmbedder) EmbedText(text string) []float32 {
	v := make([]float32, h.dim)
	h.embedInto(v, text)
	return v
}

// Feature kinds, hashed in as a first byte so that the word "pay" and the trigram
// "pay" land in different places.
const (
	featWord   byte = 'w'
	featLatin  byte = 'l'
	featHan1   byte = '1'
	featHan2   byte = '2'
	featHan3   byte = '3'
	boundaryLo rune = '<'
	boundaryHi rune = '>'
	// maxGramWord bounds the characters of one word that give n-grams.
	maxGramWord = 64
)

// Feature weights. Han bigrams carry most of the meaning of Chinese words (还款, 工资,
// 分期), single characters are noisy, and Latin n-grams are many per word, so each
// counts for less than the word itself.
const (
	weightWord  = 1.0
	weightLatin = 0.35
	weightHan1  = 0.4
	weightHan2  = 1.0
	weightHan3  = 0.7
)

func (h *HashEmbedder) embedInto(v []float32, text string) {
	clear(v)
	if text == "" {
		return
	}
	if !norm.NFKC.IsNormalString(text) {
		text = norm.NFKC.String(text)
	}
	text = strings.ToLower(text)

	// Scan runs of CJK characters and runs of other letters/digits ("words").
	var buf [64]rune
	runes := buf[:0]
	var runKind int // 0 none, 1 cjk, 2 word
	flush := func() {
		switch runKind {
		case 1:
			h.addHan(v, runes)
		case 2:
			h.addWord(v, runes)
		}
		runes, runKind = runes[:0], 0
	}
	for _, r := range text {
		var k int
		switch {
		case isCJK(r):
			k = 1
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			k = 2
		}
		if k != runKind {
			flush()
			runKind = k
		}
		if k != 0 {
			runes = append(runes, r)
		}
	}
	flush()

	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := 1 / math.Sqrt(sum)
	for i := range v {
		v[i] = float32(float64(v[i]) * inv)
	}
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func (h *HashEmbedder) addHan(v []float32, rs []rune) {
	for i := range rs {
		h.add(v, featHan1, rs[i:i+1], weightHan1)
		if i+2 <= len(rs) {
			h.add(v, featHan2, rs[i:i+2], weightHan2)
		}
		if i+3 <= len(rs) {
			h.add(v, featHan3, rs[i:i+3], weightHan3)
		}
	}
}

func (h *HashEmbedder) addWord(v []float32, rs []rune) {
	h.add(v, featWord, rs, weightWord)
	// Character n-grams of "<word>"; a one-character word has none beyond itself
	// worth having. Only the first maxGramWord characters of a very long token (a URL,
	// a pasted blob) give n-grams, so hostile input cannot make embedding expensive.
	if len(rs) < 2 {
		return
	}
	if len(rs) > maxGramWord {
		rs = rs[:maxGramWord]
	}
	var buf [66]rune
	m := append(buf[:0], boundaryLo)
	m = append(m, rs...)
	m = append(m, boundaryHi)
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(m); i++ {
			h.add(v, featLatin, m[i:i+n], weightLatin)
		}
	}
}

// add hashes kind+runes with 64-bit FNV-1a and adds ±w at the hashed dimension.
func (h *HashEmbedder) add(v []float32, kind byte, rs []rune, w float32) {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	hash := uint64(offset64)
	hash ^= uint64(kind)
	hash *= prime64
	var enc [utf8.UTFMax]byte
	for _, r := range rs {
		n := utf8.EncodeRune(enc[:], r)
		for _, b := range enc[:n] {
			hash ^= uint64(b)
			hash *= prime64
		}
	}
	// The low bits pick the dimension, the top bit the sign: signed hashing keeps
	// collisions from adding up to a bias (Weinberger et al., 2009).
	idx := int(hash % uint64(len(v)))
	if hash>>63 == 1 {
		w = -w
	}
	v[idx] += w
}
