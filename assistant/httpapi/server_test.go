package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/httpapi"
	"github.com/parley-dev/parley/retrieval"
)

const (
	agentKey = "agent-key-0123456789"
	qaKey    = "qa-key-0123456789abc"
	adminKey = "admin-key-0123456789"
)

// panicStore panics on GetCase, to prove panics become clean 500s.
type panicStore struct{ *retrieval.MemoryStore }

func (panicStore) GetCase(context.Context, string) (*assistant.Case, error) { panic("boom") }

type fixture struct {
	srv  *httpapi.Server
	logs *bytes.Buffer
}

func newFixture(t *testing.T, keys []httpapi.APIKey, store assistant.CaseStore) fixture {
	t.Helper()
	if store == nil {
		store = retrieval.NewMemoryStore()
	}
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	svc := &assistant.Service{Store: store, Logger: logger, Embedder: retrieval.NewHashEmbedder(64)}
	return fixture{srv: httpapi.NewServer(httpapi.Deps{Service: svc, Logger: logger, Keys: keys, Engine: "builtin"}), logs: logs}
}

func (f fixture) do(t *testing.T, method, path, key, body string) (*http.Response, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	res := rec.Result()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: invalid JSON body %q: %v", method, path, raw, err)
		}
	}
	return res, out
}

const validCase = `{"external_id": "ext-42", "jurisdiction": "CN", "creditor": "华信消费金融",
  "debtor": {"name": "王芳", "language": "zh", "timezone": "Asia/Shanghai", "kind": "individual"},
  "balance": {"amount": "12000.00", "currency": "CNY"}, "due_date": "2026-11-05", "days_past_due": 17}`

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestErrors(t *testing.T) {
	f := newFixture(t, nil, nil)
	big := `{"external_id": "` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"unknown route", "GET", "/v1/nothing", "", 404, "not_found", ""},
		{"wrong method", "DELETE", "/v1/cases", "", 405, "method_not_allowed", ""},
		{"invalid json", "POST", "/v1/cases", `{"external_id": `, 400, "invalid_request", "body"},
		{"empty body", "POST", "/v1/cases", ``, 400, "invalid_request", "body"},
		{"two objects", "POST", "/v1/cases", `{} {}`, 400, "invalid_request", "body"},
		{"wrong type", "POST", "/v1/cases", `{"external_id": 7}`, 400, "invalid_request", "external_id"},
		{"missing balance", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x"}, "jurisdiction": "US"}`, 400, "invalid_request", "balance"},
		{"float money", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x"}, "jurisdiction": "US", "balance": {"amount": 12.5, "currency": "USD"}}`, 400, "invalid_request", ""},
		{"bad jurisdiction", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x"}, "jurisdiction": "FR", "balance": {"amount": "1", "currency": "EUR"}}`, 400, "invalid_request", "jurisdiction"},
		{"bad timezone", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x", "timezone": "Mars/Base"}, "jurisdiction": "US", "balance": {"amount": "1", "currency": "USD"}}`, 400, "invalid_request", "debtor.timezone"},
		{"server-local timezone", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x", "timezone": "Local"}, "jurisdiction": "US", "balance": {"amount": "1", "currency": "USD"}}`, 400, "invalid_request", "debtor.timezone"},
		{"bad due date", "POST", "/v1/cases", `{"external_id": "a", "debtor": {"name": "x"}, "jurisdiction": "US", "balance": {"amount": "1", "currency": "USD"}, "due_date": "next week"}`, 400, "invalid_request", "due_date"},
		{"body too large", "POST", "/v1/cases", big, 413, "payload_too_large", ""},
		{"case not found", "GET", "/v1/cases/case_nope", "", 404, "not_found", ""},
		{"events of unknown case", "POST", "/v1/cases/case_nope/events", `{"kind": "note", "text": "hello"}`, 404, "not_found", ""},
		{"bad segment filter", "GET", "/v1/cases?segment=angry", "", 400, "invalid_request", "segment"},
		{"bad limit", "GET", "/v1/cases?limit=-1", "", 400, "invalid_request", "limit"},
		{"bad cursor", "GET", "/v1/cases?cursor=zzz", "", 400, "invalid_request", "cursor"},
		{"analyze empty", "POST", "/v1/analyze", `{"text": ""}`, 400, "invalid_request", "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, tt.method, tt.path, "", tt.body)
			if res.StatusCode != tt.wantStatus || errorCode(body) != tt.wantCode {
				t.Fatalf("got %d %v, want %d %s", res.StatusCode, body, tt.wantStatus, tt.wantCode)
			}
			msg, _ := body["error"].(map[string]any)["message"].(string)
			if msg == "" {
				t.Fatalf("error without a message: %v", body)
			}
			if tt.wantField != "" && body["error"].(map[string]any)["field"] != tt.wantField {
				t.Fatalf("field = %v, want %s (%s)", body["error"].(map[string]any)["field"], tt.wantField, msg)
			}
		})
	}
}

func TestPanicBecomes500WithoutStack(t *testing.T) {
	f := newFixture(t, nil, panicStore{retrieval.NewMemoryStore()})
	res, body := f.do(t, "GET", "/v1/cases/case_x", "", "")
	if res.StatusCode != 500 || errorCode(body) != "internal" {
		t.Fatalf("got %d %v", res.StatusCode, body)
	}
	if msg := body["error"].(map[string]any)["message"]; msg != "internal error" {
		t.Fatalf("message leaks detail: %v", msg)
	}
	if !strings.Contains(f.logs.String(), "panic recovered") {
		t.Fatal("panic not logged")
	}
}

func TestAuthRoles(t *testing.T) {
	keys := []httpapi.APIKey{{Role: httpapi.RoleAgent, Key: agentKey}, {Role: httpapi.RoleQA, Key: qaKey}, {Role: httpapi.RoleAdmin, Key: adminKey}}
	f := newFixture(t, keys, nil)
	tests := []struct {
		name, method, path, key, body string
		want                          int
	}{
		{"health is public", "GET", "/healthz", "", "", 200},
		{"metrics is public", "GET", "/metrics", "", "", 200},
		{"missing key", "GET", "/v1/cases", "", "", 401},
		{"unknown key", "GET", "/v1/cases", "not-a-real-key-000000", "", 401},
		{"agent creates", "POST", "/v1/cases", agentKey, validCase, 201},
		{"qa reads", "GET", "/v1/cases", qaKey, "", 200},
		{"qa may not create", "POST", "/v1/cases", qaKey, validCase, 403},
		{"qa may not analyze", "POST", "/v1/analyze", qaKey, `{"text": "hi"}`, 403},
		{"admin does all", "POST", "/v1/cases", adminKey, validCase, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := f.do(t, tt.method, tt.path, tt.key, tt.body)
			if res.StatusCode != tt.want {
				t.Fatalf("got %d %v, want %d", res.StatusCode, body, tt.want)
			}
			if tt.want >= 400 && errorCode(body) == "" {
				t.Fatalf("error response without code: %v", body)
			}
		})
	}
	if strings.Contains(f.logs.String(), agentKey) {
		t.Fatal("an API key reached the logs")
	}
}

func TestCaseAndEventFlow(t *testing.T) {
	f := newFixture(t, nil, nil)
	res, c := f.do(t, "POST", "/v1/cases", "", validCase)
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %v", res.StatusCode, c)
	}
	id := c["id"].(string)
	if c["balance"].(map[string]any)["amount"] != "12000.00" {
		t.Fatalf("balance not a decimal string: %v", c["balance"])
	}
	res, c2 := f.do(t, "POST", "/v1/cases", "", strings.Replace(validCase, "12000.00", "11000.50", 1))
	if res.StatusCode != 200 || c2["id"] != id {
		t.Fatalf("upsert by external_id: %d id %v want %s", res.StatusCode, c2["id"], id)
	}
	secret := "我的身份证号是110101199001011234"
	for _, body := range []string{
		`{"kind": "message", "direction": "inbound", "channel": "sms", "text": "下个月10号发工资我就还，能不能分三期？` + secret + `", "at": "2026-11-20T10:00:00Z"}`,
		`{"kind": "payment", "direction": "inbound", "channel": "letter", "amount": {"amount": "500.00", "currency": "CNY"}, "at": "2026-11-21T10:00:00Z"}`,
	} {
		res, ev := f.do(t, "POST", "/v1/cases/"+id+"/events", "", body)
		if res.StatusCode != 201 || ev["id"] == "" {
			t.Fatalf("append: %d %v", res.StatusCode, ev)
		}
	}
	for _, body := range []string{
		`{"kind": "payment", "direction": "inbound"}`,
		`{"kind": "payment", "direction": "inbound", "amount": {"amount": "-50.00", "currency": "CNY"}}`,
		`{"kind": "payment", "direction": "inbound", "amount": {"amount": "50.00", "currency": "EUR"}}`,
	} {
		res, bad := f.do(t, "POST", "/v1/cases/"+id+"/events", "", body)
		if res.StatusCode != 400 || bad["error"].(map[string]any)["field"] != "amount" {
			t.Fatalf("bad payment %s: %d %v", body, res.StatusCode, bad)
		}
	}
	res, page := f.do(t, "GET", "/v1/cases/"+id+"/events?limit=1", "", "")
	items := page["items"].([]any)
	if res.StatusCode != 200 || len(items) != 1 || page["next_cursor"] == "" {
		t.Fatalf("events page: %d %v", res.StatusCode, page)
	}
	res, next := f.do(t, "GET", "/v1/cases/"+id+"/events?limit=1&cursor="+page["next_cursor"].(string), "", "")
	if res.StatusCode != 200 || next["items"].([]any)[0].(map[string]any)["kind"] != "payment" {
		t.Fatalf("second page: %v", next)
	}
	res, hist := f.do(t, "GET", "/v1/cases/"+id+"/history?q=%E5%88%86%E4%B8%89%E6%9C%9F&k=1", "", "")
	hits := hist["items"].([]any)
	if res.StatusCode != 200 || len(hits) != 1 || hits[0].(map[string]any)["event"].(map[string]any)["kind"] != "message" {
		t.Fatalf("history: %d %v", res.StatusCode, hist)
	}
	res, got := f.do(t, "GET", "/v1/cases/"+id, "", "")
	if res.StatusCode != 200 || got["segment"] == "" || got["risk_tier"] == "" {
		t.Fatalf("get: %d %v", res.StatusCode, got)
	}
	if strings.Contains(f.logs.String(), secret) {
		t.Fatal("message text reached the logs")
	}
	if !strings.Contains(f.logs.String(), `"route":"/v1/cases/:id/events"`) {
		t.Fatal("request log lacks the route template")
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	f := newFixture(t, nil, nil)
	res, doc := f.do(t, "GET", "/openapi.json", "", "")
	if res.StatusCode != 200 || doc["openapi"] == nil {
		t.Fatalf("openapi: %d", res.StatusCode)
	}
	paths := doc["paths"].(map[string]any)
	for _, r := range f.srv.Routes() {
		method, path, _ := strings.Cut(r, " ")
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = "{" + s[1:] + "}"
			}
		}
		item, ok := paths[strings.Join(segs, "/")].(map[string]any)
		if !ok || item[strings.ToLower(method)] == nil {
			t.Errorf("route %s is missing from openapi.json", r)
		}
	}
}

func TestMetricsAndRequestID(t *testing.T) {
	f := newFixture(t, nil, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-ID", "abc123")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-ID") != "abc123" {
		t.Fatalf("request id not echoed: %q", rec.Header().Get("X-Request-ID"))
	}
	f.do(t, "GET", "/v1/cases/case_nope", "", "")
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{`parley_http_requests_total{method="GET",route="/v1/cases/:id",status="404"} 1`, "parley_http_request_duration_seconds_bucket", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func BenchmarkCreateEvent(b *testing.B) {
	store := retrieval.NewMemoryStore()
	svc := &assistant.Service{Store: store, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Embedder: retrieval.NewHashEmbedder(retrieval.DefaultHashDimension)}
	srv := httpapi.NewServer(httpapi.Deps{Service: svc, Logger: svc.Logger})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/cases", strings.NewReader(validCase)))
	var c map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &c)
	path := "/v1/cases/" + c["id"].(string) + "/events"
	body := `{"kind": "note", "direction": "outbound", "channel": "call", "text": "Called the debtor at 19:10; she asked for a plan of three instalments after payday."}`
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader(body)))
		if rec.Code != 201 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
