package openai_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/openai"
	"github.com/parley-dev/parley/assistant/openai/openaitest"
)

const testKey = "sk-test-do-not-print-me"

// testConfig points at srv with short delays, so retries do not slow the tests.
func testConfig(srv *openaitest.Server) openai.Config {
	return openai.Config{
		BaseURL:    srv.URL,
		APIKey:     testKey,
		Model:      "test-model",
		Timeout:    3 * time.Second,
		RetryDelay: 5 * time.Millisecond,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func mustClient(t *testing.T, cfg openai.Config) *openai.Client {
	t.Helper()
	c, err := openai.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigHidesAPIKey(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.Status(http.StatusUnauthorized))
	cfg := testConfig(srv)
	c := mustClient(t, cfg)
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg),
		fmt.Sprintf("%v", &cfg), fmt.Sprintf("%+v", &cfg), fmt.Sprint([]openai.Config{cfg}),
		fmt.Sprintf("%+v", struct{ C openai.Config }{cfg}),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(struct{ C *openai.Client }{c}),
		fmt.Sprintf("%+v", *c), fmt.Sprintf("%+v", openai.NewDrafter(c)),
	} {
		if strings.Contains(s, testKey) {
			t.Fatalf("API key leaked: %s", s)
		}
	}
	if !strings.Contains(cfg.String(), "<redacted>") || !strings.Contains(cfg.String(), "test-model") {
		t.Errorf("String() = %s, want the model and a redacted key", cfg)
	}
	// The key is sent, and an error does not repeat it.
	_, err := openai.NewDrafter(c).Draft(context.Background(), draftRequest())
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Fatalf("err = %v", err)
	}
	if r, _ := srv.Last(); r.Authorization != "Bearer "+testKey {
		t.Fatalf("Authorization = %q", r.Authorization)
	}
}

func TestNewClientValidates(t *testing.T) {
	for _, cfg := range []openai.Config{
		{BaseURL: "not a url"},
		{BaseURL: "ftp://example.invalid/v1"},
		{BaseURL: "http://"},
	} {
		if _, err := openai.NewClient(cfg); err == nil {
			t.Errorf("NewClient(%v) succeeded", cfg)
		}
	}
	c, err := openai.NewClient(openai.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Model() != openai.DefaultChatModel {
		t.Errorf("default model %q", c.Model())
	}
}

// TestRetries checks which failures are retried, through the drafter (the analyser
// hides errors behind its fallback).
func TestRetries(t *testing.T) {
	for _, tt := range []struct {
		name       string
		script     []openaitest.Behaviour
		maxRetries int
		wantErr    bool
		wantCode   string
		wantStatus int
		wantCalls  int
	}{
		{"429 then success", []openaitest.Behaviour{openaitest.RateLimited(20 * time.Millisecond), openaitest.Good()}, 0, false, "", 0, 2},
		{"500 then 503 then success", []openaitest.Behaviour{openaitest.Status(500), openaitest.Status(503), openaitest.Good()}, 0, false, "", 0, 3},
		{"500 always", []openaitest.Behaviour{openaitest.Status(500)}, 0, true, assistant.EUNAVAILABLE, 500, 3},
		{"429 always, 4 retries", []openaitest.Behaviour{openaitest.RateLimited(time.Millisecond)}, 4, true, assistant.EUNAVAILABLE, 429, 5},
		{"no retries", []openaitest.Behaviour{openaitest.Status(502)}, -1, true, assistant.EUNAVAILABLE, 502, 1},
		{"400 is not retried", []openaitest.Behaviour{openaitest.Status(400), openaitest.Good()}, 0, true, assistant.EUNAVAILABLE, 400, 1},
		{"401 is not retried", []openaitest.Behaviour{openaitest.Status(401), openaitest.Good()}, 0, true, assistant.EUNAVAILABLE, 401, 1},
		{"404 is not retried", []openaitest.Behaviour{openaitest.Status(404), openaitest.Good()}, 0, true, assistant.EUNAVAILABLE, 404, 1},
		{"dropped connection then success", []openaitest.Behaviour{openaitest.Truncated(openaitest.GoodReply), openaitest.Good()}, 0, false, "", 0, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(t, tt.script...)
			cfg := testConfig(srv)
			cfg.MaxRetries = tt.maxRetries
			res, err := openai.NewDrafter(mustClient(t, cfg)).Draft(context.Background(), draftRequest())
			if got := srv.Calls(); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			if !tt.wantErr {
				if err != nil || res.Text != openaitest.GoodReply {
					t.Fatalf("Draft = %+v, %v", res, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Draft succeeded: %+v", res)
			}
			if code := assistant.ErrorCode(err); code != tt.wantCode {
				t.Errorf("code %q, want %q (%v)", code, tt.wantCode, err)
			}
			var apiErr *goopenai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != tt.wantStatus {
				t.Errorf("err = %v, want a go-openai APIError with status %d", err, tt.wantStatus)
			}
		})
	}
}

// A Retry-After beyond the call's deadline is not waited for: the caller gets the
// 429 at once rather than a timeout later.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.RateLimited(5*time.Second), openaitest.Good())
	cfg := testConfig(srv)
	cfg.Timeout = time.Second
	start := time.Now()
	_, err := openai.NewDrafter(mustClient(t, cfg)).Draft(context.Background(), draftRequest())
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("err = %v, want the 429", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("took %v; should give up without waiting", d)
	}
	if srv.Calls() != 1 {
		t.Errorf("%d calls, want 1", srv.Calls())
	}
}

// Retry-After within the budget is honoured.
func TestRetryAfterHonoured(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.RateLimited(300*time.Millisecond), openaitest.Good())
	start := time.Now()
	_, err := openai.NewDrafter(mustClient(t, testConfig(srv))).Draft(context.Background(), draftRequest())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("retried after %v, before the server's Retry-After of 300ms", d)
	}
}

// A caller's cancelled context stops the retries.
func TestCallerCancelStopsRetries(t *testing.T) {
	srv := openaitest.NewServer(t, openaitest.Status(500))
	cfg := testConfig(srv)
	cfg.RetryDelay = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := openai.NewDrafter(mustClient(t, cfg)).Draft(ctx, draftRequest())
	if err == nil {
		t.Fatal("no error")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v after the caller's 150ms deadline", d)
	}
}
