package retrieval

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/compliance"
)

// MemoryDrafts keeps drafts and the outbox in memory (the embedded default).
type MemoryDrafts struct {
	mu     sync.Mutex
	drafts map[string]*assistant.Draft
	outbox []*assistant.OutboxItem
}

var _ assistant.DraftStore = (*MemoryDrafts)(nil)

// NewMemoryDrafts returns an empty draft store.
func NewMemoryDrafts() *MemoryDrafts {
	return &MemoryDrafts{drafts: map[string]*assistant.Draft{}}
}

// CreateDraft implements assistant.DraftStore.
func (s *MemoryDrafts) CreateDraft(_ context.Context, d *assistant.Draft) (*assistant.Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored := cloneDraft(d)
	stored.ID = NewID("draft_")
	stored.CreatedAt = nowUTC()
	s.drafts[stored.ID] = stored
	return cloneDraft(stored), nil
}

// GetDraft implements assistant.DraftStore.
func (s *MemoryDrafts) GetDraft(_ context.Context, id string) (*assistant.Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.drafts[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "draft %q not found", id)
	}
	return cloneDraft(d), nil
}

func (s *MemoryDrafts) pending(id string) (*assistant.Draft, error) {
	d, ok := s.drafts[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "draft %q not found", id)
	}
	if d.Status != assistant.DraftPending {
		return nil, assistant.Errorf(assistant.ECONFLICT, "draft %s is already %s", id, d.Status)
	}
	return d, nil
}

// ApproveDraft implements assistant.DraftStore.
func (s *MemoryDrafts) ApproveDraft(_ context.Context, id string, msg compliance.Cleared) (*assistant.Draft, *assistant.OutboxItem, error) {
	if !msg.Valid() {
		return nil, nil, assistant.Invalid("text", "only text cleared by the compliance gate may enter the outbox")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pending(id)
	if err != nil {
		return nil, nil, err
	}
	now := nowUTC()
	d.Status, d.FinalText, d.DecidedAt = assistant.DraftApproved, msg.Text(), now
	item := &assistant.OutboxItem{
		ID: NewID("out_"), CaseID: d.CaseID, DraftID: d.ID, Channel: msg.Channel(),
		Jurisdiction: msg.Jurisdiction(), Text: msg.Text(), SendAfter: msg.SendAt(), CreatedAt: now,
	}
	s.outbox = append(s.outbox, item)
	cp := *item
	return cloneDraft(d), &cp, nil
}

// RejectDraft implements assistant.DraftStore.
func (s *MemoryDrafts) RejectDraft(_ context.Context, id, reason string) (*assistant.Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.pending(id)
	if err != nil {
		return nil, err
	}
	d.Status, d.RejectReason, d.DecidedAt = assistant.DraftRejected, reason, nowUTC()
	return cloneDraft(d), nil
}

// ListOutbox implements assistant.DraftStore.
func (s *MemoryDrafts) ListOutbox(_ context.Context, cursor string, limit int) (assistant.OutboxPage, error) {
	start, err := DecodeCursor(cursor)
	if err != nil {
		return assistant.OutboxPage{}, err
	}
	limit = ClampLimit(limit)
	s.mu.Lock()
	defer s.mu.Unlock()
	page := assistant.OutboxPage{Items: []*assistant.OutboxItem{}}
	end := min(int(start)+limit, len(s.outbox))
	for i := int(start); i < end; i++ {
		cp := *s.outbox[i]
		page.Items = append(page.Items, &cp)
	}
	if end < len(s.outbox) {
		page.NextCursor = EncodeCursor(int64(end))
	}
	return page, nil
}

func cloneDraft(d *assistant.Draft) *assistant.Draft {
	cp := *d
	cp.Suggestions = slices.Clone(d.Suggestions)
	cp.Citations = slices.Clone(d.Citations)
	cp.Trace = slices.Clone(d.Trace)
	cp.Verdict.Violations = slices.Clone(d.Verdict.Violations)
	return &cp
}

func nowUTC() time.Time { return time.Now().UTC() }
