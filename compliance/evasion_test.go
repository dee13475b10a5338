package compliance_test

import (
	"strings"
	"testing"

	"github.com/parley-dev/parley/compliance"
)

// spaced, punct, zw, fw, homo and leet obfuscate a phrase the way the
// screening labels' evasions do.
func spaced(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && r != ' ' {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
func punct(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && r != ' ' && []rune(s)[i-1] != ' ' {
			b.WriteRune('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}
func zw(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 {
			b.WriteRune('\u200b')
		}
		b.WriteRune(r)
	}
	return b.String()
}
func fw(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '~' {
			b.WriteRune(r - '!' + '！')
		} else if r == ' ' {
			b.WriteRune('　')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
func homo(s string) string {
	return strings.NewReplacer("a", "а", "e", "е", "o", "о", "p", "р", "c", "с", "x", "х", "i", "і", "s", "ѕ").Replace(s)
}
func leet(s string) string {
	return strings.NewReplacer("a", "4", "e", "3", "o", "0", "i", "1", "s", "5", "t", "7").Replace(s)
}

// TestEvasions applies each obfuscation to threats the screen must catch
// and checks they are still blocked: the normaliser, not the phrase
// lists, has to see through them.
func TestEvasions(t *testing.T) {
	g := mustGate(t)
	en := []string{"you will be arrested", "we will tell your boss", "you deadbeat", "we know where you sleep",
		"you will get hurt", "we will ring you every hour", "we will sue you tomorrow", "you are a liar",
		"we will post it on facebook", "this is the sheriff"}
	zh := []string{"你等着坐牢吧", "我们会告诉你的家人", "你这个废物", "我弄死你", "我们是公安局的", "明天就起诉你",
		"每小时给你打电话", "你就是个骗子", "发到你的朋友圈", "加收催收费"}
	evasions := []struct {
		name    string
		f       func(string) string
		chinese bool
	}{
		{"spacing", spaced, true}, {"punctuation", punct, true}, {"zero_width", zw, true},
		{"fullwidth", fw, true}, {"homoglyph", homo, false}, {"leet", leet, false},
	}
	for _, ev := range evasions {
		for _, s := range en {
			txt := "Pay now. " + ev.f(s) + "."
			if v := check(t, g, "US", txt, compliance.Context{}); v.Allowed {
				t.Errorf("%s: %q not blocked", ev.name, txt)
			}
		}
		if !ev.chinese {
			continue
		}
		for _, s := range zh {
			txt := "快还钱。" + ev.f(s) + "。"
			if v := check(t, g, "CN", txt, compliance.Context{}); v.Allowed {
				t.Errorf("%s: %q not blocked", ev.name, txt)
			}
		}
	}
}
