package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/assistant/openai"
)

// fakeEmbeddings is an OpenAI-compatible /embeddings endpoint. Each input text gets a
// vector of dim components derived from its length, deliberately not unit length, so
// tests can check the embedder normalises.
type fakeEmbeddings struct {
	mu       sync.Mutex
	path     string // where requests must go
	dim      int    // dimension it answers with
	status   int    // when non-zero, fail with this status
	delay    time.Duration
	requests []embeddingRequest
	auth     []string
}

type embeddingRequest struct {
	Input      []string `json:"input"`
	Model      string   `json:"model"`
	Dimensions int      `json:"dimensions"`
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != f.path || r.Method != http.MethodPost {
		http.Error(w, `{"error": {"message": "no route"}}`, http.StatusNotFound)
		return
	}
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error": {"message": "bad json"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	status, delay, dim := f.status, f.delay, f.dim
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, `{"error": {"message": "the server had an error", "type": "server_error"}}`)
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	resp := struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
	}{Object: "list", Model: req.Model}
	// Answer in reverse order: the API does not promise order, the index does.
	for i := len(req.Input) - 1; i >= 0; i-- {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(len(req.Input[i]) + j)
		}
		resp.Data = append(resp.Data, item{Object: "embedding", Embedding: v, Index: i})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func newFake(t *testing.T, path string, dim int) (*fakeEmbeddings, *httptest.Server) {
	t.Helper()
	f := &fakeEmbeddings{path: path, dim: dim}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func mustEmbedder(t *testing.T, cfg openai.EmbedderConfig) *openai.Embedder {
	t.Helper()
	e, err := openai.NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestEmbedSuccess(t *testing.T) {
	for _, tt := range []struct{ name, base, path string }{
		{"base URL with /v1", "/v1", "/v1/embeddings"},
		{"base URL without /v1", "", "/embeddings"},
		{"trailing slash", "/v1/", "/v1/embeddings"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, tt.path, 4)
			e := mustEmbedder(t, openai.EmbedderConfig{BaseURL: srv.URL + tt.base, APIKey: "sk-test", Model: "m-1", Dimension: 4, RequestDimensions: true})
			vs, err := e.Embed(context.Background(), []string{"a", "bbb", "", "cc"})
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 4 {
				t.Fatalf("%d vectors, want 4", len(vs))
			}
			for i, v := range vs {
				if len(v) != 4 {
					t.Fatalf("vector %d has %d components", i, len(v))
				}
				if want := 1.0; i != 2 && math.Abs(norm(v)-want) > 1e-6 {
					t.Errorf("|v%d| = %f, want 1", i, norm(v))
				}
			}
			if norm(vs[2]) != 0 {
				t.Errorf("empty text: %v, want the zero vector", vs[2])
			}
			// Order follows the inputs, not the order of the answer: "a" (len 1) is
			// (1,2,3,4)/|.|, "bbb" (len 3) is (3,4,5,6)/|.|.
			if vs[0][0] >= vs[1][0] || math.Abs(float64(vs[0][0])-1/math.Sqrt(30)) > 1e-6 {
				t.Errorf("vectors out of order: %v / %v", vs[0], vs[1])
			}
			if len(f.requests) != 1 || fmt.Sprint(f.requests[0].Input) != "[a bbb cc]" || f.requests[0].Model != "m-1" || f.requests[0].Dimensions != 4 {
				t.Fatalf("requests = %+v", f.requests)
			}
			if f.auth[0] != "Bearer sk-test" {
				t.Fatalf("Authorization = %q", f.auth[0])
			}
			if e.Dimension() != 4 || e.Name() != "openai:m-1" {
				t.Fatalf("Dimension %d Name %q", e.Dimension(), e.Name())
			}
		})
	}
}

func TestEmbedBatches(t *testing.T) {
	f, srv := newFake(t, "/v1/embeddings", 3)
	e := mustEmbedder(t, openai.EmbedderConfig{BaseURL: srv.URL + "/v1", Model: "m", Dimension: 3, BatchSize: 64})
	texts := make([]string, 150)
	for i := range texts {
		texts[i] = strings.Repeat("x", i+1)
	}
	vs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 150 {
		t.Fatalf("%d vectors", len(vs))
	}
	var sizes []int
	for _, r := range f.requests {
		sizes = append(sizes, len(r.Input))
		if r.Dimensions != 0 {
			t.Errorf("dimensions sent although RequestDimensions is false: %d", r.Dimensions)
		}
	}
	if fmt.Sprint(sizes) != "[64 64 22]" {
		t.Fatalf("batch sizes %v, want [64 64 22]", sizes)
	}
	// Each vector must belong to its own text: (n, n+1, n+2) normalised, n = len.
	for i, v := range vs {
		n := float64(i + 1)
		want := n / math.Sqrt(n*n+(n+1)*(n+1)+(n+2)*(n+2))
		if math.Abs(float64(v[0])-want) > 1e-5 {
			t.Fatalf("vector %d = %v, first component want %f", i, v, want)
		}
	}
}

func TestEmbedServerError(t *testing.T) {
	f, srv := newFake(t, "/v1/embeddings", 3)
	f.status = http.StatusInternalServerError
	e := mustEmbedder(t, openai.EmbedderConfig{BaseURL: srv.URL + "/v1", Model: "m", Dimension: 3})
	vs, err := e.Embed(context.Background(), []string{"hello"})
	if err == nil || vs != nil {
		t.Fatalf("Embed on a 500 = %v, %v; want an error and no vectors", vs, err)
	}
	if code := assistant.ErrorCode(err); code != assistant.EUNAVAILABLE {
		t.Fatalf("code %q (%v), want %q", code, err, assistant.EUNAVAILABLE)
	}
	if !strings.Contains(err.Error(), "500") {
		t.Errorf("error does not say what the server answered: %v", err)
	}
}

func TestEmbedWrongDimension(t *testing.T) {
	_, srv := newFake(t, "/v1/embeddings", 5)
	e := mustEmbedder(t, openai.EmbedderConfig{BaseURL: srv.URL + "/v1", Model: "m", Dimension: 3})
	_, err := e.Embed(context.Background(), []string{"hello"})
	if err == nil {
		t.Fatal("a 5-dimensional answer for a 3-dimensional embedder was accepted")
	}
	if code := assistant.ErrorCode(err); code != assistant.EINTERNAL || !strings.Contains(err.Error(), "returned 5 dimensions, configured 3") {
		t.Fatalf("error = %v (code %s)", err, code)
	}
}

func TestEmbedTimeout(t *testing.T) {
	f, srv := newFake(t, "/v1/embeddings", 3)
	f.delay = 2 * time.Second
	e := mustEmbedder(t, openai.EmbedderConfig{BaseURL: srv.URL + "/v1", Model: "m", Dimension: 3, Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := e.Embed(context.Background(), []string{"slow"})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("timeout took %v", d)
	}
}

func TestNewEmbedderValidates(t *testing.T) {
	for _, cfg := range []openai.EmbedderConfig{
		{Model: "m"}, // no dimension
		{BaseURL: "not a url", Dimension: 3},
		{BaseURL: "ftp://example.invalid", Dimension: 3},
	} {
		if _, err := openai.NewEmbedder(cfg); err == nil {
			t.Errorf("NewEmbedder(%v) succeeded", cfg)
		}
	}
}

func TestAPIKeyDoesNotLeak(t *testing.T) {
	const key = "sk-very-secret-key"
	cfg := openai.EmbedderConfig{BaseURL: "http://127.0.0.1:1/v1", APIKey: key, Model: "m", Dimension: 3}
	e := mustEmbedder(t, cfg)
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg),
		fmt.Sprintf("%v", &cfg), fmt.Sprintf("%+v", &cfg), fmt.Sprint([]openai.EmbedderConfig{cfg}),
		fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprint(struct{ E *openai.Embedder }{e}),
	} {
		if strings.Contains(s, key) {
			t.Fatalf("API key leaked: %s", s)
		}
	}
	// Errors must not carry it either.
	_, err := e.Embed(context.Background(), []string{"x"})
	if err == nil || strings.Contains(err.Error(), key) {
		t.Fatalf("err = %v", err)
	}
}
