package retrieval

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/parley-dev/parley/assistant"
)

// MemoryQA keeps reviewed transcripts and QA flags in memory (the embedded default).
// Values are copied in and out, so callers never change what is stored.
type MemoryQA struct {
	mu          sync.Mutex
	transcripts map[string]*assistant.Transcript
	flags       []*assistant.Flag // creation order; a flag's position+1 is its cursor
	byID        map[string]int    // flag id -> index in flags
}

var _ assistant.QAStore = (*MemoryQA)(nil)

// NewMemoryQA returns an empty QA store.
func NewMemoryQA() *MemoryQA {
	return &MemoryQA{transcripts: map[string]*assistant.Transcript{}, byID: map[string]int{}}
}

// CreateTranscript implements assistant.QAStore.
func (s *MemoryQA) CreateTranscript(_ context.Context, t *assistant.Transcript, flag *assistant.Flag) (*assistant.Transcript, *assistant.Flag, error) {
	stored, err := cloneTranscript(t)
	if err != nil {
		return nil, nil, assistant.Internal("retrieval.CreateTranscript", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := nowUTC()
	stored.ID, stored.CreatedAt = NewID("tr_"), now
	var out *assistant.Flag
	if flag != nil {
		f := cloneFlag(flag)
		f.ID, f.TranscriptID, f.CaseID, f.CreatedAt = NewID("flag_"), stored.ID, stored.CaseID, now
		f.Status, f.Decision, f.Note, f.ResolvedAt = assistant.FlagOpen, "", "", nil
		stored.FlagID = f.ID
		s.byID[f.ID] = len(s.flags)
		s.flags = append(s.flags, f)
		out = cloneFlag(f)
	}
	s.transcripts[stored.ID] = stored
	cp, _ := cloneTranscript(stored) // stored round-tripped once already
	return cp, out, nil
}

// GetTranscript implements assistant.QAStore.
func (s *MemoryQA) GetTranscript(_ context.Context, id string) (*assistant.Transcript, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.transcripts[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "transcript %q not found", id)
	}
	cp, err := cloneTranscript(t)
	if err != nil {
		return nil, assistant.Internal("retrieval.GetTranscript", err)
	}
	return cp, nil
}

// GetFlag implements assistant.QAStore.
func (s *MemoryQA) GetFlag(_ context.Context, id string) (*assistant.Flag, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "flag %q not found", id)
	}
	return cloneFlag(s.flags[i]), nil
}

// ListFlags implements assistant.QAStore. The cursor is the position after the last
// flag returned, so resolving flags between pages neither skips nor repeats any.
func (s *MemoryQA) ListFlags(_ context.Context, f assistant.FlagFilter) (assistant.FlagPage, error) {
	if err := validFlagStatus(f.Status); err != nil {
		return assistant.FlagPage{}, err
	}
	after, err := DecodeCursor(f.Cursor)
	if err != nil {
		return assistant.FlagPage{}, err
	}
	limit := ClampLimit(f.Limit)
	status := f.Status
	if status == "" {
		status = assistant.FlagOpen // as validFlagStatus documents and PostgreSQL does
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page := assistant.FlagPage{Items: []*assistant.Flag{}}
	for i := int(min(after, int64(len(s.flags)))); i < len(s.flags); i++ {
		fl := s.flags[i]
		if status != assistant.FlagAll && fl.Status != status {
			continue
		}
		if len(page.Items) == limit {
			page.NextCursor = EncodeCursor(int64(s.byID[page.Items[limit-1].ID] + 1))
			break
		}
		page.Items = append(page.Items, cloneFlag(fl))
	}
	return page, nil
}

// ResolveFlag implements assistant.QAStore.
func (s *MemoryQA) ResolveFlag(_ context.Context, id, decision, note string) (*assistant.Flag, error) {
	if decision != assistant.FlagConfirmed && decision != assistant.FlagDismissed {
		return nil, assistant.Invalid("decision", "decision must be confirmed or dismissed")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "flag %q not found", id)
	}
	f := s.flags[i]
	if f.Status != assistant.FlagOpen {
		return nil, assistant.Errorf(assistant.ECONFLICT, "flag %s is already %s", id, f.Status)
	}
	now := nowUTC()
	f.Status, f.Decision, f.Note, f.ResolvedAt = decision, decision, note, &now
	return cloneFlag(f), nil
}

// validFlagStatus checks a listing filter; empty means open.
func validFlagStatus(status string) error {
	if status == "" || status == assistant.FlagAll || slices.Contains(assistant.FlagStatuses, status) {
		return nil
	}
	return assistant.Invalid("status", "status must be one of open, confirmed, dismissed, all")
}

// cloneTranscript deep-copies through JSON: a review holds analyses and verdicts
// with nested slices, and the copy must share none of them.
func cloneTranscript(t *assistant.Transcript) (*assistant.Transcript, error) {
	raw, err := json.Marshal(t.Result)
	if err != nil {
		return nil, err
	}
	cp := *t
	cp.Turns = slices.Clone(t.Turns)
	cp.Result = assistant.TranscriptResult{}
	if err := json.Unmarshal(raw, &cp.Result); err != nil {
		return nil, err
	}
	return &cp, nil
}

func cloneFlag(f *assistant.Flag) *assistant.Flag {
	cp := *f
	cp.Reasons = make([]assistant.FlagReason, len(f.Reasons))
	for i, r := range f.Reasons {
		if r.Turn != nil {
			n := *r.Turn
			r.Turn = &n
		}
		cp.Reasons[i] = r
	}
	cp.Spans = slices.Clone(f.Spans)
	if cp.Spans == nil {
		cp.Spans = []assistant.FlagSpan{}
	}
	if f.ResolvedAt != nil {
		at := *f.ResolvedAt
		cp.ResolvedAt = &at
	}
	return &cp
}
