package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval/postgres"
	"github.com/parley-dev/parley/retrieval/retrievaltest"
)

// testDSN returns PARLEY_TEST_DATABASE_URL. Without it the test is skipped, except in
// CI, where a silently skipped database suite would hide a broken store.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("PARLEY_TEST_DATABASE_URL")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("PARLEY_TEST_DATABASE_URL is required in CI")
		}
		tb.Skip("PostgreSQL tests need a database with pgvector: run `sudo scripts/setup-pgvector.sh` and set PARLEY_TEST_DATABASE_URL to the DSN it prints (postgres://postgres@127.0.0.1:5432/parley_test?sslmode=disable)")
	}
	return dsn
}

// NewSchema creates an empty schema for one test and drops it, with everything in it,
// when the test ends.
func NewSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to PARLEY_TEST_DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "parley_test_" + hex.EncodeToString(b[:])
	// The extension goes to public once, so dropping a test schema never drops it.
	// Identifiers cannot be parameters; this one is generated above and quoted.
	for _, stmt := range []string{
		`CREATE EXTENSION IF NOT EXISTS vector SCHEMA public`,
		`CREATE SCHEMA ` + pgx.Identifier{schema}.Sanitize(),
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			tb.Fatalf("%s: %v", stmt, err)
		}
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// MustOpen opens a migrated store in a fresh schema; dim 0 means the default.
func MustOpen(tb testing.TB, opts postgres.Options) *postgres.Store {
	tb.Helper()
	dsn := testDSN(tb)
	if opts.Schema == "" {
		opts.Schema = NewSchema(tb, dsn)
	}
	opts.Migrate = true
	s, err := postgres.Open(context.Background(), dsn, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

func TestContract(t *testing.T) {
	testDSN(t)
	// The suite's vectors have 8 dimensions.
	retrievaltest.Run(t, func(t *testing.T) assistant.CaseStore {
		return MustOpen(t, postgres.Options{Dimension: 8})
	})
}
