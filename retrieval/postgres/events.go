package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
)

// eventColumns is the column list scanEvent reads, in order; ev is events, emb the
// event's embedding (LEFT JOIN). The embedding is cast to plain vector so that the
// result type does not carry the dimension: a prepared statement then survives
// Reembed changing it ("cached plan must not change result type").
const eventColumns = `ev.id, ev.case_id, ev.seq, ev.kind, ev.direction, ev.channel, ev.text,
	ev.amount_minor, ev.currency, ev.at, ev.created_at, ev.analysis, emb.embedding::vector`

func scanEvent(row pgx.Row, extra ...any) (*assistant.Event, error) {
	var (
		e        assistant.Event
		kind     string
		amount   *int64
		currency *string
		analysis []byte
		vec      *pgvector.Vector
	)
	dest := append([]any{&e.ID, &e.CaseID, &e.Seq, &kind, &e.Direction, &e.Channel, &e.Text,
		&amount, &currency, &e.At, &e.CreatedAt, &analysis, &vec}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	e.Kind = assistant.EventKind(kind)
	e.At, e.CreatedAt = e.At.UTC(), e.CreatedAt.UTC()
	if amount != nil {
		m := assistant.Money{Minor: *amount}
		if currency != nil {
			m.Currency = *currency
		}
		e.Amount = &m
	}
	if analysis != nil {
		if err := json.Unmarshal(analysis, &e.Analysis); err != nil {
			return nil, err
		}
	}
	if vec != nil {
		e.Embedding = vec.Slice()
	}
	return &e, nil
}

// eventValues are an event's column values as AppendEvent and Import write them.
type eventValues struct {
	amount   *int64
	currency *string
	analysis []byte
}

func encodeEvent(e *assistant.Event) (eventValues, error) {
	var v eventValues
	if e.Amount != nil {
		v.amount, v.currency = &e.Amount.Minor, &e.Amount.Currency
	}
	if e.Analysis != nil {
		b, err := json.Marshal(e.Analysis)
		if err != nil {
			return v, err
		}
		v.analysis = b
	}
	return v, nil
}

func (s *Store) checkVector(field string, vec []float32) error {
	if dim := s.Dimension(); len(vec) != dim {
		return assistant.Invalid(field, "embedding has %d dimensions, the store %d", len(vec), dim)
	}
	return nil
}

// AppendEvent implements assistant.CaseStore. The event and its embedding (when set)
// are stored in one transaction; incrementing the case's last_event_seq locks the
// case row, so concurrent appends to one case get distinct, gapless seqs.
func (s *Store) AppendEvent(ctx context.Context, in *assistant.Event) (*assistant.Event, error) {
	const op = "retrieval/postgres.AppendEvent"
	if err := retrieval.ValidateEvent(in); err != nil {
		return nil, err
	}
	if in.Embedding != nil {
		if err := s.checkVector("embedding", in.Embedding); err != nil {
			return nil, err
		}
	}
	e := *in
	e.Embedding = slices.Clone(in.Embedding)
	e.ID, e.CreatedAt = retrieval.NewID("evt_"), now()
	e.At = e.At.UTC().Truncate(time.Microsecond)
	vals, err := encodeEvent(&e)
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE cases SET last_event_seq = last_event_seq + 1 WHERE id = $1 RETURNING last_event_seq`,
			e.CaseID).Scan(&e.Seq)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO events (id, case_id, seq, kind, direction, channel, text, amount_minor, currency, at, created_at, analysis)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.ID, e.CaseID, e.Seq, string(e.Kind), e.Direction, e.Channel, e.Text, vals.amount, vals.currency, e.At, e.CreatedAt, vals.analysis); err != nil {
			return err
		}
		if e.Embedding == nil {
			return nil
		}
		// Canonical unless the vector is stored already. Two concurrent appends of one
		// new vector may both be canonical: a harmless duplicate in the index.
		_, err = tx.Exec(ctx, `
			INSERT INTO event_embeddings (event_id, case_id, seq, embedding, vec_key, canonical, model)
			VALUES ($1, $2, $3, $4, $5, NOT EXISTS (SELECT 1 FROM event_embeddings WHERE vec_key = $5 AND canonical), $6)`,
			e.ID, e.CaseID, e.Seq, pgvector.NewVector(e.Embedding), vecKey(e.Embedding), s.EmbeddingModel())
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", e.CaseID)
	} else if err != nil {
		return nil, assistant.Internal(op, err)
	}
	// The caller gets its own copy: nothing it changes reaches what is stored.
	out := e
	out.Embedding = slices.Clone(e.Embedding)
	if e.Amount != nil {
		a := *e.Amount
		out.Amount = &a
	}
	if e.Analysis != nil {
		a := *e.Analysis
		a.Intents = slices.Clone(a.Intents)
		a.Entities.Dates = slices.Clone(a.Entities.Dates)
		a.Entities.Amounts = slices.Clone(a.Entities.Amounts)
		if a.Entities.Promise != nil {
			p := *a.Entities.Promise
			a.Entities.Promise = &p
		}
		out.Analysis = &a
	}
	return &out, nil
}

// vecKey identifies a vector by its bits (the first 8 bytes of their SHA-256): equal
// vectors get equal keys. A collision (odds 2^-64 per pair) would only keep one
// vector out of cross-case search.
func vecKey(v []float32) int64 {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	sum := sha256.Sum256(b)
	return int64(binary.LittleEndian.Uint64(sum[:8]))
}

// caseExists distinguishes "no events" from "no case" after an empty result.
func (s *Store) caseExists(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)`, id).Scan(&ok)
	return ok, err
}

// ListEvents implements assistant.CaseStore. The cursor is the seq of the last event
// returned. Events come with their embeddings, as from the memory store.
func (s *Store) ListEvents(ctx context.Context, caseID, cursor string, limit int) (assistant.EventPage, error) {
	const op = "retrieval/postgres.ListEvents"
	after, err := retrieval.DecodeCursor(cursor)
	if err != nil {
		return assistant.EventPage{}, err
	}
	limit = retrieval.ClampLimit(limit)
	rows, err := s.pool.Query(ctx, `
		SELECT `+eventColumns+`
		FROM events ev LEFT JOIN event_embeddings emb ON emb.event_id = ev.id
		WHERE ev.case_id = $1 AND ev.seq > $2
		ORDER BY ev.seq
		LIMIT $3`, caseID, after, limit+1)
	if err != nil {
		return assistant.EventPage{}, assistant.Internal(op, err)
	}
	page := assistant.EventPage{Items: []*assistant.Event{}}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return assistant.EventPage{}, assistant.Internal(op, err)
		}
		if len(page.Items) == limit {
			page.NextCursor = retrieval.EncodeCursor(page.Items[limit-1].Seq)
			break
		}
		page.Items = append(page.Items, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return assistant.EventPage{}, assistant.Internal(op, err)
	}
	if len(page.Items) == 0 {
		if ok, err := s.caseExists(ctx, caseID); err != nil {
			return assistant.EventPage{}, assistant.Internal(op, err)
		} else if !ok {
			return assistant.EventPage{}, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", caseID)
		}
	}
	return page, nil
}

// SearchEvents implements assistant.CaseStore: an exact search over the case's
// embeddings, best first, ties in seq order. k <= 0 returns every embedded event.
//
// Ordering by an expression rather than by "embedding <=> $2" itself keeps the
// planner off the HNSW index, which would search the whole portfolio and filter
// afterwards; the case_id index finds the case's tens to thousands of rows and the
// exact sort is both faster and exact. COALESCE maps the NaN distance of a zero
// vector (an empty text) to 1, i.e. similarity 0, as retrieval.Cosine does.
func (s *Store) SearchEvents(ctx context.Context, caseID string, vec []float32, k int) ([]assistant.ScoredEvent, error) {
	const op = "retrieval/postgres.SearchEvents"
	if err := s.checkVector("vector", vec); err != nil {
		return nil, err
	}
	var limit *int64
	if k > 0 {
		l := int64(k)
		limit = &l
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+eventColumns+`, emb.distance
		FROM (
			SELECT event_id, seq, embedding, COALESCE(NULLIF(embedding <=> $2, 'NaN'::float8), 1) AS distance
			FROM event_embeddings
			WHERE case_id = $1
			ORDER BY distance, seq
			LIMIT $3
		) emb
		JOIN events ev ON ev.id = emb.event_id
		ORDER BY emb.distance, emb.seq`, caseID, pgvector.NewVector(vec), limit)
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	var out []assistant.ScoredEvent
	for rows.Next() {
		var distance float64
		e, err := scanEvent(rows, &distance)
		if err != nil {
			rows.Close()
			return nil, assistant.Internal(op, err)
		}
		sim := 1 - distance
		if math.IsNaN(sim) {
			sim = 0
		}
		out = append(out, assistant.ScoredEvent{Event: e, Similarity: sim, Score: sim})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, assistant.Internal(op, err)
	}
	if len(out) == 0 {
		if ok, err := s.caseExists(ctx, caseID); err != nil {
			return nil, assistant.Internal(op, err)
		} else if !ok {
			return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", caseID)
		}
	}
	return out, nil
}
