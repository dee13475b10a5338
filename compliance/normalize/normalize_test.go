package normalize_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance/normalize"
)

func TestTextFolds(t *testing.T) {
	tests := []struct {
		name, in, folded, deleeted string
	}{
		{"case and full width", "ＦＢＩ Notice", "fbi notice", ""},
		{"zero width", "e\u200bm\u200cp\u200dl\u2060o\ufeffyer", "employer", ""},
		{"combining marks", "cafe\u0301 naïve", "cafe naive", ""},
		{"cyrillic homoglyphs", "lаwѕuit аrrеѕt", "lawsuit arrest", ""},
		{"greek homoglyphs", "κιll yου", "kill you", ""},
		{"math alphanumerics", "𝐤𝐢𝐥𝐥 ⓚ", "kill k", ""},
		{"compatibility ligature", "ﬁne", "fine", ""},
		{"sharp s", "Straße", "strasse", ""},
		{"traditional chinese", "這裡是公安局經偵大隊，凍結帳戶", "这里是公安局经侦大队,冻结账户", ""},
		{"kangxi and supplement radicals", "告诉你⽗⺟和你⽼板", "告诉你父母和你老板", ""},
		{"cjk compatibility ideograph", "\uF900", "岂", ""},
		{"typographic quotes and dashes", "we’ll — ok", "we'll - ok", ""},
		{"leet only in words", "pay $480 now u l0$3r", "pay $480 now u l0$3r", "pay $480 now u loser"},
		{"leet keeps numbers with units", "by 5pm on the 1st, d34db34t", "by 5pm on the 1st, d34db34t", "by 5pm on the 1st, deadbeat"},
		{"leet does not cross ideographs", "2,150.00元到期。you", "2,150.00元到期。you", ""},
		{"invoice numbers are not leet", "INV-2291 h0me", "inv-2291 h0me", "inv-2291 home"},
		{"whitespace", "a\tb\r\nc\u00a0d", "a b\n\nc d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := normalize.Text(tt.in)
			if r.Folded != tt.folded {
				t.Errorf("Folded = %q, want %q", r.Folded, tt.folded)
			}
			want := tt.deleeted
			if want == "" {
				want = tt.folded
			}
			if r.Deleeted != want {
				t.Errorf("Deleeted = %q, want %q", r.Deleeted, want)
			}
			checkOffsets(t, tt.in, r)
		})
	}
}

// checkOffsets verifies the offset map: one entry per folded rune,
// non-decreasing, each a valid rune index of the input.
func checkOffsets(t *testing.T, in string, r normalize.Result) {
	t.Helper()
	n := utf8.RuneCountInString(in)
	if got := utf8.RuneCountInString(r.Folded); got != len(r.Offsets) {
		t.Fatalf("%d offsets for %d folded runes", len(r.Offsets), got)
	}
	if utf8.RuneCountInString(r.Deleeted) != len(r.Offsets) {
		t.Fatalf("Deleeted has %d runes, Folded %d", utf8.RuneCountInString(r.Deleeted), len(r.Offsets))
	}
	prev := 0
	for i, o := range r.Offsets {
		if o < prev || o >= n {
			t.Fatalf("offset %d = %d (prev %d, %d runes in input)", i, o, prev, n)
		}
		prev = o
	}
}

func TestOffsetsPointAtOriginalRunes(t *testing.T) {
	in := "Ｗｅ​ will 坐 牢"
	r := normalize.Text(in)
	orig := []rune(in)
	folded := []rune(r.Folded)
	for i, f := range folded {
		if f == ' ' {
			continue
		}
		o := orig[r.Offsets[i]]
		if string(normalize.Rune(o)) != string(f) {
			t.Errorf("folded %q at %d maps to original %q", f, i, o)
		}
	}
}

func TestIdempotent(t *testing.T) {
	for _, s := range []string{"ＦＢＩ", "這裡 Straße ﬁ", "l0$3r", "⽗⺟", "e\u0301", "ǅ ǈ Ǳ", "ᾈ ΐ", "İstanbul"} {
		once := normalize.String(s)
		if twice := normalize.String(once); twice != once {
			t.Errorf("fold(%q) = %q, fold again = %q", s, once, twice)
		}
	}
}

func TestKeyViewRemovesSeparatorsKeepsBoundaries(t *testing.T) {
	tests := []struct {
		in, key string
	}{
		{"k.i.l.l you", "killyou"},
		{"坐 牢, 坐*牢", "坐牢坐牢"},
		{"we'll; he'll; won't; can't; don't; let's; Patel's", "wewillhewillwillnotcannotdonotletuspatel"},
		{"$1,850 by 5pm, every 15 minutes", "#by#pmevery#minutes"},
		{"每天打五十个电话，一直打，万一", "每天打#个电话一直打万一"},
		{"gonna", "goingto"},
	}
	for _, tt := range tests {
		var k normalize.KeyView
		k.Build([]rune(normalize.String(tt.in)), normalize.KeyOptions{})
		if string(k.Bytes) != tt.key {
			t.Errorf("key(%q) = %q, want %q", tt.in, k.Bytes, tt.key)
		}
	}
}

// TestKeyViewWordBoundaries checks the flags that keep "skill you" from
// matching "kill you": the k of skill does not start a word.
func TestKeyViewWordBoundaries(t *testing.T) {
	var k normalize.KeyView
	k.Build([]rune("skill you 坐牢"), normalize.KeyOptions{})
	key := string(k.Bytes)
	at := strings.Index(key, "kill")
	if k.Runes[at].Flags&normalize.WordStart != 0 {
		t.Error("k of skill flagged as word start")
	}
	if k.Runes[0].Flags&normalize.WordStart == 0 || k.Runes[at+3].Flags&normalize.WordEnd == 0 {
		t.Error("skill not flagged as one word")
	}
	han := strings.Index(key, "坐")
	if f := k.Runes[k.RuneAt[han]].Flags; f&(normalize.WordStart|normalize.WordEnd|normalize.Han) != normalize.WordStart|normalize.WordEnd|normalize.Han {
		t.Errorf("ideograph flags = %b", f)
	}
}

func TestInformalAndPinyinViews(t *testing.T) {
	var k normalize.KeyView
	d, _ := normalize.Deleet(nil, []rune("w3 kn0w wh3r3 u l1v3 2moro"), 'i')
	k.Build(d, normalize.KeyOptions{Informal: true})
	if got, want := string(k.Bytes), "weknowwhereyoulivetomorrow"; got != want {
		t.Errorf("informal key = %q, want %q", got, want)
	}
	if !normalize.HasInformal([]rune("see u soon")) || normalize.HasInformal([]rune("see you in 2 days")) {
		t.Error("HasInformal")
	}
	src := []rune(normalize.String("他说要去 fa yuan 了，this is a reminder"))
	mask, any := normalize.PinyinMask(src, nil, 4)
	if !any {
		t.Fatal("no pinyin found")
	}
	k.Build(src, normalize.KeyOptions{Pinyin: true, Mask: mask})
	if got := string(k.Bytes); !strings.Contains(got, "shuoyaoqufayuanle") || strings.Contains(got, "reminder") {
		t.Errorf("pinyin view = %q", got)
	}
	if _, any := normalize.PinyinMask([]rune("this is a reminder about your bill"), nil, 4); any {
		t.Error("English taken for pinyin")
	}
	if got := normalize.PinyinOf('坐') + normalize.PinyinOf('牢'); got != "zuolao" {
		t.Errorf("pinyin = %q", got)
	}
}

func TestCoder(t *testing.T) {
	c, err := normalize.NewCoder([]string{"坐牢", "kill"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d", c.Len())
	}
	got := c.Encode("坐牢x你")
	if len(got) != 2+2+1+1 || got[4] != 'x' || got[5] != normalize.Other {
		t.Errorf("Encode = % x", got)
	}
	var k normalize.KeyView
	k.Build([]rune("去坐牢"), normalize.KeyOptions{Coder: c})
	if string(k.Bytes) != string([]byte{normalize.Other})+c.Encode("坐牢") || len(k.RuneAt) != len(k.Bytes) {
		t.Errorf("coded key = % x", k.Bytes)
	}
}

// FuzzText checks on arbitrary input that folding is idempotent, that the
// offset map is well formed, and that key views never point outside the
// folded text.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "ＦＢＩ", "k.i.l.l", "坐 牢", "l0$3r", "we'll", "\xff\xfe", "這裡", "ǅ", "2moro u"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := normalize.Text(s)
		if again := normalize.Text(r.Folded).Folded; again != r.Folded {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, r.Folded, again)
		}
		n := utf8.RuneCountInString(s)
		if len(r.Offsets) != utf8.RuneCountInString(r.Folded) {
			t.Fatalf("%d offsets for %d runes", len(r.Offsets), utf8.RuneCountInString(r.Folded))
		}
		for i, o := range r.Offsets {
			if o < 0 || o >= n || (i > 0 && o < r.Offsets[i-1]) {
				t.Fatalf("bad offset %d at %d", o, i)
			}
		}
		folded := []rune(r.Folded)
		for _, opt := range []normalize.KeyOptions{{}, {Informal: true}, {Pinyin: true}} {
			var k normalize.KeyView
			k.Build(folded, opt)
			if len(k.RuneAt) != len(k.Bytes) {
				t.Fatalf("RuneAt has %d entries for %d bytes", len(k.RuneAt), len(k.Bytes))
			}
			for _, kr := range k.Runes {
				if kr.Src < 0 || kr.End > int32(len(folded)) || kr.Src >= kr.End {
					t.Fatalf("key rune range [%d,%d) outside %d folded runes", kr.Src, kr.End, len(folded))
				}
			}
		}
	})
}
