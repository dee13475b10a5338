// Package openai connects Parley to any OpenAI-compatible API (OpenAI, Azure, vLLM,
// Ollama, llama.cpp server) through go-openai: embeddings here; chat engines beside it.
package openai

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant"
)

// Defaults for EmbedderConfig.
const (
	DefaultBaseURL        = "https://api.openai.com/v1"
	DefaultEmbeddingModel = "text-embedding-3-small"
	DefaultEmbedTimeout   = 30 * time.Second
	DefaultEmbedBatch     = 64
)

// EmbedderConfig configures an embedder for any OpenAI-compatible /embeddings endpoint
// (OpenAI, Azure's OpenAI-compatible path, vLLM, Ollama, llama.cpp server).
//
// Its String and GoString methods hide APIKey, so a config can be logged with %v or
// %#v without leaking the key.
type EmbedderConfig struct {
	// BaseURL is the API root; requests go to BaseURL + "/embeddings", so it usually
	// ends in "/v1". Default DefaultBaseURL.
	BaseURL string
	// APIKey is sent as a bearer token; empty for servers that need none.
	APIKey string
	// Model is the embedding model; default DefaultEmbeddingModel.
	Model string
	// Dimension is the length of the vectors the model returns (required). A response
	// with vectors of another length is an error, never silently truncated, because
	// vectors of different lengths cannot be compared with stored ones.
	Dimension int
	// RequestDimensions sends Dimension as the request's "dimensions" field, which
	// text-embedding-3 models use to shorten their vectors. Leave it false for servers
	// and models that reject the field.
	RequestDimensions bool
	// Timeout bounds one HTTP request (one batch); default DefaultEmbedTimeout.
	Timeout time.Duration
	// BatchSize is the number of texts per request; default DefaultEmbedBatch.
	BatchSize int
	// HTTPClient sends the requests; default a new http.Client.
	HTTPClient *http.Client
}

// String describes the config without the API key.
func (c EmbedderConfig) String() string {
	key := "<none>"
	if c.APIKey != "" {
		key = "<redacted>"
	}
	return fmt.Sprintf("openai.EmbedderConfig{BaseURL: %q, Model: %q, Dimension: %d, RequestDimensions: %t, Timeout: %s, BatchSize: %d, APIKey: %s}",
		c.BaseURL, c.Model, c.Dimension, c.RequestDimensions, c.Timeout, c.BatchSize, key)
}

// GoString is String, so %#v does not print the key either.
func (c EmbedderConfig) GoString() string { return c.String() }

// Embedder implements assistant.Embedder with an OpenAI-compatible embeddings API.
// Vectors are L2-normalised and checked against the configured dimension. Texts that
// are empty or only white space are not sent (the API rejects them) and get the zero
// vector, as with the builtin embedder. Safe for concurrent use.
type Embedder struct {
	cfg    EmbedderConfig
	client *goopenai.Client
}

var _ assistant.Embedder = (*Embedder)(nil)

// NewEmbedder checks cfg, fills its defaults and returns an embedder. It makes no
// request: a wrong key or URL shows on the first Embed.
func NewEmbedder(cfg EmbedderConfig) (*Embedder, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := normalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("openai embedder: %w", err)
	}
	cfg.BaseURL = base
	if cfg.Model == "" {
		cfg.Model = DefaultEmbeddingModel
	}
	if cfg.Dimension <= 0 {
		return nil, errors.New("openai embedder: dimension is required (the length of the model's vectors, e.g. 1536 for text-embedding-3-small)")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultEmbedTimeout
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultEmbedBatch
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	cc := goopenai.DefaultConfig(cfg.APIKey)
	cc.BaseURL = cfg.BaseURL
	cc.HTTPClient = cfg.HTTPClient
	return &Embedder{cfg: cfg, client: goopenai.NewClientWithConfig(cc)}, nil
}

// String describes the embedder without the API key.
func (e *Embedder) String() string { return "openai.Embedder(" + e.cfg.String() + ")" }

// GoString is String.
func (e *Embedder) GoString() string { return e.String() }

// Name implements assistant.Embedder: "openai:" and the model, which is how a store
// tells one vector space from another.
func (e *Embedder) Name() string { return "openai:" + e.cfg.Model }

// Dimension implements assistant.Embedder.
func (e *Embedder) Dimension() int { return e.cfg.Dimension }

const opEmbed = "assistant/openai.Embed"

// Embed implements assistant.Embedder, one request per BatchSize texts. An API or
// network failure is EUNAVAILABLE; a malformed answer (wrong count, wrong dimension)
// is EINTERNAL. Either way no partial result is returned.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var (
		batch []string
		slots []int // out index of each batch entry
	)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return err
		}
		for i, v := range vecs {
			out[slots[i]] = v
		}
		batch, slots = batch[:0], slots[:0]
		return nil
	}
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			out[i] = make([]float32, e.cfg.Dimension)
			continue
		}
		batch = append(batch, t)
		slots = append(slots, i)
		if len(batch) == e.cfg.BatchSize {
			if err := send(); err != nil {
				return nil, err
			}
		}
	}
	if err := send(); err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req := goopenai.EmbeddingRequestStrings{
		Input:          texts,
		Model:          goopenai.EmbeddingModel(e.cfg.Model),
		EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
	}
	if e.cfg.RequestDimensions {
		req.Dimensions = e.cfg.Dimension
	}
	resp, err := e.client.CreateEmbeddings(ctx, req)
	if err != nil {
		return nil, &assistant.Error{Code: assistant.EUNAVAILABLE, Op: opEmbed, Message: "embedding service unavailable", Err: err}
	}
	if len(resp.Data) != len(texts) {
		return nil, assistant.Internal(opEmbed, fmt.Errorf("asked for %d embeddings, got %d", len(texts), len(resp.Data)))
	}
	out := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return nil, assistant.Internal(opEmbed, fmt.Errorf("embedding index %d is out of range or repeated", d.Index))
		}
		if len(d.Embedding) != e.cfg.Dimension {
			return nil, assistant.Internal(opEmbed, fmt.Errorf("model %s returned %d dimensions, configured %d: fix the configured dimension (and re-embed stored history) or set RequestDimensions for a model that can shorten its vectors",
				e.cfg.Model, len(d.Embedding), e.cfg.Dimension))
		}
		v, err := normalize(d.Embedding)
		if err != nil {
			return nil, assistant.Internal(opEmbed, err)
		}
		out[d.Index] = v
	}
	return out, nil
}

// normalize returns v scaled to unit length; a zero vector stays zero. Non-finite
// components are an error: they would poison every similarity they touch.
func normalize(v []float32) ([]float32, error) {
	var sum float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("embedding has a non-finite component")
		}
		sum += f * f
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out, nil
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out, nil
}
