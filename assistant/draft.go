package assistant

import (
	"context"
	"time"

	"github.com/parley-dev/parley/compliance"
)

// Draft statuses.
const (
	DraftPending  = "pending_review"
	DraftApproved = "approved"
	DraftRejected = "rejected"
)

// Draft is a screened reply waiting for an agent. Its text has passed the gate when
// it was made; approval screens the final (possibly edited) text again.
type Draft struct {
	ID          string             `json:"id"`
	CaseID      string             `json:"case_id"`
	Status      string             `json:"status"`
	Text        string             `json:"text"`
	Language    string             `json:"language"`
	Channel     string             `json:"channel"`
	Goal        string             `json:"goal,omitempty"`
	Analysis    *Analysis          `json:"analysis,omitempty"`
	Suggestions []Suggestion       `json:"suggestions"`
	Citations   []string           `json:"citations"`
	Verdict     compliance.Verdict `json:"verdict"`
	Engine      string             `json:"engine"`
	// Trace records how the text came to be (engines tried, refusals), for audit.
	Trace        []string  `json:"trace,omitempty"`
	FinalText    string    `json:"final_text,omitempty"`
	RejectReason string    `json:"reject_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
}

// OutboxItem is an approved message waiting for the sending system. It can only be
// created from a compliance.Cleared value, so unscreened text cannot get here.
type OutboxItem struct {
	ID           string `json:"id"`
	CaseID       string `json:"case_id"`
	DraftID      string `json:"draft_id"`
	Channel      string `json:"channel"`
	Jurisdiction string `json:"jurisdiction"`
	Text         string `json:"text"`
	// SendAfter is the time the contact rules (hours, caps) were checked for: the
	// sender must not send before it.
	SendAfter time.Time `json:"send_after,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// OutboxPage is one page of the outbox, oldest first.
type OutboxPage struct {
	Items      []*OutboxItem `json:"items"`
	NextCursor string        `json:"next_cursor"`
}

// DraftStore keeps drafts and the outbox.
type DraftStore interface {
	// CreateDraft stores a new draft, assigning its ID and CreatedAt.
	CreateDraft(ctx context.Context, d *Draft) (*Draft, error)
	// GetDraft returns ENOTFOUND for an unknown id.
	GetDraft(ctx context.Context, id string) (*Draft, error)
	// ApproveDraft marks a pending draft approved with its final text and places the
	// cleared message in the outbox, atomically. ENOTFOUND; ECONFLICT when the draft
	// is no longer pending; EINVALID when msg is not a valid cleared message.
	ApproveDraft(ctx context.Context, id string, msg compliance.Cleared) (*Draft, *OutboxItem, error)
	// RejectDraft marks a pending draft rejected. ENOTFOUND, ECONFLICT.
	RejectDraft(ctx context.Context, id, reason string) (*Draft, error)
	// ListOutbox pages through approved messages, oldest first. EINVALID.
	ListOutbox(ctx context.Context, cursor string, limit int) (OutboxPage, error)
}

// BlockedError is returned when the gate refuses a text; it carries the verdict so
// the agent sees every violation.
type BlockedError struct {
	Verdict compliance.Verdict
}

func (e *BlockedError) Error() string { return "the text was refused by the compliance screen" }
