package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/parley-dev/parley/assistant/httpapi"
	"github.com/parley-dev/parley/retrieval"
)

// newQAServer is the full service with the memory QA store; logs go to the buffer.
func newQAServer(t *testing.T, keys []httpapi.APIKey) (fixture, *bytes.Buffer) {
	t.Helper()
	svc := newDraftingService(t, nil)
	logs := &bytes.Buffer{}
	svc.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	svc.QA = retrieval.NewMemoryQA()
	return fixture{srv: httpapi.NewServer(httpapi.Deps{Service: svc, Logger: svc.Logger, Keys: keys}), logs: logs}, logs
}

type turn struct{ speaker, text string }

func transcriptJSON(caseID, jurisdiction, startedAt string, turns ...turn) string {
	var ts []map[string]string
	for _, t := range turns {
		ts = append(ts, map[string]string{"speaker": t.speaker, "text": t.text})
	}
	body := map[string]any{"channel": "call", "started_at": startedAt, "turns": ts}
	if caseID != "" {
		body["case_id"] = caseID
	}
	if jurisdiction != "" {
		body["jurisdiction"] = jurisdiction
	}
	b, _ := json.Marshal(body)
	return string(b)
}

func findings(body map[string]any) []map[string]any {
	var out []map[string]any
	fs, _ := body["findings"].([]any)
	for _, f := range fs {
		out = append(out, f.(map[string]any))
	}
	return out
}

func hasFinding(body map[string]any, rule string) map[string]any {
	for _, f := range findings(body) {
		if f["rule"] == rule || f["category"] == rule {
			return f
		}
	}
	return nil
}

const (
	zhOpening = "您好，我是华信消费金融的客服小王，想跟您确认一下本月账单的还款安排。"
	enOpening = "Hi Maria, this is Sam from Lakeside Dental Billing, a debt collector. This is an attempt to collect a debt and any information obtained will be used for that purpose."
	cnMorning = "2026-11-20T10:00:00+08:00"
	usMorning = "2026-11-20T16:00:00Z" // 10:00 in Chicago
)

// TestTranscriptReview runs transcripts through the real router: clean calls score
// high and make no flag; threats, collecting after "stop calling me", night calls
// and high-risk debtors make flags with the spans to highlight.
func TestTranscriptReview(t *testing.T) {
	f, logs := newQAServer(t, nil)
	_, cn := f.do(t, "POST", "/v1/cases", "", validCase)
	_, us := f.do(t, "POST", "/v1/cases", "", usCase)
	cnID, usID := cn["id"].(string), us["id"].(string)
	tests := []struct {
		name     string
		body     string
		minScore int
		maxScore int
		flagged  bool
		rule     string // a finding that must be there
		excerpt  string // the span the flag must highlight
	}{
		{"clean zh call", transcriptJSON(cnID, "", cnMorning,
			turn{"agent", zhOpening}, turn{"debtor", "下个月发工资我就还，能分三期吗"},
			turn{"agent", "好的，可以分三期，每期四千元，每月10号前还，我们会短信跟您确认。"}), 95, 100, false, "", ""},
		{"clean en call", transcriptJSON(usID, "", usMorning,
			turn{"agent", enOpening}, turn{"debtor", "My hours got cut. I can pay $200 on Friday and the rest next month, is that ok?"},
			turn{"agent", "That works, thank you. I'll note $200 on Friday and we'll send the plan in writing."}), 95, 100, false, "", ""},
		{"en threat of arrest", transcriptJSON("", "US", usMorning,
			turn{"agent", "Hi, this is Sam from Acme Collections, a debt collector."}, turn{"debtor", "I can't pay right now."},
			turn{"agent", "If you don't pay today we will have you arrested."}), 0, 75, true, "threat_arrest", "arrested"},
		{"zh threat of jail", transcriptJSON(cnID, "", cnMorning,
			turn{"agent", zhOpening}, turn{"debtor", "我现在真的没钱"}, turn{"agent", "再不还钱就让你坐牢。"}), 0, 75, true, "threat_arrest", "坐牢"},
		{"en kept collecting after stop calling me", transcriptJSON(usID, "", usMorning,
			turn{"agent", enOpening}, turn{"debtor", "Stop calling me."},
			turn{"agent", "You still owe $860. When can you pay?"}), 0, 75, true, "qa.continued_after_cease_contact", "owe"},
		{"zh kept collecting after stop calling me", transcriptJSON(cnID, "", cnMorning,
			turn{"agent", zhOpening}, turn{"debtor", "别再给我打电话了"},
			turn{"agent", "那你欠的钱到底什么时候还？"}), 0, 75, true, "qa.continued_after_cease_contact", "欠的"},
		{"en agent stops when asked", transcriptJSON(usID, "", usMorning,
			turn{"agent", enOpening}, turn{"debtor", "Stop calling me."},
			turn{"agent", "Understood, we will stop calling you. Goodbye."}), 95, 100, false, "qa.rights_request", ""},
		{"zh call at night", transcriptJSON(cnID, "", "2026-11-20T23:30:00+08:00",
			turn{"agent", zhOpening}, turn{"debtor", "下个月发工资我就还，能分三期吗"}), 0, 75, true, "contact_time", ""},
		{"en high-risk debtor", transcriptJSON(usID, "", usMorning,
			turn{"agent", enOpening}, turn{"debtor", "I'm never paying you, get lost. I'm moving abroad."},
			turn{"agent", "I understand. We are here if you want to talk about options."}), 95, 100, true, "qa.debtor_high_risk", ""},
		{"missing disclosure in the first turns", transcriptJSON("", "US", usMorning,
			turn{"agent", "Hi, is this Maria?"}, turn{"debtor", "Yes, who is this?"},
			turn{"agent", "I'm calling about your dental bill."}), 90, 95, false, "missing_disclosure", ""},
	}
	var texts []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "POST", "/v1/transcripts", "", tt.body)
			if res.StatusCode != 201 {
				t.Fatalf("status %d: %v", res.StatusCode, body)
			}
			var in struct {
				Turns []struct{ Speaker, Text string }
			}
			_ = json.Unmarshal([]byte(tt.body), &in)
			turns := body["turns"].([]any)
			if len(turns) != len(in.Turns) {
				t.Fatalf("%d turn results for %d turns", len(turns), len(in.Turns))
			}
			for i, x := range turns {
				tr := x.(map[string]any)
				texts = append(texts, in.Turns[i].Text)
				if tr["index"] != float64(i) || tr["speaker"] != in.Turns[i].Speaker {
					t.Fatalf("turn %d: %v", i, tr)
				}
				if _, ok := tr["verdict"]; (in.Turns[i].Speaker == "agent") != ok {
					t.Fatalf("turn %d: verdict only on agent turns: %v", i, tr)
				}
				if _, ok := tr["analysis"]; (in.Turns[i].Speaker == "debtor") != ok {
					t.Fatalf("turn %d: analysis only on debtor turns: %v", i, tr)
				}
			}
			score := int(body["score"].(float64))
			if score < tt.minScore || score > tt.maxScore {
				t.Fatalf("score %d, want %d..%d; findings %v", score, tt.minScore, tt.maxScore, body["findings"])
			}
			if tt.rule != "" && hasFinding(body, tt.rule) == nil {
				t.Fatalf("no %s finding in %v", tt.rule, body["findings"])
			}
			penalties := 0
			for _, f := range findings(body) {
				penalties += int(f["penalty"].(float64))
			}
			if want := max(0, 100-penalties); score != want {
				t.Fatalf("score %d is not 100 - %d", score, penalties)
			}
			flag, _ := body["flag"].(map[string]any)
			if (flag != nil) != tt.flagged {
				t.Fatalf("flag = %v, want flagged %v; findings %v", body["flag"], tt.flagged, body["findings"])
			}
			if flag != nil {
				if flag["status"] != "open" || flag["transcript_id"] != body["id"] || len(flag["reasons"].([]any)) == 0 || flag["resolved_at"] != nil {
					t.Fatalf("flag %v", flag)
				}
			}
			if tt.excerpt != "" {
				found := false
				for _, s := range flag["spans"].([]any) {
					span := s.(map[string]any)
					turn := in.Turns[int(span["turn"].(float64))].Text
					got := string([]rune(turn)[int(span["start"].(float64)):int(span["end"].(float64))])
					if got != span["excerpt"] {
						t.Fatalf("span %v does not match its turn's runes %q", span, got)
					}
					found = found || strings.Contains(got, tt.excerpt)
				}
				if !found {
					t.Fatalf("no span with %q in %v", tt.excerpt, flag["spans"])
				}
			}
		})
	}
	for _, text := range texts {
		if strings.Contains(logs.String(), text) {
			t.Fatalf("a turn text reached the logs: %q", text)
		}
	}
	// The review is on the case's audit trail.
	_, evs := f.do(t, "GET", "/v1/cases/"+usID+"/events?limit=200", "", "")
	if !strings.Contains(fmt.Sprint(evs["items"]), "reviewed") {
		t.Fatalf("no audit event for the review: %v", evs["items"])
	}
}

// TestTranscriptFirstContactDisclosure: on a first contact the full disclosure
// (us.fdcpa.1692e11.initial) may come in any of the agent's first two turns; when
// neither says it, the review reports it however many times the agent spoke.
func TestTranscriptFirstContactDisclosure(t *testing.T) {
	const initial = "us.fdcpa.1692e11.initial"
	const collector = "Hi Maria, this is Sam from Lakeside Dental Billing, a debt collector."
	const miranda = "This is an attempt to collect a debt and any information obtained will be used for that purpose."
	tests := []struct {
		name  string
		turns []turn
		want  bool // an initial-disclosure finding
	}{
		{"two agent turns, neither discloses", []turn{{"agent", collector}, {"debtor", "Yes, what is it?"},
			{"agent", "I'm calling about your dental bill from March."}}, true},
		{"three agent turns, neither of the first two discloses", []turn{{"agent", "Hi, is this Maria?"}, {"debtor", "Yes, who is this?"},
			{"agent", collector}, {"debtor", "Ok."}, {"agent", miranda}}, true},
		{"one agent turn without it", []turn{{"agent", collector}, {"debtor", "Yes?"}}, true},
		{"said in the first turn", []turn{{"agent", collector + " " + miranda}, {"debtor", "Yes, what is it?"},
			{"agent", "I'm calling about your dental bill from March."}}, false},
		{"said in the second turn", []turn{{"agent", "Hi, is this Maria?"}, {"debtor", "Yes, who is this?"},
			{"agent", collector + " " + miranda}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newQAServer(t, nil)
			_, c := f.do(t, "POST", "/v1/cases", "", usCase) // no outbound contact yet: a first contact
			res, body := f.do(t, "POST", "/v1/transcripts", "", transcriptJSON(c["id"].(string), "", usMorning, tt.turns...))
			if res.StatusCode != 201 {
				t.Fatalf("status %d: %v", res.StatusCode, body)
			}
			got := hasFinding(body, initial)
			if (got != nil) != tt.want {
				t.Fatalf("%s finding: %v, want %v; findings %v", initial, got, tt.want, body["findings"])
			}
			if got != nil && (got["category"] != "missing_disclosure" || got["severity"] != "warn" || got["turn"] != float64(0)) {
				t.Fatalf("finding %v", got)
			}
		})
	}
	// Not a first contact: the initial disclosure is not required.
	f, _ := newQAServer(t, nil)
	_, c := f.do(t, "POST", "/v1/cases", "", usCase)
	id := c["id"].(string)
	if res, ev := f.do(t, "POST", "/v1/cases/"+id+"/events", "", `{"kind": "message", "direction": "outbound", "channel": "sms", "text": "Hi Maria, this is Lakeside Dental Billing, a debt collector."}`); res.StatusCode != 201 {
		t.Fatalf("history: %d %v", res.StatusCode, ev)
	}
	_, body := f.do(t, "POST", "/v1/transcripts", "", transcriptJSON(id, "", usMorning, tests[0].turns...))
	if got := hasFinding(body, initial); got != nil {
		t.Fatalf("initial disclosure required after an earlier contact: %v", got)
	}
}

// TestTranscriptSeparateViolations: violations of one category in one turn are one
// finding only when their spans overlap; apart, each is its own finding and no span
// covers the innocent text between them.
func TestTranscriptSeparateViolations(t *testing.T) {
	const innocent = "I hope your family is well"
	tests := []struct {
		name     string
		text     string
		excerpts []string // the threat_arrest spans, in order
	}{
		{"two threats apart", "We will have you arrested. " + innocent + " and the weather is nice today. The police will take you to jail.",
			[]string{"you arrested", "police will take you to jail"}},
		{"overlapping rules, one threat", "If you don't pay today we will have you arrested.", []string{"you arrested"}},
		{"zh two threats apart", "再不还钱就让你坐牢。今天天气不错，祝您家人安好。警察会来抓你。", []string{"你坐牢", "警察会来抓你"}},
	}
	f, _ := newQAServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "POST", "/v1/transcripts", "", transcriptJSON("", "US", usMorning,
				turn{"agent", "Hi, this is Sam from Acme Collections, a debt collector."}, turn{"debtor", "I can't pay right now."}, turn{"agent", tt.text}))
			if res.StatusCode != 201 {
				t.Fatalf("status %d: %v", res.StatusCode, body)
			}
			var got []string
			for _, x := range findings(body) {
				if x["category"] != "threat_arrest" {
					continue
				}
				start, end := int(x["start"].(float64)), int(x["end"].(float64))
				if x["turn"] != float64(2) || string([]rune(tt.text)[start:end]) != x["excerpt"] {
					t.Fatalf("finding %v does not match its turn", x)
				}
				got = append(got, x["excerpt"].(string))
			}
			if !slices.Equal(got, tt.excerpts) {
				t.Fatalf("threat_arrest spans %q, want %q", got, tt.excerpts)
			}
			flag, _ := body["flag"].(map[string]any)
			if flag == nil || len(flag["spans"].([]any)) != len(tt.excerpts) {
				t.Fatalf("flag %v, want %d spans", flag, len(tt.excerpts))
			}
			for _, sp := range flag["spans"].([]any) {
				if strings.Contains(sp.(map[string]any)["excerpt"].(string), "天气") || strings.Contains(sp.(map[string]any)["excerpt"].(string), innocent) {
					t.Fatalf("a span covers innocent text: %v", sp)
				}
			}
			if want := max(0, 100-25*len(tt.excerpts)); int(body["score"].(float64)) != want {
				t.Fatalf("score %v, want %d", body["score"], want)
			}
		})
	}
}

// TestFlagQueue lists, resolves and re-resolves a flag through the router.
func TestFlagQueue(t *testing.T) {
	f, _ := newQAServer(t, nil)
	_, c := f.do(t, "POST", "/v1/cases", "", usCase)
	caseID := c["id"].(string)
	res, body := f.do(t, "POST", "/v1/transcripts", "", transcriptJSON(caseID, "", usMorning,
		turn{"agent", enOpening}, turn{"agent", "Pay today or you will go to jail."}))
	if res.StatusCode != 201 || body["flag"] == nil {
		t.Fatalf("review: %d %v", res.StatusCode, body)
	}
	flagID := body["flag"].(map[string]any)["id"].(string)

	res, list := f.do(t, "GET", "/v1/qa/flags?status=open", "", "")
	items, _ := list["items"].([]any)
	if res.StatusCode != 200 || len(items) != 1 || list["next_cursor"] != "" {
		t.Fatalf("open flags: %d %v", res.StatusCode, list)
	}
	item := items[0].(map[string]any)
	for _, k := range []string{"id", "transcript_id", "case_id", "status", "reasons", "spans", "created_at", "decision", "note", "resolved_at"} {
		if _, ok := item[k]; !ok {
			t.Fatalf("flag lacks %q: %v", k, item)
		}
	}
	reason := item["reasons"].([]any)[0].(map[string]any)
	if reason["turn"] != float64(1) || reason["severity"] != "block" || reason["rule"] == "" || item["case_id"] != caseID {
		t.Fatalf("reason %v", reason)
	}

	tests := []struct {
		name, path, body string
		want             int
		code             string
	}{
		{"bad decision", "/v1/qa/flags/" + flagID + "/resolve", `{"decision": "maybe"}`, 400, "invalid_request"},
		{"unknown flag", "/v1/qa/flags/flag_missing/resolve", `{"decision": "confirmed"}`, 404, "not_found"},
		{"confirm", "/v1/qa/flags/" + flagID + "/resolve", `{"decision": "confirmed", "note": "coached the agent"}`, 200, ""},
		{"resolve twice", "/v1/qa/flags/" + flagID + "/resolve", `{"decision": "dismissed"}`, 409, "conflict"},
		{"no body", "/v1/qa/flags/" + flagID + "/resolve", ``, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "POST", tt.path, "", tt.body)
			if res.StatusCode != tt.want || errorCode(body) != tt.code {
				t.Fatalf("got %d %v, want %d %q", res.StatusCode, body, tt.want, tt.code)
			}
			if tt.want == 200 && (body["status"] != "confirmed" || body["decision"] != "confirmed" || body["note"] != "coached the agent" || body["resolved_at"] == nil) {
				t.Fatalf("resolved flag %v", body)
			}
		})
	}
	for status, want := range map[string]int{"open": 0, "confirmed": 1, "dismissed": 0, "all": 1, "": 0} {
		res, list := f.do(t, "GET", "/v1/qa/flags?status="+status, "", "")
		if res.StatusCode != 200 || len(list["items"].([]any)) != want {
			t.Fatalf("status=%s: %d %v, want %d items", status, res.StatusCode, list, want)
		}
	}
	for _, q := range []string{"status=closed", "cursor=bogus!", "limit=-1"} {
		if res, body := f.do(t, "GET", "/v1/qa/flags?"+q, "", ""); res.StatusCode != 400 || errorCode(body) != "invalid_request" {
			t.Fatalf("%s: %d %v", q, res.StatusCode, body)
		}
	}
	// The transcript keeps its review and now-resolved flag.
	res, tr := f.do(t, "GET", "/v1/transcripts/"+body["id"].(string), "", "")
	if res.StatusCode != 200 || tr["flag"].(map[string]any)["status"] != "confirmed" || tr["score"] == nil {
		t.Fatalf("transcript: %d %v", res.StatusCode, tr)
	}
	_, evs := f.do(t, "GET", "/v1/cases/"+caseID+"/events?limit=200", "", "")
	if !strings.Contains(fmt.Sprint(evs["items"]), "confirmed") {
		t.Fatalf("no audit event for the resolution: %v", evs["items"])
	}
}

// TestTranscriptErrors: bad input is a 4xx naming the field, never a 500.
func TestTranscriptErrors(t *testing.T) {
	f, _ := newQAServer(t, nil)
	ok := turn{"agent", "Hello"}
	many := make([]turn, 501)
	for i := range many {
		many[i] = ok
	}
	tests := []struct {
		name, body string
		want       int
		code       string
		field      string
		mention    string
	}{
		{"no turns", `{"channel": "call", "jurisdiction": "US", "turns": []}`, 400, "invalid_request", "turns", ""},
		{"turns missing", `{"channel": "call", "jurisdiction": "US"}`, 400, "invalid_request", "turns", ""},
		{"too many turns", transcriptJSON("", "US", "", many...), 400, "invalid_request", "turns", "500"},
		{"missing speaker", `{"channel": "call", "jurisdiction": "US", "turns": [{"text": "hi"}]}`, 400, "invalid_request", "turns[0].speaker", ""},
		{"unknown speaker", transcriptJSON("", "US", "", ok, turn{"robot", "hi"}), 400, "invalid_request", "turns[1].speaker", ""},
		{"empty text", transcriptJSON("", "US", "", ok, turn{"debtor", "  "}), 400, "invalid_request", "turns[1].text", ""},
		{"turn over 64 KiB", transcriptJSON("", "US", "", turn{"agent", strings.Repeat("a", 64*1024+1)}), 413, "payload_too_large", "turns[0].text", ""},
		{"unknown jurisdiction", transcriptJSON("", "UK", "", ok), 400, "invalid_request", "jurisdiction", "US, CN"},
		{"no jurisdiction without a case", transcriptJSON("", "", "", ok), 400, "invalid_request", "jurisdiction", "US, CN"},
		{"unknown channel", `{"channel": "fax", "jurisdiction": "US", "turns": [{"speaker": "agent", "text": "hi"}]}`, 400, "invalid_request", "channel", "sms, email"},
		{"missing channel", `{"jurisdiction": "US", "turns": [{"speaker": "agent", "text": "hi"}]}`, 400, "invalid_request", "channel", "call"},
		{"bad direction", `{"channel": "call", "jurisdiction": "US", "direction": "sideways", "turns": [{"speaker": "agent", "text": "hi"}]}`, 400, "invalid_request", "direction", ""},
		{"unknown case", transcriptJSON("case_missing", "US", "", ok), 404, "not_found", "", ""},
		{"bad started_at", transcriptJSON("", "US", "yesterday", ok), 400, "invalid_request", "started_at", ""},
		{"bad turn time", `{"channel": "call", "jurisdiction": "US", "turns": [{"speaker": "agent", "text": "hi", "at": "noon"}]}`, 400, "invalid_request", "turns[0].at", ""},
		{"turns not a list", `{"channel": "call", "jurisdiction": "US", "turns": {"speaker": "agent"}}`, 400, "invalid_request", "turns", ""},
		{"not JSON", `{"channel": `, 400, "invalid_request", "body", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, "POST", "/v1/transcripts", "", tt.body)
			e, _ := body["error"].(map[string]any)
			if res.StatusCode != tt.want || errorCode(body) != tt.code || (tt.field != "" && e["field"] != tt.field) {
				t.Fatalf("got %d %v, want %d %s field %q", res.StatusCode, body, tt.want, tt.code, tt.field)
			}
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.mention) {
				t.Fatalf("message %q does not mention %q", msg, tt.mention)
			}
		})
	}
}

// TestQARoles: agents and QA post transcripts; only QA and admin work the flags.
func TestQARoles(t *testing.T) {
	keys := []httpapi.APIKey{{Role: httpapi.RoleAgent, Key: agentKey}, {Role: httpapi.RoleQA, Key: qaKey}, {Role: httpapi.RoleAdmin, Key: adminKey}}
	f, _ := newQAServer(t, keys)
	threat := transcriptJSON("", "US", usMorning, turn{"agent", "We will have you arrested."})
	tests := []struct {
		name, method, path, key, body string
		want                          int
	}{
		{"anonymous may not post", "POST", "/v1/transcripts", "", threat, 401},
		{"agent posts", "POST", "/v1/transcripts", agentKey, threat, 201},
		{"qa posts", "POST", "/v1/transcripts", qaKey, threat, 201},
		{"admin posts", "POST", "/v1/transcripts", adminKey, threat, 201},
		{"agent may not list flags", "GET", "/v1/qa/flags", agentKey, "", 403},
		{"qa lists flags", "GET", "/v1/qa/flags", qaKey, "", 200},
		{"admin lists flags", "GET", "/v1/qa/flags", adminKey, "", 200},
		{"agent may not resolve", "POST", "/v1/qa/flags/flag_x/resolve", agentKey, `{"decision": "dismissed"}`, 403},
		{"qa resolves (unknown id)", "POST", "/v1/qa/flags/flag_x/resolve", qaKey, `{"decision": "dismissed"}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, tt.method, tt.path, tt.key, tt.body)
			if res.StatusCode != tt.want {
				t.Fatalf("got %d %v, want %d", res.StatusCode, body, tt.want)
			}
		})
	}
	_, list := f.do(t, "GET", "/v1/qa/flags", adminKey, "")
	items := list["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("want 3 open flags, got %v", list)
	}
	id := items[0].(map[string]any)["id"].(string)
	if res, body := f.do(t, "POST", "/v1/qa/flags/"+id+"/resolve", adminKey, `{"decision": "dismissed", "note": "training call"}`); res.StatusCode != 200 || body["status"] != "dismissed" {
		t.Fatalf("admin resolve: %d %v", res.StatusCode, body)
	}
}
