package assistant

import (
	"context"
	"time"

	"github.com/parley-dev/parley/compliance"
)

// Transcript speakers.
const (
	SpeakerAgent  = "agent"
	SpeakerDebtor = "debtor"
)

// QA flag statuses and the decisions that resolve an open flag.
const (
	FlagOpen      = "open"
	FlagConfirmed = "confirmed"
	FlagDismissed = "dismissed"
	// FlagAll selects flags of every status when listing.
	FlagAll = "all"
)

// FlagStatuses lists the statuses a flag can have.
var FlagStatuses = []string{FlagOpen, FlagConfirmed, FlagDismissed}

// Severities of QA findings. Block and warn are the screen's; review marks what a
// person must look at that is not the agent's fault (a high-risk debtor, a right the
// debtor invoked), and costs no points.
const (
	FindingBlock  = "block"
	FindingWarn   = "warn"
	FindingReview = "review"
)

// Limits on a transcript: a long call has a few hundred turns; more is refused, not
// truncated. Each turn is free text bounded by MaxTextBytes.
const MaxTranscriptTurns = 500

// Turn is one utterance of a call or chat transcript.
type Turn struct {
	Speaker string    `json:"speaker"` // agent | debtor
	Text    string    `json:"text"`
	At      time.Time `json:"at,omitzero"`
}

// TurnResult is what QA found in one turn: a debtor turn's analysis or an agent
// turn's verdict. Spans in the verdict are rune offsets within that turn's text.
type TurnResult struct {
	Index    int                 `json:"index"`
	Speaker  string              `json:"speaker"`
	Analysis *Analysis           `json:"analysis,omitempty"`
	Verdict  *compliance.Verdict `json:"verdict,omitempty"`
}

// Finding is one thing a QA reviewer should know about a transcript, with what it
// cost the score. Turn is nil for findings about the whole contact (its time);
// Start/End are rune offsets within that turn's text, and both are 0 (with an empty
// excerpt) when the finding concerns the turn as a whole.
type Finding struct {
	Rule        string `json:"rule"`
	Category    string `json:"category"`
	Severity    string `json:"severity"` // block | warn | review
	Turn        *int   `json:"turn"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Excerpt     string `json:"excerpt"`
	Explanation string `json:"explanation"`
	Citation    string `json:"citation,omitempty"`
	Penalty     int    `json:"penalty"`
}

// TranscriptResult is the review of a transcript: per-turn results, findings, score.
type TranscriptResult struct {
	Turns    []TurnResult `json:"turns"`
	Findings []Finding    `json:"findings"`
	Score    int          `json:"score"`
	// Notes say what could not be checked (e.g. contact hours without a start time).
	Notes []string `json:"notes,omitempty"`
}

// Transcript is a stored call or chat with its review.
type Transcript struct {
	ID           string           `json:"id"`
	CaseID       string           `json:"case_id,omitempty"`
	Channel      string           `json:"channel"`
	Jurisdiction string           `json:"jurisdiction"`
	Direction    string           `json:"direction"` // outbound (the agent called) | inbound
	StartedAt    time.Time        `json:"started_at,omitzero"`
	Turns        []Turn           `json:"-"`
	Result       TranscriptResult `json:"result"`
	FlagID       string           `json:"flag_id,omitempty"`
	CreatedAt    time.Time        `json:"created_at"`
}

// FlagReason is why a transcript was flagged: one blocking finding or high-risk signal.
type FlagReason struct {
	Rule        string `json:"rule"`
	Category    string `json:"category"`
	Severity    string `json:"severity"`
	Turn        *int   `json:"turn"`
	Explanation string `json:"explanation"`
}

// FlagSpan is a passage to highlight: rune offsets within one turn's text.
type FlagSpan struct {
	Turn    int    `json:"turn"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Excerpt string `json:"excerpt"`
}

// Flag is a transcript waiting for (or given) a QA reviewer's decision.
type Flag struct {
	ID           string       `json:"id"`
	TranscriptID string       `json:"transcript_id"`
	CaseID       string       `json:"case_id"`
	Status       string       `json:"status"` // open | confirmed | dismissed
	Reasons      []FlagReason `json:"reasons"`
	Spans        []FlagSpan   `json:"spans"`
	CreatedAt    time.Time    `json:"created_at"`
	Decision     string       `json:"decision"`
	Note         string       `json:"note"`
	ResolvedAt   *time.Time   `json:"resolved_at"`
}

// FlagFilter selects flags for listing.
type FlagFilter struct {
	Status string // open | confirmed | dismissed | all
	Cursor string // opaque, from a previous page
	Limit  int
}

// FlagPage is one page of flags, oldest first.
type FlagPage struct {
	Items      []*Flag `json:"items"`
	NextCursor string  `json:"next_cursor"`
}

// QAStore keeps reviewed transcripts and their flags. Implementations:
// retrieval.MemoryQA and retrieval/postgres.QA; both pass retrievaltest.RunQA.
type QAStore interface {
	// CreateTranscript stores a reviewed transcript and, when flag is not nil, its
	// open flag, atomically; it assigns IDs and CreatedAt and links the two.
	CreateTranscript(ctx context.Context, t *Transcript, flag *Flag) (*Transcript, *Flag, error)
	// GetTranscript returns ENOTFOUND for an unknown id.
	GetTranscript(ctx context.Context, id string) (*Transcript, error)
	// GetFlag returns ENOTFOUND for an unknown id.
	GetFlag(ctx context.Context, id string) (*Flag, error)
	// ListFlags pages through flags in creation order. EINVALID for a bad status or
	// cursor.
	ListFlags(ctx context.Context, f FlagFilter) (FlagPage, error)
	// ResolveFlag records a decision (confirmed | dismissed) on an open flag.
	// ENOTFOUND; ECONFLICT when the flag is already resolved; EINVALID for another
	// decision.
	ResolveFlag(ctx context.Context, id, decision, note string) (*Flag, error)
}
