package builtin

import (
	"strings"
	"time"

	"github.com/parley-dev/parley/assistant"
)

// entitySpans are the byte offsets, in the folded text, of the amounts and dates
// found: the rules ask whether a sentence names a time or an amount.
type entitySpans struct {
	amounts, dates []int32
}

func extractEntities(t *text, ref time.Time) (assistant.Entities, entitySpans) {
	toks := tokenize(t.s)
	var sp entitySpans
	// Empty lists, not null, in JSON.
	e := assistant.Entities{Amounts: findAmounts(toks, &sp.amounts), Dates: findDates(toks, ref, &sp.dates)}
	if e.Amounts == nil {
		e.Amounts = []string{}
	}
	if e.Dates == nil {
		e.Dates = []string{}
	}
	return e, sp
}

// Amounts. A number is an amount when something says it is money: a currency sign
// or code before it ($, ¥, RM, NT$), a currency word or magnitude after it (元, 块,
// 万, k, dollars), a rate (150/month, 50 a month), or a paying verb next to it
// (还300, pay 50). Numbers that are dates, times, counts or references are not.

var currencyBefore = map[string]bool{
	"$": true, "¥": true, "€": true, "£": true, "rm": true, "usd": true, "rmb": true, "cny": true,
	"hkd": true, "sgd": true, "myr": true, "twd": true, "nt": true, "hk": true,
}

var currencyAfter = map[string]bool{
	"元": true, "块": true, "圆": true, "蚊": true, "刀": true, "dollars": true, "dollar": true,
	"bucks": true, "usd": true, "rmb": true, "yuan": true, "ringgit": true, "cny": true,
}

// notAmountAfter are units that make a number something other than money.
var notAmountAfter = map[string]bool{
	"号": true, "日": true, "点": true, "月": true, "期": true, "天": true, "年": true, "个": true,
	"次": true, "周": true, "岁": true, "分": true, "秒": true, "楼": true, "层": true, "张": true,
	"家": true, "名": true, "位": true, "户": true, "%": true, ":": true, "倍": true, "笔": true,
	"小": true, "遍": true, "通": true, "条": true, "铺": true, "星": true, "礼": true, "趟": true,
	"th": true, "st": true, "nd": true, "rd": true, "am": true, "pm": true, "days": true, "day": true,
	"weeks": true, "week": true, "wks": true, "months": true, "years": true, "year": true,
	"hours": true, "hrs": true, "employees": true, "cards": true, "times": true, "kids": true,
	"percent": true, "calls": true, "texts": true, "people": true, "installments": true,
	"payments": true, "minutes": true, "mins": true,
}

var payVerbsZh = map[string]bool{"还": true, "付": true, "转": true, "交": true, "补": true, "给": true, "凑": true, "汇": true}
var payWordsEn = map[string]bool{"pay": true, "paid": true, "send": true, "sent": true, "sending": true, "owe": true, "owed": true, "owes": true, "paying": true, "do": true, "transfer": true, "wire": true, "transferred": true}

// findAmounts also appends to at, when not nil, the byte offset of every amount.
func findAmounts(toks []token, at *[]int32) []string {
	var out []string
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.kind != tkNum && tk.kind != tkCNum {
			continue
		}
		cents := tk.cents
		money := false
		next := i + 1
		// Magnitude written after an Arabic number: 1.5万, 3千, 5k.
		if tk.kind == tkNum && next < len(toks) && !toks[next].spaced {
			switch toks[next].text {
			case "万":
				cents, money, next = cents*10000, true, next+1
			case "千":
				cents, money, next = cents*1000, true, next+1
			case "k":
				cents, money, next = cents*1000, true, next+1
			}
		}
		if tk.kind == tkCNum && tk.magnitude && tk.cents >= 10000 { // 一百 and more
			money = true
		}
		after := ""
		if next < len(toks) {
			after = toks[next].text
		}
		before := ""
		if i > 0 {
			before = toks[i-1].text
		}
		if (notAmountAfter[after] && !(tk.magnitude && after == "分")) || before == "#" || before == "-" || before == "/" || before == ":" ||
			(after == "/" && next+1 < len(toks) && toks[next+1].kind == tkNum) || (after == "-" && next+1 < len(toks) && toks[next+1].kind == tkNum) {
			continue
		}
		if tk.kind == tkNum && len(tk.text) >= 7 && !strings.ContainsAny(tk.text, ",.") {
			continue // phone or reference numbers
		}
		switch {
		case currencyBefore[before] || before == "$" || (i > 1 && toks[i-1].text == "$" && currencyBefore[toks[i-2].text]):
			money = true
		case currencyAfter[after]:
			money = true
		case after == "/" && next+1 < len(toks) && isPeriodWord(toks[next+1].text):
			money = true
		case (after == "a" || after == "per" || after == "every" || after == "each") && next+1 < len(toks) && isPeriodWord(toks[next+1].text):
			money = true
		}
		if !money && cents >= 1000 && nearPayVerb(toks, i, next) {
			money = true
		}
		if money && cents > 0 {
			out = appendUnique(out, assistant.Money{Minor: cents}.Amount())
			if at != nil {
				*at = append(*at, int32(tk.start))
			}
		}
		i = next - 1
	}
	return out
}

func isPeriodWord(w string) bool {
	switch w {
	case "month", "mo", "mth", "week", "wk", "payday", "paycheck", "year":
		return true
	}
	return false
}

// nearPayVerb reports a paying verb within two tokens before the number or right
// after it ("还300", "先还一千", "pay 50", "把3200还上").
func nearPayVerb(toks []token, i, next int) bool {
	for k := i - 1; k >= 0 && k >= i-2; k-- {
		if payVerbsZh[toks[k].text] || payWordsEn[toks[k].text] {
			return true
		}
	}
	if next < len(toks) && payVerbsZh[toks[next].text] {
		return true
	}
	return false
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}
