package storage

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkScrape measures what one scrape of /metrics asks of a large
// database: 100,000 pages (half of them due), 1,000,000 versions and as
// many changes, 1,000 deliveries waiting. A full tally is what the first
// scrape after a start costs; later scrapes tally only what was added.
//
//	go test ./storage -run '^$' -bench Scrape -benchtime 20x
func BenchmarkScrape(b *testing.B) {
	const pages, versions = 100_000, 1_000_000
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "stet.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	seedLarge(b, s, pages, versions, now)
	b.Run("tally all", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.TallySince(b.Context(), 0, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tally since", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.TallySince(b.Context(), versions-100, versions-100); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("backlog", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Backlog(b.Context(), now, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func seedLarge(b *testing.B, s *Store, pages, versions int, now time.Time) {
	b.Helper()
	ctx := b.Context()
	start := time.Now()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	at := fmtTime(now)
	for _, q := range []string{
		`PRAGMA foreign_keys = OFF`,
		`BEGIN`,
		`INSERT INTO sources (kind, name, url, created_at) VALUES ('feed', 'news', 'https://news.test/rss', '` + at.(string) + `')`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO pages (source_id, url, discovered_at, next_check_at)
			SELECT 1, 'https://news.test/' || i, '` + at.(string) + `',
				strftime('%Y-%m-%dT%H:%M:%fZ', '` + at.(string) + `', (i - ? / 2) || ' seconds') FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO versions (page_id, capture_id, created_at, text, text_hash, extractor)
			SELECT 1 + i % ?, i, '` + at.(string) + `', 'text', hex(i), '3' FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO changes (page_id, kind, detected_at, old_version_id, new_version_id, classes)
			SELECT 1 + i % ?, CASE i % 10 WHEN 0 THEN 'removed' ELSE 'changed' END, '` + at.(string) + `', i, i,
				CASE i % 3 WHEN 0 THEN '["number","stealth"]' WHEN 1 THEN '["wording"]' ELSE '["title","quote","stealth"]' END FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
			INSERT INTO deliveries (event_id, event_type, subscriber, payload, created_at, next_attempt_at)
			SELECT 'evt-' || i, 'change.changed', 'desk', '{}', '` + at.(string) + `', '` + at.(string) + `' FROM n`,
		`COMMIT`,
		`PRAGMA foreign_keys = ON`,
	} {
		var args []any
		switch {
		case strings.Contains(q, "INSERT INTO pages"):
			args = []any{pages, pages}
		case strings.Contains(q, "INSERT INTO versions"), strings.Contains(q, "INSERT INTO changes"):
			args = []any{versions, pages}
		}
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	b.Logf("seeded %d pages, %d versions and changes in %v", pages, versions, time.Since(start).Round(time.Millisecond))
}
