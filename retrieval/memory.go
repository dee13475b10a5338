package retrieval

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/parley-dev/parley/assistant"
)

// MemoryStore is the embedded default store: everything in process memory, lost on
// exit. Safe for concurrent use. Values are copied in and out so callers can never
// change what is stored (events are immutable).
type MemoryStore struct {
	mu         sync.RWMutex
	now        func() time.Time
	cases      map[string]*assistant.Case
	byExternal map[string]string // external_id -> id
	order      []string          // case ids in creation order
	events     map[string][]*assistant.Event
}

var (
	_ assistant.CaseStore     = (*MemoryStore)(nil)
	_ assistant.SimilarFinder = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		now:        time.Now,
		cases:      map[string]*assistant.Case{},
		byExternal: map[string]string{},
		events:     map[string][]*assistant.Event{},
	}
}

// Ping always succeeds: memory is always there.
func (s *MemoryStore) Ping(context.Context) error { return nil }

// UpsertCase implements assistant.CaseStore.
func (s *MemoryStore) UpsertCase(_ context.Context, c *assistant.Case) (*assistant.Case, bool, error) {
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	stored := cloneCase(c)
	id, exists := s.byExternal[c.ExternalID]
	if exists {
		prev := s.cases[id]
		stored.ID, stored.CreatedAt = prev.ID, prev.CreatedAt
		keepDerived(stored, prev)
	} else {
		stored.ID = NewID("case_")
		stored.CreatedAt = now
		stored.WidgetEpoch = 0
		s.byExternal[c.ExternalID] = stored.ID
		s.order = append(s.order, stored.ID)
	}
	stored.UpdatedAt = now
	s.cases[stored.ID] = stored
	return cloneCase(stored), !exists, nil
}

// keepDerived carries over what Parley derived when a client updates a case, since a
// client update never sends those fields.
func keepDerived(next, prev *assistant.Case) {
	next.WidgetEpoch = prev.WidgetEpoch // only RevokeWidgetLinks changes it
	if next.Segment == "" {
		next.Segment, next.SegmentReasons = prev.Segment, prev.SegmentReasons
	}
	if next.RiskTier == "" {
		next.RiskTier = prev.RiskTier
	}
	if next.Promises == nil {
		next.Promises = prev.Promises
	}
	if next.Plan == nil {
		next.Plan = prev.Plan
	}
}

// GetCase implements assistant.CaseStore.
func (s *MemoryStore) GetCase(_ context.Context, id string) (*assistant.Case, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.cases[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", id)
	}
	return cloneCase(c), nil
}

// UpdateDerived implements assistant.CaseStore.
func (s *MemoryStore) UpdateDerived(_ context.Context, c *assistant.Case) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.cases[c.ID]
	if !ok {
		return assistant.Errorf(assistant.ENOTFOUND, "case %q not found", c.ID)
	}
	next := cloneCase(prev)
	next.Segment, next.RiskTier = c.Segment, c.RiskTier
	next.SegmentReasons = slices.Clone(c.SegmentReasons)
	next.Promises = slices.Clone(c.Promises)
	next.Plan = clonePlan(c.Plan)
	next.UpdatedAt = s.now().UTC()
	s.cases[c.ID] = next
	return nil
}

// RevokeWidgetLinks implements assistant.CaseStore.
func (s *MemoryStore) RevokeWidgetLinks(_ context.Context, id string) (*assistant.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.cases[id]
	if !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", id)
	}
	next := cloneCase(prev)
	next.WidgetEpoch++
	s.cases[id] = next
	return cloneCase(next), nil
}

// ListCases implements assistant.CaseStore.
func (s *MemoryStore) ListCases(_ context.Context, f assistant.CaseFilter) (assistant.CasePage, error) {
	start, err := DecodeCursor(f.Cursor)
	if err != nil {
		return assistant.CasePage{}, err
	}
	limit := ClampLimit(f.Limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	page := assistant.CasePage{Items: []*assistant.Case{}}
	for i := int(start); i < len(s.order); i++ {
		c := s.cases[s.order[i]]
		if (f.Segment != "" && c.Segment != f.Segment) || (f.Jurisdiction != "" && c.Jurisdiction != f.Jurisdiction) {
			continue
		}
		if len(page.Items) == limit {
			page.NextCursor = EncodeCursor(int64(i))
			break
		}
		page.Items = append(page.Items, cloneCase(c))
	}
	return page, nil
}

// AppendEvent implements assistant.CaseStore.
func (s *MemoryStore) AppendEvent(_ context.Context, e *assistant.Event) (*assistant.Event, error) {
	if err := ValidateEvent(e); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[e.CaseID]; !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", e.CaseID)
	}
	stored := cloneEvent(e)
	stored.ID = NewID("evt_")
	stored.Seq = int64(len(s.events[e.CaseID]) + 1)
	stored.CreatedAt = s.now().UTC()
	s.events[e.CaseID] = append(s.events[e.CaseID], stored)
	return cloneEvent(stored), nil
}

// ListEvents implements assistant.CaseStore.
func (s *MemoryStore) ListEvents(_ context.Context, caseID, cursor string, limit int) (assistant.EventPage, error) {
	start, err := DecodeCursor(cursor)
	if err != nil {
		return assistant.EventPage{}, err
	}
	limit = ClampLimit(limit)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.cases[caseID]; !ok {
		return assistant.EventPage{}, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", caseID)
	}
	evs := s.events[caseID]
	page := assistant.EventPage{Items: []*assistant.Event{}}
	end := min(int(start)+limit, len(evs))
	for i := int(start); i < end; i++ {
		// Listings never carry embeddings (they are not part of the API), which also
		// keeps paging through long histories cheap.
		page.Items = append(page.Items, cloneEventNoVector(evs[i]))
	}
	if end < len(evs) {
		page.NextCursor = EncodeCursor(int64(end))
	}
	return page, nil
}

// SearchEvents implements assistant.CaseStore with an exact scan of the case's events.
func (s *MemoryStore) SearchEvents(_ context.Context, caseID string, vec []float32, k int) ([]assistant.ScoredEvent, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.cases[caseID]; !ok {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", caseID)
	}
	var out []assistant.ScoredEvent
	for _, e := range s.events[caseID] {
		if len(e.Embedding) == 0 {
			continue
		}
		sim := Cosine(vec, e.Embedding)
		out = append(out, assistant.ScoredEvent{Event: e, Similarity: sim, Score: sim})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Similarity > out[j].Similarity })
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	for i := range out {
		out[i].Event = cloneEvent(out[i].Event)
	}
	return out, nil
}

func cloneCase(c *assistant.Case) *assistant.Case {
	cp := *c
	cp.Debtor.Contacts = slices.Clone(c.Debtor.Contacts)
	cp.SegmentReasons = slices.Clone(c.SegmentReasons)
	cp.Promises = slices.Clone(c.Promises)
	cp.Plan = clonePlan(c.Plan)
	return &cp
}

func clonePlan(p *assistant.Plan) *assistant.Plan {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Installments = slices.Clone(p.Installments)
	return &cp
}

func cloneEventNoVector(e *assistant.Event) *assistant.Event {
	shallow := *e
	shallow.Embedding = nil
	return cloneEvent(&shallow)
}

func cloneEvent(e *assistant.Event) *assistant.Event {
	cp := *e
	if e.Amount != nil {
		a := *e.Amount
		cp.Amount = &a
	}
	if e.Analysis != nil {
		a := *e.Analysis
		a.Intents = slices.Clone(e.Analysis.Intents)
		cp.Analysis = &a
	}
	cp.Embedding = slices.Clone(e.Embedding)
	return &cp
}

// SimilarCases implements assistant.SimilarFinder with an exact scan of every case.
func (s *MemoryStore) SimilarCases(_ context.Context, vec []float32, k int, excludeCaseID string) ([]assistant.SimilarCase, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	best := map[string]assistant.SimilarCase{}
	for caseID, evs := range s.events {
		if caseID == excludeCaseID {
			continue
		}
		for _, e := range evs {
			if len(e.Embedding) == 0 {
				continue
			}
			sim := Cosine(vec, e.Embedding)
			if b, ok := best[caseID]; !ok || sim > b.Similarity {
				best[caseID] = assistant.SimilarCase{CaseID: caseID, EventID: e.ID, Similarity: sim}
			}
		}
	}
	out := make([]assistant.SimilarCase, 0, len(best))
	for _, b := range best {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Similarity != out[j].Similarity {
			return out[i].Similarity > out[j].Similarity
		}
		return out[i].CaseID < out[j].CaseID
	})
	if k > 0 && len(out) > k {
		out = out[:k]
	}
	return out, nil
}
