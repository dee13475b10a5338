package postgres

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
)

// ImportReport says what an Import did.
type ImportReport struct {
	Lines          int `json:"lines"` // lines read, blank ones included
	CasesCreated   int `json:"cases_created"`
	CasesUpdated   int `json:"cases_updated"`
	EventsInserted int `json:"events_inserted"`
	// EventsSkipped were already stored: by an earlier run of the same file, or as a
	// repeated line.
	EventsSkipped int `json:"events_skipped"`
	// Rejected lists the first MaxRejectedLines bad lines; RejectedCount counts all.
	Rejected      []RejectedLine `json:"rejected"`
	RejectedCount int            `json:"rejected_count"`
	// IndexRebuilt is set when the import dropped the HNSW index for speed and built
	// it again at the end.
	IndexRebuilt bool          `json:"index_rebuilt"`
	Elapsed      time.Duration `json:"elapsed"`
}

// RejectedLine is one line Import did not load, and why.
type RejectedLine struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Import limits and batch sizes.
const (
	// MaxRejectedLines bounds ImportReport.Rejected; RejectedCount keeps counting.
	MaxRejectedLines = 1000
	// MaxImportLine is the longest line Import reads (1 MiB); longer ones are rejected.
	MaxImportLine = 1 << 20
	// ImportProgressEvery is how many lines pass between progress lines.
	ImportProgressEvery = 100_000
	// importBatch events are embedded and copied per transaction.
	importBatch = 5000
	// A run that has loaded dropIndexAfter events, and at least a quarter as many as
	// the table held before, drops the HNSW index and builds it once at the end:
	// inserting into HNSW row by row is several times slower than building it, and a
	// graph built in one go is as good. Cross-case search still answers meanwhile
	// (exactly, by a sequential scan), only slower.
	dropIndexAfter = 10_000
)

// importLine is one line of an import file.
type importLine struct {
	Case  *assistant.Case `json:"case"`
	Event *importEvent    `json:"event"`
}

// importEvent is an event line: the event as POST /v1/cases/{id}/events takes it,
// plus the case's external id and an optional external id of the event itself.
type importEvent struct {
	CaseExternalID string              `json:"case_external_id"`
	ExternalID     string              `json:"external_id"`
	Kind           assistant.EventKind `json:"kind"`
	Direction      string              `json:"direction"`
	Channel        string              `json:"channel"`
	Text           string              `json:"text"`
	Amount         *assistant.Money    `json:"amount"`
	At             time.Time           `json:"at"`
	Analysis       *assistant.Analysis `json:"analysis"`
}

// Import loads cases and history from r, a JSONL file with one object per line:
//
//	{"case": {"external_id": "C-1001", "debtor": {"name": "王芳"}, "jurisdiction": "CN",
//	          "balance": {"amount": "20000.00", "currency": "CNY"}, ...}}
//	{"event": {"case_external_id": "C-1001", "external_id": "msg-77", "kind": "message",
//	           "direction": "inbound", "channel": "sms", "text": "下个月发工资就还",
//	           "at": "2026-11-01T10:00:00Z"}}
//
// A case line holds a case as POST /v1/cases takes it; it is normalised, validated
// and upserted by external_id, so a later line for the same case updates it. An event
// line names its case by case_external_id, which a case line earlier in the file or
// an earlier import must have created; the other fields are those of POST
// /v1/cases/{id}/events ("analysis" may carry a precomputed analysis). Events of a
// case are stored in file order. Blank lines are ignored.
//
// Bad lines (malformed JSON, invalid case or event, unknown case) are reported in
// ImportReport.Rejected with their line number and reason and do not stop the import.
// Errors of the database or of ctx stop it; what was committed stays.
//
// Import is resumable: an event's id is derived from its case's external id and its
// own external_id (or, without one, a hash of the line), so re-running a file, whole
// or after an interruption, skips the events already stored. Two identical event
// lines without external_id are therefore one event.
//
// Texts are embedded with emb in batches (nil means the builtin hash embedder); its
// dimension and name must match the store's (`parley reembed` changes them). Events
// and embeddings are loaded with COPY, importBatch per transaction. Progress lines go
// to progress (nil for none) every ImportProgressEvery lines.
//
// Import does not analyse messages or derive segments, risk tiers and promises: that
// is the service's work, for the cases that need it.
func (s *Store) Import(ctx context.Context, r io.Reader, emb assistant.Embedder, progress io.Writer) (ImportReport, error) {
	const op = "retrieval/postgres.Import"
	start := time.Now()
	if emb == nil {
		emb = retrieval.NewHashEmbedder(s.Dimension())
	}
	if progress == nil {
		progress = io.Discard
	}
	if err := s.claimModel(ctx, emb.Name(), emb.Dimension()); err != nil {
		return ImportReport{}, err
	}
	im := &importer{s: s, emb: emb, progress: progress, caseIDs: map[string]string{}, seen: map[string]bool{}}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM event_embeddings`).Scan(&im.existing); err != nil {
		return ImportReport{}, assistant.Internal(op, err)
	}
	err := im.run(ctx, r)
	if im.indexDropped {
		// Even after a failure: the index must come back (Open with Migrate also
		// rebuilds it, should this process die first).
		fmt.Fprintf(progress, "import: building the HNSW index\n")
		if ierr := s.buildHNSW(context.WithoutCancel(ctx)); ierr != nil && err == nil {
			err = ierr
		} else if ierr == nil {
			im.report.IndexRebuilt = true
		}
	}
	if err == nil {
		if perr := s.RefreshPopular(ctx); perr != nil {
			err = perr
		}
	}
	im.report.Elapsed = time.Since(start)
	fmt.Fprintf(progress, "import: done in %s: %s\n", im.report.Elapsed.Round(time.Millisecond), im.summary())
	if err != nil {
		var ae *assistant.Error
		if errors.As(err, &ae) {
			return im.report, err
		}
		return im.report, assistant.Internal(op, err)
	}
	return im.report, nil
}

type importer struct {
	s            *Store
	emb          assistant.Embedder
	progress     io.Writer
	report       ImportReport
	caseIDs      map[string]string // external id -> id
	seen         map[string]bool   // event ids in the current batch
	batch        []pendingEvent
	indexDropped bool
	existing     int // embeddings stored before this run
	started      time.Time
}

type pendingEvent struct {
	line int
	ev   assistant.Event
}

func (im *importer) reject(line int, reason string) {
	im.report.RejectedCount++
	if len(im.report.Rejected) < MaxRejectedLines {
		im.report.Rejected = append(im.report.Rejected, RejectedLine{Line: line, Reason: reason})
	}
}

func (im *importer) summary() string {
	r := im.report
	return fmt.Sprintf("%d lines, %d cases created, %d updated, %d events inserted, %d skipped, %d lines rejected",
		r.Lines, r.CasesCreated, r.CasesUpdated, r.EventsInserted, r.EventsSkipped, r.RejectedCount)
}

func (im *importer) run(ctx context.Context, r io.Reader) error {
	im.started = time.Now()
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for {
		line, tooLong, err := readLine(br, &buf)
		if len(line) > 0 || tooLong || err == nil {
			im.report.Lines++
			n := im.report.Lines
			switch {
			case tooLong:
				im.reject(n, fmt.Sprintf("line is longer than %d bytes", MaxImportLine))
			case len(bytes.TrimSpace(line)) > 0:
				if err := im.handle(ctx, n, line); err != nil {
					return err
				}
			}
			if n%ImportProgressEvery == 0 {
				rate := float64(im.report.EventsInserted) / time.Since(im.started).Seconds()
				fmt.Fprintf(im.progress, "import: %s (%.0f events/s)\n", im.summary(), rate)
			}
		}
		if err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("read line %d: %w", im.report.Lines+1, err)
		}
	}
	return im.flush(ctx)
}

// readLine returns the next line without its newline. A line longer than
// MaxImportLine is consumed and reported as tooLong. err is io.EOF after the last
// line.
func readLine(br *bufio.Reader, buf *[]byte) (line []byte, tooLong bool, err error) {
	*buf = (*buf)[:0]
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return *buf, tooLong, err
		}
		if !tooLong {
			if len(*buf)+len(chunk) > MaxImportLine {
				tooLong, *buf = true, (*buf)[:0]
			} else {
				*buf = append(*buf, chunk...)
			}
		}
		if !isPrefix {
			return *buf, tooLong, nil
		}
	}
}

func (im *importer) handle(ctx context.Context, n int, raw []byte) error {
	var l importLine
	if err := json.Unmarshal(raw, &l); err != nil {
		im.reject(n, "malformed JSON: "+err.Error())
		return nil
	}
	switch {
	case l.Case != nil && l.Event != nil:
		im.reject(n, `a line holds either "case" or "event", not both`)
	case l.Case != nil:
		return im.handleCase(ctx, n, l.Case)
	case l.Event != nil:
		return im.handleEvent(ctx, n, raw, l.Event)
	default:
		im.reject(n, `line has neither "case" nor "event"`)
	}
	return nil
}

func (im *importer) handleCase(ctx context.Context, n int, c *assistant.Case) error {
	// The id and derived fields are the store's; a file cannot set them.
	c.ID, c.CreatedAt, c.UpdatedAt = "", time.Time{}, time.Time{}
	c.Normalize()
	stored, created, err := im.s.UpsertCase(ctx, c)
	if code := assistant.ErrorCode(err); code == assistant.EINVALID {
		im.reject(n, "invalid case: "+assistant.ErrorMessage(err))
		return nil
	} else if err != nil {
		return err
	}
	im.caseIDs[stored.ExternalID] = stored.ID
	if created {
		im.report.CasesCreated++
	} else {
		im.report.CasesUpdated++
	}
	return nil
}

// validateImportEvent applies the rules the service applies to a client's event.
func validateImportEvent(e *importEvent) error {
	if strings.TrimSpace(e.CaseExternalID) == "" {
		return assistant.Invalid("case_external_id", "case_external_id is required")
	}
	if !slices.Contains(assistant.EventKinds, e.Kind) {
		return assistant.Invalid("kind", "kind must be one of message, call, note, payment, promise")
	}
	if e.Direction != "" && e.Direction != "inbound" && e.Direction != "outbound" {
		return assistant.Invalid("direction", "direction must be inbound or outbound")
	}
	if e.Channel != "" && !slices.Contains(assistant.Channels, e.Channel) {
		return assistant.Invalid("channel", "channel must be one of %s", strings.Join(assistant.Channels, ", "))
	}
	if err := assistant.ValidateText("text", e.Text, e.Kind == assistant.EventMessage || e.Kind == assistant.EventNote); err != nil {
		return err
	}
	if (e.Kind == assistant.EventPayment || e.Kind == assistant.EventPromise) && e.Amount == nil {
		return assistant.Invalid("amount", "amount is required for %s events", e.Kind)
	}
	if e.At.IsZero() {
		return assistant.Invalid("at", "at is required")
	}
	return nil
}

// ImportEventID is the id Import gives an event: derived from the case's external id
// and the event's external id, or the line's content when it has none.
func ImportEventID(caseExternalID, eventExternalID string, line []byte) string {
	key := "id:" + eventExternalID
	if eventExternalID == "" {
		sum := sha256.Sum256(bytes.TrimSpace(line))
		key = "line:" + hex.EncodeToString(sum[:])
	}
	h := sha256.Sum256([]byte("parley-import-v1\x00" + caseExternalID + "\x00" + key))
	return "evt_" + hex.EncodeToString(h[:12])
}

func (im *importer) handleEvent(ctx context.Context, n int, raw []byte, e *importEvent) error {
	if err := validateImportEvent(e); err != nil {
		im.reject(n, "invalid event: "+assistant.ErrorMessage(err))
		return nil
	}
	caseID, ok := im.caseIDs[e.CaseExternalID]
	if !ok {
		err := im.s.pool.QueryRow(ctx, `SELECT id FROM cases WHERE external_id = $1`, e.CaseExternalID).Scan(&caseID)
		if errors.Is(err, pgx.ErrNoRows) {
			im.reject(n, fmt.Sprintf("unknown case_external_id %q: its case line must come first", e.CaseExternalID))
			return nil
		} else if err != nil {
			return err
		}
		im.caseIDs[e.CaseExternalID] = caseID
	}
	id := ImportEventID(e.CaseExternalID, e.ExternalID, raw)
	if im.seen[id] {
		im.report.EventsSkipped++
		return nil
	}
	im.seen[id] = true
	im.batch = append(im.batch, pendingEvent{line: n, ev: assistant.Event{
		ID: id, CaseID: caseID, Kind: e.Kind, Direction: e.Direction, Channel: e.Channel, Text: e.Text,
		Amount: e.Amount, At: e.At.UTC().Truncate(time.Microsecond), Analysis: e.Analysis,
	}})
	if len(im.batch) >= importBatch {
		return im.flush(ctx)
	}
	return nil
}

// flush stores the batched events that are not stored yet: embeds their texts, then
// in one transaction reserves seqs on their cases and copies events and embeddings.
func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	batch := im.batch
	im.batch = im.batch[:0]
	clear(im.seen)

	ids := make([]string, len(batch))
	for i, p := range batch {
		ids[i] = p.ev.ID
	}
	rows, err := im.s.pool.Query(ctx, `SELECT id FROM events WHERE id = ANY($1)`, ids)
	if err != nil {
		return err
	}
	stored, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(stored) > 0 {
		have := make(map[string]bool, len(stored))
		for _, id := range stored {
			have[id] = true
		}
		batch = slices.DeleteFunc(batch, func(p pendingEvent) bool { return have[p.ev.ID] })
		im.report.EventsSkipped += len(stored)
	}
	if len(batch) == 0 {
		return nil
	}

	var texts []string
	var textIdx []int
	for i, p := range batch {
		if p.ev.Text != "" {
			texts = append(texts, p.ev.Text)
			textIdx = append(textIdx, i)
		}
	}
	vecs, err := im.emb.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed: %w", err)
	}
	if len(vecs) != len(texts) {
		return fmt.Errorf("embedder returned %d vectors for %d texts", len(vecs), len(texts))
	}
	for j, i := range textIdx {
		batch[i].ev.Embedding = vecs[j]
	}

	if n := im.report.EventsInserted + len(batch); !im.indexDropped && n >= dropIndexAfter && n >= im.existing/4 {
		fmt.Fprintf(im.progress, "import: large import, dropping the HNSW index until the end\n")
		if _, err := im.s.pool.Exec(ctx, `DROP INDEX IF EXISTS event_embeddings_hnsw`); err != nil {
			return err
		}
		im.indexDropped = true
	}

	// Count events per case, in first-seen order.
	counts := map[string]int64{}
	var caseIDs []string
	for _, p := range batch {
		if counts[p.ev.CaseID] == 0 {
			caseIDs = append(caseIDs, p.ev.CaseID)
		}
		counts[p.ev.CaseID]++
	}
	slices.Sort(caseIDs) // lock order, so concurrent importers cannot deadlock
	ns := make([]int64, len(caseIDs))
	for i, id := range caseIDs {
		ns[i] = counts[id]
	}
	created := now()
	model := im.emb.Name()
	keys, canonical, err := canonicalKeys(ctx, im.s.pool, "event_embeddings", batchVectors(batch))
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, im.s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM cases WHERE id = ANY($1) ORDER BY id FOR UPDATE`, caseIDs); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			UPDATE cases SET last_event_seq = cases.last_event_seq + r.n
			FROM unnest($1::text[], $2::bigint[]) AS r (id, n)
			WHERE cases.id = r.id
			RETURNING cases.id, cases.last_event_seq`, caseIDs, ns)
		if err != nil {
			return err
		}
		next := map[string]int64{} // next seq to give, per case
		var id string
		var last int64
		if _, err := pgx.ForEachRow(rows, []any{&id, &last}, func() error {
			next[id] = last - counts[id] + 1
			return nil
		}); err != nil {
			return err
		}
		evRows := make([][]any, 0, len(batch))
		embRows := make([][]any, 0, len(batch))
		for i := range batch {
			e := &batch[i].ev
			e.Seq = next[e.CaseID]
			next[e.CaseID]++
			e.CreatedAt = created
			vals, err := encodeEvent(e)
			if err != nil {
				return err
			}
			evRows = append(evRows, []any{e.ID, e.CaseID, e.Seq, string(e.Kind), e.Direction, e.Channel, e.Text,
				vals.amount, vals.currency, e.At, e.CreatedAt, vals.analysis})
			if e.Embedding != nil {
				j := len(embRows)
				embRows = append(embRows, []any{e.ID, e.CaseID, e.Seq, pgvector.NewVector(e.Embedding), keys[j], canonical[j], model})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"},
			[]string{"id", "case_id", "seq", "kind", "direction", "channel", "text", "amount_minor", "currency", "at", "created_at", "analysis"},
			pgx.CopyFromRows(evRows)); err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"event_embeddings"},
			[]string{"event_id", "case_id", "seq", "embedding", "vec_key", "canonical", "model"}, pgx.CopyFromRows(embRows))
		return err
	})
	if err != nil {
		return fmt.Errorf("store events of lines %d-%d: %w", batch[0].line, batch[len(batch)-1].line, err)
	}
	im.report.EventsInserted += len(batch)
	return nil
}

// batchVectors lists the batch's embeddings in order, skipping events without one.
func batchVectors(batch []pendingEvent) [][]float32 {
	var out [][]float32
	for _, p := range batch {
		if p.ev.Embedding != nil {
			out = append(out, p.ev.Embedding)
		}
	}
	return out
}

// canonicalKeys returns each vector's key and whether its row is to be canonical:
// the first of its key in vecs, and none stored in table already.
func canonicalKeys(ctx context.Context, q querier, table string, vecs [][]float32) ([]int64, []bool, error) {
	keys := make([]int64, len(vecs))
	for i, v := range vecs {
		keys[i] = vecKey(v)
	}
	var stored []int64
	var err error
	// Two fixed statements rather than a table name pasted into SQL.
	switch table {
	case "event_embeddings":
		stored, err = collectKeys(q.Query(ctx, `SELECT vec_key FROM event_embeddings WHERE vec_key = ANY($1) AND canonical`, keys))
	case "event_embeddings_next":
		stored, err = collectKeys(q.Query(ctx, `SELECT vec_key FROM event_embeddings_next WHERE vec_key = ANY($1) AND canonical`, keys))
	default:
		err = fmt.Errorf("canonicalKeys: unknown table %q", table)
	}
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[int64]bool, len(keys))
	for _, k := range stored {
		seen[k] = true
	}
	canonical := make([]bool, len(keys))
	for i, k := range keys {
		canonical[i] = !seen[k]
		seen[k] = true
	}
	return keys, canonical, nil
}

func collectKeys(rows pgx.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// buildHNSW builds the cross-case index if it is missing, with enough memory for
// the graph to be built in memory (much faster than on disk).
func (s *Store) buildHNSW(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var heapBytes int64
		if err := tx.QueryRow(ctx, `SELECT pg_relation_size('event_embeddings')`).Scan(&heapBytes); err != nil {
			return err
		}
		// The graph takes about the heap's size plus neighbour lists.
		mb := min(max(heapBytes*3/2>>20, 256), 8192)
		if _, err := tx.Exec(ctx, `SELECT set_config('maintenance_work_mem', $1, true)`, fmt.Sprintf("%dMB", mb)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT parley_ensure_hnsw()`)
		return err
	})
}
