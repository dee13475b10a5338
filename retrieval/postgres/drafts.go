package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/compliance"
	"github.com/parley-dev/parley/retrieval"
)

// Drafts is the PostgreSQL draft store and outbox, sharing the case store's pool.
type Drafts struct {
	s *Store
}

var _ assistant.DraftStore = (*Drafts)(nil)

// NewDrafts returns the draft store on s's database.
func NewDrafts(s *Store) *Drafts { return &Drafts{s: s} }

const draftColumns = `id, case_id, status, channel, language, goal, text, engine, analysis,
	suggestions, citations, verdict, trace, reason, final_text, created_at, decided_at`

// CreateDraft implements assistant.DraftStore.
func (d *Drafts) CreateDraft(ctx context.Context, in *assistant.Draft) (*assistant.Draft, error) {
	const op = "retrieval/postgres.CreateDraft"
	out := *in
	out.ID = retrieval.NewID("draft_")
	out.CreatedAt = now()
	analysis, err := json.Marshal(in.Analysis)
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	suggestions, _ := json.Marshal(in.Suggestions)
	citations, _ := json.Marshal(in.Citations)
	verdict, _ := json.Marshal(in.Verdict)
	trace, _ := json.Marshal(in.Trace)
	_, err = d.s.pool.Exec(ctx, `INSERT INTO drafts (id, case_id, status, channel, language, goal, text, engine,
		analysis, suggestions, citations, verdict, trace, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
		out.ID, out.CaseID, out.Status, out.Channel, out.Language, out.Goal, out.Text, out.Engine,
		analysis, suggestions, citations, verdict, trace, out.CreatedAt)
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	return &out, nil
}

func scanDraft(row pgx.Row) (*assistant.Draft, error) {
	var (
		d                                              assistant.Draft
		analysis, suggestions, citations, verdict, trc []byte
		decided                                        *time.Time
	)
	if err := row.Scan(&d.ID, &d.CaseID, &d.Status, &d.Channel, &d.Language, &d.Goal, &d.Text, &d.Engine,
		&analysis, &suggestions, &citations, &verdict, &trc, &d.RejectReason, &d.FinalText, &d.CreatedAt, &decided); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		raw []byte
		v   any
	}{{analysis, &d.Analysis}, {suggestions, &d.Suggestions}, {citations, &d.Citations}, {verdict, &d.Verdict}, {trc, &d.Trace}} {
		if len(f.raw) > 0 {
			if err := json.Unmarshal(f.raw, f.v); err != nil {
				return nil, err
			}
		}
	}
	if decided != nil {
		d.DecidedAt = decided.UTC()
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return &d, nil
}

// GetDraft implements assistant.DraftStore.
func (d *Drafts) GetDraft(ctx context.Context, id string) (*assistant.Draft, error) {
	draft, err := scanDraft(d.s.pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "draft %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal("retrieval/postgres.GetDraft", err)
	}
	return draft, nil
}

// decide locks a pending draft and applies change in one transaction; concurrent
// approvals serialise on the row lock, so exactly one wins.
func (d *Drafts) decide(ctx context.Context, op, id string, change func(tx pgx.Tx) error) (*assistant.Draft, error) {
	tx, err := d.s.pool.Begin(ctx)
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var status string
	err = tx.QueryRow(ctx, `SELECT status FROM drafts WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "draft %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal(op, err)
	}
	if status != assistant.DraftPending {
		return nil, assistant.Errorf(assistant.ECONFLICT, "draft %s is already %s", id, status)
	}
	if err := change(tx); err != nil {
		return nil, assistant.Internal(op, err)
	}
	draft, err := scanDraft(tx.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = $1`, id))
	if err != nil {
		return nil, assistant.Internal(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, assistant.Internal(op, err)
	}
	return draft, nil
}

// ApproveDraft implements assistant.DraftStore.
func (d *Drafts) ApproveDraft(ctx context.Context, id string, msg compliance.Cleared) (*assistant.Draft, *assistant.OutboxItem, error) {
	const op = "retrieval/postgres.ApproveDraft"
	if !msg.Valid() {
		return nil, nil, assistant.Invalid("text", "only text cleared by the compliance gate may enter the outbox")
	}
	var item assistant.OutboxItem
	draft, err := d.decide(ctx, op, id, func(tx pgx.Tx) error {
		at := now()
		var caseID string
		if err := tx.QueryRow(ctx, `UPDATE drafts SET status = $2, final_text = $3, decided_at = $4, updated_at = $4
			WHERE id = $1 RETURNING case_id`, id, assistant.DraftApproved, msg.Text(), at).Scan(&caseID); err != nil {
			return err
		}
		var seq int64
		available := at
		if !msg.SendAt().IsZero() {
			available = msg.SendAt().Truncate(time.Microsecond)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO outbox (draft_id, case_id, channel, jurisdiction, text, created_at, available_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, caseID, msg.Channel(), msg.Jurisdiction(), msg.Text(), at, available).Scan(&seq); err != nil {
			return err
		}
		item = assistant.OutboxItem{ID: "out_" + strconv.FormatInt(seq, 10), CaseID: caseID, DraftID: id,
			Channel: msg.Channel(), Jurisdiction: msg.Jurisdiction(), Text: msg.Text(), SendAfter: available, CreatedAt: at}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return draft, &item, nil
}

// RejectDraft implements assistant.DraftStore.
func (d *Drafts) RejectDraft(ctx context.Context, id, reason string) (*assistant.Draft, error) {
	return d.decide(ctx, "retrieval/postgres.RejectDraft", id, func(tx pgx.Tx) error {
		at := now()
		_, err := tx.Exec(ctx, `UPDATE drafts SET status = $2, reason = $3, decided_at = $4, updated_at = $4 WHERE id = $1`,
			id, assistant.DraftRejected, reason, at)
		return err
	})
}

// ListOutbox implements assistant.DraftStore.
func (d *Drafts) ListOutbox(ctx context.Context, cursor string, limit int) (assistant.OutboxPage, error) {
	const op = "retrieval/postgres.ListOutbox"
	after, err := retrieval.DecodeCursor(cursor)
	if err != nil {
		return assistant.OutboxPage{}, err
	}
	limit = retrieval.ClampLimit(limit)
	rows, err := d.s.pool.Query(ctx, `SELECT id, case_id, coalesce(draft_id, ''), channel, jurisdiction, text, available_at, created_at
		FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`, after, limit+1)
	if err != nil {
		return assistant.OutboxPage{}, assistant.Internal(op, err)
	}
	defer rows.Close()
	page := assistant.OutboxPage{Items: []*assistant.OutboxItem{}}
	var lastSeq int64
	for rows.Next() {
		var it assistant.OutboxItem
		var seq int64
		if err := rows.Scan(&seq, &it.CaseID, &it.DraftID, &it.Channel, &it.Jurisdiction, &it.Text, &it.SendAfter, &it.CreatedAt); err != nil {
			return assistant.OutboxPage{}, assistant.Internal(op, err)
		}
		if len(page.Items) == limit {
			page.NextCursor = retrieval.EncodeCursor(lastSeq)
			break
		}
		it.ID, it.CreatedAt, it.SendAfter = "out_"+strconv.FormatInt(seq, 10), it.CreatedAt.UTC(), it.SendAfter.UTC()
		page.Items = append(page.Items, &it)
		lastSeq = seq
	}
	if err := rows.Err(); err != nil {
		return assistant.OutboxPage{}, assistant.Internal(op, err)
	}
	return page, nil
}
