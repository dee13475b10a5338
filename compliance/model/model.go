// Package model is the learned second stage of the content screen: a
// multinomial logistic regression over hashed character and word n-grams
// of the folded text, with one class per block category and one for
// "allow".
//
// The rule packs are precise but only know the wording they list; on
// sentences written after them they catch two thirds to four fifths of
// the violations. The model reads the rest: it is trained on the
// project's own labelled messages (compliance/testdata, never the
// evaluation sets) by `go generate ./compliance/model`, which writes
// weights.bin; the same command always writes the same bytes. The screen
// blocks on it only above a threshold chosen, by cross-validation at
// training time, to keep false blocks on held-out allowed messages under
// a fixed rate.
package model

//go:generate go run ./gen -out weights.bin

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode"

	"github.com/parley-dev/parley/compliance/normalize"
)

// Allow is the class of messages that may be sent.
const Allow = "allow"

// maxClasses bounds the class count, so that Score keeps its sums on the
// stack.
const maxClasses = 16

// Model scores a text for each class.
type Model struct {
	Classes   []string  // Classes[0] is Allow
	Threshold float32   // block when 1 - P(allow) reaches it
	bias      []float32 // per class
	scale     []float32 // per class: weight = int8 * scale
	weights   []int8    // bucket-major: weights[b*len(Classes)+c]
	buckets   uint32
}

//go:embed weights.bin
var embedded []byte

// Default returns the model committed with the package.
func Default() (*Model, error) { return Decode(bytes.NewReader(embedded)) }

// Scratch is the per-call working memory of Score; reuse it to avoid
// allocating.
type Scratch struct {
	folder normalize.Folder
	feats  []uint32
	logits []float32
}

// Score returns the probability of each class for a folded text (runes as
// compliance/normalize folds them). approved is the message's
// legal_action_approved flag, a feature of its own.
func (m *Model) Score(s *Scratch, folded []rune, approved bool, probs []float32) []float32 {
	s.feats = AppendFeatures(s.feats[:0], folded, approved, m.buckets)
	return m.scoreFeatures(s, probs)
}

// ScoreText folds text and scores it.
func (m *Model) ScoreText(s *Scratch, text string, approved bool, probs []float32) []float32 {
	s.folder.Fold(text)
	return m.Score(s, s.folder.Runes, approved, probs)
}

func (m *Model) scoreFeatures(s *Scratch, probs []float32) []float32 {
	nc := len(m.Classes)
	s.logits = append(s.logits[:0], m.bias...)
	var accBuf [maxClasses]int32
	acc := accBuf[:nc]
	for _, f := range s.feats {
		row := m.weights[int(f)*nc : int(f)*nc+nc]
		for c, w := range row {
			acc[c] += int32(w)
		}
	}
	for c := range nc {
		s.logits[c] += float32(acc[c]) * m.scale[c]
	}
	return softmax(s.logits, probs[:0])
}

func softmax(logits, dst []float32) []float32 {
	mx := logits[0]
	for _, l := range logits[1:] {
		mx = max(mx, l)
	}
	var sum float32
	for _, l := range logits {
		e := float32(math.Exp(float64(l - mx)))
		dst = append(dst, e)
		sum += e
	}
	for i := range dst {
		dst[i] /= sum
	}
	return dst
}

// Blocks reports whether probs (from Score) reach the block threshold:
// the probability of any block category, 1 - P(allow), against Threshold.
// Which category is for the caller to decide.
func (m *Model) Blocks(probs []float32) bool { return 1-probs[0] >= m.Threshold }

// Feature hashing: FNV-1a over the n-gram's runes, seeded by its kind so
// that a character bigram and a word never share a bucket by design.
const (
	kindChar = iota + 1
	kindWord
	kindWordPair
	kindFlag
)

func hashStart(kind uint32) uint32 { return (2166136261 ^ kind) * 16777619 }

func hashRune(h uint32, r rune) uint32 {
	for v := uint32(r); ; v >>= 8 {
		h = (h ^ (v & 0xff)) * 16777619
		if v < 0x100 {
			return h
		}
	}
}

// AppendFeatures appends the hashed features of a folded text: character
// n-grams of length 2 to 4 (1 to 3 for ideographs, which carry a word
// each), Latin words and word pairs, and a flag for approved legal
// action. Runs of anything but letters and digits count as one space.
func AppendFeatures(dst []uint32, folded []rune, approved bool, buckets uint32) []uint32 {
	var buf [256]rune
	text := buf[:0]
	space := true
	text = append(text, ' ')
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if r >= '0' && r <= '9' {
				r = '0' // any digit: amounts and dates are not the point
			}
			text = append(text, r)
			space = false
		} else if !space {
			text = append(text, ' ')
			space = true
		}
	}
	if !space {
		text = append(text, ' ')
	}
	for i := range text {
		hanRun := normalize.IsHan(text[i])
		lo, hi := 2, 4
		if hanRun {
			lo, hi = 1, 3
		}
		h := hashStart(kindChar)
		for n := 1; n <= hi && i+n <= len(text); n++ {
			h = hashRune(h, text[i+n-1])
			if n >= lo {
				dst = append(dst, h%buckets)
			}
		}
	}
	// Latin words and adjacent pairs.
	var prev uint32
	havePrev := false
	for i := 0; i < len(text); {
		if text[i] == ' ' || normalize.IsHan(text[i]) {
			havePrev = havePrev && text[i] == ' '
			i++
			continue
		}
		j := i
		h := hashStart(kindWord)
		for j < len(text) && text[j] != ' ' && !normalize.IsHan(text[j]) {
			h = hashRune(h, text[j])
			j++
		}
		dst = append(dst, h%buckets)
		if havePrev {
			hp := (hashStart(kindWordPair) ^ prev) * 16777619
			dst = append(dst, ((hp^h)*16777619)%buckets)
		}
		prev, havePrev = h, true
		i = j
	}
	if approved {
		dst = append(dst, hashRune(hashStart(kindFlag), 'a')%buckets)
	}
	return dst
}

// File format (little-endian): "PSM1", classes (uint32 count, then
// uint16-length names), buckets uint32, threshold float32, bias and scale
// (float32 per class), weights (int8, bucket-major).
var magic = [4]byte{'P', 'S', 'M', '1'}

// Encode writes m in the format Decode reads.
func (m *Model) Encode(w io.Writer) error {
	var b bytes.Buffer
	b.Write(magic[:])
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, uint32(len(m.Classes))))
	for _, c := range m.Classes {
		b.Write(le.AppendUint16(nil, uint16(len(c))))
		b.WriteString(c)
	}
	b.Write(le.AppendUint32(nil, m.buckets))
	b.Write(le.AppendUint32(nil, math.Float32bits(m.Threshold)))
	for _, xs := range [][]float32{m.bias, m.scale} {
		for _, x := range xs {
			b.Write(le.AppendUint32(nil, math.Float32bits(x)))
		}
	}
	for _, x := range m.weights {
		b.WriteByte(byte(x))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Decode reads a model written by Encode.
func Decode(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	bad := func(what string) error { return fmt.Errorf("screen model: %s", what) }
	if len(data) < 8 || !bytes.Equal(data[:4], magic[:]) {
		return nil, bad("not a model file")
	}
	le := binary.LittleEndian
	p := data[4:]
	u32 := func() (uint32, error) {
		if len(p) < 4 {
			return 0, bad("truncated")
		}
		v := le.Uint32(p)
		p = p[4:]
		return v, nil
	}
	nc, err := u32()
	if err != nil {
		return nil, err
	}
	if nc < 2 || nc > maxClasses {
		return nil, bad("bad class count")
	}
	m := &Model{}
	for range nc {
		if len(p) < 2 {
			return nil, bad("truncated")
		}
		n := int(le.Uint16(p))
		p = p[2:]
		if len(p) < n {
			return nil, bad("truncated")
		}
		m.Classes = append(m.Classes, string(p[:n]))
		p = p[n:]
	}
	if m.Classes[0] != Allow {
		return nil, bad("first class is not allow")
	}
	if m.buckets, err = u32(); err != nil {
		return nil, err
	}
	t, err := u32()
	if err != nil {
		return nil, err
	}
	m.Threshold = math.Float32frombits(t)
	for _, dst := range []*[]float32{&m.bias, &m.scale} {
		for range nc {
			v, err := u32()
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, math.Float32frombits(v))
		}
	}
	if m.buckets == 0 || uint64(len(p)) != uint64(m.buckets)*uint64(nc) {
		return nil, errors.New("screen model: weight table size does not match")
	}
	m.weights = make([]int8, len(p))
	for i, b := range p {
		m.weights[i] = int8(b)
	}
	return m, nil
}
