// Package openaitest is a fake OpenAI-compatible API for tests: chat completions
// (plain JSON and server-sent-event streams) answered from a per-request script of
// good, broken, slow and hostile behaviours, and deterministic embeddings. It records
// every request so a test can check what was sent (model, prompts, response format)
// and how many calls were made. It makes no network access beyond its own loopback
// listener.
package openaitest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// GoodReply is the text Good() answers a drafting request with.
const GoodReply = "Hi, thank you for telling us about your situation. We can split the balance into three monthly payments; reply here and we will confirm the dates with you. This message is from a debt collector."

// GoodAnalysisJSON is the JSON Good() answers an analysis request (one asking for a
// JSON response format) with.
const GoodAnalysisJSON = `{"language":"en","sentiment":{"label":"neutral","score":0.1},"willingness":{"segment":"willing","score":0.8},"intents":[{"name":"promise_to_pay","confidence":0.9},{"name":"plan_request","confidence":0.85}]}`

// EmbeddingDimension is the length of the vectors the fake returns when the request
// does not ask for "dimensions".
const EmbeddingDimension = 8

type kind int

const (
	kindGood kind = iota
	kindText
	kindNoChoices
	kindStatus
	kindRateLimited
	kindHang
	kindTruncated
	kindSlow
)

// Behaviour is how the fake answers one chat completion request; build one with the
// functions below. Each applies to plain and streamed requests alike.
type Behaviour struct {
	kind   kind
	text   string
	finish string
	status int
	wait   time.Duration
	then   *Behaviour
}

// String names the behaviour, for test names and failure messages.
func (b Behaviour) String() string {
	switch b.kind {
	case kindGood:
		return "good"
	case kindText:
		return fmt.Sprintf("text(%.20q, %s)", b.text, b.finish)
	case kindNoChoices:
		return "no choices"
	case kindStatus:
		return "status " + strconv.Itoa(b.status)
	case kindRateLimited:
		return "429 retry after " + b.wait.String()
	case kindHang:
		return "hang"
	case kindTruncated:
		return fmt.Sprintf("truncated(%.20q)", b.text)
	case kindSlow:
		return "slow " + b.wait.String() + " then " + b.then.String()
	}
	return "unknown"
}

// Good answers like a working model: GoodAnalysisJSON when the request asks for a
// JSON response format, GoodReply otherwise.
func Good() Behaviour { return Behaviour{kind: kindGood} }

// Text answers with content s and finish reason "stop".
func Text(s string) Behaviour { return Behaviour{kind: kindText, text: s, finish: "stop"} }

// Finish answers with content s and the given finish reason ("length",
// "content_filter", or "" for none).
func Finish(s, reason string) Behaviour { return Behaviour{kind: kindText, text: s, finish: reason} }

// JSON answers with v as JSON content: a string or []byte as it is, anything else
// marshalled. It panics if v cannot be marshalled.
func JSON(v any) Behaviour {
	switch x := v.(type) {
	case string:
		return Text(x)
	case []byte:
		return Text(string(x))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("openaitest.JSON: %v", err))
	}
	return Text(string(b))
}

// Malformed answers with content that is cut-off JSON.
func Malformed() Behaviour {
	return Text(`{"language": "en", "sentiment": {"label": "neutral", "score": 0.1}, "willingness": {"segm`)
}

// NoChoices answers 200 with an empty choices array (a stream with no content chunk).
func NoChoices() Behaviour { return Behaviour{kind: kindNoChoices} }

// Status answers with an OpenAI-style error body and the given HTTP status.
func Status(code int) Behaviour { return Behaviour{kind: kindStatus, status: code} }

// RateLimited answers 429 with Retry-After (whole seconds, rounded up) and
// retry-after-ms headers set to after.
func RateLimited(after time.Duration) Behaviour {
	return Behaviour{kind: kindRateLimited, status: http.StatusTooManyRequests, wait: after}
}

// Hang never answers: the handler waits until the client gives up (the request's
// context ends) or the server is closed.
func Hang() Behaviour { return Behaviour{kind: kindHang} }

// Truncated starts answering with content s and drops the connection half way: a
// stream sends the first half of its chunks and no finish reason or [DONE]; a plain
// answer sends half its JSON body.
func Truncated(s string) Behaviour { return Behaviour{kind: kindTruncated, text: s} }

// Slow waits d (or until the client gives up) and then behaves as b.
func Slow(d time.Duration, b Behaviour) Behaviour {
	return Behaviour{kind: kindSlow, wait: d, then: &b}
}

// Message is one chat message of a recorded request.
type Message struct {
	Role    string
	Content string
}

// Request is one recorded request.
type Request struct {
	Method, Path string
	// Authorization is the header as sent ("Bearer sk-...").
	Authorization string
	// Body is the raw request body.
	Body []byte
	// Model, Stream, Messages and ResponseFormat are read from a chat completion
	// request; ResponseFormat is the raw "response_format" value, nil when absent.
	Model          string
	Stream         bool
	Messages       []Message
	ResponseFormat json.RawMessage
	// Input holds the texts of an embeddings request.
	Input []string
	// Behaviour is what the fake answered with (zero for embeddings).
	Behaviour Behaviour
}

// Content joins the contents of the request's messages with the given role
// ("system", "user"), or of all messages when role is "".
func (r Request) Content(role string) string {
	var parts []string
	for _, m := range r.Messages {
		if role == "" || m.Role == role {
			parts = append(parts, m.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// WantsJSON reports whether the request asked for a JSON response format.
func (r Request) WantsJSON() bool {
	var rf struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(r.ResponseFormat, &rf)
	return rf.Type == "json_schema" || rf.Type == "json_object"
}

// Server is a running fake. Point a client at URL.
type Server struct {
	// URL is the API base URL, ending in "/v1", for a client's BaseURL.
	URL string

	srv  *httptest.Server
	stop chan struct{}

	mu     sync.Mutex
	script []Behaviour
	next   int
	reqs   []Request
}

// NewServer starts a fake that answers chat completion requests from script in
// order: the first request gets script[0], and so on; once the script is used up its
// last behaviour repeats, and an empty script answers Good() to everything.
// Embeddings requests are not scripted: they always get deterministic vectors. The
// server is closed when the test ends; hanging handlers are released first.
func NewServer(t testing.TB, script ...Behaviour) *Server {
	t.Helper()
	s := &Server{stop: make(chan struct{}), script: script}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(func() {
		close(s.stop)
		s.srv.Close()
	})
	return s
}

// SetScript replaces the script; the next chat request gets script[0].
func (s *Server) SetScript(script ...Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script, s.next = script, 0
}

// Requests returns a copy of every request received so far, in order of arrival.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Calls is the number of requests received so far, embeddings included.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// Last returns the latest request; ok is false when there was none.
func (s *Server) Last() (r Request, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return Request{}, false
	}
	return s.reqs[len(s.reqs)-1], true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	rec := Request{Method: r.Method, Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Body: body}
	route := ""
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
		route = "chat"
		var req struct {
			Model    string `json:"model"`
			Stream   bool   `json:"stream"`
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
			ResponseFormat json.RawMessage `json:"response_format"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			s.record(rec)
			writeError(w, http.StatusBadRequest, "invalid_request_error", "request body is not JSON")
			return
		}
		rec.Model, rec.Stream, rec.ResponseFormat = req.Model, req.Stream, req.ResponseFormat
		for _, m := range req.Messages {
			var text string
			if json.Unmarshal(m.Content, &text) != nil {
				text = string(m.Content) // multi-part content, kept raw
			}
			rec.Messages = append(rec.Messages, Message{Role: m.Role, Content: text})
		}
	case r.Method == http.MethodPost && r.URL.Path == "/v1/embeddings":
		route = "embeddings"
		var req struct {
			Model      string          `json:"model"`
			Input      json.RawMessage `json:"input"`
			Dimensions int             `json:"dimensions"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			s.record(rec)
			writeError(w, http.StatusBadRequest, "invalid_request_error", "request body is not JSON")
			return
		}
		rec.Model = req.Model
		var one string
		if json.Unmarshal(req.Input, &one) == nil {
			rec.Input = []string{one}
		} else {
			_ = json.Unmarshal(req.Input, &rec.Input)
		}
		s.record(rec)
		writeEmbeddings(w, req.Model, rec.Input, req.Dimensions)
		return
	}
	if route == "" {
		s.record(rec)
		writeError(w, http.StatusNotFound, "invalid_request_error", "no route "+r.Method+" "+r.URL.Path)
		return
	}
	s.mu.Lock()
	b := Good()
	if len(s.script) > 0 {
		b = s.script[min(s.next, len(s.script)-1)]
		s.next++
	}
	rec.Behaviour = b
	s.reqs = append(s.reqs, rec)
	s.mu.Unlock()
	s.answer(w, r, rec, b)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

// wait blocks for d, or until the client gives up or the server closes; it reports
// whether the full time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.stop:
	}
	return false
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, rec Request, b Behaviour) {
	switch b.kind {
	case kindSlow:
		if s.wait(r, b.wait) {
			s.answer(w, r, rec, *b.then)
		}
	case kindHang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case kindStatus:
		writeError(w, b.status, errorType(b.status), http.StatusText(b.status))
	case kindRateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(b.wait.Seconds()))))
		w.Header().Set("Retry-After-Ms", strconv.FormatInt(b.wait.Milliseconds(), 10))
		writeError(w, http.StatusTooManyRequests, "requests", "Rate limit reached; try again later.")
	case kindNoChoices:
		if rec.Stream {
			writeStream(w, rec.Model, nil, "", true)
		} else {
			writeCompletion(w, rec.Model, nil, "", -1)
		}
	case kindGood, kindText:
		text, finish := b.text, b.finish
		if b.kind == kindGood {
			text, finish = GoodReply, "stop"
			if rec.WantsJSON() {
				text = GoodAnalysisJSON
			}
		}
		if rec.Stream {
			writeStream(w, rec.Model, Chunks(text), finish, true)
		} else {
			writeCompletion(w, rec.Model, &text, finish, -1)
		}
	case kindTruncated:
		if rec.Stream {
			cs := Chunks(b.text)
			writeStream(w, rec.Model, cs[:(len(cs)+1)/2], "", false)
		} else {
			writeCompletion(w, rec.Model, &b.text, "stop", 2)
		}
		// Drop the connection without ending the response properly.
		panic(http.ErrAbortHandler)
	}
}

func errorType(status int) string {
	if status >= 500 {
		return "server_error"
	}
	return "invalid_request_error"
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": nil,
	}})
}

// writeCompletion writes a chat completion; content nil means no choices. cut > 0
// writes only 1/cut of the body and flushes it.
func writeCompletion(w http.ResponseWriter, model string, content *string, finish string, cut int) {
	choices := []any{}
	if content != nil {
		choices = append(choices, map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": *content},
			"finish_reason": nullable(finish),
		})
	}
	body, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": model,
		"choices": choices,
		"usage":   map[string]int{"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
	})
	w.Header().Set("Content-Type", "application/json")
	if cut > 0 {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/cut])
		w.(http.Flusher).Flush()
		return
	}
	_, _ = w.Write(body)
}

// writeStream writes chunks as server-sent events, then (when end) a final chunk
// with the finish reason and [DONE].
func writeStream(w http.ResponseWriter, model string, chunks []string, finish string, end bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f := w.(http.Flusher)
	event := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		f.Flush()
	}
	for i, c := range chunks {
		d := map[string]any{"content": c}
		if i == 0 {
			d["role"] = "assistant"
		}
		event(d, nil)
	}
	if !end {
		return
	}
	if len(chunks) > 0 || finish != "" {
		event(map[string]any{}, nullable(finish))
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	f.Flush()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Chunks splits s into the pieces a stream delivers: runs of at most 8 runes, so a
// test can check that pieces are joined in order. An empty s has no chunks.
func Chunks(s string) []string {
	var out []string
	for len(s) > 0 {
		n, i := 0, 0
		for i < len(s) && n < 8 {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			n++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// writeEmbeddings answers with one vector per input, derived from a hash of the text
// (same text, same vector), of length dim or EmbeddingDimension.
func writeEmbeddings(w http.ResponseWriter, model string, input []string, dim int) {
	if dim <= 0 {
		dim = EmbeddingDimension
	}
	data := make([]any, len(input))
	for i, text := range input {
		v := make([]float32, dim)
		for j := range v {
			h := fnv.New32a()
			fmt.Fprintf(h, "%d:%s", j, text)
			v[j] = float32(h.Sum32()%2000)/1000 - 1
		}
		data[i] = map[string]any{"object": "embedding", "embedding": v, "index": i}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": model,
		"usage": map[string]int{"prompt_tokens": len(input), "total_tokens": len(input)},
	})
}
