// Package playbook is the builtin drafter: replies assembled from the collections
// playbook's parts (warm opening, restated reason, brief empathy, one concrete step)
// per language and channel, filled from case facts and the plan. It needs no network,
// is deterministic for a given variant, and is both the default engine and the
// fallback when a model fails or its text is refused.
package playbook

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parley-dev/parley/assistant"
)

//go:embed replies.yaml
var repliesYAML []byte

type parts struct {
	Greeting        []string            `yaml:"greeting"`
	IdentityUS      []string            `yaml:"identity_us"`
	IdentityUSFirst []string            `yaml:"identity_us_first"`
	IdentityCN      []string            `yaml:"identity_cn"`
	Restate         map[string][]string `yaml:"restate"`
	Solution        map[string][]string `yaml:"solution"`
	Closing         []string            `yaml:"closing"`
	OptOut          []string            `yaml:"optout"`
	EmailOptOut     []string            `yaml:"email_optout"`
	Signoff         []string            `yaml:"signoff"`
	MissedPayment   string              `yaml:"missed_payment"`
	// Handoff holds the short acknowledgements of the chat widget when a person
	// takes over, by suggestion action (plus complaint and abusive): no restated
	// reason, no offer, nothing more to do for the debtor.
	Handoff map[string][]string `yaml:"handoff"`
}

// Drafter is the builtin drafter.
type Drafter struct {
	langs map[string]parts
}

var _ assistant.Drafter = (*Drafter)(nil)

// NewDrafter loads the embedded reply parts.
func NewDrafter() (*Drafter, error) {
	var langs map[string]parts
	if err := yaml.Unmarshal(repliesYAML, &langs); err != nil {
		return nil, fmt.Errorf("playbook: replies.yaml: %w", err)
	}
	for _, l := range []string{"en", "zh"} {
		p, ok := langs[l]
		if !ok || len(p.Greeting) == 0 || len(p.Solution["default"]) == 0 || len(p.Restate["default"]) == 0 || len(p.Handoff["default"]) == 0 {
			return nil, fmt.Errorf("playbook: replies.yaml lacks a complete %q section", l)
		}
	}
	return &Drafter{langs: langs}, nil
}

// restateOrder is which reason to restate first when a message carries several.
var restateOrder = []string{
	assistant.IntentComplaint, assistant.IntentHardship, assistant.IntentPlanRequest,
	assistant.IntentPromiseToPay, assistant.IntentPaymentMade, assistant.IntentCallbackRequest,
	assistant.IntentAbusive, assistant.IntentQuestion,
}

// Draft implements assistant.Drafter.
func (d *Drafter) Draft(_ context.Context, req assistant.DraftRequest) (assistant.DraftResult, error) {
	if req.Case == nil {
		return assistant.DraftResult{}, fmt.Errorf("playbook: draft without a case")
	}
	lang := "en"
	if req.Language == "zh" || req.Language == "mixed" {
		lang = "zh"
	}
	p := d.langs[lang]
	c := req.Case
	v := req.Variant
	pick := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return xs[((v%len(xs))+len(xs))%len(xs)]
	}
	step := mainStep(req.Suggestions)
	fill := d.filler(lang, c, step, req)

	var out []string
	greeting := fill(pick(p.Greeting))
	if req.Goal == assistant.GoalHandoff && step.Action == assistant.ActionDiscloseNothing {
		// Whoever wrote may not be the debtor: not even the debtor's name is said.
		greeting = ""
	}
	identity := ""
	if step.Action != assistant.ActionDiscloseNothing {
		switch {
		case c.Jurisdiction == "US" && req.FirstContact:
			identity = pick(p.IdentityUSFirst)
		case c.Jurisdiction == "US":
			identity = pick(p.IdentityUS)
		default:
			identity = pick(p.IdentityCN)
		}
	}
	joiner := " "
	if lang == "zh" {
		joiner = ""
	}
	out = append(out, strings.TrimSpace(greeting+joiner+fill(identity)))
	if req.Goal == assistant.GoalHandoff {
		// A person takes over: acknowledge that and nothing else.
		out = append(out, fill(pick(d.handoff(p, step, req.Analysis))))
		if c.Jurisdiction == "US" && step.Action != assistant.ActionSuppressContact && req.Channel == "sms" {
			out = append(out, pick(p.OptOut))
		}
		sep := " "
		if lang == "zh" {
			sep = ""
		}
		return assistant.DraftResult{Text: strings.Join(nonEmpty(out), sep), Engine: "builtin", Citations: citations(req.History)}, nil
	}
	if step.Action != assistant.ActionDiscloseNothing {
		out = append(out, pick(d.restate(p, req.Analysis)))
	}
	sol := p.Solution[solutionKey(step.Action)]
	if len(sol) == 0 {
		sol = p.Solution["default"]
	}
	out = append(out, fill(pick(sol)))
	long := req.Channel == "email" || req.Channel == "letter"
	if long && step.Plan != nil {
		out = append(out, planLines(lang, step.Plan), p.MissedPayment)
	}
	if step.Action != assistant.ActionDiscloseNothing && step.Action != assistant.ActionSuppressContact {
		if req.Channel != "sms" {
			out = append(out, pick(p.Closing))
		}
	}
	if long {
		out = append(out, fill(pick(p.Signoff)))
	}
	if c.Jurisdiction == "US" && step.Action != assistant.ActionSuppressContact {
		switch req.Channel {
		case "sms":
			out = append(out, pick(p.OptOut))
		case "email":
			out = append(out, pick(p.EmailOptOut))
		}
	}
	sep := " "
	if long {
		sep = "\n\n"
	}
	if lang == "zh" && !long {
		sep = ""
	}
	text := strings.Join(nonEmpty(out), sep)
	return assistant.DraftResult{Text: text, Engine: "builtin", Citations: citations(req.History)}, nil
}

// mainStep is the suggestion the reply is built around: the first one that the debtor
// should hear about (scheduling-only steps are for the agent).
func mainStep(ss []assistant.Suggestion) assistant.Suggestion {
	for _, s := range ss {
		switch s.Action {
		case assistant.ActionContactWindow, assistant.ActionReminder, assistant.ActionLegalReferral:
			continue
		}
		return s
	}
	return assistant.Suggestion{}
}

func solutionKey(action string) string {
	if action == assistant.ActionCallback {
		return "callback"
	}
	return action
}

// handoff picks the acknowledgement for the step a person takes over.
func (d *Drafter) handoff(p parts, step assistant.Suggestion, a *assistant.Analysis) []string {
	key := step.Action
	if key == assistant.ActionRouteToPerson {
		switch {
		case a.HasIntent(assistant.IntentComplaint):
			key = assistant.IntentComplaint
		case a.HasIntent(assistant.IntentAbusive):
			key = assistant.IntentAbusive
		}
	}
	if xs := p.Handoff[key]; len(xs) > 0 {
		return xs
	}
	return p.Handoff["default"]
}

func (d *Drafter) restate(p parts, a *assistant.Analysis) []string {
	for _, intent := range restateOrder {
		if a.HasIntent(intent) && len(p.Restate[intent]) > 0 {
			return p.Restate[intent]
		}
	}
	return p.Restate["default"]
}

func (d *Drafter) filler(lang string, c *assistant.Case, step assistant.Suggestion, req assistant.DraftRequest) func(string) string {
	loc, err := time.LoadLocation(c.Debtor.Timezone)
	if err != nil {
		loc = time.UTC
	}
	dateFmt := "January 2"
	if lang == "zh" {
		dateFmt = "1月2日"
	}
	date := ""
	if step.When != "" {
		if t, err := time.ParseInLocation(time.DateOnly, step.When, loc); err == nil {
			date = t.Format(dateFmt)
		}
	}
	plan := ""
	if step.Plan != nil {
		plan = step.Plan.Describe(lang)
	}
	promise := ""
	if req.Analysis != nil && req.Analysis.Entities.Promise != nil {
		pe := req.Analysis.Entities.Promise
		switch lang {
		case "zh":
			promise = "您将"
			if !pe.Date.IsZero() {
				promise += "于" + pe.Date.Format(dateFmt) + "前"
			}
			promise += "还款"
			if pe.Amount != "" {
				promise += pe.Amount + "元"
			}
		default:
			promise = "you plan to pay"
			if pe.Amount != "" {
				promise += " " + pe.Amount + " " + c.Balance.Currency
			}
			if !pe.Date.IsZero() {
				promise += " by " + pe.Date.Format(dateFmt)
			}
		}
	}
	r := strings.NewReplacer(
		"{name}", c.Debtor.Name, "{creditor}", c.Creditor, "{date}", date, "{plan}", plan,
		"{promise}", promise, "{balance}", c.Balance.Amount()+" "+c.Balance.Currency,
	)
	return r.Replace
}

func planLines(lang string, p *assistant.Plan) string {
	var b strings.Builder
	for i, inst := range p.Installments {
		if lang == "zh" {
			fmt.Fprintf(&b, "第%d期：%s前 %s元\n", i+1, inst.Due.Format("2006年1月2日"), inst.Amount.Amount())
		} else {
			fmt.Fprintf(&b, "Payment %d: %s %s by %s\n", i+1, inst.Amount.Amount(), inst.Amount.Currency, inst.Due.Format("January 2, 2006"))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func citations(history []assistant.ScoredEvent) []string {
	var ids []string
	for _, h := range history {
		if h.Event != nil && len(ids) < 3 {
			ids = append(ids, h.Event.ID)
		}
	}
	return ids
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, strings.TrimSpace(x))
		}
	}
	return out
}
