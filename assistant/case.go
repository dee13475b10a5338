package assistant

import (
	"context"
	"time"
)

// Segment is a debtor's willingness to cooperate (collections-playbook.md).
type Segment string

const (
	SegmentWilling    Segment = "willing"
	SegmentWaitAndSee Segment = "wait_and_see"
	SegmentResistant  Segment = "resistant"
	SegmentHighRisk   Segment = "high_risk"
)

// Segments lists every segment in order of decreasing cooperation.
var Segments = []Segment{SegmentWilling, SegmentWaitAndSee, SegmentResistant, SegmentHighRisk}

// Valid reports whether s is a known segment.
func (s Segment) Valid() bool {
	for _, v := range Segments {
		if s == v {
			return true
		}
	}
	return false
}

// RiskTier is the ledger risk of a case: amount, days past due, payment history.
type RiskTier string

const (
	RiskLow    RiskTier = "low"
	RiskMedium RiskTier = "medium"
	RiskHigh   RiskTier = "high"
)

// Jurisdictions and channels the API accepts.
var (
	Jurisdictions = []string{"US", "CN"}
	Channels      = []string{"sms", "email", "chat", "call", "letter", "wechat"}
	Languages     = []string{"zh", "en", "mixed"}
)

// Debtor is the person or business that owes the debt.
type Debtor struct {
	Name     string         `json:"name"`
	Language string         `json:"language"` // zh | en | mixed
	Timezone string         `json:"timezone"` // IANA name; the contact policy checks hours here
	Kind     string         `json:"kind"`     // individual | business
	Contacts []ContactPoint `json:"contact_points"`
}

// ContactPoint is one way to reach the debtor.
type ContactPoint struct {
	Channel string `json:"channel"` // sms, email, call, wechat, letter
	Value   string `json:"value"`
	// OptedOut is set when the debtor asked not to be contacted this way (Reg F 1006.14(h)).
	OptedOut bool `json:"opted_out,omitempty"`
}

// Flags are facts about a case that change what may be said and how.
type Flags struct {
	CeaseContact        bool `json:"cease_contact"`
	AttorneyRepresented bool `json:"attorney_represented"`
	Disputed            bool `json:"disputed"`
	LegalActionApproved bool `json:"legal_action_approved"`
	Bankruptcy          bool `json:"bankruptcy"`
}

// Promise is a debtor's commitment to pay an amount by a date.
type Promise struct {
	Amount  Money     `json:"amount"`
	Due     time.Time `json:"due"`
	EventID string    `json:"event_id,omitempty"`
	Status  string    `json:"status"` // open | kept | broken
}

// Installment is one payment of a plan.
type Installment struct {
	Due    time.Time `json:"due"`
	Amount Money     `json:"amount"`
}

// Plan is an agreed or proposed payment plan.
type Plan struct {
	Installments []Installment `json:"installments"`
	Status       string        `json:"status"` // proposed | active | completed | broken
}

// Case is one debt being collected, with its debtor and what Parley derived from it.
type Case struct {
	ID           string    `json:"id"`
	ExternalID   string    `json:"external_id"`
	Debtor       Debtor    `json:"debtor"`
	Jurisdiction string    `json:"jurisdiction"`
	Creditor     string    `json:"creditor"`
	Balance      Money     `json:"balance"`
	DueDate      time.Time `json:"due_date"`
	DaysPastDue  int       `json:"days_past_due"`
	Flags        Flags     `json:"flags"`

	// Derived: the playbook's two axes and why.
	Segment        Segment   `json:"segment"`
	RiskTier       RiskTier  `json:"risk_tier"`
	SegmentReasons []string  `json:"segment_reasons,omitempty"`
	Promises       []Promise `json:"promises,omitempty"`
	Plan           *Plan     `json:"plan,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// WidgetEpoch counts the revocations of the case's chat-widget links: a widget
	// token carries the epoch it was issued in and opens the chat only while that is
	// still the case's epoch. Owned by the store (RevokeWidgetLinks): UpsertCase and
	// UpdateDerived keep it; not part of the API.
	WidgetEpoch int64 `json:"-"`
}

// CaseFilter selects cases for listing.
type CaseFilter struct {
	Segment      Segment
	Jurisdiction string
	Cursor       string // opaque, from a previous page
	Limit        int
}

// CasePage is one page of cases, ordered by creation.
type CasePage struct {
	Items      []*Case `json:"items"`
	NextCursor string  `json:"next_cursor"`
}

// EventKind says what happened on a case.
type EventKind string

const (
	EventMessage EventKind = "message"
	EventCall    EventKind = "call"
	EventNote    EventKind = "note"
	EventPayment EventKind = "payment"
	EventPromise EventKind = "promise"
	// EventAudit records Parley's own actions: drafts, verdicts, approvals, rejections.
	EventAudit EventKind = "audit"
)

// EventKinds lists the kinds clients may append; audit events are written by Parley.
var EventKinds = []EventKind{EventMessage, EventCall, EventNote, EventPayment, EventPromise}

// Event is one immutable entry of a case's history. Corrections are new events.
type Event struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	Seq       int64     `json:"seq"` // order of storage within the case
	Kind      EventKind `json:"kind"`
	Direction string    `json:"direction,omitempty"` // inbound | outbound
	Channel   string    `json:"channel,omitempty"`
	Text      string    `json:"text,omitempty"`
	Amount    *Money    `json:"amount,omitempty"`
	At        time.Time `json:"at"`
	CreatedAt time.Time `json:"created_at"`
	// Analysis of inbound messages, computed when stored.
	Analysis *Analysis `json:"analysis,omitempty"`
	// Embedding of Text for history search; not part of the API.
	Embedding []float32 `json:"-"`
}

// EventPage is one page of a case's events, oldest first.
type EventPage struct {
	Items      []*Event `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// ScoredEvent is an event with its similarity to a query.
type ScoredEvent struct {
	Event      *Event  `json:"event"`
	Similarity float64 `json:"similarity"`
	Score      float64 `json:"score"` // similarity blended with recency
}

// CaseStore persists cases and their history. Implementations: retrieval.MemoryStore,
// retrieval/postgres.Store; both pass retrieval/retrievaltest.
type CaseStore interface {
	// UpsertCase creates a case or updates the one with the same ExternalID, keeping
	// its ID and CreatedAt. Returns created=true for a new case. EINVALID.
	UpsertCase(ctx context.Context, c *Case) (stored *Case, created bool, err error)
	// GetCase returns ENOTFOUND for an unknown id.
	GetCase(ctx context.Context, id string) (*Case, error)
	// UpdateDerived stores derived fields (segment, risk tier, reasons, promises, plan)
	// without touching what the client sent (flags, contact points). ENOTFOUND.
	UpdateDerived(ctx context.Context, c *Case) error
	// RevokeWidgetLinks increments the case's WidgetEpoch atomically, so every widget
	// link issued before stops working, and returns the updated case. ENOTFOUND.
	RevokeWidgetLinks(ctx context.Context, id string) (*Case, error)
	// ListCases pages through cases in creation order. EINVALID for a bad cursor.
	ListCases(ctx context.Context, f CaseFilter) (CasePage, error)
	// AppendEvent stores an immutable event, assigning ID, Seq and CreatedAt. ENOTFOUND.
	AppendEvent(ctx context.Context, e *Event) (*Event, error)
	// ListEvents pages through a case's events in Seq order. ENOTFOUND, EINVALID.
	ListEvents(ctx context.Context, caseID, cursor string, limit int) (EventPage, error)
	// SearchEvents returns up to k events of the case most similar to vec (cosine),
	// exact, best first. ENOTFOUND.
	SearchEvents(ctx context.Context, caseID string, vec []float32, k int) ([]ScoredEvent, error)
	// Ping reports whether the store is usable.
	Ping(ctx context.Context) error
}

// Embedder turns texts into fixed-dimension, L2-normalised vectors.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Dimension() int
	Name() string
}
