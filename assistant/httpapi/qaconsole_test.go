package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-dev/parley/assistant/httpapi"
)

var qaConsoleKeys = []httpapi.APIKey{{Role: httpapi.RoleAgent, Key: agentKey}, {Role: httpapi.RoleQA, Key: qaKey}, {Role: httpapi.RoleAdmin, Key: adminKey}}

var (
	scriptTag     = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	inlineHandler = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	apiBase       = regexp.MustCompile(`var API = "([^"]*)";`)
)

// fetch gets a page asset through the real router, without any key: the page is
// public even when the API needs keys.
func fetch(t *testing.T, f fixture, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Result(), rec.Body.String()
}

// TestQAConsolePage: the page, its script and its style sheet are served from the
// binary with their content types and the strict headers (no inline script, no
// framing); the page has no inline script and the script builds no markup.
func TestQAConsolePage(t *testing.T) {
	f, _ := newQAServer(t, qaConsoleKeys)
	for _, tt := range []struct{ path, ctype string }{
		{"/qa/", "text/html; charset=utf-8"},
		{"/qa/qa.js", "text/javascript; charset=utf-8"},
		{"/qa/qa.css", "text/css; charset=utf-8"},
	} {
		res, _ := fetch(t, f, tt.path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != tt.ctype {
			t.Fatalf("GET %s: %d %q, want 200 %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"), tt.ctype)
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", tt.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("GET %s: CSP %q allows unsafe sources", tt.path, csp)
		}
		for h, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("GET %s: %s = %q, want %q", tt.path, h, got, want)
			}
		}
	}

	_, page := fetch(t, f, "/qa/")
	scripts := scriptTag.FindAllStringSubmatch(page, -1)
	if len(scripts) != 1 || !strings.Contains(scripts[0][1], `src="qa.js"`) {
		t.Fatalf("want exactly one script, qa.js: %q", scripts)
	}
	for _, s := range scripts {
		if strings.TrimSpace(s[2]) != "" || !strings.Contains(s[1], "src=") {
			t.Errorf("inline script: %q", s[0])
		}
	}
	if m := inlineHandler.FindString(page); m != "" {
		t.Errorf("inline event handler: %q", m)
	}
	for _, bad := range []string{"javascript:", `src="http`, `href="http`, "//cdn", "<style"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{`href="qa.css"`, `<label for="api-key"`, `<label for="status"`, `<label for="note"`, `role="status"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	_, js := fetch(t, f, "/qa/qa.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "http://", "https://"} {
		if strings.Contains(js, bad) {
			t.Errorf("qa.js uses %q", bad)
		}
	}
	// What the script reads and sends is what the API serves (see the next test).
	for _, want := range []string{"/qa/flags", "/transcripts/", "/resolve", "next_cursor", "transcript_id", "spans", "Authorization", "Bearer ", "sessionStorage", "createTextNode"} {
		if !strings.Contains(js, want) {
			t.Errorf("qa.js lacks %q", want)
		}
	}

	if res, _ := fetch(t, f, "/qa"); res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/qa/" {
		t.Fatalf("GET /qa: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestQAConsoleSeesNewFlag: a flag made by POST /v1/transcripts is in the list the
// console loads (with the QA key, as the page sends it, at the URL its relative
// base resolves to), its transcript has the turn texts the spans point into, and
// resolving it twice answers 409 with the error body the page shows.
func TestQAConsoleSeesNewFlag(t *testing.T) {
	f, _ := newQAServer(t, qaConsoleKeys)
	_, c := f.do(t, "POST", "/v1/cases", agentKey, usCase)
	caseID := c["id"].(string)
	threat := "Pay today or you will go to jail. <script>alert(1)</script>"
	turns := []turn{{"agent", enOpening}, {"debtor", "I can't pay 😟 right now."}, {"agent", threat}}
	res, posted := f.do(t, "POST", "/v1/transcripts", agentKey, transcriptJSON(caseID, "", usMorning, turns...))
	if res.StatusCode != 201 || posted["flag"] == nil {
		t.Fatalf("review: %d %v", res.StatusCode, posted)
	}
	flagID := posted["flag"].(map[string]any)["id"].(string)

	// The page calls API + "/qa/flags" with API relative to /qa/.
	_, js := fetch(t, f, "/qa/qa.js")
	m := apiBase.FindStringSubmatch(js)
	if m == nil {
		t.Fatal(`qa.js has no var API = "..."`)
	}
	page, _ := url.Parse("/qa/")
	flagsURL := page.ResolveReference(&url.URL{Path: m[1] + "/qa/flags", RawQuery: "status=open&limit=20"}).String()
	if flagsURL != "/v1/qa/flags?status=open&limit=20" {
		t.Fatalf("the page would call %q", flagsURL)
	}
	if res, _ := f.do(t, "GET", flagsURL, "", ""); res.StatusCode != 401 {
		t.Fatalf("flags without a key: %d", res.StatusCode)
	}
	res, list := f.do(t, "GET", flagsURL, qaKey, "")
	if res.StatusCode != 200 {
		t.Fatalf("flags: %d %v", res.StatusCode, list)
	}
	var page1 struct {
		Items []struct {
			ID           string
			TranscriptID string `json:"transcript_id"`
			CaseID       string `json:"case_id"`
			Status       string
			CreatedAt    string `json:"created_at"`
			Reasons      []struct{ Rule, Category, Severity string }
			Spans        []struct{ Turn, Start, End int }
		}
		NextCursor *string `json:"next_cursor"`
	}
	decodeInto(t, list, &page1)
	if len(page1.Items) != 1 || page1.NextCursor == nil || *page1.NextCursor != "" {
		t.Fatalf("open flags: %v", list)
	}
	item := page1.Items[0]
	if item.ID != flagID || item.TranscriptID != posted["id"] || item.CaseID != caseID || item.Status != "open" || item.CreatedAt == "" ||
		len(item.Reasons) == 0 || item.Reasons[0].Severity == "" || item.Reasons[0].Category == "" || len(item.Spans) == 0 {
		t.Fatalf("flag as listed: %+v", item)
	}

	// Opening it: the transcript with the texts the spans point into.
	res, tr := f.do(t, "GET", "/v1/transcripts/"+url.PathEscape(item.TranscriptID), qaKey, "")
	if res.StatusCode != 200 {
		t.Fatalf("transcript: %d %v", res.StatusCode, tr)
	}
	var review struct {
		Score int
		Turns []struct {
			Index         int
			Speaker, Text string
		}
		Findings []struct {
			Rule, Category, Severity, Explanation, Citation string
			Turn                                            *int
		}
		Flag struct {
			ID, Status string
			Spans      []struct {
				Turn, Start, End int
				Excerpt          string
			}
		}
	}
	decodeInto(t, tr, &review)
	if len(review.Turns) != len(turns) || review.Flag.ID != flagID || review.Flag.Status != "open" {
		t.Fatalf("transcript as opened: %v", tr)
	}
	for i, tu := range review.Turns {
		if tu.Index != i || tu.Speaker != turns[i].speaker || tu.Text != turns[i].text {
			t.Fatalf("turn %d: %+v, want %+v", i, tu, turns[i])
		}
	}
	for _, s := range review.Flag.Spans {
		runes := []rune(review.Turns[s.Turn].Text)
		if s.Start < 0 || s.End > len(runes) || s.Start >= s.End || string(runes[s.Start:s.End]) != s.Excerpt {
			t.Fatalf("span %+v does not point into turn %d %q", s, s.Turn, review.Turns[s.Turn].Text)
		}
	}
	cited := false
	for _, fd := range review.Findings {
		if fd.Rule == "" || fd.Category == "" || fd.Severity == "" || fd.Explanation == "" {
			t.Fatalf("finding lacks what the page shows: %+v", fd)
		}
		cited = cited || fd.Citation != ""
	}
	if !cited || review.Score >= 100 {
		t.Fatalf("findings %+v, score %d", review.Findings, review.Score)
	}

	// Confirm, then the second decision is the 409 the page shows.
	resolve := "/v1/qa/flags/" + url.PathEscape(flagID) + "/resolve"
	if res, out := f.do(t, "POST", resolve, qaKey, `{"decision": "confirmed", "note": "coached"}`); res.StatusCode != 200 || out["status"] != "confirmed" || out["note"] != "coached" {
		t.Fatalf("confirm: %d %v", res.StatusCode, out)
	}
	res, out := f.do(t, "POST", resolve, qaKey, `{"decision": "dismissed", "note": ""}`)
	if e, _ := out["error"].(map[string]any); res.StatusCode != 409 || e["code"] != "conflict" || e["message"] == "" {
		t.Fatalf("second decision: %d %v", res.StatusCode, out)
	}
	if res, list := f.do(t, "GET", "/v1/qa/flags?status=open&limit=20", qaKey, ""); res.StatusCode != 200 || len(list["items"].([]any)) != 0 {
		t.Fatalf("open flags after confirming: %v", list)
	}

	// Paging as the page does it: next_cursor until it is empty.
	for range 3 {
		f.do(t, "POST", "/v1/transcripts", agentKey, transcriptJSON(caseID, "", usMorning, turn{"agent", "We will have you arrested."}))
	}
	seen, cursor := 0, ""
	for page := 0; ; page++ {
		q := url.Values{"status": {"all"}, "limit": {"2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		res, list := f.do(t, "GET", "/v1/qa/flags?"+q.Encode(), qaKey, "")
		if res.StatusCode != 200 || page > 3 {
			t.Fatalf("page %d: %d %v", page, res.StatusCode, list)
		}
		seen += len(list["items"].([]any))
		if cursor = list["next_cursor"].(string); cursor == "" {
			break
		}
	}
	if seen != 4 {
		t.Fatalf("paged through %d flags, want 4", seen)
	}
}

func decodeInto(t *testing.T, v map[string]any, out any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		t.Fatal(err)
	}
}
