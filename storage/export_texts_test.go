package storage

import (
	"testing"
)

// UndoTextsForTest turns the test database at path back to schema 14's
// form of texts, for a test that downgrades a database written by this
// stet: every version's text and every passage stored as a slice of one
// are written out as text (through db), and the columns schema 15 added
// are dropped.
func UndoTextsForTest(tb testing.TB, path string, db RawDB) {
	tb.Helper()
	ctx := tb.Context()
	s, err := OpenReadOnlyForTest(tb, path)
	if err != nil {
		tb.Fatal(err)
	}
	ids := func(q string) []int64 {
		var out []int64
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				tb.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	texts, err := s.versionTexts(ctx, s.db, ids(`SELECT id FROM versions`))
	if err != nil {
		tb.Fatal(err)
	}
	passages, err := s.passageTexts(ctx, s.db, ids(`SELECT id FROM search_texts WHERE version_id IS NOT NULL`))
	if err != nil {
		tb.Fatal(err)
	}
	s.Close()
	for id, text := range texts {
		if _, err := db.ExecContext(ctx, `UPDATE versions SET text = ? WHERE id = ?`, text, id); err != nil {
			tb.Fatal(err)
		}
	}
	for id, text := range passages {
		if _, err := db.ExecContext(ctx, `UPDATE search_texts SET text = ? WHERE id = ?`, text, id); err != nil {
			tb.Fatal(err)
		}
	}
	for _, q := range []string{`ALTER TABLE versions DROP COLUMN text_zstd`, `ALTER TABLE versions DROP COLUMN text_bytes`,
		`ALTER TABLE versions DROP COLUMN text_chars`, `ALTER TABLE search_texts DROP COLUMN version_id`,
		`ALTER TABLE search_texts DROP COLUMN text_at`, `ALTER TABLE search_texts DROP COLUMN text_bytes`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}
