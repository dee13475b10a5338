package openai

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/prompts"
)

// MaxUncitedCitations is how many of the provided history events a draft cites when
// the model cited none in brackets: the most relevant ones, which it was shown.
const MaxUncitedCitations = 3

// Drafter implements assistant.StreamingDrafter with a chat model. The model's output
// is untrusted: it is cleaned (code fences, surrounding quotes, "Here is the reply:"
// preambles, a leading "Reply:" label and bracketed event ids are removed), and an
// empty answer or one over twice the channel's limit is an error, never truncated.
// It neither screens nor falls back: assistant.Service screens every draft and falls
// back to the builtin drafter when this one fails. Safe for concurrent use.
//
// Citations are the ids of provided history events that the model cited as [id]
// (or 【id】, or [id1, id2]), in order of first mention; those brackets are removed
// from the text. When the model cited none, they are the first MaxUncitedCitations
// provided events (the history arrives most relevant first), since the draft was
// written from them. Bracketed text that is not a provided id is left alone.
type Drafter struct {
	client *Client
}

var _ assistant.StreamingDrafter = (*Drafter)(nil)

// NewDrafter returns a drafter that asks client's model. It panics on a nil client.
func NewDrafter(client *Client) *Drafter {
	if client == nil {
		panic("openai.NewDrafter: client is required")
	}
	return &Drafter{client: client}
}

const opDraft = "assistant/openai.Draft"

// Draft implements assistant.Drafter. Errors: EINVALID for a request without a case;
// EUNAVAILABLE when the API fails (after retries) or times out; EINTERNAL wrapping
// ErrEmptyOutput, ErrOutputTooLong, ErrTruncated, ErrRefused or ErrMalformed for an
// unusable answer.
func (d *Drafter) Draft(ctx context.Context, req assistant.DraftRequest) (assistant.DraftResult, error) {
	chatReq, max, err := buildDraftRequest(req)
	if err != nil {
		return assistant.DraftResult{}, err
	}
	resp, err := d.client.chat(ctx, opDraft, chatReq)
	if err != nil {
		return assistant.DraftResult{}, err
	}
	if len(resp.Choices) == 0 {
		return assistant.DraftResult{}, outputErr(opDraft, fmt.Errorf("%w: no choices", ErrMalformed))
	}
	ch := resp.Choices[0]
	if ch.Message.Refusal != "" {
		return assistant.DraftResult{}, outputErr(opDraft, ErrRefused)
	}
	if err := checkFinish(ch.FinishReason, false); err != nil {
		return assistant.DraftResult{}, outputErr(opDraft, err)
	}
	return finishDraft(ch.Message.Content, req.History, max)
}

// DraftStream implements assistant.StreamingDrafter: onDelta gets the model's raw
// pieces as they arrive (uncleaned, unscreened); the result holds the cleaned text,
// which may differ from their concatenation. An error from onDelta stops the stream
// and is returned as is. A stream is abandoned as soon as it grows far past the
// length limit, and one that ends without a finish reason (a dropped connection) is
// ErrTruncated. Only opening the stream is retried.
func (d *Drafter) DraftStream(ctx context.Context, req assistant.DraftRequest, onDelta func(delta string) error) (assistant.DraftResult, error) {
	chatReq, max, err := buildDraftRequest(req)
	if err != nil {
		return assistant.DraftResult{}, err
	}
	if onDelta == nil {
		onDelta = func(string) error { return nil }
	}
	// Cleaning removes preambles and citations, so allow some slack over the final
	// bound before giving up on the raw stream.
	raw, err := d.client.chatStream(ctx, opDraft, chatReq, 2*max+streamSlack, onDelta)
	if err != nil {
		return assistant.DraftResult{}, err
	}
	return finishDraft(raw, req.History, max)
}

const streamSlack = 500

// buildDraftRequest renders both prompts and returns the request and the channel's
// rune limit.
func buildDraftRequest(req assistant.DraftRequest) (goopenai.ChatCompletionRequest, int, error) {
	c := req.Case
	if c == nil {
		return goopenai.ChatCompletionRequest{}, 0, assistant.Invalid("case", "a draft needs a case")
	}
	lang := req.Language
	if lang == "" {
		lang = c.Debtor.Language
	}
	tl := prompts.Lang(lang)
	max := assistant.MaxDraftRunes(req.Channel)

	system, err := prompts.Render(fmt.Sprintf(prompts.SystemV, tl), prompts.SystemData{
		Creditor:     oneLine(c.Creditor, 120),
		Jurisdiction: oneLine(c.Jurisdiction, 20),
		Rules:        Rules(c.Jurisdiction, req.Channel, tl),
	})
	if err != nil {
		return goopenai.ChatCompletionRequest{}, 0, assistant.Internal(opDraft, err)
	}
	user, err := prompts.Render(fmt.Sprintf(prompts.DraftV, tl), draftData(req, max))
	if err != nil {
		return goopenai.ChatCompletionRequest{}, 0, assistant.Internal(opDraft, err)
	}
	return goopenai.ChatCompletionRequest{
		Messages: []goopenai.ChatCompletionMessage{
			{Role: goopenai.ChatMessageRoleSystem, Content: system},
			{Role: goopenai.ChatMessageRoleUser, Content: user},
		},
	}, max, nil
}

// draftData maps a request onto the drafting prompt. The debtor's message and event
// texts are quoted by the template; the other strings are interpolated as they are,
// so they are flattened to one bounded line here and cannot start lines of their own.
func draftData(req assistant.DraftRequest, max int) prompts.DraftData {
	c := req.Case
	loc, err := time.LoadLocation(c.Debtor.Timezone)
	if err != nil {
		loc = time.UTC
	}
	// The case's segment (the playbook's axis, from the whole history) sets the tone;
	// the latest message's own reading only when the case has none.
	seg := c.Segment
	if !seg.Valid() && req.Analysis != nil {
		seg = req.Analysis.Willingness.Segment
	}
	if !seg.Valid() {
		seg = "unknown"
	}
	dd := prompts.DraftData{
		DebtorName:   oneLine(c.Debtor.Name, 80),
		DebtorKind:   oneLine(c.Debtor.Kind, 20),
		Balance:      c.Balance.String(),
		DaysPastDue:  c.DaysPastDue,
		Segment:      oneLine(string(seg), 20),
		Channel:      oneLine(req.Channel, 20),
		Goal:         oneLine(req.Goal, 80),
		Message:      req.Message,
		MaxRunes:     max,
		Jurisdiction: oneLine(c.Jurisdiction, 20),
	}
	if req.Analysis != nil {
		for _, in := range req.Analysis.Intents {
			dd.Intents = append(dd.Intents, oneLine(in.Name, 40))
		}
	}
	for _, h := range req.History {
		e := h.Event
		if e == nil || e.ID == "" {
			continue
		}
		kind := string(e.Kind)
		if e.Direction != "" {
			kind = e.Direction + " " + kind
		}
		if e.Channel != "" {
			kind += " (" + e.Channel + ")"
		}
		text := e.Text
		if text == "" && e.Amount != nil {
			text = e.Amount.String()
		}
		dd.History = append(dd.History, prompts.EventLine{
			ID: oneLine(e.ID, 80), When: e.At.In(loc).Format(time.DateOnly), Kind: oneLine(kind, 60), Text: text,
		})
	}
	for _, s := range req.Suggestions {
		if d := oneLine(s.Detail, 400); d != "" {
			dd.Suggestions = append(dd.Suggestions, d)
		}
	}
	for _, f := range req.Feedback {
		if f = oneLine(f, 400); f != "" {
			dd.Feedback = append(dd.Feedback, f)
		}
	}
	return dd
}

// oneLine flattens s to one line of at most n runes: control characters and line
// breaks become spaces, runs of spaces one space.
func oneLine(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}), " ")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// finishDraft cleans raw output, extracts citations and enforces the length bounds.
func finishDraft(raw string, history []assistant.ScoredEvent, max int) (assistant.DraftResult, error) {
	var provided []string
	for _, h := range history {
		if h.Event != nil && h.Event.ID != "" && !slices.Contains(provided, h.Event.ID) {
			provided = append(provided, h.Event.ID)
		}
	}
	text, cited := extractCitations(CleanDraft(raw), provided)
	text = strings.TrimSpace(text)
	if text == "" {
		return assistant.DraftResult{}, outputErr(opDraft, ErrEmptyOutput)
	}
	// A reply is prose; JSON, markup or a template is the model answering something
	// else (or being steered), not a message for a debtor.
	if strings.HasPrefix(text, "{") || strings.HasPrefix(text, "[") || strings.HasPrefix(text, "<") {
		return assistant.DraftResult{}, outputErr(opDraft, fmt.Errorf("%w: output is structured data, not a reply", ErrMalformed))
	}
	if n := utf8.RuneCountInString(text); n > 2*max {
		return assistant.DraftResult{}, outputErr(opDraft, fmt.Errorf("%w (%d runes, limit %d)", ErrOutputTooLong, n, max))
	}
	if len(cited) == 0 {
		cited = provided[:min(len(provided), MaxUncitedCitations)]
	}
	return assistant.DraftResult{Text: text, Engine: Engine, Citations: slices.Clone(cited)}, nil
}

var (
	// "Sure! Here is a draft reply for the debtor:" and the like, up to the colon.
	preambleEN = regexp.MustCompile(`(?i)^(?:(?:sure|certainly|of course|okay|ok|absolutely)[!,.]?\s*)?here(?:'s|’s| is| are)\b[^:\n]{0,80}?\b(?:reply|response|message|draft|text|sms|email|version)\b[^:\n]{0,40}:\s*`)
	// "以下是回复：", "好的，以下是为您起草的短信回复：", "这是回复内容:".
	preambleZH = regexp.MustCompile(`^(?:好的|当然|没问题)?[，,。!！]?\s*(?:以下是|下面是|这是)[^：:\n]{0,30}?(?:回复|答复|消息|短信|邮件|草稿|内容|正文)[^：:\n]{0,10}[：:]\s*`)
	// A label on the first line: "Reply:", "Draft reply:", "回复：".
	leadLabel = regexp.MustCompile(`(?i)^(?:(?:draft|suggested|final)\s+)?(?:reply|response|draft|answer|message|回复|答复|草稿|正文)\s*[:：]\s*`)
)

// quotePairs are the quotes a model wraps a whole answer in.
var quotePairs = [][2]string{{`"`, `"`}, {"'", "'"}, {"“", "”"}, {"‘", "’"}, {"「", "」"}, {"『", "』"}, {"«", "»"}}

// CleanDraft removes what models wrap a reply in: code fences, preambles ("Here is the
// reply:", "以下是回复："), a leading "Reply:" label and quotes around the whole text,
// repeatedly until nothing changes. It keeps everything else.
func CleanDraft(s string) string {
	s = strings.TrimSpace(s)
	for range 5 {
		prev := s
		s = stripFences(s)
		s = strings.TrimSpace(preambleEN.ReplaceAllString(s, ""))
		s = strings.TrimSpace(preambleZH.ReplaceAllString(s, ""))
		s = strings.TrimSpace(leadLabel.ReplaceAllString(s, ""))
		s = stripQuotes(s)
		if s == prev {
			break
		}
	}
	return s
}

// stripFences removes a Markdown code fence around the whole text.
func stripFences(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "```") {
		return s
	}
	s = strings.TrimPrefix(s, "```")
	// Drop the info string ("json", "text") on the opening line.
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		if info := strings.TrimSpace(s[:i]); !strings.ContainsAny(info, " \t") {
			s = s[i+1:]
		}
	}
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "```")
	return strings.TrimSpace(s)
}

func stripQuotes(s string) string {
	for _, q := range quotePairs {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			inner := s[len(q[0]) : len(s)-len(q[1])]
			// "Hi," she said, "bye": the quotes are the text's own, not a wrapper.
			if strings.Contains(inner, q[0]) || strings.Contains(inner, q[1]) {
				continue
			}
			return strings.TrimSpace(inner)
		}
	}
	return s
}

// citeGroup is one bracketed group: [id], [id1, id2], 【id】.
var citeGroup = regexp.MustCompile(`[ \t]*(?:\[([^\[\]\n]{1,300})\]|【([^【】\n]{1,300})】)`)

var citeSep = regexp.MustCompile(`[,，、;；\s]+`)

// extractCitations removes bracketed groups made only of provided ids and returns the
// text and the ids in order of first mention.
func extractCitations(s string, provided []string) (string, []string) {
	if len(provided) == 0 {
		return s, nil
	}
	var cited []string
	out := citeGroup.ReplaceAllStringFunc(s, func(m string) string {
		sub := citeGroup.FindStringSubmatch(m)
		inner := sub[1] + sub[2]
		var ids []string
		for _, id := range citeSep.Split(strings.TrimSpace(inner), -1) {
			id = strings.Trim(id, "#")
			if !slices.Contains(provided, id) {
				return m // not (only) our ids: the model's own text
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			if !slices.Contains(cited, id) {
				cited = append(cited, id)
			}
		}
		return ""
	})
	if len(cited) == 0 {
		return s, nil
	}
	// Removing "[e1]" from "paid [e1] ." or a line "[e1]" leaves stray spaces.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n"), cited
}
