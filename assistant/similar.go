package assistant

import (
	"context"
	"strings"
)

// SimilarCase is a case elsewhere in the portfolio whose history holds an event
// close to a query: "what worked before" for the agent.
type SimilarCase struct {
	CaseID     string  `json:"case_id"`
	EventID    string  `json:"event_id"`
	Similarity float64 `json:"similarity"`
	// Filled by the service from the case: how it stands now.
	Segment  Segment `json:"segment,omitempty"`
	Payments int     `json:"payments"`
	Resolved bool    `json:"resolved"`
}

// SimilarFinder searches every case's events (approximate nearest neighbours in
// production). Implemented by both stores.
type SimilarFinder interface {
	// SimilarCases returns up to k cases best first, leaving out excludeCaseID.
	SimilarCases(ctx context.Context, vec []float32, k int, excludeCaseID string) ([]SimilarCase, error)
}

// SimilarCases finds cases whose history resembles q (or, with an empty q, this
// case's latest inbound message), with whether they were resolved. ENOTFOUND,
// EINVALID, EUNAVAILABLE.
func (s *Service) SimilarCases(ctx context.Context, caseID, q string, k int) ([]SimilarCase, error) {
	finder, ok := s.Store.(SimilarFinder)
	if !ok || s.Embedder == nil {
		return nil, Errorf(EUNAVAILABLE, "similar-case search is not available with this store")
	}
	if k <= 0 {
		k = 5
	}
	if k > 50 {
		return nil, Invalid("k", "k must be between 1 and 50")
	}
	if err := ValidateText("q", q, false); err != nil {
		return nil, err
	}
	if strings.TrimSpace(q) == "" {
		events, err := s.allEvents(ctx, caseID)
		if err != nil {
			return nil, err
		}
		for i := len(events) - 1; i >= 0 && q == ""; i-- {
			if events[i].Direction == "inbound" && events[i].Text != "" {
				q = events[i].Text
			}
		}
		if q == "" {
			return []SimilarCase{}, nil
		}
	} else if _, err := s.Store.GetCase(ctx, caseID); err != nil {
		return nil, err
	}
	vecs, err := s.Embedder.Embed(ctx, []string{q})
	if err != nil {
		return nil, Internal("assistant.SimilarCases", err)
	}
	hits, err := finder.SimilarCases(ctx, vecs[0], k, caseID)
	if err != nil {
		return nil, err
	}
	for i := range hits {
		c, err := s.Store.GetCase(ctx, hits[i].CaseID)
		if err != nil {
			continue
		}
		events, err := s.allEvents(ctx, c.ID)
		if err != nil {
			continue
		}
		for _, e := range events {
			if e.Kind == EventPayment {
				hits[i].Payments++
			}
		}
		hits[i].Segment = c.Segment
		hits[i].Resolved = c.Balance.Minor == 0 || (c.Plan != nil && c.Plan.Status == "completed")
	}
	if hits == nil {
		hits = []SimilarCase{}
	}
	return hits, nil
}
