package compliance_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/compliance/contactpolicy"
)

func check(t *testing.T, g *compliance.Gate, jurisdiction, text string, ctx compliance.Context) compliance.Verdict {
	t.Helper()
	v, err := g.Check(compliance.Request{Text: text, Jurisdiction: jurisdiction, Channel: "letter", Context: ctx})
	if err != nil {
		t.Fatalf("Check(%q): %v", text, err)
	}
	return v
}

func contextWith(approved bool) compliance.Context {
	return compliance.Context{LegalActionApproved: approved}
}

// blocking lists the blocking violations as rule[excerpt], for messages.
func blocking(v compliance.Verdict) []string {
	var out []string
	for _, x := range v.Violations {
		if x.Severity == compliance.SeverityBlock {
			out = append(out, x.Rule+"["+x.Excerpt+"]")
		}
	}
	return out
}

func hasCategory(v compliance.Verdict, cat string) bool {
	return slices.ContainsFunc(v.Violations, func(x compliance.Violation) bool {
		return x.Category == cat && x.Severity == compliance.SeverityBlock
	})
}

func TestBadInput(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		name string
		req  compliance.Request
		code string
		in   string // part of the message
	}{
		{"empty", compliance.Request{Text: "", Jurisdiction: "US", Channel: "sms"}, compliance.CodeEmptyText, "empty"},
		{"blank", compliance.Request{Text: " \n\t", Jurisdiction: "US", Channel: "sms"}, compliance.CodeEmptyText, "empty"},
		{"too large", compliance.Request{Text: strings.Repeat("a", compliance.MaxTextBytes+1), Jurisdiction: "US", Channel: "sms"}, compliance.CodeTextTooLarge, "65536"},
		{"invalid utf-8", compliance.Request{Text: "pay \xff now", Jurisdiction: "US", Channel: "sms"}, compliance.CodeInvalidUTF8, "UTF-8"},
		{"jurisdiction", compliance.Request{Text: "hi", Jurisdiction: "UK", Channel: "sms"}, compliance.CodeUnsupportedJurisdiction, "US, CN"},
		{"no jurisdiction", compliance.Request{Text: "hi", Channel: "sms"}, compliance.CodeUnsupportedJurisdiction, "US, CN"},
		{"channel", compliance.Request{Text: "hi", Jurisdiction: "US", Channel: "fax"}, compliance.CodeUnsupportedChannel, "sms, email, chat, call, letter, wechat"},
		{"bad time zone", compliance.Request{Text: "hi", Jurisdiction: "US", Channel: "sms",
			Context: compliance.Context{SendAt: ptr(time.Date(2025, 6, 2, 15, 0, 0, 0, time.UTC)), DebtorTimezones: []string{"Mars/Olympus"}}},
			compliance.CodeInvalidContext, "contact policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := g.Check(tt.req)
			var ie *compliance.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *InputError", err)
			}
			if ie.Code != tt.code || !strings.Contains(ie.Message, tt.in) {
				t.Errorf("got %s %q, want code %s mentioning %q", ie.Code, ie.Message, tt.code, tt.in)
			}
			if v.Allowed || v.Violations == nil {
				t.Errorf("verdict on error = %+v, want not allowed with empty violations", v)
			}
			if c, _, err := g.Clear(tt.req); err == nil || c.Valid() {
				t.Error("Clear accepted bad input")
			}
		})
	}
	if !slices.Equal(compliance.SupportedJurisdictions(), []string{"US", "CN"}) ||
		len(compliance.SupportedChannels()) != 6 {
		t.Error("supported lists changed")
	}
}

func ptr[T any](v T) *T { return &v }

// TestVerdictJSON pins the API field names and the empty list.
func TestVerdictJSON(t *testing.T) {
	g := mustGate(t)
	v := check(t, g, "CN", "【某某消费金融】您本期账单将于18日到期，感谢配合。", compliance.Context{})
	raw, _ := json.Marshal(v)
	if string(raw) != `{"allowed":true,"violations":[]}` {
		t.Errorf("JSON = %s", raw)
	}
	v = check(t, g, "US", "We will break your arms.", compliance.Context{})
	raw, _ = json.Marshal(v)
	for _, key := range []string{`"allowed":false`, `"rule":"us.fdcpa.1692d.violence"`, `"category":"threat_violence"`,
		`"severity":"block"`, `"start":8`, `"end":23`, `"excerpt":"break your arms"`, `"explanation":`, `"citation":"15 U.S.C. 1692d(1)"`, `"safe_text":`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("JSON lacks %s: %s", key, raw)
		}
	}
	var ctx compliance.Context
	if err := json.Unmarshal([]byte(`{"legal_action_approved":true,"case_id":"c1","send_at":"2025-06-02T15:00:00Z","cease_contact":true,"attorney_represented":true,"ai_generated":true,"opted_out_channels":["sms"]}`), &ctx); err != nil {
		t.Fatal(err)
	}
	if !ctx.LegalActionApproved || ctx.CaseID != "c1" || ctx.SendAt == nil || !ctx.CeaseContact || !ctx.AttorneyRepresented || !ctx.AIGenerated || ctx.OptedOutChannels[0] != "sms" {
		t.Errorf("context decoded as %+v", ctx)
	}
}

// TestSpans checks that spans are rune offsets into the submitted text and
// that the excerpt is that text, even when the match was found only after
// folding (full-width, zero-width, traditional characters, pinyin).
func TestSpans(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		j, text, excerpt string
	}{
		{"US", "Hello! We will break your arms.", "break your arms"},
		{"US", "你好 Mr. Li, we'll ｂｒｅａｋ ｙｏｕｒ ａｒｍｓ.", "ｂｒｅａｋ ｙｏｕｒ ａｒｍｓ"},
		{"US", "😀 Pay or we call your e\u200bm\u200bp\u200bl\u200bo\u200by\u200be\u200br.", "call your e\u200bm\u200bp\u200bl\u200bo\u200by\u200be\u200br"},
		{"CN", "張先生，你等著坐牢吧。", "坐牢"},
		{"CN", "你这个 la ji！", "la ji"},
	}
	for _, tt := range tests {
		v := check(t, g, tt.j, tt.text, compliance.Context{})
		runes := []rune(tt.text)
		found := false
		for _, x := range v.Violations {
			if x.Start < 0 || x.End > len(runes) || x.Start > x.End {
				t.Fatalf("%q: span [%d,%d) outside %d runes", tt.text, x.Start, x.End, len(runes))
			}
			if x.Excerpt != string(runes[x.Start:x.End]) {
				t.Errorf("%q: excerpt %q is not runes[%d:%d] = %q", tt.text, x.Excerpt, x.Start, x.End, string(runes[x.Start:x.End]))
			}
			if x.Excerpt == tt.excerpt {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no violation with excerpt %q in %+v", tt.text, tt.excerpt, v.Violations)
		}
	}
}

// TestBeyondWordLists covers negation, conditions, implied threats, rights
// and ordinary words that look alarming.
func TestBeyondWordLists(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		name  string
		j     string
		text  string
		block bool
		cat   string
	}{
		{"negated exposure", "US", "We will not call your manager about this.", false, ""},
		{"negated exposure zh", "CN", "我们不会联系您的家人，请放心。", false, ""},
		{"never", "US", "We never call anyone at your workplace.", false, ""},
		{"绝不", "CN", "您的资料我们绝不会公开到网络上。", false, ""},
		{"无需担心", "CN", "无需担心会被拘留，这是民事纠纷。", false, ""},
		{"negation inside", "US", "Your boss will never be told about this account.", false, ""},
		{"condition is not negation", "US", "If you don't pay by Friday we will call your employer.", true, "threat_exposure"},
		{"condition zh", "CN", "不还钱的话，我们就通知你爸妈。", true, "threat_exposure"},
		{"conditional vague threat", "US", "If you don't pay, you'll regret it.", true, "threat_violence"},
		{"implied exposure", "US", "It would be a shame if your boss found out.", true, "threat_exposure"},
		{"implied exposure zh", "CN", "你也不想让家人知道吧？", true, "threat_exposure"},
		{"implied violence", "US", "We know where your kids go to school.", true, "threat_violence"},
		{"rights", "US", "You may complain to the regulator about how we handle your account.", false, ""},
		{"rights lawyer", "US", "You can consult a lawyer before you decide.", false, ""},
		{"rights zh", "CN", "您有权向监管部门投诉。", false, ""},
		{"deadline", "US", "The deadline for the settlement offer is June 30.", false, ""},
		{"execute", "US", "We'll execute the payment plan on the 5th.", false, ""},
		{"killer deal", "US", "Killer deal this week: 40% off when you clear the balance.", false, ""},
		{"skill you", "US", "We value the skill you bring to every conversation.", false, ""},
		{"kill you", "US", "We will kill you.", true, "threat_violence"},
		{"he'll is not hell", "US", "He'll call you tomorrow about the plan.", false, ""},
		{"a branch visit asked for", "CN", "您可以到我们的营业厅办理结清手续。", false, ""},
		{"false urgency", "US", "Pay within 2 hours or the amount doubles.", true, "deception"},
		{"harassment", "CN", "我们每小时都会打过去一次。", true, "harassment"},
		{"impersonation", "US", "This is the county sheriff's office calling about your debt.", true, "impersonation"},
		{"warning about impersonators", "CN", "请警惕冒充公安、法院的诈骗电话。", false, ""},
		{"negated list", "US", "We will never threaten you, insult you or contact your family.", false, ""},
		{"condition before comma", "US", "If this isn't paid today, a warrant will be issued.", true, "threat_arrest"},
		{"new proposition after comma", "US", "We won't sue you, we'll call your boss instead.", true, "threat_exposure"},
		{"chinese comma ends negation", "CN", "没钱，你就是个废物。", true, "insult_profanity"},
		{"object pronoun keeps negation", "US", "We haven't charged you any collection fee.", false, ""},
		{"number words", "US", "Expect a call from us every ten minutes.", true, "harassment"},
		{"contract fee announced", "US", "A $15 late fee has been added to this month's statement.", false, ""},
		{"invented fee announced", "US", "A $45 account servicing penalty has been added to your balance.", true, "deception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := check(t, g, tt.j, tt.text, compliance.Context{})
			if v.Allowed == tt.block {
				t.Fatalf("allowed=%v, want block=%v: %v", v.Allowed, tt.block, blocking(v))
			}
			if tt.cat != "" && !hasCategory(v, tt.cat) {
				t.Errorf("no %s violation: %v", tt.cat, blocking(v))
			}
		})
	}
}

// TestLegalSteps: a legal step passes only when authorised, not
// time-barred, not stated as certain and not next to arrest or exposure.
func TestLegalSteps(t *testing.T) {
	g := mustGate(t)
	notice := "Your lender has signed off on court action should the account stay unpaid past September 30; until then a repayment plan remains open to you."
	noticeZH := "债权方已批准，若十月底前仍未还款，我司将向法院提起诉讼；在此之前可随时申请分期。"
	tests := []struct {
		name string
		j    string
		text string
		ctx  compliance.Context
		ok   bool
	}{
		{"approved", "US", notice, compliance.Context{LegalActionApproved: true}, true},
		{"not approved", "US", notice, compliance.Context{}, false},
		{"time barred", "US", notice, compliance.Context{LegalActionApproved: true, TimeBarred: true}, false},
		{"approved zh", "CN", noticeZH, compliance.Context{LegalActionApproved: true}, true},
		{"not approved zh", "CN", noticeZH, compliance.Context{}, false},
		{"certainty", "US", "You will definitely be sued tomorrow.", compliance.Context{LegalActionApproved: true}, false},
		{"certainty zh", "CN", "明天一定起诉你，没得商量。", compliance.Context{LegalActionApproved: true}, false},
		{"with arrest", "US", "We have filed suit, and after judgment you will be arrested.", compliance.Context{LegalActionApproved: true}, false},
		{"with exposure", "CN", "已经起诉你了，我们还会通知你单位领导。", compliance.Context{LegalActionApproved: true}, false},
		{"filed when true", "CN", "经授权，我司已向人民法院提起诉讼，诉讼期间您仍可申请和解。", compliance.Context{LegalActionApproved: true}, true},
		{"已立案 when not true", "CN", "您的案件已立案，请尽快处理。", compliance.Context{}, false},
		{"negated", "US", "We have not filed a lawsuit and do not plan to.", compliance.Context{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := check(t, g, tt.j, tt.text, tt.ctx)
			if v.Allowed != tt.ok {
				t.Fatalf("allowed=%v, want %v: %v", v.Allowed, tt.ok, blocking(v))
			}
			if !tt.ok && !hasCategory(v, compliance.CategoryThreatFalseLegal) && !hasCategory(v, compliance.CategoryThreatArrest) && !hasCategory(v, compliance.CategoryThreatExposure) {
				t.Errorf("blocked without a legal, arrest or exposure violation: %v", blocking(v))
			}
			for _, x := range v.Violations {
				if x.Severity == compliance.SeverityReview {
					t.Errorf("review severity leaked into the verdict: %+v", x)
				}
			}
		})
	}
}

// TestContextRules covers what the case forbids whatever the wording.
func TestContextRules(t *testing.T) {
	g := mustGate(t)
	reminder := "Your payment of $60 is due on the 20th."
	tests := []struct {
		name, j, channel, text string
		ctx                    compliance.Context
		rule                   string
		ok                     bool
	}{
		{"cease", "US", "letter", reminder, compliance.Context{CeaseContact: true}, "us.regf.1006.6c.cease_contact", false},
		{"cease notice", "US", "letter", "As you asked, we will stop all further contact about this account.", compliance.Context{CeaseContact: true}, "", true},
		{"attorney", "US", "sms", reminder, compliance.Context{AttorneyRepresented: true}, "us.regf.1006.6b2.attorney", false},
		{"opted out channel", "US", "sms", reminder, compliance.Context{OptedOutChannels: []string{"SMS"}}, "us.regf.1006.14h.channel_opt_out", false},
		{"other channel", "US", "email", reminder, compliance.Context{OptedOutChannels: []string{"sms"}}, "", true},
		{"bankruptcy", "US", "letter", reminder, compliance.Context{Bankruptcy: true}, "us.usc11.362.bankruptcy_stay", false},
		{"cease zh", "CN", "sms", "您本期账单将于18日到期，请留意。", compliance.Context{CeaseContact: true}, "cn.policy.cease_contact", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := g.Check(compliance.Request{Text: tt.text, Jurisdiction: tt.j, Channel: tt.channel, Context: tt.ctx})
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed != tt.ok {
				t.Fatalf("allowed=%v, want %v: %+v", v.Allowed, tt.ok, v.Violations)
			}
			if tt.rule != "" {
				i := slices.IndexFunc(v.Violations, func(x compliance.Violation) bool { return x.Rule == tt.rule })
				if i < 0 {
					t.Fatalf("no %s violation: %+v", tt.rule, v.Violations)
				}
				if x := v.Violations[i]; x.Start != 0 || x.End != 0 || x.Excerpt != "" {
					t.Errorf("message-level violation has a span: %+v", x)
				}
				if v.SafeText != "" {
					t.Errorf("safe text offered although nothing may be sent: %q", v.SafeText)
				}
			}
		})
	}
}

// TestDisclosuresWarnOnly: missing disclosures are warnings and keep the
// message allowed.
func TestDisclosuresWarnOnly(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		name, j, channel, text string
		ctx                    compliance.Context
		want                   []string
	}{
		{"us sms", "US", "sms", "Your payment of $60 is due on the 20th.", compliance.Context{},
			[]string{"us.fdcpa.1692e11.debt_collector", "us.regf.1006.6e.opt_out"}},
		{"us complete", "US", "sms", "Your payment of $60 is due on the 20th. We are a debt collector. Reply STOP to opt out.", compliance.Context{}, nil},
		{"us first contact", "US", "letter", "This message, about your account, comes from a debt collector.", compliance.Context{FirstContact: true},
			[]string{"us.fdcpa.1692e11.initial"}},
		{"us business", "US", "email", "Invoice 2291 for $6,000 is due on the 20th.", compliance.Context{DebtorKind: "business"}, nil},
		{"cn no name", "CN", "sms", "您本期账单将于18日到期，请留意。", compliance.Context{}, []string{"cn.nifa.15.self_identification"}},
		{"cn ai label", "CN", "wechat", "【某某银行】您本期账单将于18日到期，请留意。", compliance.Context{AIGenerated: true}, []string{"cn.aigc.label"}},
		{"cn labelled", "CN", "wechat", "【某某银行】【AI生成】您本期账单将于18日到期，请留意。", compliance.Context{AIGenerated: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := g.Check(compliance.Request{Text: tt.text, Jurisdiction: tt.j, Channel: tt.channel, Context: tt.ctx})
			if err != nil {
				t.Fatal(err)
			}
			if !v.Allowed {
				t.Fatalf("blocked: %+v", v.Violations)
			}
			var got []string
			for _, x := range v.Violations {
				if x.Severity != compliance.SeverityWarn || x.Category != compliance.CategoryMissingDisclosure {
					t.Errorf("unexpected violation %+v", x)
				}
				got = append(got, x.Rule)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("warnings %v, want %v", got, tt.want)
			}
		})
	}
}

// TestContactPolicy: with a sending time the gate applies the contact
// policy and reports its findings as message-level blocks.
func TestContactPolicy(t *testing.T) {
	g := mustGate(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // the time zone database is embedded (contactpolicy imports time/tzdata)
	}
	text := "Your payment of $60 is due on the 20th. We are a debt collector."
	late := time.Date(2025, 6, 3, 22, 30, 0, 0, ny)
	v, err := g.Check(compliance.Request{Text: text, Jurisdiction: "US", Channel: "letter",
		Context: compliance.Context{SendAt: &late, DebtorTimezones: []string{"America/New_York"}}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Allowed || !slices.ContainsFunc(v.Violations, func(x compliance.Violation) bool {
		return x.Category == compliance.CategoryContactTime && x.Start == 0 && x.End == 0
	}) {
		t.Fatalf("22:30 local should block as contact_time: %+v", v)
	}
	noon := time.Date(2025, 6, 3, 12, 0, 0, 0, ny)
	var log []contactpolicy.Attempt
	for d := range 7 {
		log = append(log, contactpolicy.Attempt{At: noon.AddDate(0, 0, -d-1).Add(time.Hour), Channel: "call", Connected: true})
	}
	v, err = g.Check(compliance.Request{Text: text, Jurisdiction: "US", Channel: "call",
		Context: compliance.Context{SendAt: &noon, DebtorTimezones: []string{"America/New_York"}, ContactLog: log}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Allowed || !hasCategory(v, compliance.CategoryContactFrequency) {
		t.Fatalf("8th call in 7 days should block as contact_frequency: %+v", v)
	}
	v, err = g.Check(compliance.Request{Text: text, Jurisdiction: "US", Channel: "letter",
		Context: compliance.Context{SendAt: &noon, DebtorTimezones: []string{"America/New_York"}}})
	if err != nil || !v.Allowed {
		t.Fatalf("noon should pass: %+v %v", v, err)
	}
}

// TestSafeText: a blocked message gets a rewrite that itself passes: the
// message without its offending sentences, or a template in its language.
func TestSafeText(t *testing.T) {
	g := mustGate(t)
	tests := []struct {
		name, j, channel, text string
		ctx                    compliance.Context
		want                   string // substring of the safe text
		lang                   string
	}{
		{"drop a sentence", "US", "letter", "Your balance of $420 is now 30 days past due. We know where you sleep. Please call us to set up a plan that fits your budget.",
			compliance.Context{}, "Please call us to set up a plan", "en"},
		{"template en", "US", "sms", "Pay now, you deadbeat.", compliance.Context{}, "Reply STOP", "en"},
		{"template zh", "CN", "wechat", "你这个老赖，再不还钱就弄死你。", compliance.Context{}, "客服中心", "zh"},
		{"ai label", "CN", "chat", "再不还钱就等着坐牢吧！", compliance.Context{AIGenerated: true}, "【AI生成】", "zh"},
		{"mostly chinese in us", "US", "letter", "拖着不还的话，我们会通知你的老板。", compliance.Context{}, "您好", "zh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := compliance.Request{Text: tt.text, Jurisdiction: tt.j, Channel: tt.channel, Context: tt.ctx}
			v, err := g.Check(req)
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed {
				t.Fatal("expected a block")
			}
			if !strings.Contains(v.SafeText, tt.want) {
				t.Fatalf("safe text %q lacks %q", v.SafeText, tt.want)
			}
			req.Text = v.SafeText
			sv, err := g.Check(req)
			if err != nil || !sv.Allowed {
				t.Fatalf("safe text %q does not pass: %+v %v", v.SafeText, sv.Violations, err)
			}
			hasHan := strings.ContainsFunc(v.SafeText, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF })
			if (tt.lang == "zh") != hasHan {
				t.Errorf("safe text %q in the wrong language", v.SafeText)
			}
		})
	}
	v := check(t, g, "US", "Thanks, your payment was received.", compliance.Context{})
	if v.SafeText != "" {
		t.Errorf("allowed message got safe text %q", v.SafeText)
	}
}

// TestClear: only an allowed message yields a valid Cleared, carrying
// exactly what was screened.
func TestClear(t *testing.T) {
	g := mustGate(t)
	var zero compliance.Cleared
	if zero.Valid() {
		t.Fatal("zero Cleared is valid")
	}
	ok := compliance.Request{Text: "Your payment of $60 is due on the 20th.", Jurisdiction: "us", Channel: "SMS"}
	c, v, err := g.Clear(ok)
	if err != nil || !v.Allowed || !c.Valid() {
		t.Fatalf("Clear(ok) = %+v %+v %v", c, v, err)
	}
	if c.Text() != ok.Text || c.Jurisdiction() != "US" || c.Channel() != "sms" || c.ClearedAt().IsZero() {
		t.Errorf("cleared %q %s %s %v", c.Text(), c.Jurisdiction(), c.Channel(), c.ClearedAt())
	}
	cv := c.Verdict()
	if !cv.Allowed || len(cv.Violations) != len(v.Violations) {
		t.Errorf("cleared verdict %+v", cv)
	}
	if len(cv.Violations) > 0 {
		cv.Violations[0].Rule = "changed"
		if c.Verdict().Violations[0].Rule == "changed" {
			t.Error("Cleared.Verdict shares its violations")
		}
	}
	c, v, err = g.Clear(compliance.Request{Text: "Pay or you'll get hurt.", Jurisdiction: "US", Channel: "sms"})
	if err != nil || v.Allowed || c.Valid() {
		t.Errorf("Clear(blocked) = valid %v, allowed %v, err %v", c.Valid(), v.Allowed, err)
	}
}

// TestConcurrentChecks runs the gate from many goroutines (run with -race).
func TestConcurrentChecks(t *testing.T) {
	g := mustGate(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				c := screenCases[(i*50+j)%len(screenCases)]
				v, err := g.Check(compliance.Request{Text: c.text, Jurisdiction: c.jurisdiction, Channel: "sms", Context: contextWith(c.approved)})
				if err != nil || v.Allowed == c.block {
					t.Errorf("%q: allowed=%v err=%v", c.text, v.Allowed, err)
				}
			}
		})
	}
	wg.Wait()
}

// TestLoadTime guards against pack growth that would make loading slow.
// The target is < 200 ms (see BenchmarkLoadPacks); the bound here is loose
// because test machines are shared.
func TestLoadTime(t *testing.T) {
	start := time.Now()
	g, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	<-g.Ready()
	t.Logf("NewGate took %v; DFAs ready after %v", d, time.Since(start))
	if d > 2*time.Second {
		t.Errorf("loading the packs took %v", d)
	}
}

// FuzzScreen checks that screening never panics, that spans are in range
// and on rune boundaries with the right excerpts, and that a blocked
// message's safe text passes.
func FuzzScreen(f *testing.F) {
	for _, c := range screenCases[:40] {
		f.Add(c.text, c.jurisdiction)
	}
	f.Add("k.i.l.l y0u ＦＢＩ 坐 牢 zuo lao \u200b", "CN")
	f.Add("\xff\xfe", "US")
	g := mustGate(f)
	f.Fuzz(func(t *testing.T, text, j string) {
		if j != "US" {
			j = "CN"
		}
		v, err := g.Check(compliance.Request{Text: text, Jurisdiction: j, Channel: "sms"})
		if err != nil {
			var ie *compliance.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("non-input error %v", err)
			}
			return
		}
		runes := []rune(text)
		for _, x := range v.Violations {
			if x.Start < 0 || x.Start > x.End || x.End > len(runes) {
				t.Fatalf("span [%d,%d) outside %d runes", x.Start, x.End, len(runes))
			}
			if x.Excerpt != string(runes[x.Start:x.End]) || !utf8.ValidString(x.Excerpt) {
				t.Fatalf("excerpt %q is not runes[%d:%d]", x.Excerpt, x.Start, x.End)
			}
		}
		if !v.Allowed && v.SafeText != "" {
			sv, err := g.Check(compliance.Request{Text: v.SafeText, Jurisdiction: j, Channel: "sms"})
			if err != nil || !sv.Allowed {
				t.Fatalf("safe text %q of %q does not pass: %v", v.SafeText, text, blocking(sv))
			}
		}
	})
}
