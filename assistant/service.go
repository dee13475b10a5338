package assistant

import (
	"context"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/compliance"
)

// MaxTextBytes bounds any free text the service accepts (64 KiB is far more
// than any message; larger input is refused, never truncated).
const MaxTextBytes = 64 * 1024

// Service orchestrates the domain: cases, history, analysis, drafting and screening.
type Service struct {
	Store    CaseStore
	Analyzer Analyzer // nil: inbound messages are stored without analysis
	Embedder Embedder // nil: history search falls back to recency
	Gate     *compliance.Gate
	Drafts   DraftStore
	QA       QAStore // nil: transcript review is off
	Drafter  Drafter // the configured engine (a model); nil: the builtin Fallback only
	Fallback Drafter // the builtin drafter, always there when drafting is on
	Logger   *slog.Logger
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Ready reports whether the store is usable.
func (s *Service) Ready(ctx context.Context) error {
	return s.Store.Ping(ctx)
}

// UpsertCase creates or updates a case by external id and refreshes its risk tier.
// EINVALID.
func (s *Service) UpsertCase(ctx context.Context, c *Case) (*Case, bool, error) {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	stored, created, err := s.Store.UpsertCase(ctx, c)
	if err != nil {
		return nil, false, err
	}
	if err := s.refreshDerived(ctx, stored.ID); err != nil {
		return nil, false, err
	}
	fresh, err := s.Store.GetCase(ctx, stored.ID)
	return fresh, created, err
}

// GetCase returns a case with its derived segment and risk tier. ENOTFOUND.
func (s *Service) GetCase(ctx context.Context, id string) (*Case, error) {
	return s.Store.GetCase(ctx, id)
}

// ListCases pages through cases. EINVALID for a bad filter or cursor.
func (s *Service) ListCases(ctx context.Context, f CaseFilter) (CasePage, error) {
	if f.Segment != "" && !f.Segment.Valid() {
		return CasePage{}, Invalid("segment", "segment must be one of willing, wait_and_see, resistant, high_risk")
	}
	if f.Jurisdiction != "" && !slices.Contains(Jurisdictions, f.Jurisdiction) {
		return CasePage{}, Invalid("jurisdiction", "jurisdiction must be one of %s", strings.Join(Jurisdictions, ", "))
	}
	return s.Store.ListCases(ctx, f)
}

// ValidateText checks free text from a client: present, valid UTF-8, not too large.
func ValidateText(field, text string, required bool) error {
	if required && strings.TrimSpace(text) == "" {
		return Invalid(field, "%s is required", field)
	}
	if len(text) > MaxTextBytes {
		return &Error{Code: ETOOLARGE, Field: field, Message: field + " is longer than 64 KiB"}
	}
	if !utf8.ValidString(text) {
		return Invalid(field, "%s is not valid UTF-8", field)
	}
	return nil
}

// AppendEvent validates and stores a history event. Inbound messages and calls are
// analysed and every text is embedded before storing, so the stored event carries
// both; the case's segment, promises and risk tier are then refreshed. ENOTFOUND,
// EINVALID.
func (s *Service) AppendEvent(ctx context.Context, e *Event) (*Event, error) {
	if !slices.Contains(EventKinds, e.Kind) {
		return nil, Invalid("kind", "kind must be one of message, call, note, payment, promise")
	}
	if e.Direction != "" && e.Direction != "inbound" && e.Direction != "outbound" {
		return nil, Invalid("direction", "direction must be inbound or outbound")
	}
	if e.Channel != "" && !slices.Contains(Channels, e.Channel) {
		return nil, Invalid("channel", "channel must be one of %s", strings.Join(Channels, ", "))
	}
	if err := ValidateText("text", e.Text, e.Kind == EventMessage || e.Kind == EventNote); err != nil {
		return nil, err
	}
	if (e.Kind == EventPayment || e.Kind == EventPromise) && e.Amount == nil {
		return nil, Invalid("amount", "amount is required for %s events", e.Kind)
	}
	c, err := s.Store.GetCase(ctx, e.CaseID)
	if err != nil {
		return nil, err
	}
	if e.Amount != nil && (e.Amount.Minor <= 0 || e.Amount.Currency != c.Balance.Currency) {
		return nil, Invalid("amount", "amount must be positive and in the case's currency (%s)", c.Balance.Currency)
	}
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	if e.Text != "" && e.Direction == "inbound" && (e.Kind == EventMessage || e.Kind == EventCall) && s.Analyzer != nil {
		a, err := s.Analyzer.Analyze(ctx, AnalyzeRequest{Text: e.Text, Reference: e.At, Timezone: c.Debtor.Timezone})
		if err != nil {
			s.logger().WarnContext(ctx, "analysis failed; storing event without it", "case_id", c.ID, "err", err)
		} else {
			e.Analysis = a
		}
	}
	if e.Text != "" && s.Embedder != nil {
		vecs, err := s.Embedder.Embed(ctx, []string{e.Text})
		if err != nil {
			return nil, Internal("assistant.AppendEvent", err)
		}
		e.Embedding = vecs[0]
	}
	stored, err := s.Store.AppendEvent(ctx, e)
	if err != nil {
		return nil, err
	}
	// Only what the debtor says, pays or promises moves the segment, risk tier and
	// promises; notes and outbound messages leave them as they are.
	if e.Analysis != nil || e.Kind == EventPayment || e.Kind == EventPromise {
		if err := s.refreshDerived(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// refreshDerived recomputes promises, risk tier and segment from the whole history.
// It reads the case afresh: analysis and embedding may have taken seconds, and a
// client update (a cease-contact flag) may have landed meanwhile.
func (s *Service) refreshDerived(ctx context.Context, caseID string) error {
	c, err := s.Store.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	history, err := s.allEvents(ctx, c.ID)
	if err != nil {
		return err
	}
	promises := c.Promises
	for _, e := range history {
		if e.Kind == EventPromise && e.Amount != nil && !hasPromiseFor(promises, e.ID) {
			promises = append(promises, Promise{Amount: *e.Amount, Due: e.At, EventID: e.ID, Status: "open"})
		}
		if e.Analysis != nil && e.Analysis.Entities.Promise != nil && !hasPromiseFor(promises, e.ID) {
			if p, ok := promiseFromEntity(e, c.Balance.Currency); ok {
				promises = append(promises, p)
			}
		}
	}
	c.Promises = UpdatePromises(promises, history, s.now())
	tier, tierReasons := RiskFromLedger(c, history)
	seg, segReasons := SegmentFromHistory(tier, history)
	c.RiskTier, c.Segment = tier, seg
	c.SegmentReasons = append(segReasons, tierReasons...)
	return s.Store.UpdateDerived(ctx, c)
}

func hasPromiseFor(ps []Promise, eventID string) bool {
	for _, p := range ps {
		if p.EventID == eventID {
			return true
		}
	}
	return false
}

// promiseFromEntity turns an analysed promise ("I'll pay 500 on Friday") into a case
// promise; without a date it is not a promise anyone can hold the debtor to.
func promiseFromEntity(e *Event, currency string) (Promise, bool) {
	pe := e.Analysis.Entities.Promise
	if pe.Date.IsZero() || !e.Analysis.HasIntent(IntentPromiseToPay) {
		return Promise{}, false
	}
	p := Promise{Due: pe.Date, EventID: e.ID, Status: "open", Amount: Money{Currency: currency}}
	if pe.Amount != "" {
		if m, err := ParseMoney(pe.Amount, currency); err == nil {
			p.Amount = m
		}
	}
	return p, true
}

func (s *Service) allEvents(ctx context.Context, caseID string) ([]*Event, error) {
	var all []*Event
	cursor := ""
	for {
		page, err := s.Store.ListEvents(ctx, caseID, cursor, 200)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		cursor = page.NextCursor
	}
}

// ListEvents pages through a case's history, oldest first. ENOTFOUND, EINVALID.
func (s *Service) ListEvents(ctx context.Context, caseID, cursor string, limit int) (EventPage, error) {
	return s.Store.ListEvents(ctx, caseID, cursor, limit)
}

// recencyHalfLife sets how fast old events fade in history search: a message from a
// month ago is half as relevant as one from today at equal similarity.
const recencyHalfLife = 30 * 24 * time.Hour

// SearchHistory returns the k events of a case most relevant to q, blending similarity
// with recency. An empty q returns the most recent events. ENOTFOUND, EINVALID.
func (s *Service) SearchHistory(ctx context.Context, caseID, q string, k int) ([]ScoredEvent, error) {
	if k <= 0 {
		k = 5
	}
	if k > 50 {
		return nil, Invalid("k", "k must be between 1 and 50")
	}
	if err := ValidateText("q", q, false); err != nil {
		return nil, err
	}
	if strings.TrimSpace(q) == "" || s.Embedder == nil {
		return s.recent(ctx, caseID, k)
	}
	vecs, err := s.Embedder.Embed(ctx, []string{q})
	if err != nil {
		return nil, Internal("assistant.SearchHistory", err)
	}
	return s.searchVector(ctx, caseID, vecs[0], k)
}

// searchVector ranks a case's events by similarity to vec blended with recency.
func (s *Service) searchVector(ctx context.Context, caseID string, vec []float32, k int) ([]ScoredEvent, error) {
	// Over-fetch so recency can reorder near ties.
	hits, err := s.Store.SearchEvents(ctx, caseID, vec, k*4)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range hits {
		age := max(now.Sub(hits[i].Event.At), 0)
		decay := math.Exp2(-float64(age) / float64(recencyHalfLife))
		hits[i].Score = 0.8*hits[i].Similarity + 0.2*decay
	}
	slices.SortStableFunc(hits, func(a, b ScoredEvent) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

func (s *Service) recent(ctx context.Context, caseID string, k int) ([]ScoredEvent, error) {
	all, err := s.allEvents(ctx, caseID)
	if err != nil {
		return nil, err
	}
	out := []ScoredEvent{}
	for i := len(all) - 1; i >= 0 && len(out) < k; i-- {
		out = append(out, ScoredEvent{Event: all[i]})
	}
	return out, nil
}

// Analyze reads one debtor message. EINVALID, ETOOLARGE.
func (s *Service) Analyze(ctx context.Context, req AnalyzeRequest) (*Analysis, error) {
	if err := ValidateText("text", req.Text, true); err != nil {
		return nil, err
	}
	switch req.Language {
	case "", "auto", "zh", "en", "mixed":
	default:
		return nil, Invalid("language", "language must be auto, zh, en or mixed")
	}
	if s.Analyzer == nil {
		return nil, Errorf(EUNAVAILABLE, "no analyser is configured")
	}
	if req.Reference.IsZero() {
		req.Reference = s.now()
	}
	return s.Analyzer.Analyze(ctx, req)
}
