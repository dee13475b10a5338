package compliance_test

import (
	"testing"

	"github.com/parley-dev/parley/compliance"
)

// TestPinyinBoundaries: a phrase written in pinyin matches only when every
// Latin word covers whole syllables of it, and English that happens to
// spell pinyin is read as English.
func TestPinyinBoundaries(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		name, j, text string
		block         bool
	}{
		// Still caught: pinyin evasions, spaced, run together, capitals,
		// hyphens, inside Chinese text.
		{"zuo lao", "CN", "zuo lao", true},
		{"zuolao", "CN", "bu huan jiu zuolao", true},
		{"ni hui bei zhua", "CN", "ni hui bei zhua", true},
		{"bao tong xun lu", "CN", "bao tong xun lu", true},
		{"an di", "CN", "ni hui liu an di", true},
		{"andi", "CN", "liu andi", true},
		{"AN-DI", "CN", "LIU AN-DI", true},
		{"an di in Chinese", "CN", "你会留下 an di 的", true},
		{"gun dan", "CN", "gun dan", true},
		{"sha bi in Chinese", "CN", "你就是个 sha bi", true},
		{"pinyin in US text too", "US", "你等着 zuo lao 吧", true},

		// English: the syllables fall inside words.
		{"and I", "CN", "I can hear that you are frustrated, and I'm sorry this has been stressful.", false},
		{"and I plain", "CN", "You and I can sort this out together.", false},
		{"Dani", "CN", "Dani, please call us back.", false},
		{"shan't", "CN", "We shan't call again before Monday.", false},
		{"bang on", "CN", "Bang on time as always, thank you.", false},
		{"hang on", "CN", "Hang on a moment while we check your balance.", false},
		{"ban di", "CN", "Ban Di, your payment arrived today.", false},
		{"boxing", "CN", "Our office is closed on Boxing Day.", false},
		{"fan fan", "CN", "The fan fan club raffle is not ours.", false},
		{"men die", "CN", "Old men die; accounts do not. Your balance is $0.", false},
		{"team", "CN", "Our team will email you the statement.", false},

		// Names: after a title, or across a comma.
		{"Mr. Li, an update", "CN", "Mr. Li, an agent will call you about the plan.", false},
		{"Ms. Ni made", "CN", "Ms. Ni made her payment yesterday. Thank you!", false},
		{"Wang Fang", "CN", "Hi Wang Fang, your payment of 800 yuan was received.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := check(t, g, tt.j, tt.text, compliance.Context{})
			if v.Allowed == tt.block {
				t.Errorf("%q: allowed=%v, want block=%v; violations %v", tt.text, v.Allowed, tt.block, blocking(v))
			}
		})
	}
}
