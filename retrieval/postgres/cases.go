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

// caseColumns is the column list scanCase reads, in order.
const caseColumns = `id, seq, external_id, debtor, jurisdiction, creditor, balance_minor, currency,
	due_date, days_past_due, flags, segment, risk_tier, segment_reasons, promises, plan,
	created_at, updated_at, widget_epoch`

// now is the stores' clock: UTC, truncated to what timestamptz keeps, so what a call
// returns equals what a later read returns.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// nullJSON marshals v, or returns nil (SQL NULL) for a nil slice or pointer, so
// "never set" and "set to empty" stay distinct.
func nullJSON[T any](v []T) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

func planJSON(p *assistant.Plan) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	return json.Marshal(p)
}

// caseParams are the JSON-encoded parts of a case.
type caseParams struct {
	debtor, flags, reasons, promises, plan []byte
}

func encodeCase(c *assistant.Case) (caseParams, error) {
	var p caseParams
	var err error
	if p.debtor, err = json.Marshal(c.Debtor); err != nil {
		return p, err
	}
	if p.flags, err = json.Marshal(c.Flags); err != nil {
		return p, err
	}
	if p.reasons, err = nullJSON(c.SegmentReasons); err != nil {
		return p, err
	}
	if p.promises, err = nullJSON(c.Promises); err != nil {
		return p, err
	}
	p.plan, err = planJSON(c.Plan)
	return p, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// scanCase reads one row of caseColumns.
func scanCase(row pgx.Row) (*assistant.Case, int64, error) {
	var (
		c                                      assistant.Case
		seq                                    int64
		debtor, flags, reasons, promises, plan []byte
		due                                    *time.Time
		segment, risk                          string
		widgetEpoch                            *int64
	)
	err := row.Scan(&c.ID, &seq, &c.ExternalID, &debtor, &c.Jurisdiction, &c.Creditor, &c.Balance.Minor, &c.Balance.Currency,
		&due, &c.DaysPastDue, &flags, &segment, &risk, &reasons, &promises, &plan, &c.CreatedAt, &c.UpdatedAt, &widgetEpoch)
	if err != nil {
		return nil, 0, err
	}
	c.Segment, c.RiskTier = assistant.Segment(segment), assistant.RiskTier(risk)
	if widgetEpoch != nil {
		c.WidgetEpoch = *widgetEpoch // NULL: never revoked
	}
	if due != nil {
		c.DueDate = due.UTC()
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	for _, f := range []struct {
		b []byte
		v any
	}{{debtor, &c.Debtor}, {flags, &c.Flags}, {reasons, &c.SegmentReasons}, {promises, &c.Promises}, {plan, &c.Plan}} {
		if f.b == nil {
			continue
		}
		if err := json.Unmarshal(f.b, f.v); err != nil {
			return nil, 0, err
		}
	}
	return &c, seq, nil
}

// UpsertCase implements assistant.CaseStore. One statement: concurrent upserts of
// the same external id serialise on its unique index, and what Parley derived
// (segment and reasons, risk tier, promises, plan) is kept unless the client sends it.
// widget_epoch is neither inserted nor updated here: only RevokeWidgetLinks writes it.
func (s *Store) UpsertCase(ctx context.Context, c *assistant.Case) (*assistant.Case, bool, error) {
	const op = "retrieval/postgres.UpsertCase"
	if err := c.Validate(); err != nil {
		return nil, false, err
	}
	p, err := encodeCase(c)
	if err != nil {
		return nil, false, assistant.Internal(op, err)
	}
	t := now()
	row := s.pool.QueryRow(ctx, `
		INSERT INTO cases (id, external_id, debtor, jurisdiction, creditor, balance_minor, currency,
			due_date, days_past_due, flags, segment, risk_tier, segment_reasons, promises, plan,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
		ON CONFLICT (external_id) DO UPDATE SET
			debtor = EXCLUDED.debtor,
			jurisdiction = EXCLUDED.jurisdiction,
			creditor = EXCLUDED.creditor,
			balance_minor = EXCLUDED.balance_minor,
			currency = EXCLUDED.currency,
			due_date = EXCLUDED.due_date,
			days_past_due = EXCLUDED.days_past_due,
			flags = EXCLUDED.flags,
			segment = CASE WHEN EXCLUDED.segment = '' THEN cases.segment ELSE EXCLUDED.segment END,
			segment_reasons = CASE WHEN EXCLUDED.segment = '' THEN cases.segment_reasons ELSE EXCLUDED.segment_reasons END,
			risk_tier = CASE WHEN EXCLUDED.risk_tier = '' THEN cases.risk_tier ELSE EXCLUDED.risk_tier END,
			promises = COALESCE(EXCLUDED.promises, cases.promises),
			plan = COALESCE(EXCLUDED.plan, cases.plan),
			updated_at = EXCLUDED.updated_at
		RETURNING `+caseColumns+`, (xmax = 0) AS inserted`,
		retrieval.NewID("case_"), c.ExternalID, p.debtor, c.Jurisdiction, c.Creditor, c.Balance.Minor, c.Balance.Currency,
		nullTime(c.DueDate), c.DaysPastDue, p.flags, string(c.Segment), string(c.RiskTier), p.reasons, p.promises, p.plan, t)
	var inserted bool
	stored, _, err := scanCase(insertedRow{row, &inserted})
	if err != nil {
		return nil, false, assistant.Internal(op, err)
	}
	return stored, inserted, nil
}

// insertedRow appends one more scan target (the "inserted" flag) to a case row.
type insertedRow struct {
	pgx.Row
	inserted *bool
}

func (r insertedRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.inserted)...) }

// GetCase implements assistant.CaseStore.
func (s *Store) GetCase(ctx context.Context, id string) (*assistant.Case, error) {
	c, _, err := scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal("retrieval/postgres.GetCase", err)
	}
	return c, nil
}

// UpdateDerived implements assistant.CaseStore: segment, risk tier, reasons, promises
// and plan; nothing the client owns (flags, contact points) is written here.
func (s *Store) UpdateDerived(ctx context.Context, c *assistant.Case) error {
	const op = "retrieval/postgres.UpdateDerived"
	p, err := encodeCase(c)
	if err != nil {
		return assistant.Internal(op, err)
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE cases SET segment = $2, risk_tier = $3, segment_reasons = $4, promises = $5, plan = $6,
			updated_at = $7
		WHERE id = $1`,
		c.ID, string(c.Segment), string(c.RiskTier), p.reasons, p.promises, p.plan, now())
	if err != nil {
		return assistant.Internal(op, err)
	}
	if tag.RowsAffected() == 0 {
		return assistant.Errorf(assistant.ENOTFOUND, "case %q not found", c.ID)
	}
	return nil
}

// RevokeWidgetLinks implements assistant.CaseStore: one statement, so concurrent
// revocations each advance the epoch.
func (s *Store) RevokeWidgetLinks(ctx context.Context, id string) (*assistant.Case, error) {
	c, _, err := scanCase(s.pool.QueryRow(ctx, `
		UPDATE cases SET widget_epoch = COALESCE(widget_epoch, 0) + 1
		WHERE id = $1
		RETURNING `+caseColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, assistant.Errorf(assistant.ENOTFOUND, "case %q not found", id)
	} else if err != nil {
		return nil, assistant.Internal("retrieval/postgres.RevokeWidgetLinks", err)
	}
	return c, nil
}

// ListCases implements assistant.CaseStore. The cursor is the creation seq of the
// last case returned.
func (s *Store) ListCases(ctx context.Context, f assistant.CaseFilter) (assistant.CasePage, error) {
	after, err := retrieval.DecodeCursor(f.Cursor)
	if err != nil {
		return assistant.CasePage{}, err
	}
	limit := retrieval.ClampLimit(f.Limit)
	rows, err := s.pool.Query(ctx, `
		SELECT `+caseColumns+` FROM cases
		WHERE seq > $1 AND ($2::text = '' OR segment = $2) AND ($3::text = '' OR jurisdiction = $3)
		ORDER BY seq
		LIMIT $4`, after, string(f.Segment), f.Jurisdiction, limit+1)
	if err != nil {
		return assistant.CasePage{}, assistant.Internal("retrieval/postgres.ListCases", err)
	}
	defer rows.Close()
	page := assistant.CasePage{Items: []*assistant.Case{}}
	var lastSeq int64
	for rows.Next() {
		c, seq, err := scanCase(rows)
		if err != nil {
			return assistant.CasePage{}, assistant.Internal("retrieval/postgres.ListCases", err)
		}
		if len(page.Items) == limit {
			page.NextCursor = retrieval.EncodeCursor(lastSeq)
			break
		}
		page.Items = append(page.Items, c)
		lastSeq = seq
	}
	if err := rows.Err(); err != nil {
		return assistant.CasePage{}, assistant.Internal("retrieval/postgres.ListCases", err)
	}
	return page, nil
}
