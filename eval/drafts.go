package eval

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/parley-dev/parley/assistant"
)

// DraftsReport measures the drafting path on debtor messages: every reply must be
// allowed by the screen, in the debtor's language, with a concrete next step.
type DraftsReport struct {
	N          int            `json:"n"`
	Allowed    Rate           `json:"allowed"`
	InLanguage Rate           `json:"in_language"`
	Concrete   Rate           `json:"concrete_next_step"`
	Errors     []string       `json:"errors,omitempty"`
	Refused    []string       `json:"refused,omitempty"` // ids whose draft was not allowed
	ByEngine   map[string]int `json:"by_engine"`
	Latency    LatencySummary `json:"latency"`
}

// concreteStep matches what makes a next step concrete: an amount or date, a plan,
// a person who will follow up, or a right acted on.
var concreteStep = regexp.MustCompile(`(?i)\d|instal|payment|plan|team|colleague|attorney|records|stop|pause|verify|waive|分期|方案|专人|同事|律师|记录|停止|暂停|核实|减免|还款`)

// RunDrafts creates one case per example (the jurisdiction follows the language) and
// drafts a reply to its message through the whole service path.
func RunDrafts(ctx context.Context, svc *assistant.Service, examples []AnalysisExample) DraftsReport {
	r := DraftsReport{N: len(examples), ByEngine: map[string]int{}}
	var allowed, inLang, concrete int
	var lat Latency
	for i, ex := range examples {
		c := draftCase(i, ex)
		stored, _, err := svc.UpsertCase(ctx, c)
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", ex.ID, err))
			continue
		}
		start := time.Now()
		d, err := svc.Draft(ctx, assistant.DraftInput{CaseID: stored.ID, Message: ex.Text, Channel: []string{"sms", "chat", "email"}[i%3]})
		lat.Add(time.Since(start))
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", ex.ID, err))
			r.Refused = append(r.Refused, ex.ID)
			continue
		}
		r.ByEngine[d.Engine]++
		if d.Verdict.Allowed {
			allowed++
		} else {
			r.Refused = append(r.Refused, ex.ID)
		}
		if sameLanguage(ex.Lang, d.Text) {
			inLang++
		}
		if concreteStep.MatchString(d.Text) {
			concrete++
		}
	}
	r.Allowed, r.InLanguage, r.Concrete = NewRate(allowed, r.N), NewRate(inLang, r.N), NewRate(concrete, r.N)
	r.Latency = lat.Summary()
	return r
}

func draftCase(i int, ex AnalysisExample) *assistant.Case {
	c := &assistant.Case{
		ExternalID: fmt.Sprintf("eval-%d-%s", i, ex.ID), Creditor: "Acme Finance",
		Debtor:  assistant.Debtor{Name: "Alex Chen", Language: ex.Lang, Kind: "individual"},
		DueDate: time.Now().AddDate(0, 0, -20), DaysPastDue: 20,
	}
	if ex.Lang == "en" {
		c.Jurisdiction, c.Balance = "US", assistant.MustMoney("2400.00", "USD")
	} else {
		c.Jurisdiction, c.Balance, c.Debtor.Name, c.Creditor = "CN", assistant.MustMoney("12000.00", "CNY"), "陈先生", "华信消费金融"
	}
	return c
}

// sameLanguage: Chinese (and mixed) writers get a mostly-Chinese reply, English
// writers a reply with no Chinese.
func sameLanguage(lang, text string) bool {
	han, letters := 0, 0
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			han++
			letters++
		} else if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return false
	}
	share := float64(han) / float64(letters)
	if lang == "en" {
		return share < 0.05
	}
	return share > 0.5
}

// WriteTable implements Report.
func (r DraftsReport) WriteTable(w io.Writer) error {
	_, err := fmt.Fprintf(w, "drafts: %d messages\n  allowed by the screen   %s\n  in the debtor's language %s\n  concrete next step       %s\n  engines %v  latency p50 %.0fus p99 %.0fus\n",
		r.N, r.Allowed, r.InLanguage, r.Concrete, r.ByEngine, r.Latency.P50, r.Latency.P99)
	if len(r.Refused) > 0 {
		fmt.Fprintf(w, "  refused: %s\n", strings.Join(r.Refused, ", "))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	return err
}
