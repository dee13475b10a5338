package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/prompts"
)

// Engine is the name reported in Analysis.Engine and DraftResult.Engine when a
// model's answer was used.
const Engine = "openai"

// MinIntentConfidence drops intents the model is unsure of. Callers act on an
// intent's presence (Analysis.HasIntent), not its confidence, so a listed
// cease_contact at 0.1 would otherwise stop collection. Same threshold as builtin.
const MinIntentConfidence = 0.5

// MaxAnalyzeBytes bounds the text sent for analysis (cut at a rune boundary), as the
// builtin analyser does; a longer message is a paste, not a debtor's reply.
const MaxAnalyzeBytes = 16 << 10

// rightsIntents are intents by which a debtor invokes a right the collector must act
// on (stop contact, dispute, attorney, wrong party). When the fallback analyser found
// one and the model did not, it is kept: missing one is a compliance failure, while
// an extra one only sends the case to a person.
var rightsIntents = []string{
	assistant.IntentCeaseContact, assistant.IntentDispute,
	assistant.IntentRepresented, assistant.IntentWrongParty,
}

// Analyzer implements assistant.Analyzer with a chat model answering in a strict JSON
// schema. The fallback analyser always runs too: its entities (dates, amounts,
// promise) are always used, since the model is not asked for them, and its whole
// analysis is returned when the model fails in any way (timeout, 429 or 5xx after
// retries, malformed JSON, unknown enum values, no choices). Fallbacks are logged at
// warn without the message or the model's text. Safe for concurrent use.
type Analyzer struct {
	client   *Client
	fallback assistant.Analyzer
}

var _ assistant.Analyzer = (*Analyzer)(nil)

// NewAnalyzer returns an analyser that asks client's model and falls back to
// fallback (the builtin engine). Both are required: it panics on nil, a wiring bug.
func NewAnalyzer(client *Client, fallback assistant.Analyzer) *Analyzer {
	if client == nil || fallback == nil {
		panic("openai.NewAnalyzer: client and fallback are required")
	}
	return &Analyzer{client: client, fallback: fallback}
}

const opAnalyze = "assistant/openai.Analyze"

// Analyze implements assistant.Analyzer. It returns the fallback's error when the
// fallback rejects the request (empty text, unknown time zone): the model is not
// asked then. Otherwise it does not fail: Engine says whose answer it is, "openai" or
// the fallback's engine name.
func (a *Analyzer) Analyze(ctx context.Context, req assistant.AnalyzeRequest) (*assistant.Analysis, error) {
	base, err := a.fallback.Analyze(ctx, req)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	got, err := a.ask(ctx, req.Text)
	if err != nil {
		a.client.logger().WarnContext(ctx, "openai analysis failed; using the fallback analyser",
			"op", opAnalyze, "model", a.client.Model(), "reason", reason(err),
			"elapsed", time.Since(start).Round(time.Millisecond), "fallback", base.Engine)
		return base, nil
	}
	out := *base
	if lang := req.Language; lang == "" || lang == "auto" {
		out.Language = got.Language
	} // else the caller said which language it is, and the fallback kept it
	out.Sentiment = got.Sentiment
	out.Willingness = got.Willingness
	out.Intents = mergeRights(got.Intents, base.Intents)
	out.Engine = Engine
	return &out, nil
}

func (a *Analyzer) ask(ctx context.Context, text string) (*assistant.Analysis, error) {
	prompt, err := prompts.Render(prompts.AnalysisV, prompts.AnalysisData{Message: cutBytes(text, MaxAnalyzeBytes)})
	if err != nil {
		return nil, assistant.Internal(opAnalyze, err)
	}
	resp, err := a.client.chat(ctx, opAnalyze, goopenai.ChatCompletionRequest{
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: prompt}},
		ResponseFormat: &goopenai.ChatCompletionResponseFormat{
			Type: goopenai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &goopenai.ChatCompletionResponseFormatJSONSchema{
				Name:   "debtor_message_analysis",
				Schema: analysisSchema,
				Strict: true,
			},
		},
	})
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, outputErr(opAnalyze, fmt.Errorf("%w: no choices", ErrMalformed))
	}
	ch := resp.Choices[0]
	if ch.Message.Refusal != "" {
		return nil, outputErr(opAnalyze, ErrRefused)
	}
	if err := checkFinish(ch.FinishReason, false); err != nil {
		return nil, outputErr(opAnalyze, err)
	}
	an, err := ParseAnalysis(ch.Message.Content)
	if err != nil {
		return nil, outputErr(opAnalyze, err)
	}
	return an, nil
}

// analysisSchema is the strict JSON schema of the model's answer: every field
// required, no others, enums from the domain's lists. Ranges are not in the schema
// (not every compatible server supports minimum/maximum); ParseAnalysis clamps.
var analysisSchema = func() json.RawMessage {
	str := func(enum ...string) map[string]any { return map[string]any{"type": "string", "enum": enum} }
	num := map[string]any{"type": "number"}
	obj := func(props map[string]any) map[string]any {
		req := make([]string, 0, len(props))
		for k := range props {
			req = append(req, k)
		}
		sort.Strings(req)
		return map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false}
	}
	schema := obj(map[string]any{
		"language":    str(assistant.Languages...),
		"sentiment":   obj(map[string]any{"label": str(sentimentLabels...), "score": num}),
		"willingness": obj(map[string]any{"segment": str(segmentNames()...), "score": num}),
		"intents": map[string]any{"type": "array", "items": obj(map[string]any{
			"name": str(assistant.Intents...), "confidence": num,
		})},
	})
	b, err := json.Marshal(schema)
	if err != nil {
		panic(err)
	}
	return b
}()

var sentimentLabels = []string{"negative", "neutral", "positive"}

// modelAnalysis is the answer's shape. Pointers tell a missing field from a zero;
// fields beyond these are ignored.
type modelAnalysis struct {
	Language  *string `json:"language"`
	Sentiment *struct {
		Label *string  `json:"label"`
		Score *float64 `json:"score"`
	} `json:"sentiment"`
	Willingness *struct {
		Segment *string  `json:"segment"`
		Score   *float64 `json:"score"`
	} `json:"willingness"`
	Intents []struct {
		Name       *string  `json:"name"`
		Confidence *float64 `json:"confidence"`
	} `json:"intents"`
}

// ParseAnalysis reads a model's JSON answer defensively: code fences and text around
// the object are stripped, unknown fields ignored, enum values compared without case
// and with "-" or " " read as "_"; an unknown language, sentiment label or segment, or
// a missing field, is an error (wrapping ErrMalformed, never quoting the answer).
// Scores are clamped to their ranges; unknown intents and intents below
// MinIntentConfidence are dropped, duplicates merged at their highest confidence, and
// the rest sorted by confidence. Entities and Engine are left empty.
func ParseAnalysis(content string) (*assistant.Analysis, error) {
	body := jsonObject(content)
	if body == "" {
		return nil, fmt.Errorf("%w: no JSON object", ErrMalformed)
	}
	var m modelAnalysis
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("%w: field %s has the wrong type", ErrMalformed, typeErr.Field)
		}
		return nil, fmt.Errorf("%w: not valid JSON", ErrMalformed)
	}
	bad := func(field string) error {
		return fmt.Errorf("%w: %s is missing or not an allowed value", ErrMalformed, field)
	}
	var out assistant.Analysis
	var ok bool
	if out.Language, ok = enum(m.Language, assistant.Languages); !ok {
		return nil, bad("language")
	}
	if m.Sentiment == nil || m.Sentiment.Score == nil {
		return nil, bad("sentiment")
	}
	if out.Sentiment.Label, ok = enum(m.Sentiment.Label, sentimentLabels); !ok {
		return nil, bad("sentiment.label")
	}
	out.Sentiment.Score = clamp(*m.Sentiment.Score, -1, 1)
	if m.Willingness == nil || m.Willingness.Score == nil {
		return nil, bad("willingness")
	}
	seg, ok := enum(m.Willingness.Segment, segmentNames())
	if !ok {
		return nil, bad("willingness.segment")
	}
	out.Willingness = assistant.Willingness{Segment: assistant.Segment(seg), Score: clamp(*m.Willingness.Score, 0, 1)}
	out.Intents = []assistant.IntentScore{}
	for _, in := range m.Intents {
		name, ok := enum(in.Name, assistant.Intents)
		if !ok || in.Confidence == nil {
			continue // an intent we do not know is not worth losing the analysis for
		}
		conf := clamp(*in.Confidence, 0, 1)
		if conf < MinIntentConfidence {
			continue
		}
		out.Intents = addIntent(out.Intents, assistant.IntentScore{Name: name, Confidence: conf})
	}
	sortIntents(out.Intents)
	return &out, nil
}

// jsonObject strips code fences and returns the text from the first "{" to the last
// "}", or "" when there is none.
func jsonObject(s string) string {
	s = stripFences(strings.TrimSpace(s))
	i, j := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}')
	if i < 0 || j < i {
		return ""
	}
	return s[i : j+1]
}

func enum(v *string, allowed []string) (string, bool) {
	if v == nil {
		return "", false
	}
	s := strings.ToLower(strings.TrimSpace(*v))
	s = strings.NewReplacer("-", "_", " ", "_").Replace(s)
	if slices.Contains(allowed, s) {
		return s, true
	}
	return "", false
}

func segmentNames() []string {
	out := make([]string, len(assistant.Segments))
	for i, s := range assistant.Segments {
		out[i] = string(s)
	}
	return out
}

func clamp(x, lo, hi float64) float64 {
	if math.IsNaN(x) {
		return lo
	}
	return math.Max(lo, math.Min(hi, x))
}

// addIntent appends in, or raises the confidence of the same intent already there.
func addIntent(xs []assistant.IntentScore, in assistant.IntentScore) []assistant.IntentScore {
	for i := range xs {
		if xs[i].Name == in.Name {
			xs[i].Confidence = math.Max(xs[i].Confidence, in.Confidence)
			return xs
		}
	}
	return append(xs, in)
}

func sortIntents(xs []assistant.IntentScore) {
	sort.SliceStable(xs, func(i, j int) bool {
		if xs[i].Confidence != xs[j].Confidence {
			return xs[i].Confidence > xs[j].Confidence
		}
		return xs[i].Name < xs[j].Name
	})
}

// mergeRights adds the fallback's rights intents (rightsIntents) that the model did
// not report to the model's intents.
func mergeRights(model, fallback []assistant.IntentScore) []assistant.IntentScore {
	out := slices.Clone(model)
	if out == nil {
		out = []assistant.IntentScore{}
	}
	for _, in := range fallback {
		if slices.Contains(rightsIntents, in.Name) && in.Confidence >= MinIntentConfidence {
			out = addIntent(out, in)
		}
	}
	sortIntents(out)
	return out
}

// cutBytes cuts s to at most n bytes at a rune boundary.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
