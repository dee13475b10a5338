package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant"
)

// Defaults for Config.
const (
	DefaultChatModel  = "gpt-4o-mini"
	DefaultTimeout    = 20 * time.Second
	DefaultMaxRetries = 2
	DefaultRetryDelay = 500 * time.Millisecond
)

// Backoff bounds: one wait never exceeds maxBackoff, whatever the attempt number or
// the server's Retry-After, and never outlasts the call's own deadline.
const maxBackoff = 8 * time.Second

// Config configures a chat client for any OpenAI-compatible /chat/completions
// endpoint.
//
// Its String and GoString methods hide APIKey, so a config can be logged with %v or
// %#v without leaking the key.
type Config struct {
	// BaseURL is the API root; requests go to BaseURL + "/chat/completions", so it
	// usually ends in "/v1". Default DefaultBaseURL.
	BaseURL string
	// APIKey is sent as a bearer token; empty for servers that need none.
	APIKey string
	// Model is the chat model; default DefaultChatModel. The analyser asks for a
	// strict JSON schema, so the model must support structured outputs.
	Model string
	// Timeout bounds one whole call, retries and backoff included: the caller has an
	// answer (or an error) within Timeout plus scheduling noise. Default
	// DefaultTimeout. A hanging server therefore uses up the budget and leaves no room
	// for a retry; that is deliberate, since the caller cannot wait longer anyway.
	Timeout time.Duration
	// MaxRetries is how many times a call is retried after a 408, 429, 5xx or network
	// failure (never after another 4xx). Zero means DefaultMaxRetries; negative means
	// no retries.
	MaxRetries int
	// RetryDelay is the first backoff; each retry doubles it, with jitter, and a
	// longer Retry-After from the server wins. Default DefaultRetryDelay.
	RetryDelay time.Duration
	// HTTPClient sends the requests; default a new http.Client. Its own Timeout, if
	// any, applies per attempt on top of the call's Timeout.
	HTTPClient *http.Client
	// Logger receives retries (debug) and the analyser's fallbacks (warn), never
	// message or model text. Default slog.Default().
	Logger *slog.Logger
}

// String describes the config without the API key.
func (c Config) String() string {
	key := "<none>"
	if c.APIKey != "" {
		key = "<redacted>"
	}
	return fmt.Sprintf("openai.Config{BaseURL: %q, Model: %q, Timeout: %s, MaxRetries: %d, RetryDelay: %s, APIKey: %s}",
		c.BaseURL, c.Model, c.Timeout, c.MaxRetries, c.RetryDelay, key)
}

// GoString is String, so %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// Client calls an OpenAI-compatible chat API with a deadline per call and retries
// with exponential backoff and jitter. It is the shared transport of Analyzer and
// Drafter and is safe for concurrent use.
type Client struct {
	cfg Config // APIKey cleared: only the go-openai client holds the key
	api *goopenai.Client
}

// NewClient checks cfg, fills its defaults and returns a client. It makes no request:
// a wrong key or URL shows on the first call.
func NewClient(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("openai client: %w", err)
	}
	cfg.BaseURL = base
	if cfg.Model == "" {
		cfg.Model = DefaultChatModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cc := goopenai.DefaultConfig(cfg.APIKey)
	cc.BaseURL = cfg.BaseURL
	cc.HTTPClient = retryAfterDoer{cfg.HTTPClient}
	cfg.APIKey = "" // nothing of ours holds the key, so nothing of ours can print it
	return &Client{cfg: cfg, api: goopenai.NewClientWithConfig(cc)}, nil
}

// String describes the client without the API key.
func (c *Client) String() string { return "openai.Client(" + c.cfg.String() + ")" }

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Model is the chat model the client asks.
func (c *Client) Model() string { return c.cfg.Model }

func (c *Client) logger() *slog.Logger { return c.cfg.Logger }

// chat sends one non-streaming chat completion with the call's deadline and retries.
// Failures are EUNAVAILABLE and wrap go-openai's error (errors.As finds
// *goopenai.APIError or *goopenai.RequestError) and, on a deadline, the context error.
func (c *Client) chat(ctx context.Context, op string, req goopenai.ChatCompletionRequest) (goopenai.ChatCompletionResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req.Model = c.cfg.Model
	var resp goopenai.ChatCompletionResponse
	err := c.retry(ctx, op, func(ctx context.Context) error {
		var err error
		resp, err = c.api.CreateChatCompletion(ctx, req)
		return err
	})
	return resp, err
}

// chatStream opens a streaming chat completion (retrying only the opening: once a
// piece has reached the caller nothing can be taken back) and passes each content
// piece to onPiece. It returns the whole raw content. limit > 0 stops the stream with
// ErrOutputTooLong once the content exceeds limit runes, so a runaway answer costs no more
// than that. A stream that ends without a finish reason was cut off: ErrTruncated.
func (c *Client) chatStream(ctx context.Context, op string, req goopenai.ChatCompletionRequest, limit int, onPiece func(string) error) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req.Model = c.cfg.Model
	var stream *goopenai.ChatCompletionStream
	err := c.retry(ctx, op, func(ctx context.Context) error {
		var err error
		stream, err = c.api.CreateChatCompletionStream(ctx, req)
		return err
	})
	if err != nil {
		return "", err
	}
	defer stream.Close()
	var (
		b      strings.Builder
		runes  int
		finish goopenai.FinishReason
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", unavailable(op, "chat stream broke off", err)
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.Delta.Refusal != "" {
				return "", outputErr(op, ErrRefused)
			}
			if p := ch.Delta.Content; p != "" {
				b.WriteString(p)
				runes += utf8.RuneCountInString(p)
				if err := onPiece(p); err != nil {
					return "", err
				}
				if limit > 0 && runes > limit {
					return "", outputErr(op, ErrOutputTooLong)
				}
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	if err := checkFinish(finish, true); err != nil {
		return "", outputErr(op, err)
	}
	return b.String(), nil
}

// checkFinish accepts a complete answer. Some compatible servers omit finish_reason
// on non-streamed answers, so there an empty one is accepted; a stream must end with
// one, since go-openai reports a dropped connection as a plain end of stream.
func checkFinish(r goopenai.FinishReason, streamed bool) error {
	switch r {
	case goopenai.FinishReasonStop:
		return nil
	case "":
		if streamed {
			return ErrTruncated
		}
		return nil
	case goopenai.FinishReasonLength:
		return ErrTruncated
	case goopenai.FinishReasonContentFilter:
		return ErrRefused
	}
	return fmt.Errorf("%w (finish reason %q)", ErrMalformed, r)
}

// retry runs attempt until it succeeds, fails for good, or the call's deadline
// leaves no room for the next wait.
func (c *Client) retry(ctx context.Context, op string, attempt func(context.Context) error) error {
	for n := 0; ; n++ {
		var hint time.Duration
		err := attempt(context.WithValue(ctx, retryAfterKey{}, &hint))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !retryable(err) || n >= c.cfg.MaxRetries {
			return unavailable(op, fmt.Sprintf("chat model unavailable after %d attempt(s)", n+1), err)
		}
		wait := c.backoff(n, hint)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// Waiting would only end in the deadline: answer now.
			return unavailable(op, fmt.Sprintf("chat model unavailable after %d attempt(s); no time left to retry", n+1), err)
		}
		c.logger().DebugContext(ctx, "openai: retrying", "op", op, "attempt", n+1, "status", statusOf(err), "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return unavailable(op, "chat model unavailable", ctx.Err())
		case <-t.C:
		}
	}
}

// backoff is RetryDelay * 2^n with jitter in [d/2, d], raised to the server's
// Retry-After hint, capped at maxBackoff.
func (c *Client) backoff(n int, hint time.Duration) time.Duration {
	d := c.cfg.RetryDelay << min(n, 10)
	d = min(d, maxBackoff)
	d = d/2 + rand.N(d/2+1)
	return min(max(d, hint), maxBackoff)
}

// retryable reports whether another attempt may succeed: rate limits, server errors,
// request timeouts and network failures. Other 4xx (a bad request, a wrong key, a
// missing model) fail the same way every time.
func retryable(err error) bool {
	if s := statusOf(err); s != 0 {
		return s == http.StatusTooManyRequests || s == http.StatusRequestTimeout || s >= 500
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// statusOf is the HTTP status of a go-openai error, 0 when there was no response.
func statusOf(err error) int {
	var apiErr *goopenai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *goopenai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// retryAfterKey carries a *time.Duration that retryAfterDoer fills from a 429 or 503
// response, since go-openai's errors do not keep the response headers.
type retryAfterKey struct{}

type retryAfterDoer struct{ next *http.Client }

func (d retryAfterDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if p, ok := req.Context().Value(retryAfterKey{}).(*time.Duration); ok {
			*p = retryAfter(resp.Header, time.Now())
		}
	}
	return resp, err
}

// retryAfter reads OpenAI's retry-after-ms or the standard Retry-After (seconds or an
// HTTP date); 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Output problems. They never carry the model's text, which may repeat the debtor's
// words, so they are safe to log. Errors returned by Drafter wrap one of them
// (errors.Is) inside an EINTERNAL *assistant.Error.
var (
	// ErrEmptyOutput: the model answered with nothing usable.
	ErrEmptyOutput = errors.New("model returned empty output")
	// ErrOutputTooLong: the answer is over twice the channel's limit; it is refused,
	// not truncated.
	ErrOutputTooLong = errors.New("model output is over twice the channel's length limit")
	// ErrTruncated: the answer was cut off (token limit or a dropped stream).
	ErrTruncated = errors.New("model output was cut off")
	// ErrRefused: the model or its provider's filter refused to answer.
	ErrRefused = errors.New("model refused to answer")
	// ErrMalformed: the answer does not have the expected shape.
	ErrMalformed = errors.New("model output is malformed")
)

func unavailable(op, msg string, err error) error {
	return &assistant.Error{Code: assistant.EUNAVAILABLE, Op: op, Message: msg, Err: err}
}

func outputErr(op string, err error) error {
	return &assistant.Error{Code: assistant.EINTERNAL, Op: op, Message: "unusable model output", Err: err}
}

// reason is a short description of a failure for logs, free of the message and of
// the model's text (and of the server's error message, which might echo either).
func reason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case statusOf(err) != 0:
		return "http " + strconv.Itoa(statusOf(err))
	case errors.Is(err, ErrMalformed):
		return err.Error() // our own wording: names the field, never its value
	case errors.Is(err, ErrEmptyOutput):
		return "empty output"
	case errors.Is(err, ErrTruncated):
		return "truncated output"
	case errors.Is(err, ErrRefused):
		return "refused"
	case retryable(err):
		return "network"
	}
	return "other"
}

// normalizeBaseURL trims trailing slashes and insists on an absolute http(s) URL, for
// the chat client and the embedder alike.
func normalizeBaseURL(raw string) (string, error) {
	base := strings.TrimRight(raw, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q must be an absolute http(s) URL", base)
	}
	return base, nil
}
