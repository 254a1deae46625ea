package storage

import "testing"

// UndoHeaderSetsForTest turns the test database behind db back to schema
// 15's form of request headers, for a test that downgrades a database
// written by this stet: every capture's request headers written out whole,
// the column and table schema 16 added dropped.
func UndoHeaderSetsForTest(tb testing.TB, db RawDB) {
	tb.Helper()
	ctx := tb.Context()
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.request_headers, `+headerSetText+` FROM captures c
		WHERE c.request_headers_set IS NOT NULL`)
	if err != nil {
		tb.Fatal(err)
	}
	whole := map[int64]string{}
	for rows.Next() {
		var id int64
		var rest, set string
		if err := rows.Scan(&id, &rest, &set); err != nil {
			tb.Fatal(err)
		}
		whole[id] = joinHeaderText(set, rest)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	for id, text := range whole {
		if _, err := db.ExecContext(ctx, `UPDATE captures SET request_headers = ? WHERE id = ?`, text, id); err != nil {
			tb.Fatal(err)
		}
	}
	for _, q := range []string{`ALTER TABLE captures DROP COLUMN request_headers_set`, `DROP TABLE header_sets`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}
