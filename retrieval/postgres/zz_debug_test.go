package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/retrieval/postgres"
)

func TestZZDebugCases(t *testing.T) {
	dsn := testDSN(t)
	s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: "parley_bench_keep_1000000"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	qs := queryVectors(1000)
	for i := 0; i < 6; i++ {
		q := qs[(i*37)%len(qs)]
		got, _ := s.SimilarCases(ctx, q, 10, "")
		rows, _ := s.Pool().Query(ctx, `SELECT case_id, 1 - min(embedding <=> $1) AS sim FROM event_embeddings GROUP BY case_id ORDER BY sim DESC, case_id LIMIT 10`, pgvector.NewVector(q))
		var ex []float64
		var id string
		var sim float64
		pgx.ForEachRow(rows, []any{&id, &sim}, func() error { ex = append(ex, sim); return nil })
		var ap []float64
		for _, g := range got {
			ap = append(ap, g.Similarity)
		}
		t.Logf("q%d exact %.4f\n   approx %.4f", i, ex, ap)
	}
}
