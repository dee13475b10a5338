package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/parley-dev/parley/internal/syncbuf"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startRun runs the real program on :0 and returns its base URL once /healthz answers.
func startRun(t *testing.T, vars map[string]string) (string, *syncbuf.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	vars["PARLEY_ADDR"] = "127.0.0.1:0"
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"parley"}, env(vars), stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("run did not shut down")
		}
	})
	addrRE := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v\n%s", err, stderr.String())
		default:
		}
		if m := addrRE.FindStringSubmatch(stdout.String()); m != nil {
			res, err := http.Get(m[1] + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return m[1], stderr
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not healthy in time\n%s", stderr.String())
	return "", nil
}

func TestRunServesDemoCases(t *testing.T) {
	base, logs := startRun(t, map[string]string{})
	res, err := http.Get(base + "/v1/cases?limit=50")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Items []struct {
			ID      string `json:"id"`
			Segment string `json:"segment"`
			Debtor  struct {
				Language string `json:"language"`
				Kind     string `json:"kind"`
			} `json:"debtor"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) < 6 {
		t.Fatalf("%d demo cases, want at least 6", len(page.Items))
	}
	langs, kinds := map[string]bool{}, map[string]bool{}
	for _, c := range page.Items {
		langs[c.Debtor.Language] = true
		kinds[c.Debtor.Kind] = true
	}
	if !langs["zh"] || !langs["en"] || !kinds["business"] || !kinds["individual"] {
		t.Fatalf("demo cases lack variety: languages %v kinds %v", langs, kinds)
	}
	res, err = http.Get(base + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	if !strings.Contains(logs.String(), "NO API KEYS CONFIGURED") {
		t.Fatal("open mode must log a loud warning")
	}
}

func TestRunWithKeysRequiresAuth(t *testing.T) {
	base, _ := startRun(t, map[string]string{"PARLEY_API_KEYS": "agent:agent-key-0123456789,qa:qa-key-0123456789abcd"})
	res, err := http.Get(base + "/v1/cases")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || !strings.Contains(string(body), `"code":"unauthorized"`) {
		t.Fatalf("got %d %s", res.StatusCode, body)
	}
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		wantErr string
	}{
		{"defaults", map[string]string{}, ""},
		{"production without keys", map[string]string{"PARLEY_ENV": "production", "PARLEY_DATABASE_URL": "postgres://x"}, "PARLEY_API_KEYS"},
		{"production without database", map[string]string{"PARLEY_ENV": "production", "PARLEY_API_KEYS": "admin:0123456789abcdef"}, "PARLEY_DATABASE_URL"},
		{"bad role", map[string]string{"PARLEY_API_KEYS": "boss:0123456789abcdef"}, "role"},
		{"short key", map[string]string{"PARLEY_API_KEYS": "agent:short"}, "shorter"},
		{"key with the widget token prefix", map[string]string{"PARLEY_API_KEYS": "agent:pw1.0123456789abcdef"}, "prefix of chat-widget tokens"},
		{"second key with the widget token prefix", map[string]string{"PARLEY_API_KEYS": "agent:agent-key-0123456789, admin: pw1.admin-0123456789"}, "admin key starts with \"pw1.\""},
		{"bad timeout", map[string]string{"PARLEY_LLM_TIMEOUT": "soon"}, "PARLEY_LLM_TIMEOUT"},
		{"bad log level", map[string]string{"PARLEY_LOG_LEVEL": "loud"}, "PARLEY_LOG_LEVEL"},
		{"production without widget key", map[string]string{"PARLEY_ENV": "production", "PARLEY_DATABASE_URL": "postgres://x", "PARLEY_API_KEYS": "admin:0123456789abcdef"}, "PARLEY_WIDGET_KEY"},
		{"short widget key", map[string]string{"PARLEY_WIDGET_KEY": "too-short"}, "PARLEY_WIDGET_KEY"},
		{"relative public URL", map[string]string{"PARLEY_PUBLIC_URL": "parley.example.com"}, "PARLEY_PUBLIC_URL"},
		{"public URL with a query", map[string]string{"PARLEY_PUBLIC_URL": "https://parley.example.com/?x=1"}, "PARLEY_PUBLIC_URL"},
		{"wildcard widget origin", map[string]string{"PARLEY_WIDGET_ORIGINS": "*"}, "PARLEY_WIDGET_ORIGINS"},
		{"widget origin with a path", map[string]string{"PARLEY_WIDGET_ORIGINS": "https://shop.example.com/pay"}, "PARLEY_WIDGET_ORIGINS"},
		{"widget origin without scheme", map[string]string{"PARLEY_WIDGET_ORIGINS": "shop.example.com"}, "PARLEY_WIDGET_ORIGINS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := loadConfig(env(tt.vars))
			if tt.wantErr == "" {
				if err != nil || cfg.Addr != "127.0.0.1:8080" {
					t.Fatalf("cfg %v err %v", cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %s", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "0123456789") {
				t.Fatalf("the error holds a secret: %v", err)
			}
		})
	}
	if cfg, err := loadConfig(env(map[string]string{"PARLEY_WIDGET_ORIGINS": " https://shop.example.com, http://localhost:3000 ,"})); err != nil ||
		strings.Join(cfg.WidgetOrigins, " ") != "https://shop.example.com http://localhost:3000" {
		t.Fatalf("widget origins %q, err %v", cfg.WidgetOrigins, err)
	}
	cfg, _ := loadConfig(env(map[string]string{"PARLEY_LLM_API_KEY": "sk-secret-value", "PARLEY_API_KEYS": "agent:agent-key-0123456789", "PARLEY_WIDGET_KEY": "widget-secret-0123456789abcdef0123456789"}))
	if s := cfg.String(); strings.Contains(s, "sk-secret-value") || strings.Contains(s, "agent-key-0123456789") || strings.Contains(s, "widget-secret") {
		t.Fatalf("config string leaks a secret: %s", s)
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"parley", "frobnicate"}, env(nil), &out, &errOut); err == nil {
		t.Fatal("want an error for an unknown command")
	}
}

// TestRunWidget: the real program issues a widget link for a demo case and answers
// through it; without PARLEY_WIDGET_KEY it warns once, and the logs hold neither the
// token nor the debtor's words.
func TestRunWidget(t *testing.T) {
	base, logs := startRun(t, map[string]string{"PARLEY_API_KEYS": "agent:agent-key-0123456789", "PARLEY_PUBLIC_URL": "https://parley.example.com/"})
	do := func(method, path, bearer, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+bearer)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	_, page := do("GET", "/v1/cases?limit=1", "agent-key-0123456789", "")
	id := page["items"].([]any)[0].(map[string]any)["id"].(string)
	code, link := do("POST", "/v1/cases/"+id+"/widget-links", "agent-key-0123456789", `{"ttl": "1h"}`)
	token, _ := link["token"].(string)
	if code != 201 || token == "" || link["url"] != "https://parley.example.com/widget/#t="+token {
		t.Fatalf("widget link: %d %v", code, link)
	}
	secret := "Pangolin-314 here, can I pay in 3 parts?"
	code, reply := do("POST", "/v1/widget/messages", token, `{"text": "`+secret+`"}`)
	if code != 200 || reply["text"] == "" {
		t.Fatalf("widget message: %d %v", code, reply)
	}
	if code, _ := do("GET", "/v1/cases/"+id, token, ""); code != 401 {
		t.Fatalf("widget token on a case route: %d", code)
	}
	out := logs.String()
	if n := strings.Count(out, "PARLEY_WIDGET_KEY not set"); n != 1 {
		t.Fatalf("random-key warning logged %d times:\n%s", n, out)
	}
	for _, leak := range []string{token, "Pangolin", reply["text"].(string)} {
		if strings.Contains(out, leak) {
			t.Fatalf("logs hold %q", leak)
		}
	}
}
