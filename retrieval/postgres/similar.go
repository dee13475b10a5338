package postgres

import (
	"context"
	"math"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/assistant"
)

var _ assistant.SimilarFinder = (*Store)(nil)

// Cross-case search settings. The search takes max(k*candidatesPerCase,
// minSimilarCandidates) nearest distinct vectors (see vec_key in the first
// migration); each fans out to at most k*casesPerVectorPerCase events (more than k,
// since a case may hold one text several times).
const (
	candidatesPerCase     = 5
	minSimilarCandidates  = 40
	casesPerVectorPerCase = 2
	maxSimilarK           = 100
)

// SimilarCases implements assistant.SimilarFinder: up to k cases (default 10, at
// most 100; unlike the memory store, k <= 0 does not mean all) of the whole portfolio
// whose events are most similar to vec, best first, each with its closest event,
// leaving out excludeCaseID (the case being worked on; "" leaves out nothing). When
// more cases than fit tie (their best events have the same text), which of them are
// returned is unspecified; those returned come in case id order.
//
// It is approximate: the HNSW index finds the nearest distinct vectors, with
// hnsw.ef_search from Options.EfSearch and pgvector 0.8's iterative scan on
// (transaction-local settings), an exact search adds the nearest of the most repeated
// vectors, and events sharing those vectors give the cases. EINVALID for a vector of
// the wrong dimension.
func (s *Store) SimilarCases(ctx context.Context, vec []float32, k int, excludeCaseID string) ([]assistant.SimilarCase, error) {
	const op = "retrieval/postgres.SimilarCases"
	if err := s.checkVector("vector", vec); err != nil {
		return nil, err
	}
	if k <= 0 {
		k = 10
	}
	k = min(k, maxSimilarK)
	candidates := max(k*candidatesPerCase, minSimilarCandidates)
	var out []assistant.SimilarCase
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// set_config(..., true) is SET LOCAL: the pooled connection goes back unchanged.
		if _, err := tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`, s.efSearch); err != nil {
			return err
		}
		// "WHERE canonical" matches the partial HNSW index. relaxed_order may return
		// the nearest vectors slightly out of order; the outer query re-sorts them, as
		// pgvector's documentation advises.
		// Candidates: the nearest distinct vectors by HNSW, and by exact search the
		// nearest of the most repeated ones (see popular_vectors).
		rows, err := tx.Query(ctx, `
			WITH nearest AS MATERIALIZED (
				(SELECT vec_key, embedding <=> $1 AS distance
				FROM event_embeddings
				WHERE canonical
				ORDER BY embedding <=> $1
				LIMIT $3)
				UNION
				(SELECT vec_key, embedding <=> $1 AS distance
				FROM popular_vectors
				ORDER BY (embedding <=> $1) + 0
				LIMIT $3)
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
		var c assistant.SimilarCase
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

// Popular vectors: shared by at least popularMinEvents events; at most popularMax of
// them, most repeated first, so the exact search over them stays around a millisecond.
const (
	popularMinEvents = 20
	popularMax       = 2000
)

// RefreshPopular recomputes the most repeated vectors that SimilarCases searches
// exactly. Import and Reembed call it; a deployment that appends many events through
// the API should call it now and then (a job every hour is plenty): until then a
// newly common text is found through the HNSW index only. It reads every embedding's
// key (about a second per million events).
func (s *Store) RefreshPopular(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return refreshPopular(ctx, tx) })
	if err != nil {
		return assistant.Internal("retrieval/postgres.RefreshPopular", err)
	}
	return nil
}

func refreshPopular(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `DELETE FROM popular_vectors`); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO popular_vectors (vec_key, embedding, events)
		SELECT p.vec_key, c.embedding, p.n
		FROM (
			SELECT vec_key, count(*) AS n
			FROM event_embeddings
			GROUP BY vec_key
			HAVING count(*) >= $1
			ORDER BY n DESC
			LIMIT $2
		) p
		CROSS JOIN LATERAL (
			SELECT embedding FROM event_embeddings x WHERE x.vec_key = p.vec_key LIMIT 1
		) c`, popularMinEvents, popularMax)
	return err
}
