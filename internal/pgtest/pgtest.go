// Package pgtest gives tests a PostgreSQL schema of their own when
// STET_TEST_POSTGRES holds a DSN (postgres://user@127.0.0.1:5432/db): the
// storage suite, and the daemon's, run against PostgreSQL as well as SQLite.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// DSN is the PostgreSQL server the tests use, or "" for SQLite only.
func DSN() string { return os.Getenv("STET_TEST_POSTGRES") }

// Schema creates (once per test and key) a schema for key in the database
// dsn names, dropped when the test ends, and returns a DSN whose
// search_path starts with it; pg_trgm, which stet's search needs, is
// created in public for every schema to share.
func Schema(tb testing.TB, dsn, key string) string {
	tb.Helper()
	if strings.Contains(key, "search_path=stet_t_") {
		return key // already a test schema's DSN (a Store's Path)
	}
	sum := sha256.Sum256([]byte(tb.Name() + "\x00" + key))
	schema := "stet_t_" + hex.EncodeToString(sum[:8])
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var have bool
	if db.QueryRowContext(ctx, `SELECT true FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&have) != nil {
		db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
		tb.Fatalf("reach the test PostgreSQL (STET_TEST_POSTGRES): %v", err)
	}
	if n == 0 {
		if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				return
			}
			defer db.Close()
			db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		})
	}
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema + ",public"
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + url.QueryEscape(schema+",public")
}
