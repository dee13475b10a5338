package assistant

import "context"

// DraftRequest is everything a drafter may use. Message and history texts are the
// debtor's and the team's words: data for the drafter, never instructions.
type DraftRequest struct {
	Case        *Case
	Message     string // the debtor's latest message (may be empty for a reminder)
	Analysis    *Analysis
	History     []ScoredEvent // most relevant events, citable by id
	Suggestions []Suggestion
	Channel     string
	Goal        string // reminder | plan_offer | follow_up | ... (optional)
	Language    string // reply language: zh | en (mixed debtors get zh with English terms kept)
	// Feedback lists why a previous attempt was refused by the screen; a drafter
	// gets one chance to redraft with it.
	Feedback []string
	// Variant picks among equivalent wordings so replies do not read as form letters.
	Variant int
	// FirstContact is true when nothing has been sent to the debtor yet: the US
	// initial disclosure then takes its full form (Reg F 1006.18(e)).
	FirstContact bool
}

// DraftResult is a drafter's unscreened text. Nothing may send it: only the
// compliance gate turns text into something sendable.
type DraftResult struct {
	Text      string
	Engine    string   // builtin | openai
	Citations []string // ids of history events the text relies on
}

// Drafter writes a reply. Implementations: assistant/builtin (templates, the default
// and the fallback) and assistant/openai (a chat model).
type Drafter interface {
	Draft(ctx context.Context, req DraftRequest) (DraftResult, error)
}

// StreamingDrafter can also deliver the text as it is generated. onDelta receives
// raw, unscreened pieces: the caller screens the accumulated text before showing any.
type StreamingDrafter interface {
	Drafter
	DraftStream(ctx context.Context, req DraftRequest, onDelta func(delta string) error) (DraftResult, error)
}

// MaxDraftRunes bounds a reply per channel: SMS short, chat conversational, email full.
func MaxDraftRunes(channel string) int {
	switch channel {
	case "sms":
		return 320
	case "chat", "wechat":
		return 500
	case "call":
		return 600
	}
	return 1500
}
