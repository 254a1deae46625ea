package storage

import (
	"context"
	"database/sql"
	"regexp"
	"testing"

	"github.com/stet/stet/internal/pgtest"
)

// The storage tests run against SQLite, and also against PostgreSQL when
// STET_TEST_POSTGRES holds a DSN (postgres://user@127.0.0.1:5432/db):
// OpenForTest then gives each database path of a test its own schema in
// that database, dropped when the test ends, so a test that reopens a path
// reopens the same data.

// PostgresTestDSN is the DSN of the PostgreSQL server the tests use, or "".
func PostgresTestDSN() string { return pgtest.DSN() }

// OpenForTest opens the test database at path: the SQLite file, or its
// PostgreSQL schema.
func OpenForTest(tb testing.TB, path string) (*Store, error) {
	tb.Helper()
	dsn := PostgresTestDSN()
	if dsn == "" {
		return Open(tb.Context(), path)
	}
	s, err := OpenPostgres(tb.Context(), PostgresTestSchema(tb, dsn, path))
	if err == nil {
		s.path = path // so that RawForTest(tb, s.Path()) finds the same schema
	}
	return s, err
}

// OpenReadOnlyForTest is OpenReadOnly of the test database at path.
func OpenReadOnlyForTest(tb testing.TB, path string) (*Store, error) {
	tb.Helper()
	dsn := PostgresTestDSN()
	if dsn == "" {
		return OpenReadOnly(tb.Context(), path)
	}
	s, err := OpenPostgresReadOnly(tb.Context(), PostgresTestSchema(tb, dsn, path))
	if err == nil {
		s.path = path
	}
	return s, err
}

// SQLiteOnly skips a test that is about SQLite's file when the tests run
// against PostgreSQL.
func SQLiteOnly(tb testing.TB) {
	tb.Helper()
	if PostgresTestDSN() != "" {
		tb.Skip("about the SQLite file; STET_TEST_POSTGRES is set")
	}
}

// PostgresTestSchema is pgtest.Schema.
func PostgresTestSchema(tb testing.TB, dsn, key string) string { return pgtest.Schema(tb, dsn, key) }

// RawDB is the bare database of a test, for what the Store does not
// expose; on PostgreSQL its statements are rewritten as the Store's are.
type RawDB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryRow(query string, args ...any) *sql.Row
	Exec(query string, args ...any) (sql.Result, error)
	Close() error
}

// RawForTest opens the test database at path with the bare driver.
func RawForTest(tb testing.TB, path string) RawDB {
	tb.Helper()
	var db RawDB
	if dsn := PostgresTestDSN(); dsn != "" {
		d, err := sql.Open("pgx", PostgresTestSchema(tb, dsn, path))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { d.Close() })
		db = &rawPG{dbh: &dbh{DB: d, pg: true}}
	} else {
		d, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { d.Close() })
		db = d
	}
	return db
}

type rawPG struct{ *dbh }

// blobLiteral is SQLite's x'…' blob literal, bytea's '\x…' in PostgreSQL.
var blobLiteral = regexp.MustCompile(`\bx'([0-9a-fA-F]*)'`)

func (r *rawPG) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.dbh.ExecContext(ctx, blobLiteral.ReplaceAllString(query, `'\x$1'::bytea`), args...)
}

func (r *rawPG) QueryRow(query string, args ...any) *sql.Row {
	return r.QueryRowContext(context.Background(), query, args...)
}

func (r *rawPG) Exec(query string, args ...any) (sql.Result, error) {
	return r.ExecContext(context.Background(), query, args...)
}
