// Package postgres is the PostgreSQL implementation of assistant.CaseStore, for real
// deployments: a pgx pool, pgvector for history embeddings (exact per-case search,
// HNSW for cross-case search), embedded SQL migrations, bulk import and re-embedding.
//
// It passes retrieval/retrievaltest, like the in-memory store. PostgreSQL 15+ with
// pgvector 0.8+ is expected (scripts/setup-pgvector.sh sets one up on Debian).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
)

// Options configures Open.
type Options struct {
	// Dimension is the embedding dimension the caller's embedder produces. A new
	// database takes it (retrieval.DefaultHashDimension when 0); an existing one must
	// match it, or Open fails telling the operator to run `parley reembed`. 0 on an
	// existing database accepts whatever it has.
	Dimension int
	// EmbeddingModel is the caller's embedder name (assistant.Embedder.Name). When set
	// and the database records another model, Open fails as for a dimension mismatch:
	// vectors from different models are not comparable even at equal dimension.
	EmbeddingModel string
	// Migrate applies pending migrations before opening (what `parley migrate` does).
	// Without it, Open fails when migrations are pending.
	Migrate bool
	// Schema, when set, puts Parley's tables in this existing schema (search_path is
	// "Schema, public"; pgvector stays where it is installed, normally public). Tests
	// use one schema each.
	Schema string
	// EfSearch is hnsw.ef_search for SimilarCases: higher finds more of the true
	// nearest cases and takes longer. 0 means DefaultEfSearch.
	EfSearch int
}

// DefaultEfSearch is SimilarCases' HNSW candidate list size (pgvector's default is
// 40); see the benchmarks for what it buys.
const DefaultEfSearch = 100

// Store is a PostgreSQL-backed assistant.CaseStore. Safe for concurrent use.
type Store struct {
	pool     *pgxpool.Pool
	efSearch string // hnsw.ef_search for SimilarCases

	mu    sync.RWMutex
	dim   int    // embedding dimension recorded in parley_meta
	model string // embedding model recorded in parley_meta ("" = not yet known)
}

var _ assistant.CaseStore = (*Store)(nil)

// Meta keys in parley_meta.
const (
	metaDimension = "embedding_dimension"
	metaModel     = "embedding_model"
)

// ErrDimensionMismatch is returned (wrapped) by Open when the configured embedding
// dimension or model differs from the database's.
var ErrDimensionMismatch = errors.New("embedding configuration differs from the stored embeddings")

// Open connects to dsn (a PostgreSQL URL or key=value string; pgxpool settings such
// as pool_max_conns are honoured), optionally migrates, and checks the embedding
// dimension. Close the store when done.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	const op = "retrieval/postgres.Open"
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: parse database URL: %w", op, err)
	}
	if opts.Schema != "" {
		// A GUC value, not SQL: the identifier is quoted so any schema name works.
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize() + ", public"
	}
	if opts.Dimension < 0 || opts.Dimension > 2000 {
		return nil, fmt.Errorf("%s: embedding dimension %d is outside 1..2000", op, opts.Dimension)
	}
	if opts.Migrate {
		// One plain connection: the pool's AfterConnect needs the vector type, which
		// the first migration creates.
		conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
		if err != nil {
			return nil, fmt.Errorf("%s: connect: %w", op, err)
		}
		err = migrate(ctx, conn, opts)
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("%s: migrate: %w", op, err)
		}
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("register pgvector types (is the vector extension installed? run `parley migrate`): %w", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ef := opts.EfSearch
	if ef <= 0 {
		ef = DefaultEfSearch
	}
	s := &Store{pool: pool, efSearch: strconv.Itoa(min(ef, 1000))}
	if err := s.check(ctx, opts); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return s, nil
}

// check verifies that the schema is migrated and that the embedding configuration
// matches, and loads the stored dimension and model.
func (s *Store) check(ctx context.Context, opts Options) error {
	pending, err := pendingMigrations(ctx, s.pool)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("database schema is not up to date (pending migrations %v): run `parley migrate`", pending)
	}
	meta, err := s.meta(ctx)
	if err != nil {
		return err
	}
	dim, err := strconv.Atoi(meta[metaDimension])
	if err != nil || dim <= 0 {
		return fmt.Errorf("parley_meta has no valid %s (%q): run `parley migrate`", metaDimension, meta[metaDimension])
	}
	if opts.Dimension != 0 && opts.Dimension != dim {
		return fmt.Errorf("%w: stored embeddings have %d dimensions (model %q), the configured embedder %d: run `parley reembed` to recompute them with the configured embedder, or configure the embedder the database was filled with",
			ErrDimensionMismatch, dim, meta[metaModel], opts.Dimension)
	}
	model := meta[metaModel]
	if opts.EmbeddingModel != "" && model != "" && opts.EmbeddingModel != model {
		return fmt.Errorf("%w: stored embeddings were made by %q, the configured embedder is %q: run `parley reembed` to recompute them, or configure the embedder the database was filled with",
			ErrDimensionMismatch, model, opts.EmbeddingModel)
	}
	s.mu.Lock()
	s.dim, s.model = dim, model
	s.mu.Unlock()
	return nil
}

func (s *Store) meta(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM parley_meta`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var k, v string
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error { out[k] = v; return nil })
	return out, err
}

// Close closes the pool, waiting for connections in use to be released.
func (s *Store) Close() { s.pool.Close() }

// Pool returns the connection pool, for features that keep their own tables here
// (drafts, outbox, QA). The pool has pgvector types registered.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping implements assistant.CaseStore.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return &assistant.Error{Code: assistant.EUNAVAILABLE, Op: "retrieval/postgres.Ping", Message: "database unavailable", Err: err}
	}
	return nil
}

// Dimension returns the embedding dimension of the stored vectors.
func (s *Store) Dimension() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dim
}

// EmbeddingModel returns the name of the embedder the stored vectors were made with,
// "" when no import or re-embedding has recorded one.
func (s *Store) EmbeddingModel() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.model
}

// claimModel records name as the embedding model when none is recorded, and fails
// when another is.
func (s *Store) claimModel(ctx context.Context, name string, dim int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if dim != s.dim {
		return assistant.Errorf(assistant.EINVALID, "embedder %s makes %d-dimensional vectors, the store holds %d: run `parley reembed` first", name, dim, s.dim)
	}
	if s.model == name {
		return nil
	}
	if s.model != "" {
		return assistant.Errorf(assistant.EINVALID, "stored embeddings were made by %s, not %s: run `parley reembed` first", s.model, name)
	}
	// Only set it when still unset, so two importers cannot both claim.
	tag, err := s.pool.Exec(ctx, `INSERT INTO parley_meta (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
		WHERE parley_meta.value = '' OR parley_meta.value = EXCLUDED.value`, metaModel, name)
	if err != nil {
		return assistant.Internal("retrieval/postgres.claimModel", err)
	}
	if tag.RowsAffected() == 0 {
		return assistant.Errorf(assistant.EINVALID, "another embedding model was recorded meanwhile: reopen the store")
	}
	s.model = name
	return nil
}

// defaultDimension is what a new database gets when Options.Dimension is 0.
const defaultDimension = retrieval.DefaultHashDimension
