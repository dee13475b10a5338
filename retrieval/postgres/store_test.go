package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
	"github.com/parley-dev/parley/retrieval/postgres"
	"github.com/parley-dev/parley/retrieval/retrievaltest"
)

func mustCase(t *testing.T, s *postgres.Store, ext string) *assistant.Case {
	t.Helper()
	c, _, err := s.UpsertCase(context.Background(), retrievaltest.NewCase(ext))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func appendText(t *testing.T, s *postgres.Store, emb *retrieval.HashEmbedder, caseID, text string) *assistant.Event {
	t.Helper()
	e, err := s.AppendEvent(context.Background(), &assistant.Event{
		CaseID: caseID, Kind: assistant.EventMessage, Direction: "inbound", Channel: "sms",
		Text: text, At: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), Embedding: emb.EmbedText(text),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEventsAreImmutableInTheDatabase(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 8})
	ctx := context.Background()
	c := mustCase(t, s, "imm")
	e, err := s.AppendEvent(ctx, &assistant.Event{CaseID: c.ID, Kind: assistant.EventNote, Text: "called", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE events SET text = 'rewritten' WHERE id = $1`,
		`DELETE FROM events WHERE id = $1`,
	} {
		_, err := s.Pool().Exec(ctx, stmt, e.ID)
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: err = %v, want the immutability trigger", stmt, err)
		}
	}
	if _, err := s.Pool().Exec(ctx, `TRUNCATE events CASCADE`); err == nil {
		t.Error("TRUNCATE events succeeded")
	}
}

func TestOpenChecksEmbeddingConfiguration(t *testing.T) {
	dsn := testDSN(t)
	schema := NewSchema(t, dsn)
	ctx := context.Background()
	s := MustOpen(t, postgres.Options{Dimension: 8, EmbeddingModel: "builtin-hash-v1", Schema: schema})
	if s.Dimension() != 8 || s.EmbeddingModel() != "builtin-hash-v1" {
		t.Fatalf("dimension %d model %q", s.Dimension(), s.EmbeddingModel())
	}
	_, err := postgres.Open(ctx, dsn, postgres.Options{Dimension: 16, Schema: schema})
	if !errors.Is(err, postgres.ErrDimensionMismatch) || !strings.Contains(err.Error(), "parley reembed") || !strings.Contains(err.Error(), "8 dimensions") {
		t.Fatalf("Open with another dimension: %v", err)
	}
	_, err = postgres.Open(ctx, dsn, postgres.Options{Dimension: 8, EmbeddingModel: "openai:text-embedding-3-small", Schema: schema, Migrate: true})
	if !errors.Is(err, postgres.ErrDimensionMismatch) || !strings.Contains(err.Error(), "parley reembed") {
		t.Fatalf("Open with another model: %v", err)
	}
	// Dimension 0 takes what the database has; migrating again changes nothing.
	again, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Dimension() != 8 {
		t.Fatalf("reopened dimension %d, want 8", again.Dimension())
	}
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := again.Pool().QueryRow(ctx, `SELECT count(*) FROM parley_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Fatalf("%d migrations recorded (err %v), want %d", n, err, len(files))
	}
}

func TestOpenWithoutMigrateNeedsMigratedSchema(t *testing.T) {
	dsn := testDSN(t)
	schema := NewSchema(t, dsn)
	_, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err == nil || !strings.Contains(err.Error(), "parley migrate") {
		t.Fatalf("Open on an empty schema: %v, want a hint to run parley migrate", err)
	}
	s := MustOpen(t, postgres.Options{Schema: schema}) // migrates, default dimension
	if s.Dimension() != retrieval.DefaultHashDimension {
		t.Fatalf("default dimension %d", s.Dimension())
	}
}

func TestVectorsOfTheWrongDimensionAreInvalid(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 8})
	ctx := context.Background()
	c := mustCase(t, s, "dim")
	_, err := s.AppendEvent(ctx, &assistant.Event{CaseID: c.ID, Kind: assistant.EventNote, At: time.Now(), Embedding: make([]float32, 9)})
	if assistant.ErrorCode(err) != assistant.EINVALID {
		t.Fatalf("AppendEvent with 9 dimensions: %v", err)
	}
	if _, err := s.SearchEvents(ctx, c.ID, make([]float32, 7), 3); assistant.ErrorCode(err) != assistant.EINVALID {
		t.Fatalf("SearchEvents with 7 dimensions: %v", err)
	}
	if _, err := s.SimilarCases(ctx, make([]float32, 7), 3, ""); assistant.ErrorCode(err) != assistant.EINVALID {
		t.Fatalf("SimilarCases with 7 dimensions: %v", err)
	}
}

func TestSearchWithZeroVectorsAndNoLimit(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 16})
	emb := retrieval.NewHashEmbedder(16)
	ctx := context.Background()
	c := mustCase(t, s, "zero")
	empty := appendText(t, s, emb, c.ID, "?!")       // no features: the zero vector
	pay := appendText(t, s, emb, c.ID, "I will pay") // a real one
	appendText(t, s, emb, c.ID, "wrong number")
	hits, err := s.SearchEvents(ctx, c.ID, emb.EmbedText("pay"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].Event.ID != pay.ID {
		t.Fatalf("hits = %v", hits)
	}
	for _, h := range hits {
		if math.IsNaN(h.Similarity) {
			t.Fatalf("NaN similarity for %q", h.Event.Text)
		}
		if h.Event.ID == empty.ID && h.Similarity != 0 {
			t.Fatalf("zero vector similarity %v, want 0", h.Similarity)
		}
		if len(h.Event.Embedding) != 16 {
			t.Fatalf("event without its embedding: %v", h.Event)
		}
	}
	// A zero query vector matches nothing better than anything else: seq order.
	hits, err = s.SearchEvents(ctx, c.ID, make([]float32, 16), 2)
	if err != nil || len(hits) != 2 || hits[0].Event.Seq != 1 || hits[0].Similarity != 0 {
		t.Fatalf("zero query: %v %v", hits, err)
	}
}

func TestSimilarCases(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 64})
	emb := retrieval.NewHashEmbedder(64)
	ctx := context.Background()
	topics := map[string][]string{
		"plan":    {"can I pay in three installments", "I need a payment plan"},
		"dispute": {"this is not my debt", "I dispute this debt, send proof"},
		"cease":   {"stop calling me", "do not contact me again"},
	}
	ids := map[string]string{}
	for name, texts := range topics {
		c := mustCase(t, s, name)
		ids[name] = c.ID
		for _, text := range texts {
			appendText(t, s, emb, c.ID, text)
		}
	}
	got, err := s.SimilarCases(ctx, emb.EmbedText("I want a payment plan with installments"), 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].CaseID != ids["plan"] || got[0].EventID == "" || got[0].Similarity <= got[1].Similarity {
		t.Fatalf("similar cases = %+v, want plan first", got)
	}
	got, err = s.SimilarCases(ctx, emb.EmbedText("I want a payment plan with installments"), 10, ids["plan"])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("excluding one of three cases left %d", len(got))
	}
	for _, g := range got {
		if g.CaseID == ids["plan"] {
			t.Fatal("excluded case returned")
		}
	}
}

// Thousands of identical vectors must neither crowd the index nor hide a rare match.
func TestSimilarCasesWithDuplicateTexts(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 64})
	ctx := context.Background()
	var lines []string
	for c := 0; c < 300; c++ {
		lines = append(lines, fmt.Sprintf(`{"case": {"external_id": "D-%d", "debtor": {"name": "D"}, "jurisdiction": "CN", "balance": {"amount": "10", "currency": "CNY"}}}`, c))
		for i, text := range []string{"好的", "who is this?", "好的"} {
			lines = append(lines, fmt.Sprintf(`{"event": {"case_external_id": "D-%d", "external_id": "%d", "kind": "message", "text": %q, "at": "2026-11-01T10:00:00Z"}}`, c, i, text))
		}
	}
	lines = append(lines, `{"event": {"case_external_id": "D-7", "external_id": "rare", "kind": "message", "text": "我的律师会联系你们", "at": "2026-11-02T10:00:00Z"}}`)
	if _, err := s.Import(ctx, importFile(lines...), nil, nil); err != nil {
		t.Fatal(err)
	}
	var canonical int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM event_embeddings WHERE canonical`).Scan(&canonical); err != nil || canonical != 3 {
		t.Fatalf("%d canonical vectors (err %v), want 3 distinct texts", canonical, err)
	}
	emb := retrieval.NewHashEmbedder(64)
	got, err := s.SimilarCases(ctx, emb.EmbedText("律师"), 3, "")
	if err != nil || len(got) == 0 || !strings.HasPrefix(got[0].EventID, "evt_") || got[0].Similarity <= 0 {
		t.Fatalf("rare match: %+v %v", got, err)
	}
	var ext string
	if err := s.Pool().QueryRow(ctx, `SELECT external_id FROM cases WHERE id = $1`, got[0].CaseID).Scan(&ext); err != nil || ext != "D-7" {
		t.Fatalf("best case %s (%v), want D-7", ext, err)
	}
	got, err = s.SimilarCases(ctx, emb.EmbedText("好的"), 10, "")
	if err != nil || len(got) != 10 {
		t.Fatalf("common text: %d cases, %v", len(got), err)
	}
	seen := map[string]bool{}
	for _, g := range got {
		if g.Similarity < 0.999 || seen[g.CaseID] {
			t.Fatalf("common text results: %+v", got)
		}
		seen[g.CaseID] = true
	}
}

func importFile(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n") + "\n")
}

func TestImport(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 32})
	emb := retrieval.NewHashEmbedder(32)
	ctx := context.Background()
	lines := []string{
		`{"case": {"external_id": "C-1", "debtor": {"name": "王芳"}, "jurisdiction": "CN", "balance": {"amount": "20000.00", "currency": "CNY"}}}`,
		`{"event": {"case_external_id": "C-1", "external_id": "m1", "kind": "message", "direction": "inbound", "channel": "sms", "text": "下个月发工资就还", "at": "2026-11-01T10:00:00Z"}}`,
		``,
		`{"event": {"case_external_id": "C-1", "kind": "payment", "amount": {"amount": "500.00", "currency": "CNY"}, "at": "2026-11-02T10:00:00Z"}}`,
		`{"event": {"case_external_id": "C-1", "kind": "message", "direction": "inbound", "text": "能不能分三期?", "at": "2026-11-03T10:00:00Z"}}`,
		`not json`,
		`{"event": {"case_external_id": "C-404", "kind": "note", "text": "x", "at": "2026-11-01T10:00:00Z"}}`,
		`{"event": {"case_external_id": "C-1", "kind": "gossip", "text": "x", "at": "2026-11-01T10:00:00Z"}}`,
		`{"event": {"case_external_id": "C-1", "kind": "payment", "at": "2026-11-01T10:00:00Z"}}`,
		`{"case": {"external_id": "C-2", "debtor": {"name": ""}, "jurisdiction": "US", "balance": {"amount": "1", "currency": "USD"}}}`,
		`{"something": 1}`,
		`{"case": {"external_id": "C-3", "debtor": {"name": "Ann Lee"}, "jurisdiction": "US", "balance": {"amount": "120.50", "currency": "USD"}}}`,
		`{"event": {"case_external_id": "C-3", "kind": "message", "direction": "inbound", "channel": "email", "text": "I can pay $50 a month", "at": "2026-11-01T10:00:00Z"}}`,
		`{"event": {"case_external_id": "C-3", "kind": "message", "direction": "inbound", "channel": "email", "text": "I can pay $50 a month", "at": "2026-11-01T10:00:00Z"}}`,
	}
	var progress strings.Builder
	rep, err := s.Import(ctx, importFile(lines...), emb, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lines != len(lines) || rep.CasesCreated != 2 || rep.EventsInserted != 4 || rep.EventsSkipped != 1 || rep.RejectedCount != 6 {
		t.Fatalf("report = %+v", rep)
	}
	wantLines := []int{6, 7, 8, 9, 10, 11}
	for i, r := range rep.Rejected {
		if r.Line != wantLines[i] || r.Reason == "" {
			t.Errorf("rejected[%d] = %+v, want line %d", i, r, wantLines[i])
		}
	}
	if !strings.Contains(rep.Rejected[1].Reason, "C-404") || !strings.Contains(rep.Rejected[3].Reason, "amount") {
		t.Errorf("reasons do not say what is wrong: %+v", rep.Rejected)
	}
	if !strings.Contains(progress.String(), "import: done") {
		t.Errorf("no progress written: %q", progress.String())
	}

	page, err := s.ListCases(ctx, assistant.CaseFilter{Jurisdiction: "CN"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("cases: %v %v", page.Items, err)
	}
	cn := page.Items[0]
	if cn.Debtor.Timezone != "Asia/Shanghai" || cn.Debtor.Language != "zh" {
		t.Errorf("imported case not normalised: %+v", cn.Debtor)
	}
	evs, err := s.ListEvents(ctx, cn.ID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs.Items) != 3 || evs.Items[0].Text != "下个月发工资就还" || evs.Items[1].Amount == nil || evs.Items[1].Amount.Amount() != "500.00" || evs.Items[2].Seq != 3 {
		t.Fatalf("imported events: %+v", evs.Items)
	}
	if evs.Items[1].Embedding != nil || len(evs.Items[0].Embedding) != 32 {
		t.Fatalf("embeddings: payment %v, message %d dims", evs.Items[1].Embedding, len(evs.Items[0].Embedding))
	}
	hits, err := s.SearchEvents(ctx, cn.ID, emb.EmbedText("分期"), 1)
	if err != nil || len(hits) != 1 || hits[0].Event.Text != "能不能分三期?" {
		t.Fatalf("search after import: %v %v", hits, err)
	}

	// Re-running the file stores nothing new; a live append then continues the seqs.
	rep, err = s.Import(ctx, importFile(lines...), emb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsInserted != 0 || rep.EventsSkipped != 5 || rep.CasesUpdated != 2 || rep.CasesCreated != 0 {
		t.Fatalf("second run: %+v", rep)
	}
	e := appendText(t, s, emb, cn.ID, "已转账")
	if e.Seq != 4 {
		t.Fatalf("seq after import %d, want 4", e.Seq)
	}

	// Another embedder is refused before anything is read.
	if _, err := s.Import(ctx, importFile(lines...), retrieval.NewHashEmbedder(16), nil); assistant.ErrorCode(err) != assistant.EINVALID {
		t.Fatalf("import with a 16-dimensional embedder: %v", err)
	}
}

func TestImportResumes(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 16})
	ctx := context.Background()
	var lines []string
	for c := 0; c < 3; c++ {
		lines = append(lines, fmt.Sprintf(`{"case": {"external_id": "R-%d", "debtor": {"name": "D %d"}, "jurisdiction": "US", "balance": {"amount": "10", "currency": "USD"}}}`, c, c))
		for i := 0; i < 40; i++ {
			lines = append(lines, fmt.Sprintf(`{"event": {"case_external_id": "R-%d", "kind": "note", "text": "note %d of case %d", "at": "2026-11-01T10:00:00Z"}}`, c, i, c))
		}
	}
	// An interrupted run: only the first half of the file got in.
	half := len(lines) / 2
	first, err := s.Import(ctx, importFile(lines[:half]...), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(ctx, importFile(lines...), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsSkipped != first.EventsInserted || first.EventsInserted+rep.EventsInserted != 120 {
		t.Fatalf("first run %+v, resumed %+v", first, rep)
	}
	page, err := s.ListCases(ctx, assistant.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		evs, err := s.ListEvents(ctx, c.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs.Items) != 40 {
			t.Fatalf("case %s has %d events, want 40", c.ExternalID, len(evs.Items))
		}
		for i, e := range evs.Items {
			if e.Seq != int64(i+1) || e.Text != fmt.Sprintf("note %d of case %s", i, strings.TrimPrefix(c.ExternalID, "R-")) {
				t.Fatalf("case %s event %d: seq %d text %q", c.ExternalID, i, e.Seq, e.Text)
			}
		}
	}
	if got := s.EmbeddingModel(); got != retrieval.HashEmbedderName {
		t.Fatalf("model recorded %q", got)
	}
}

func TestImportRejectsOverlongLines(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 8})
	long := `{"case": {"external_id": "` + strings.Repeat("x", postgres.MaxImportLine) + `"}}`
	rep, err := s.Import(context.Background(), importFile(long, `{"case": {"external_id": "ok", "debtor": {"name": "A"}, "jurisdiction": "US", "balance": {"amount": "1", "currency": "USD"}}}`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RejectedCount != 1 || rep.Rejected[0].Line != 1 || rep.CasesCreated != 1 {
		t.Fatalf("report %+v", rep)
	}
}

func TestReembedChangesDimension(t *testing.T) {
	dsn := testDSN(t)
	schema := NewSchema(t, dsn)
	ctx := context.Background()
	s := MustOpen(t, postgres.Options{Dimension: 16, Schema: schema})
	old := retrieval.NewHashEmbedder(16)
	c := mustCase(t, s, "re")
	for _, text := range []string{"I will pay next week", "stop calling me", "can we split it into installments"} {
		appendText(t, s, old, c.ID, text)
	}
	if _, err := s.AppendEvent(ctx, &assistant.Event{CaseID: c.ID, Kind: assistant.EventNote, Text: "no embedding", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	next := retrieval.NewHashEmbedder(48)
	var progress strings.Builder
	if err := s.Reembed(ctx, next, &progress); err != nil {
		t.Fatalf("Reembed: %v\n%s", err, progress.String())
	}
	if s.Dimension() != 48 || s.EmbeddingModel() != retrieval.HashEmbedderName {
		t.Fatalf("after reembed: dimension %d model %q", s.Dimension(), s.EmbeddingModel())
	}
	hits, err := s.SearchEvents(ctx, c.ID, next.EmbedText("installments"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].Event.Text != "can we split it into installments" || len(hits[0].Event.Embedding) != 48 {
		t.Fatalf("search after reembed: %v", hits)
	}
	// New appends use the new dimension; cross-case search uses the new index.
	appendText(t, s, next, c.ID, "paid today")
	if _, err := s.SimilarCases(ctx, next.EmbedText("paid"), 5, ""); err != nil {
		t.Fatal(err)
	}
	var hnsw bool
	if err := s.Pool().QueryRow(ctx, `SELECT to_regclass('event_embeddings_hnsw') IS NOT NULL AND to_regclass('event_embeddings_next') IS NULL`).Scan(&hnsw); err != nil || !hnsw {
		t.Fatalf("index or shadow table wrong after swap (err %v)", err)
	}
	// The database now says 48: opening with 16 is refused, with 48 accepted.
	if _, err := postgres.Open(ctx, dsn, postgres.Options{Dimension: 16, Schema: schema}); !errors.Is(err, postgres.ErrDimensionMismatch) {
		t.Fatalf("Open(16) after reembed: %v", err)
	}
	s2, err := postgres.Open(ctx, dsn, postgres.Options{Dimension: 48, EmbeddingModel: retrieval.HashEmbedderName, Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	// Running it again (same embedder) is harmless.
	if err := s.Reembed(ctx, next, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM event_embeddings`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d embeddings after second reembed (err %v), want 4", n, err)
	}
}

// The store's statements must survive a table swap on other pooled connections.
func TestReembedWhileSearching(t *testing.T) {
	s := MustOpen(t, postgres.Options{Dimension: 16})
	ctx := context.Background()
	emb := retrieval.NewHashEmbedder(16)
	c := mustCase(t, s, "busy")
	for i := 0; i < 50; i++ {
		appendText(t, s, emb, c.ID, fmt.Sprintf("message number %d", i))
	}
	stop := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			dim := s.Dimension()
			_, err := s.SearchEvents(ctx, c.ID, retrieval.NewHashEmbedder(dim).EmbedText("message"), 3)
			// A search racing the swap may see the old dimension once; nothing else.
			if err != nil && !strings.Contains(err.Error(), "dimension") {
				errs <- err
				return
			}
		}
	}()
	err := s.Reembed(ctx, retrieval.NewHashEmbedder(24), nil)
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	for err := range errs {
		t.Fatalf("search during reembed: %v", err)
	}
	if _, err := s.SearchEvents(ctx, c.ID, retrieval.NewHashEmbedder(24).EmbedText("message"), 3); err != nil {
		t.Fatal(err)
	}
}

var _ = pgx.ErrNoRows
