package storage

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// testDBH is a dbh over a new SQLite file with one table t(id, v).
func testDBH(t *testing.T) *dbh {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	d := &dbh{DB: db}
	t.Cleanup(func() { d.Close() })
	if _, err := d.ExecContext(t.Context(), `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *dbh) kept(query string) bool {
	_, ok := d.stmts.kept.Load(query)
	return ok
}

// A statement is kept prepared from its second run; a PRAGMA never is.
func TestStmtCacheKeepsRepeatedStatements(t *testing.T) {
	d := testDBH(t)
	ctx := t.Context()
	const ins = `INSERT INTO t (v) VALUES (?)`
	for i := range 3 {
		if _, err := d.ExecContext(ctx, ins, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		if got, want := d.kept(ins), i >= stmtCacheAfter-1; got != want {
			t.Errorf("after run %d: kept = %v, want %v", i+1, got, want)
		}
	}
	for range 3 {
		var v string
		if err := d.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	if d.kept(`PRAGMA journal_mode`) {
		t.Error("a PRAGMA was kept")
	}
	var n int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 3 {
		t.Errorf("count = %d, %v; want 3", n, err)
	}
}

// Statements built with literals in them fill the cache up to its bound,
// and run as text after that.
func TestStmtCacheIsBounded(t *testing.T) {
	d := testDBH(t)
	ctx := t.Context()
	for i := range stmtCacheMax + 40 {
		q := fmt.Sprintf(`SELECT count(*) FROM t WHERE id > %d`, i)
		for range stmtCacheAfter + 1 {
			var n int
			if err := d.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := d.stmts.len(); got != stmtCacheMax {
		t.Errorf("%d statements kept, want %d", got, stmtCacheMax)
	}
	// Statements run once each are counted, not kept, and the count is
	// bounded too.
	for i := range 3 * stmtSeenMax {
		if _, err := d.ExecContext(ctx, fmt.Sprintf(`DELETE FROM t WHERE id = %d`, -i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(d.stmts.seen); got > stmtSeenMax {
		t.Errorf("%d statements counted, want at most %d", got, stmtSeenMax)
	}
}

// In a transaction a kept statement runs on the transaction's connection:
// it sees what the transaction wrote, with named parameters too, and a
// rollback takes it back; a statement explicitly prepared in the
// transaction uses the kept one and can be closed.
func TestStmtCacheInTransactions(t *testing.T) {
	d := testDBH(t)
	ctx := t.Context()
	const (
		ins   = `INSERT INTO t (v) VALUES (:v)`
		count = `SELECT count(*) FROM t WHERE v = :v`
	)
	run := func(commit bool) {
		t.Helper()
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for range 3 {
			if _, err := tx.ExecContext(ctx, ins, sql.Named("v", "x")); err != nil {
				t.Fatal(err)
			}
		}
		st, err := tx.PrepareContext(ctx, ins)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ExecContext(ctx, sql.Named("v", "x")); err != nil {
			t.Fatal(err)
		}
		st.Close()
		var n int
		if err := tx.QueryRowContext(ctx, count, sql.Named("v", "x")).Scan(&n); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM t WHERE v = ?`, "x")
		if err != nil {
			t.Fatal(err)
		}
		m := 0
		for rows.Next() {
			m++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if n != m {
			t.Errorf("count %d, rows %d", n, m)
		}
		if commit {
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, commit := range []bool{true, false, true, false} {
		run(commit)
	}
	if !d.kept(ins) || !d.kept(count) {
		t.Error("statements run in transactions were not kept")
	}
	var n int
	if err := d.QueryRowContext(ctx, count, sql.Named("v", "x")).Scan(&n); err != nil || n != 8 {
		t.Errorf("after two commits and two rollbacks: %d rows, %v; want 8", n, err)
	}
}

// Close closes the kept statements, and keeps none after.
func TestStmtCacheClose(t *testing.T) {
	d := testDBH(t)
	ctx := t.Context()
	for range 3 {
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if d.stmts.len() == 0 {
		t.Fatal("nothing kept")
	}
	d.Close()
	if got := d.stmts.len(); got != 0 {
		t.Errorf("%d statements kept after Close", got)
	}
	if st := d.stmt(ctx, `SELECT v FROM t`); st != nil {
		t.Error("a statement was kept after Close")
	}
}

// On PostgreSQL nothing is kept (pgx keeps its own per connection) and
// every statement is rewritten, in transactions too.
func TestStmtCachePostgres(t *testing.T) {
	dsn := PostgresTestDSN()
	if dsn == "" {
		t.Skip("STET_TEST_POSTGRES is not set")
	}
	db, err := sql.Open("pgx", PostgresTestSchema(t, dsn, t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	d := &dbh{DB: db, pg: true}
	defer d.Close()
	ctx := t.Context()
	if _, err := d.ExecContext(ctx, `CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for range 3 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, "x"); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for range 3 {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE v = :v`, sql.Named("v", "x")).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if got := d.stmts.len(); got != 0 {
		t.Errorf("%d statements kept on PostgreSQL", got)
	}
}

// A query nested in a loop over its own rows, in one transaction, does
// not disturb the outer rows.
func TestStmtCacheNestedQuery(t *testing.T) {
	d := testDBH(t)
	ctx := t.Context()
	for i := range 5 {
		if _, err := d.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT id FROM t WHERE id >= ? ORDER BY id`
	ids := func(from int64, nested bool) []int64 {
		t.Helper()
		rows, err := tx.QueryContext(ctx, q, from)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			if nested {
				var n int64
				if err := tx.QueryRowContext(ctx, q, id+3).Scan(&n); err != nil && err != sql.ErrNoRows {
					t.Fatal(err)
				}
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for range 3 { // kept from the second
		if got := ids(1, false); len(got) != 5 {
			t.Fatalf("ids = %v, want 5", got)
		}
	}
	if !d.kept(q) {
		t.Fatal("not kept")
	}
	if got := fmt.Sprint(ids(1, true)); got != "[1 2 3 4 5]" {
		t.Errorf("with a nested query: ids = %s, want [1 2 3 4 5]", got)
	}
}
