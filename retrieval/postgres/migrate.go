package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrations are SQL files run once each, in name order, and recorded in
// parley_migrations. Released files are never edited: changes are new files.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key that serialises migrators (several replicas
// starting at once, or tests in parallel schemas creating the extension).
const migrationLock = 7_240_417_311

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/")
	}
	slices.Sort(names)
	return names, nil
}

// migrate applies pending migrations in one transaction, then gives a new database
// its embedding dimension.
func migrate(ctx context.Context, conn *pgx.Conn, opts Options) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS parley_migrations (
		name       text        PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	for _, name := range names {
		if applied[name] {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return err
		}
		// No arguments: pgx uses the simple protocol, which runs a file of statements.
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO parley_migrations (name) VALUES ($1)`, name); err != nil {
			return err
		}
	}
	var have string
	err = tx.QueryRow(ctx, `SELECT value FROM parley_meta WHERE key = $1`, metaDimension).Scan(&have)
	switch {
	case err == pgx.ErrNoRows:
		dim := opts.Dimension
		if dim == 0 {
			dim = defaultDimension
		}
		if _, err := tx.Exec(ctx, `SELECT parley_set_embedding_dimension($1)`, dim); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO parley_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, metaModel, opts.EmbeddingModel); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		// An interrupted bulk import may have left the HNSW index dropped.
		if n, _ := strconv.Atoi(have); n > 0 {
			if _, err := tx.Exec(ctx, `SELECT parley_ensure_hnsw()`); err != nil {
				return err
			}
		}
	}
	return tx.Commit(ctx)
}

func appliedMigrations(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT name FROM parley_migrations`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// pendingMigrations lists embedded migrations the database has not applied.
func pendingMigrations(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('parley_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return names, nil
	}
	applied, err := appliedMigrations(ctx, pool)
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, n := range names {
		if !applied[n] {
			pending = append(pending, n)
		}
	}
	return pending, nil
}
