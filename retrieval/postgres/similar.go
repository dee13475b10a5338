package postgres

import (
	"context"
	"math"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/assistant"
)

// SimilarCase is a case whose history holds an event close to a query.
type SimilarCase struct {
	CaseID string `json:"case_id"`
	// EventID is the case's event closest to the query.
	EventID    string  `json:"event_id"`
	Similarity float64 `json:"similarity"`
}

// Cross-case search settings. The HNSW scan looks for the nearest distinct vectors
// (see vec_key in the first migration); each of them fans out to at most
// casesPerVector cases (more than k, since a case may hold one text several times).
const (
	candidatesPerCase     = 5
	minSimilarCandidates  = 40
	casesPerVectorPerCase = 2
	maxSimilarK           = 100
)

// SimilarCases returns up to k cases (default 10, at most 100) of the whole portfolio
// whose events are most similar to vec, best first, leaving out excludeCaseID (the
// case being worked on; "" leaves out nothing). When more cases than fit tie (their
// best events have the same text), which of them are returned is unspecified.
//
// It is approximate: the HNSW index finds the nearest distinct vectors, with
// hnsw.ef_search from Options.EfSearch and pgvector 0.8's iterative scan on
// (transaction-local settings), then events sharing those vectors give the cases. EINVALID for a
// vector of the wrong dimension.
func (s *Store) SimilarCases(ctx context.Context, vec []float32, k int, excludeCaseID string) ([]SimilarCase, error) {
	const op = "retrieval/postgres.SimilarCases"
	if err := s.checkVector("vector", vec); err != nil {
		return nil, err
	}
	if k <= 0 {
		k = 10
	}
	k = min(k, maxSimilarK)
	candidates := max(k*candidatesPerCase, minSimilarCandidates)
	var out []SimilarCase
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// set_config(..., true) is SET LOCAL: the pooled connection goes back unchanged.
		if _, err := tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`, s.efSearch); err != nil {
			return err
		}
		// "WHERE canonical" matches the partial HNSW index. relaxed_order may return
		// the nearest vectors slightly out of order; the outer query re-sorts them, as
		// pgvector's documentation advises.
		rows, err := tx.Query(ctx, `
			WITH nearest AS MATERIALIZED (
				SELECT vec_key, embedding <=> $1 AS distance
				FROM event_embeddings
				WHERE canonical
				ORDER BY embedding <=> $1
				LIMIT $3
			)
			SELECT DISTINCT ON (e.case_id) e.case_id, e.event_id, n.distance
			FROM nearest n
			CROSS JOIN LATERAL (
				SELECT x.case_id, x.event_id
				FROM event_embeddings x
				WHERE x.vec_key = n.vec_key AND x.case_id <> $2
				LIMIT $4
			) e
			ORDER BY e.case_id, n.distance`, pgvector.NewVector(vec), excludeCaseID, candidates, k*casesPerVectorPerCase)
		if err != nil {
			return err
		}
		var c SimilarCase
		var distance float64
		_, err = pgx.ForEachRow(rows, []any{&c.CaseID, &c.EventID, &distance}, func() error {
			c.Similarity = 1 - distance
			if !math.IsNaN(c.Similarity) {
				out = append(out, c)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Similarity > out[j].Similarity })
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}
