package builtin

import (
	"time"
)

// Dates are resolved against the reference time in the debtor's zone and reported as
// YYYY-MM-DD, in the order they appear. Conventions, for both languages:
//   - a weekday alone ("Friday", "周五") is its next occurrence, today included;
//   - "next Friday" / "下周五" is Friday of next week (weeks start on Monday);
//   - a day of the month alone ("the 15th", "15号") is this month's if not yet past,
//     else next month's; a month and day without a year is this year's unless it
//     is well past (then next year's);
//   - end of month / 月底 is its last day; end of the week is its Friday;
//   - numeric dates are month/day (US order) or YYYY-MM-DD.
// Vague times ("soon", "next month", "过两天", "after payday") give no date.

var zhWeekday = map[string]time.Weekday{
	"一": time.Monday, "二": time.Tuesday, "三": time.Wednesday, "四": time.Thursday,
	"五": time.Friday, "六": time.Saturday, "日": time.Sunday, "天": time.Sunday, "末": time.Saturday,
	"1": time.Monday, "2": time.Tuesday, "3": time.Wednesday, "4": time.Thursday, "5": time.Friday,
	"6": time.Saturday, "7": time.Sunday,
}

var enWeekday = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	"mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday,
	"sat": time.Saturday, "sun": time.Sunday, "weekend": time.Saturday,
}

var enMonth = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

type dateCtx struct {
	toks  []token
	today time.Time // midnight of the reference day, in its zone
}

func (d *dateCtx) text(i int) string {
	if i < 0 || i >= len(d.toks) {
		return ""
	}
	return d.toks[i].text
}

// seq reports whether the tokens from i spell words (each a token text).
func (d *dateCtx) seq(i int, words ...string) bool {
	for k, w := range words {
		if d.text(i+k) != w {
			return false
		}
	}
	return true
}

func (d *dateCtx) addDays(n int) time.Time { return d.today.AddDate(0, 0, n) }

// weekday resolves weekday wd, weeksAhead weeks after this one (-1: next occurrence).
func (d *dateCtx) weekday(wd time.Weekday, weeksAhead int) time.Time {
	if weeksAhead < 0 {
		ahead := (int(wd) - int(d.today.Weekday()) + 7) % 7
		return d.addDays(ahead)
	}
	// Monday-based index: Monday 0 ... Sunday 6.
	mi := func(w time.Weekday) int { return (int(w) + 6) % 7 }
	monday := d.addDays(-mi(d.today.Weekday()))
	return monday.AddDate(0, 0, 7*weeksAhead+mi(wd))
}

// dayOfMonth resolves day n in this month if not past, else next month.
func (d *dateCtx) dayOfMonth(n int, monthsAhead int) (time.Time, bool) {
	if n < 1 || n > 31 {
		return time.Time{}, false
	}
	y, m, _ := d.today.Date()
	if monthsAhead == 0 && n < d.today.Day() {
		monthsAhead = 1
	}
	first := time.Date(y, m, 1, 0, 0, 0, 0, d.today.Location()).AddDate(0, monthsAhead, 0)
	if n > daysIn(first) {
		return time.Time{}, false
	}
	return first.AddDate(0, 0, n-1), true
}

// monthDay resolves month m, day n without a year: this year's date, unless it is
// more than recentPast behind the reference (then next year's: "Oct 1st" said in
// March) or more than farAhead in front of it (then last year's: "Dec 20" said in
// January about a payment made). Recent past dates stay in the past, as debtors
// name the day they paid ("2月28号转的").
func (d *dateCtx) monthDay(m time.Month, n int) (time.Time, bool) {
	const recentPast, farAhead = 60, 300 // days
	if m < 1 || m > 12 || n < 1 || n > 31 {
		return time.Time{}, false
	}
	y := d.today.Year()
	t := time.Date(y, m, n, 0, 0, 0, 0, d.today.Location())
	if t.Month() != m {
		return time.Time{}, false
	}
	switch {
	case t.Before(d.today.AddDate(0, 0, -recentPast)):
		t = t.AddDate(1, 0, 0)
	case t.After(d.today.AddDate(0, 0, farAhead)):
		t = t.AddDate(-1, 0, 0)
	}
	return t, t.Day() == n
}

func (d *dateCtx) endOfMonth(monthsAhead int) time.Time {
	y, m, _ := d.today.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, d.today.Location()).AddDate(0, monthsAhead+1, 0)
	return first.AddDate(0, 0, -1)
}

func daysIn(first time.Time) int { return first.AddDate(0, 1, -1).Day() }

func numVal(tk token) (int, bool) {
	if (tk.kind != tkNum && tk.kind != tkCNum) || tk.cents%100 != 0 {
		return 0, false
	}
	return int(tk.cents / 100), true
}

// findDates also appends to at, when not nil, the byte offset of every date found.
func findDates(toks []token, ref time.Time, at *[]int32) []string {
	y, m, dd := ref.Date()
	d := &dateCtx{toks: toks, today: time.Date(y, m, dd, 0, 0, 0, 0, ref.Location())}
	var out []string
	add := func(t time.Time, i int) {
		out = appendUnique(out, t.Format(time.DateOnly))
		if at != nil {
			*at = append(*at, int32(toks[i].start))
		}
	}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch tk.kind {
		case tkHan:
			if t, n, ok := d.zhAt(i); ok {
				add(t, i)
				i += n - 1
			}
		case tkWord:
			if t, n, ok := d.enAt(i); ok {
				add(t, i)
				i += n - 1
			}
		case tkNum, tkCNum:
			if t, n, ok := d.numberAt(i); ok {
				add(t, i)
				i += n - 1
			}
		}
	}
	return out
}

// zhAt reads a Chinese relative date starting at Han token i.
func (d *dateCtx) zhAt(i int) (time.Time, int, bool) {
	switch {
	case d.seq(i, "大", "后", "天"):
		return d.addDays(3), 3, true
	case d.seq(i, "今", "天"), d.seq(i, "今", "日"), d.seq(i, "今", "晚"):
		return d.today, 2, true
	case d.seq(i, "明", "天"), d.seq(i, "明", "日"), d.seq(i, "明", "早"), d.seq(i, "明", "晚"), d.seq(i, "听", "日"):
		return d.addDays(1), 2, true
	case d.seq(i, "后", "天"):
		return d.addDays(2), 2, true
	case d.seq(i, "月", "底"), d.seq(i, "月", "末"):
		return d.endOfMonth(0), 2, true
	case d.seq(i, "年", "底"):
		return time.Date(d.today.Year(), 12, 31, 0, 0, 0, 0, d.today.Location()), 2, true
	}
	// 下下周五, 下周五, 这周五, 本周五, 周五, 星期五, 礼拜五, 下个礼拜一, 下个月15号, 下个月底
	j, weeks := i, -1
	switch {
	case d.seq(j, "下", "下"):
		weeks, j = 2, j+2
	case d.text(j) == "下":
		weeks, j = 1, j+1
	case d.text(j) == "这", d.text(j) == "本":
		weeks, j = 0, j+1
	}
	if weeks >= 0 && d.text(j) == "个" {
		j++
	}
	if weeks >= 0 && d.text(j) == "月" {
		months := weeks
		j++
		if d.text(j) == "底" || d.text(j) == "末" {
			return d.endOfMonth(months), j + 1 - i, true
		}
		if n, ok := numVal(d.tok(j)); ok && (d.text(j+1) == "号" || d.text(j+1) == "日") {
			if t, ok := d.dayOfMonth(n, months); ok {
				return t, j + 2 - i, true
			}
		}
		return time.Time{}, 0, false
	}
	unit := 0
	switch {
	case d.text(j) == "周":
		unit = 1
	case d.seq(j, "星", "期"), d.seq(j, "礼", "拜"):
		unit = 2
	}
	if unit == 0 {
		return time.Time{}, 0, false
	}
	w := d.text(j + unit)
	if d.tok(j+unit).kind == tkCNum || d.tok(j+unit).kind == tkNum {
		w = d.tok(j + unit).text
	}
	wd, ok := zhWeekday[w]
	if !ok {
		return time.Time{}, 0, false
	}
	return d.weekday(wd, weeks), j + unit + 1 - i, true
}

func (d *dateCtx) tok(i int) token {
	if i < 0 || i >= len(d.toks) {
		return token{kind: tkSym}
	}
	return d.toks[i]
}

// numberAt reads dates that start with a number: 15号, 3月5日, 4/10, 2025-03-01,
// 15th, 1 October, N天后, 5号前.
func (d *dateCtx) numberAt(i int) (time.Time, int, bool) {
	n, ok := numVal(d.tok(i))
	if !ok {
		return time.Time{}, 0, false
	}
	nx := d.text(i + 1)
	switch {
	case nx == "月" && !d.tok(i+1).spaced:
		if day, ok := numVal(d.tok(i + 2)); ok && (d.text(i+3) == "号" || d.text(i+3) == "日") {
			if t, ok := d.monthDay(time.Month(n), day); ok {
				return t, 4, true
			}
		}
	case nx == "号" || nx == "日":
		if t, ok := d.dayOfMonth(n, 0); ok {
			return t, 2, true
		}
	case nx == "天" && (d.text(i+2) == "后" || d.text(i+2) == "内" || d.seq(i+2, "之", "后")):
		return d.addDays(n), 3, true
	case nx == "/" && d.tok(i+2).kind == tkNum && !d.tok(i+1).spaced && d.text(i-1) != "$":
		day, _ := numVal(d.tok(i + 2))
		if d.text(i+3) == "/" && d.tok(i+4).kind == tkNum { // M/D/YYYY
			yr, _ := numVal(d.tok(i + 4))
			if yr < 100 {
				yr += 2000
			}
			t := time.Date(yr, time.Month(n), day, 0, 0, 0, 0, d.today.Location())
			if n >= 1 && n <= 12 && t.Day() == day {
				return t, 5, true
			}
			return time.Time{}, 0, false
		}
		if isPeriodWord(d.text(i + 2)) {
			return time.Time{}, 0, false
		}
		if t, ok := d.monthDay(time.Month(n), day); ok {
			return t, 3, true
		}
	case nx == "-" && n > 1900 && d.tok(i+2).kind == tkNum && d.text(i+3) == "-" && d.tok(i+4).kind == tkNum:
		mo, _ := numVal(d.tok(i + 2))
		day, _ := numVal(d.tok(i + 4))
		t := time.Date(n, time.Month(mo), day, 0, 0, 0, 0, d.today.Location())
		if mo >= 1 && mo <= 12 && t.Day() == day {
			return t, 5, true
		}
	case nx == "st" || nx == "nd" || nx == "rd" || nx == "th":
		// "1st of October", "1st October", else a day of this or next month.
		k := i + 2
		if d.text(k) == "of" {
			k++
		}
		if mo, ok := enMonth[d.text(k)]; ok {
			if t, ok := d.monthDay(mo, n); ok {
				return t, k + 1 - i, true
			}
		}
		if t, ok := d.dayOfMonth(n, 0); ok {
			return t, 2, true
		}
	default:
		if mo, ok := enMonth[nx]; ok && nx != "may" && nx != "mar" {
			if t, ok := d.monthDay(mo, n); ok {
				return t, 2, true
			}
		}
	}
	return time.Time{}, 0, false
}

// enAt reads English dates starting at word i.
func (d *dateCtx) enAt(i int) (time.Time, int, bool) {
	w := d.text(i)
	switch w {
	case "today", "tonight":
		return d.today, 1, true
	case "tomorrow", "tmrw", "tmr", "tomorow", "tmw":
		return d.addDays(1), 1, true
	case "day":
		if d.seq(i+1, "after", "tomorrow") {
			return d.addDays(2), 3, true
		}
	case "end":
		// end of (the|this|next) month|week
		k := i + 1
		if d.text(k) != "of" {
			break
		}
		k++
		ahead := 0
		switch d.text(k) {
		case "the", "this":
			k++
		case "next":
			ahead = 1
			k++
		}
		switch d.text(k) {
		case "month":
			return d.endOfMonth(ahead), k + 1 - i, true
		case "week":
			return d.weekday(time.Friday, ahead), k + 1 - i, true
		}
	case "in", "within":
		if n, ok := numVal(d.tok(i + 1)); ok {
			switch d.text(i + 2) {
			case "days", "day":
				return d.addDays(n), 3, true
			case "weeks", "week", "wks":
				return d.addDays(7 * n), 3, true
			}
		}
	case "next", "this", "on", "by", "before", "until", "till", "coming":
		k, weeks := i+1, -1
		switch w {
		case "next":
			weeks = 1
		case "this":
			weeks = 0
		}
		if wd, ok := enWeekday[d.text(k)]; ok {
			if weeks == 0 && d.weekday(wd, 0).Before(d.today) {
				weeks = -1
			}
			return d.weekday(wd, weeks), k + 1 - i, true
		}
	}
	// A full weekday name or month name on its own.
	if wd, ok := enWeekday[w]; ok && len(w) >= 6 {
		return d.weekday(wd, -1), 1, true
	}
	if mo, ok := enMonth[w]; ok && (len(w) > 3 || w == "oct" || w == "jan" || w == "feb" || w == "apr" || w == "aug" || w == "sep" || w == "nov" || w == "dec" || w == "jun" || w == "jul") && w != "may" {
		k := i + 1
		if d.text(k) == "." {
			k++
		}
		if n, ok := numVal(d.tok(k)); ok && n >= 1 && n <= 31 {
			l := k + 1 - i
			if s := d.text(k + 1); s == "st" || s == "nd" || s == "rd" || s == "th" {
				l++
			}
			if t, ok := d.monthDay(mo, n); ok {
				return t, l, true
			}
		}
	}
	if w == "may" {
		if n, ok := numVal(d.tok(i + 1)); ok && n >= 1 && n <= 31 {
			if t, ok := d.monthDay(5, n); ok {
				return t, 2, true
			}
		}
	}
	return time.Time{}, 0, false
}
