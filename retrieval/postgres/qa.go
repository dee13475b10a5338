package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
)

// QA is the PostgreSQL store of reviewed transcripts and QA flags (tables
// qa_transcripts and qa_flags), sharing the case store's pool.
type QA struct {
	s *Store
}

var _ assistant.QAStore = (*QA)(nil)

// NewQA returns the QA store on s's database.
func NewQA(s *Store) *QA { return &QA{s: s} }

// CreateTranscript implements assistant.QAStore.
func (q *QA) CreateTranscript(ctx context.Context, in *assistant.Transcript, flag *assistant.Flag) (*assistant.Transcript, *assistant.Flag, error) {
	const op = "retrieval/postgres.CreateTranscript"
	t := *in
	t.ID, t.CreatedAt = retrieval.NewID("tr_"), now()
	var f *assistant.Flag
	if flag != nil {
		cp := *flag
		cp.ID, cp.TranscriptID, cp.CaseID, cp.CreatedAt = retrieval.NewID("flag_"), t.ID, t.CaseID, t.CreatedAt
		cp.Status, cp.Decision, cp.Note, cp.ResolvedAt = assistant.FlagOpen, "", "", nil
		if cp.Reasons == nil {
			cp.Reasons = []assistant.FlagReason{}
		}
		if cp.Spans == nil {
			cp.Spans = []assistant.FlagSpan{}
		}
		f, t.FlagID = &cp, cp.ID
	}
	turns, err := json.Marshal(t.Turns)
	if err != nil {
		return nil, nil, assistant.Internal(op, err)
	}
	result, err := json.Marshal(t.Result)
	if err != nil {
		return nil, nil, assistant.Internal(op, err)
	}
	var started *time.Time
	if !t.StartedAt.IsZero() {
		st := t.StartedAt.UTC().Truncate(time.Microsecond)
		started, t.StartedAt = &st, st
	}
	tx, err := q.s.pool.Begin(ctx)
	if err != nil {
		return nil, nil, assistant.Internal(op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `INSERT INTO qa_transcripts (id, case_id, channel, jurisdiction, direction, started_at, turns, result, score, flag_id, created_at)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.CaseID, t.Channel, t.Jurisdiction, t.Direction, started, turns, result, float64(t.Result.Score), t.FlagID, t.CreatedAt); err != nil {
		return nil, nil, assistant.Internal(op, err)
	}
	if f != nil {
		reasons, _ := json.Marshal(f.Reasons)
		spans, _ := json.Marshal(f.Spans)
		if _, err := tx.Exec(ctx, `INSERT INTO qa_flags (id, transcript_id, case_id, status, reasons, spans, created_at)
			VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7)`,
			f.ID, f.TranscriptID, f.CaseID, f.Status, reasons, spans, f.CreatedAt); err != nil {
			return nil, nil, assistant.Internal(op, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, assistant.Internal(op, err)
	}
	return &t, f, nil
}

// GetTranscript implements assistant.QAStore.
func (q *QA) GetTranscript(ctx context.Context, id string) (*assistant.Transcript, error) {
	const op = "retrieval/postgres.GetTranscript"
	var (
		t             assistant.Transcript
		caseID        *string
		started       *time.Time
		turns, result []byte
	)
	err := q.s.pool.QueryRow(ctx, `SELECT id, case_id, channel, jurisdiction, direction, started_at, turns, result, flag_id, created_at
		FROM qa_transcripts WHERE id = $1`, id).Scan(&t.ID, &caseID, &t.Channel, &t.Jurisdiction, &t.Direction, &started, &turns, &result, &t.FlagID, &t.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "transcript %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal(op, err)
	}
	if caseID != nil {
		t.CaseID = *caseID
	}
	if started != nil {
		t.StartedAt = started.UTC()
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if err := json.Unmarshal(turns, &t.Turns); err != nil {
		return nil, assistant.Internal(op, err)
	}
	if len(result) > 0 {
		if err := json.Unmarshal(result, &t.Result); err != nil {
			return nil, assistant.Internal(op, err)
		}
	}
	return &t, nil
}

const flagColumns = `seq, id, coalesce(transcript_id, ''), coalesce(case_id, ''), status, reasons, spans, decision, note, created_at, resolved_at`

func scanFlag(row pgx.Row) (int64, *assistant.Flag, error) {
	var (
		f              assistant.Flag
		seq            int64
		reasons, spans []byte
		resolved       *time.Time
	)
	if err := row.Scan(&seq, &f.ID, &f.TranscriptID, &f.CaseID, &f.Status, &reasons, &spans, &f.Decision, &f.Note, &f.CreatedAt, &resolved); err != nil {
		return 0, nil, err
	}
	f.Reasons, f.Spans = []assistant.FlagReason{}, []assistant.FlagSpan{}
	if len(reasons) > 0 {
		if err := json.Unmarshal(reasons, &f.Reasons); err != nil {
			return 0, nil, err
		}
	}
	if len(spans) > 0 {
		if err := json.Unmarshal(spans, &f.Spans); err != nil {
			return 0, nil, err
		}
	}
	f.CreatedAt = f.CreatedAt.UTC()
	if resolved != nil {
		at := resolved.UTC()
		f.ResolvedAt = &at
	}
	return seq, &f, nil
}

// GetFlag implements assistant.QAStore.
func (q *QA) GetFlag(ctx context.Context, id string) (*assistant.Flag, error) {
	_, f, err := scanFlag(q.s.pool.QueryRow(ctx, `SELECT `+flagColumns+` FROM qa_flags WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "flag %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal("retrieval/postgres.GetFlag", err)
	}
	return f, nil
}

// ListFlags implements assistant.QAStore: keyset pages over seq, oldest first.
func (q *QA) ListFlags(ctx context.Context, filter assistant.FlagFilter) (assistant.FlagPage, error) {
	const op = "retrieval/postgres.ListFlags"
	status := filter.Status
	switch status {
	case "":
		status = assistant.FlagOpen
	case assistant.FlagAll, assistant.FlagOpen, assistant.FlagConfirmed, assistant.FlagDismissed:
	default:
		return assistant.FlagPage{}, assistant.Invalid("status", "status must be one of open, confirmed, dismissed, all")
	}
	after, err := retrieval.DecodeCursor(filter.Cursor)
	if err != nil {
		return assistant.FlagPage{}, err
	}
	limit := retrieval.ClampLimit(filter.Limit)
	rows, err := q.s.pool.Query(ctx, `SELECT `+flagColumns+` FROM qa_flags
		WHERE seq > $1 AND ($2 = 'all' OR status = $2) ORDER BY seq LIMIT $3`, after, status, limit+1)
	if err != nil {
		return assistant.FlagPage{}, assistant.Internal(op, err)
	}
	defer rows.Close()
	page := assistant.FlagPage{Items: []*assistant.Flag{}}
	var last int64
	for rows.Next() {
		seq, f, err := scanFlag(rows)
		if err != nil {
			return assistant.FlagPage{}, assistant.Internal(op, err)
		}
		if len(page.Items) == limit {
			page.NextCursor = retrieval.EncodeCursor(last)
			break
		}
		page.Items = append(page.Items, f)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return assistant.FlagPage{}, assistant.Internal(op, err)
	}
	return page, nil
}

// ResolveFlag implements assistant.QAStore. The update only matches an open flag,
// so of two concurrent decisions exactly one wins and the other sees ECONFLICT.
func (q *QA) ResolveFlag(ctx context.Context, id, decision, note string) (*assistant.Flag, error) {
	const op = "retrieval/postgres.ResolveFlag"
	if decision != assistant.FlagConfirmed && decision != assistant.FlagDismissed {
		return nil, assistant.Invalid("decision", "decision must be confirmed or dismissed")
	}
	_, f, err := scanFlag(q.s.pool.QueryRow(ctx, `UPDATE qa_flags SET status = $2, decision = $2, note = $3, resolved_at = $4
		WHERE id = $1 AND status = 'open' RETURNING `+flagColumns, id, decision, note, now()))
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Internal(op, err)
	}
	var status string
	err = q.s.pool.QueryRow(ctx, `SELECT status FROM qa_flags WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "flag %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal(op, err)
	}
	return nil, assistant.Errorf(assistant.ECONFLICT, "flag %s is already %s", id, status)
}
