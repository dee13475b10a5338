package postgres_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/parley-dev/parley/retrieval"
	"github.com/parley-dev/parley/retrieval/postgres"
)

// Benchmarks run against PARLEY_TEST_DATABASE_URL with 20,000 events, or with
// 1,000,000 (10,000 cases of 100 events) when PARLEY_BENCH_LARGE=1:
//
//	PARLEY_BENCH_LARGE=1 go test ./retrieval/postgres -run '^$' -bench . -benchtime 1x -timeout 60m
//
// The import benchmark's data set is kept for the search benchmarks of the same run
// (the search benchmarks build it themselves, untimed, when run alone) and dropped
// when the run ends, unless PARLEY_BENCH_KEEP=1 keeps it for later runs:
//
//	PARLEY_BENCH_LARGE=1 PARLEY_BENCH_KEEP=1 go test ./retrieval/postgres -run '^$' -bench Import -benchtime 1x -timeout 60m
//	PARLEY_BENCH_LARGE=1 PARLEY_BENCH_KEEP=1 go test ./retrieval/postgres -run '^$' -bench 'Search|Similar' -benchtime 2000x
//
// Search latencies are measured per query and reported as p50/p95/p99 metrics.

// benchEfSearch is PARLEY_BENCH_EF_SEARCH, to compare settings; 0 is the default.
func benchEfSearch() int {
	n, _ := strconv.Atoi(os.Getenv("PARLEY_BENCH_EF_SEARCH"))
	return n
}

func benchSize() (cases, perCase int) {
	if os.Getenv("PARLEY_BENCH_LARGE") == "1" {
		return 10_000, 100
	}
	return 400, 50
}

// dataset writes a synthetic portfolio as an import file: bilingual collection
// messages from templates, each case leaning to one topic so that similar-case search
// has something to find. All case lines come first, then the events round by round
// (every case's first event, then every case's second, ...), so that, as in real
// life, a case's events are scattered over the table rather than stored together.
// Deterministic for a seed.
func dataset(w io.Writer, cases, perCase int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 7))
	bw := bufio.NewWriterSize(w, 1<<20)
	base := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	topic := make([]int, cases)
	at := make([]time.Time, cases)
	for c := 0; c < cases; c++ {
		juris, cur, name := "US", "USD", enNames[r.IntN(len(enNames))]
		if c%2 == 0 {
			juris, cur, name = "CN", "CNY", zhNames[r.IntN(len(zhNames))]
		}
		fmt.Fprintf(bw, `{"case": {"external_id": "B-%07d", "debtor": {"name": %s}, "jurisdiction": %q, "creditor": "Bench Bank", "balance": {"amount": "%d.00", "currency": %q}, "days_past_due": %d}}`+"\n",
			c, jsonString(name), juris, 100+r.IntN(50000), cur, r.IntN(400))
		topic[c] = r.IntN(len(zhTopics))
		at[c] = base.Add(time.Duration(r.IntN(90*24)) * time.Hour)
	}
	for i := 0; i < perCase; i++ {
		for c := 0; c < cases; c++ {
			text := message(r, c%2 == 0, topic[c])
			kind, dir, ch := "message", "inbound", "sms"
			switch r.IntN(10) {
			case 0:
				kind, dir = "note", "outbound"
			case 1:
				kind, ch = "call", "call"
			case 2:
				dir = "outbound"
			}
			at[c] = at[c].Add(time.Duration(1+r.IntN(72)) * time.Hour)
			fmt.Fprintf(bw, `{"event": {"case_external_id": "B-%07d", "external_id": "e%d", "kind": %q, "direction": %q, "channel": %q, "text": %s, "at": %q}}`+"\n",
				c, i, kind, dir, ch, jsonString(text), at[c].Format(time.RFC3339))
		}
	}
	return bw.Flush()
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var (
	zhNames  = []string{"王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强"}
	enNames  = []string{"Ann Lee", "Bob Smith", "Carla Diaz", "Dan Wu", "Eve Brown", "Frank Hall"}
	zhTopics = [][]string{
		{"下个月发工资我就还%d元", "等%d号工资到账马上还", "发了工资第一时间还款,大概%d块"},
		{"能不能分%d期还款?", "我想申请分期,每月还%d元可以吗", "一次性还不上,能否分%d个月"},
		{"这笔钱不是我欠的,我要投诉", "我从来没有借过这%d元", "请提供欠款证明,我不认这笔%d元的账"},
		{"最近失业了,实在没钱还%d元", "家里有人生病住院,花了%d元,手头很紧", "公司倒闭了,%d个月没发工资"},
		{"别再打电话了,再打我就报警", "你们天天打%d个电话骚扰我", "不要联系我的家人,否则投诉到银保监会"},
		{"我昨天已经转账%d元了", "刚刚还了%d块,请查收", "已经通过支付宝还款%d元"},
	}
	enTopics = [][]string{
		{"I will pay $%d when I get my paycheck", "my salary comes on the %dth, I will pay then", "I can pay $%d next Friday after payday"},
		{"can I split this into %d payments?", "could we set up a payment plan of $%d a month", "I need an installment plan, maybe %d months"},
		{"this is not my debt, I never owed $%d", "I dispute this account, send me proof", "you have the wrong person, I never borrowed %d dollars"},
		{"I lost my job and cannot pay $%d right now", "medical bills of $%d wiped out my savings", "my hours were cut, I have been out of work %d weeks"},
		{"stop calling me or I will report you", "you called me %d times today, this is harassment", "do not contact my family or my employer again"},
		{"I paid $%d yesterday, please check", "payment of %d dollars sent this morning", "I already made the payment of $%d online"},
	}
	zhGeneric = []string{"好的,知道了", "你是谁?", "我现在在上班,晚点再说", "余额还剩多少?", "请把账单发给我", "我考虑一下"}
	enGeneric = []string{"ok thanks", "who is this?", "I am at work, call me later", "what is my balance?", "please email me the statement", "let me think about it"}
)

func message(r *rand.Rand, zh bool, topic int) string {
	topics, generic := enTopics, enGeneric
	if zh {
		topics, generic = zhTopics, zhGeneric
	}
	var t string
	switch n := r.IntN(10); {
	case n < 6:
		t = topics[topic][r.IntN(len(topics[topic]))]
	case n < 8:
		other := topics[r.IntN(len(topics))]
		t = other[r.IntN(len(other))]
	default:
		t = generic[r.IntN(len(generic))]
	}
	if strings.Contains(t, "%d") {
		t = fmt.Sprintf(t, 2+r.IntN(3000))
	}
	return t
}

// fixture is a populated store shared by the benchmarks of one run. With
// PARLEY_BENCH_KEEP=1 it lives in a schema named after its size that later runs
// reuse (drop it by hand when done), so search benchmarks can be re-run without
// importing again.
var fixture struct {
	mu      sync.Mutex
	store   *postgres.Store
	dsn     string
	schema  string
	caseIDs []string
}

func keepFixture() bool { return os.Getenv("PARLEY_BENCH_KEEP") == "1" }

func keptSchema() string {
	cases, perCase := benchSize()
	return fmt.Sprintf("parley_bench_keep_%d", cases*perCase)
}

func TestMain(m *testing.M) {
	code := m.Run()
	fixture.mu.Lock()
	if fixture.store != nil {
		fixture.store.Close()
		if !keepFixture() {
			dropSchema(fixture.dsn, fixture.schema)
		}
	}
	fixture.mu.Unlock()
	os.Exit(code)
}

// newBenchSchema creates a schema for a data set; TestMain or the caller drops it.
func newBenchSchema(b *testing.B, dsn string) string {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := "parley_bench_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, stmt := range []string{
		`CREATE EXTENSION IF NOT EXISTS vector SCHEMA public`,
		`CREATE SCHEMA ` + pgx.Identifier{schema}.Sanitize(),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
	return schema
}

func dropSchema(dsn, schema string) {
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, dsn); err == nil {
		_, _ = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		conn.Close(ctx)
	}
}

// importDataset imports a fresh data set into a new schema and returns the store.
func importDataset(b *testing.B, progress io.Writer) (*postgres.Store, string, postgres.ImportReport) {
	dsn := testDSN(b)
	schema := newBenchSchema(b, dsn)
	s, err := postgres.Open(context.Background(), dsn, postgres.Options{Dimension: retrieval.DefaultHashDimension, Migrate: true, Schema: schema, EfSearch: benchEfSearch()})
	if err != nil {
		dropSchema(dsn, schema)
		b.Fatal(err)
	}
	cases, perCase := benchSize()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(dataset(pw, cases, perCase, 1)) }()
	rep, err := s.Import(context.Background(), pr, retrieval.NewHashEmbedder(retrieval.DefaultHashDimension), progress)
	pr.Close()
	if err != nil {
		s.Close()
		dropSchema(dsn, schema)
		b.Fatal(err)
	}
	if rep.EventsInserted != cases*perCase || rep.RejectedCount != 0 {
		b.Fatalf("import report %+v", rep)
	}
	return s, schema, rep
}

// adopt makes a freshly imported store the shared fixture, or drops it when there
// is one already.
func adopt(b *testing.B, s *postgres.Store, schema string) {
	dsn := testDSN(b)
	fixture.mu.Lock()
	defer fixture.mu.Unlock()
	if fixture.store != nil {
		s.Close()
		dropSchema(dsn, schema)
		return
	}
	// Fresh statistics, as autovacuum would eventually give them.
	if _, err := s.Pool().Exec(context.Background(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	if keepFixture() {
		s.Close()
		kept := keptSchema()
		dropSchema(dsn, kept)
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		_, err = conn.Exec(context.Background(), `ALTER SCHEMA `+pgx.Identifier{schema}.Sanitize()+` RENAME TO `+pgx.Identifier{kept}.Sanitize())
		conn.Close(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if s, err = postgres.Open(context.Background(), dsn, postgres.Options{Schema: kept, EfSearch: benchEfSearch()}); err != nil {
			b.Fatal(err)
		}
		schema = kept
	}
	fixture.store, fixture.schema, fixture.dsn = s, schema, dsn
}

// populated returns the shared data set, importing it (untimed) when needed.
func populated(b *testing.B) (*postgres.Store, []string) {
	b.Helper()
	dsn := testDSN(b)
	fixture.mu.Lock()
	if fixture.store == nil && keepFixture() {
		cases, perCase := benchSize()
		s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: keptSchema(), EfSearch: benchEfSearch()})
		if err == nil {
			var n int
			if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM event_embeddings`).Scan(&n); err == nil && n == cases*perCase {
				fixture.store, fixture.schema, fixture.dsn = s, keptSchema(), dsn
				b.Logf("reusing the data set in schema %s", keptSchema())
			} else {
				s.Close()
			}
		}
	}
	have := fixture.store != nil
	fixture.mu.Unlock()
	if !have {
		b.StopTimer()
		b.Logf("building the data set for this benchmark (untimed)")
		s, schema, _ := importDataset(b, benchProgress(b))
		adopt(b, s, schema)
		b.StartTimer()
	}
	fixture.mu.Lock()
	defer fixture.mu.Unlock()
	if fixture.caseIDs == nil {
		rows, err := fixture.store.Pool().Query(context.Background(), `SELECT id FROM cases ORDER BY seq`)
		if err != nil {
			b.Fatal(err)
		}
		fixture.caseIDs, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			b.Fatal(err)
		}
	}
	return fixture.store, fixture.caseIDs
}

func BenchmarkImport(b *testing.B) {
	testDSN(b)
	cases, perCase := benchSize()
	for b.Loop() {
		start := time.Now()
		s, schema, rep := importDataset(b, benchProgress(b))
		elapsed := time.Since(start)
		b.ReportMetric(float64(cases*perCase)/elapsed.Seconds(), "events/s")
		b.ReportMetric(elapsed.Seconds(), "s/import")
		b.Logf("imported %d events in %s (index rebuilt: %v)", rep.EventsInserted, elapsed.Round(time.Second), rep.IndexRebuilt)
		adopt(b, s, schema)
	}
}

func benchProgress(b *testing.B) io.Writer {
	if testing.Verbose() {
		return os.Stderr
	}
	return io.Discard
}

// queryVectors embeds new messages (from another seed) as queries: as when an
// agent looks for cases like the debtor's latest message. Many repeat stored texts
// word for word, so dozens of cases tie for the top and "the" exact top 10 is an
// arbitrary pick among them; recall therefore counts a returned case as right when it
// is as similar as the exact tenth (recall@10-ties) as well as strictly.
func queryVectors(n int) [][]float32 { return makeQueries(n, 1) }

// joinedQueryVectors joins two new messages per query: texts found nowhere in the
// data set, near two template clusters at once, the hard case for a graph index.
func joinedQueryVectors(n int) [][]float32 { return makeQueries(n, 2) }

func makeQueries(n, parts int) [][]float32 {
	r := rand.New(rand.NewPCG(99, uint64(parts)))
	emb := retrieval.NewHashEmbedder(retrieval.DefaultHashDimension)
	out := make([][]float32, n)
	for i := range out {
		zh := i%2 == 0
		text := message(r, zh, r.IntN(len(zhTopics)))
		for p := 1; p < parts; p++ {
			text += " " + message(r, zh, r.IntN(len(zhTopics)))
		}
		out[i] = emb.EmbedText(text)
	}
	return out
}

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(int(p*float64(len(s))), len(s)-1)
	return float64(s[i].Microseconds()) / 1000
}

func reportLatency(b *testing.B, lat []time.Duration) {
	b.ReportMetric(percentile(lat, 0.50), "p50-ms")
	b.ReportMetric(percentile(lat, 0.95), "p95-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
}

// BenchmarkSearchEvents is per-case history search (exact, k=5) among all events.
func BenchmarkSearchEvents(b *testing.B) {
	s, caseIDs := populated(b)
	ctx := context.Background()
	qs := queryVectors(1000)
	r := rand.New(rand.NewPCG(5, 5))
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		id := caseIDs[r.IntN(len(caseIDs))]
		start := time.Now()
		hits, err := s.SearchEvents(ctx, id, qs[i%len(qs)], 5)
		lat = append(lat, time.Since(start))
		if err != nil || len(hits) != 5 {
			b.Fatalf("search: %d hits, %v", len(hits), err)
		}
	}
	reportLatency(b, lat)
}

// BenchmarkSimilarCases is cross-case search (HNSW, k=10, one case excluded), with
// recall@10 against an exact search over all embeddings.
func BenchmarkSimilarCases(b *testing.B) {
	s, caseIDs := populated(b)
	ctx := context.Background()
	qs := queryVectors(1000)
	r := rand.New(rand.NewPCG(6, 6))
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		exclude := caseIDs[r.IntN(len(caseIDs))]
		start := time.Now()
		got, err := s.SimilarCases(ctx, qs[i%len(qs)], 10, exclude)
		lat = append(lat, time.Since(start))
		if err != nil || len(got) != 10 {
			b.Fatalf("similar cases: %d, %v", len(got), err)
		}
	}
	b.StopTimer()
	reportLatency(b, lat)

	for _, set := range []struct {
		name string
		qs   [][]float32
	}{{"", qs}, {"-joined", joinedQueryVectors(100)}} {
		strict, ties := similarRecall(b, s, set.qs, caseIDs, 50)
		b.ReportMetric(strict, "recall@10"+set.name)
		b.ReportMetric(ties, "recall@10-ties"+set.name)
	}
}

// similarRecall compares SimilarCases with an exact search over all embeddings for
// samples queries. The exact query groups by case, which the HNSW index cannot
// serve, so the planner scans; no setting has to change (a SET would need a fresh
// connection, as pgx caches prepared statements and their plans).
func similarRecall(b *testing.B, s *postgres.Store, qs [][]float32, caseIDs []string, samples int) (strict, ties float64) {
	ctx := context.Background()
	for i := 0; i < samples; i++ {
		q := qs[(i*37)%len(qs)]
		exclude := caseIDs[(i*7919)%len(caseIDs)]
		got, err := s.SimilarCases(ctx, q, 10, exclude)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := s.Pool().Query(ctx, `
			SELECT case_id, 1 - min(embedding <=> $1) AS sim
			FROM event_embeddings WHERE case_id <> $2
			GROUP BY case_id ORDER BY sim DESC, case_id LIMIT 10`, pgvector.NewVector(q), exclude)
		if err != nil {
			b.Fatal(err)
		}
		type hit struct {
			id  string
			sim float64
		}
		var exact []hit
		var h hit
		if _, err := pgx.ForEachRow(rows, []any{&h.id, &h.sim}, func() error { exact = append(exact, h); return nil }); err != nil {
			b.Fatal(err)
		}
		want := map[string]bool{}
		for _, e := range exact {
			want[e.id] = true
		}
		floor := exact[len(exact)-1].sim - 1e-6
		var hitsStrict, hitsTie int
		for _, g := range got {
			if want[g.CaseID] {
				hitsStrict++
			}
			// A case that ties the exact tenth is as right as the one exact chose.
			if want[g.CaseID] || g.Similarity >= floor {
				hitsTie++
			}
		}
		strict += float64(hitsStrict) / float64(len(exact))
		ties += float64(min(hitsTie, len(exact))) / float64(len(exact))
	}
	return strict / float64(samples), ties / float64(samples)
}
