package storage

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkClaimDuePages measures one claim of 128 pages (what a daemon
// with 4 workers asks for) when 100,000 pages are all due, spread over
// 100, 1,000 or 10,000 hosts, each host's pages sharing a due time as
// pages found in one feed do. The lease is 0, so every claim finds the
// same 100,000 due.
//
//	go test ./storage -run '^$' -bench ClaimDuePages -benchtime 20x
func BenchmarkClaimDuePages(b *testing.B) {
	const pages = 100_000
	for _, hosts := range []int{100, 1000, 10_000} {
		b.Run(fmt.Sprintf("hosts=%d", hosts), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "stet.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			seedDue(b, s, pages, hosts, now)
			for b.Loop() {
				ps, err := s.ClaimDuePages(b.Context(), "bench", now, 0, 128)
				if err != nil || len(ps) != 128 {
					b.Fatalf("claimed %d pages, %v", len(ps), err)
				}
			}
		})
	}
}

// seedDue stores pages pages over hosts hosts, host by host, every page
// due before now: host h's pages all at now-hosts+h seconds.
func seedDue(b *testing.B, s *Store, pages, hosts int, now time.Time) {
	b.Helper()
	ctx := b.Context()
	at := fmtTime(now).(string)
	per := pages / hosts
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO sources (kind, name, url, created_at)
			VALUES ('feed', 'news', 'https://news.test/rss', ?)`, at); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
			INSERT INTO pages (source_id, url, host, discovered_at, next_check_at)
			SELECT 1, 'https://h' || (i / ?) || '.test/' || i, 'h' || (i / ?) || '.test', ?,
				strftime('%Y-%m-%dT%H:%M:%fZ', ?, (i / ? - ?) || ' seconds') FROM n`,
			pages, per, per, at, at, per, hosts)
		return err
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
}
