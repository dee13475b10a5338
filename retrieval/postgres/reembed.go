package postgres

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/assistant"
)

// reembedBatch events are embedded and copied at a time.
const reembedBatch = 2000

// Reembed recomputes every stored embedding with emb and makes emb's dimension and
// name the store's (what `parley reembed` does after the embedder configuration
// changed). Events that have an embedding get a new one from their text; events
// stored without one stay without.
//
// New vectors go to a shadow table that is indexed and then swapped in, in one short
// transaction that also catches up events appended meanwhile, so history search
// keeps answering with the old vectors until the swap. An interrupted run resumes
// where it stopped when run again with the same embedder. Progress lines go to
// progress (nil for none).
//
// After the swap this Store checks vectors against the new dimension; other
// processes still configured with the old embedder fail their embedding writes and
// searches until they are reconfigured and restarted (Open refuses a mismatch).
func (s *Store) Reembed(ctx context.Context, emb assistant.Embedder, progress io.Writer) error {
	const op = "retrieval/postgres.Reembed"
	if progress == nil {
		progress = io.Discard
	}
	dim, model := emb.Dimension(), emb.Name()
	if dim < 1 || dim > 2000 {
		return assistant.Errorf(assistant.EINVALID, "embedder %s has %d dimensions; the store supports 1..2000", model, dim)
	}
	start := time.Now()
	if _, err := s.pool.Exec(ctx, `SELECT parley_reembed_begin($1)`, dim); err != nil {
		return assistant.Internal(op, err)
	}
	// Rows of an interrupted run with another embedder of the same dimension are void.
	if _, err := s.pool.Exec(ctx, `DELETE FROM event_embeddings_next WHERE model <> $1`, model); err != nil {
		return assistant.Internal(op, err)
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM event_embeddings`).Scan(&total); err != nil {
		return assistant.Internal(op, err)
	}
	fmt.Fprintf(progress, "reembed: %d embeddings to recompute with %s (%d dimensions)\n", total, model, dim)

	done, after := 0, ""
	for {
		n, last, err := s.reembedBatch(ctx, s.pool, emb, after)
		if err != nil {
			return assistant.Internal(op, err)
		}
		if n == 0 {
			break
		}
		done += n
		after = last
		if done%(reembedBatch*25) < n {
			fmt.Fprintf(progress, "reembed: %d/%d (%.0f/s)\n", done, total, float64(done)/time.Since(start).Seconds())
		}
	}
	fmt.Fprintf(progress, "reembed: %d recomputed; indexing\n", done)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var heapBytes int64
		if err := tx.QueryRow(ctx, `SELECT pg_relation_size('event_embeddings_next')`).Scan(&heapBytes); err != nil {
			return err
		}
		mb := min(max(heapBytes*3/2>>20, 256), 8192)
		if _, err := tx.Exec(ctx, `SELECT set_config('maintenance_work_mem', $1, true)`, fmt.Sprintf("%dMB", mb)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT parley_reembed_index()`)
		return err
	})
	if err != nil {
		return assistant.Internal(op, err)
	}

	// Swap. Locking events first, as AppendEvent does, waits out appends in flight and
	// holds new ones back without a deadlock; readers go on.
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE events, event_embeddings IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		for after := ""; ; {
			n, last, err := s.reembedBatch(ctx, tx, emb, after)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			done += n
			after = last
		}
		if _, err := tx.Exec(ctx, `SELECT parley_reembed_finish($1, $2)`, dim, model); err != nil {
			return err
		}
		return refreshPopular(ctx, tx)
	})
	if err != nil {
		return assistant.Internal(op, err)
	}
	s.mu.Lock()
	s.dim, s.model = dim, model
	s.mu.Unlock()
	// Pooled connections have statements prepared against the old table.
	s.pool.Reset()
	fmt.Fprintf(progress, "reembed: done in %s: %d embeddings, %s, %d dimensions\n", time.Since(start).Round(time.Millisecond), done, model, dim)
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// reembedBatch embeds the next batch of events (by id, after after) that have an old
// embedding but no new one, and copies the new vectors in. It returns how many it did
// and the last id.
func (s *Store) reembedBatch(ctx context.Context, q querier, emb assistant.Embedder, after string) (int, string, error) {
	rows, err := q.Query(ctx, `
		SELECT o.event_id, o.case_id, o.seq, ev.text
		FROM event_embeddings o JOIN events ev ON ev.id = o.event_id
		WHERE o.event_id > $1
		  AND NOT EXISTS (SELECT 1 FROM event_embeddings_next n WHERE n.event_id = o.event_id)
		ORDER BY o.event_id
		LIMIT $2`, after, reembedBatch)
	if err != nil {
		return 0, "", err
	}
	type item struct {
		id, caseID, text string
		seq              int64
	}
	var items []item
	var it item
	if _, err := pgx.ForEachRow(rows, []any{&it.id, &it.caseID, &it.seq, &it.text}, func() error {
		items = append(items, it)
		return nil
	}); err != nil {
		return 0, "", err
	}
	if len(items) == 0 {
		return 0, after, nil
	}
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.text
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return 0, "", fmt.Errorf("embed: %w", err)
	}
	if len(vecs) != len(texts) {
		return 0, "", fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(texts))
	}
	dim, model := emb.Dimension(), emb.Name()
	for i := range vecs {
		if len(vecs[i]) != dim {
			return 0, "", fmt.Errorf("embedder %s returned %d dimensions, declared %d", model, len(vecs[i]), dim)
		}
	}
	keys, canonical, err := canonicalKeys(ctx, q, "event_embeddings_next", vecs)
	if err != nil {
		return 0, "", err
	}
	out := make([][]any, len(items))
	for i, it := range items {
		out[i] = []any{it.id, it.caseID, it.seq, pgvector.NewVector(vecs[i]), keys[i], canonical[i], model}
	}
	if _, err := q.CopyFrom(ctx, pgx.Identifier{"event_embeddings_next"},
		[]string{"event_id", "case_id", "seq", "embedding", "vec_key", "canonical", "model"}, pgx.CopyFromRows(out)); err != nil {
		return 0, "", err
	}
	return len(items), items[len(items)-1].id, nil
}
