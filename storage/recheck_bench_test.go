package storage

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRecheckWrites measures what one unchanged re-check of every
// page writes, split into the claims that take the pages and the group
// commits that record their checks (a capture and the page's check state
// each, groups of 1,024 as the daemon makes them): STET_BENCH_PAGES pages
// (default 10,000) over 100 hosts, each with a capture already, all due.
// perHost is how many pages of one host a claim takes (the daemon's host
// depth: 8 at the default per_host_interval, 1,024 at 1ms), 1,024 at most
// in all (the daemon's maxClaim), 800 with 8 a host; in the "runs" case a
// claim takes runs of 64 pages of 16 hosts (ClaimDueRuns), as the daemon
// does with 4 workers where hosts are deep. Within a host the pages
// come due in random order, as the schedule's jitter leaves them, or, in
// the "idOrder" case, in the order of their ids: the order of their rows,
// so that a claim and a group rewrite few database pages. Bytes are the
// process's write system calls (/proc/self/io wchar): SQLite's WAL frames
// and its checkpoints into the database file, the last one run at the end.
//
//	go test ./storage -run '^$' -bench RecheckWrites -benchtime 1x
//	STET_BENCH_PAGES=100000 go test ./storage -run '^$' -bench RecheckWrites -benchtime 1x
func BenchmarkRecheckWrites(b *testing.B) {
	const hosts, group = 100, 1024
	pages := 10_000
	if v := os.Getenv("STET_BENCH_PAGES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < hosts {
			b.Fatalf("STET_BENCH_PAGES=%q: want a number of at least %d", v, hosts)
		}
		pages = n
	}
	for _, c := range []struct {
		name                string
		perHost, limit, run int
		idOrder             bool
	}{
		{"perHost=8", 8, 800, 0, false},
		{"perHost=1024", 1024, 1024, 0, false},
		{"perHost=1024/idOrder", 1024, 1024, 0, true},
		{"runs=64/idOrder", 0, 1024, 64, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var claimB, groupB, n float64
			for b.Loop() {
				b.StopTimer()
				s, err := Open(b.Context(), filepath.Join(b.TempDir(), "stet.db"))
				if err != nil {
					b.Fatal(err)
				}
				now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
				seedDue(b, s, pages, hosts, now)
				seedCaptures(b, s, now, c.idOrder)
				if _, err := s.db.ExecContext(b.Context(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
					b.Fatal(err) // the seed's frames are not the checks'
				}
				b.StartTimer()
				for done := 0; done < pages; {
					w0 := wchar(b)
					var ps []Page
					var err error
					if c.run > 0 {
						ps, err = s.ClaimDueRuns(b.Context(), "bench", now, 10*time.Minute, c.limit, c.run)
					} else {
						ps, err = s.ClaimDuePagesPerHost(b.Context(), "bench", now, 10*time.Minute, c.limit, c.perHost)
					}
					if err != nil || len(ps) == 0 {
						b.Fatalf("claimed %d pages, %v", len(ps), err)
					}
					w1 := wchar(b)
					for i := 0; i < len(ps); i += group {
						err := s.Tx(b.Context(), func(tx *Tx) error {
							for _, p := range ps[i:min(i+group, len(ps))] {
								if err := recheckQuiet(tx, p, now); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							b.Fatal(err)
						}
					}
					w2 := wchar(b)
					claimB += float64(w1 - w0)
					groupB += float64(w2 - w1)
					done += len(ps)
				}
				// The checkpoint that moves the last frames into the
				// database file, counted with the group commits.
				w0 := wchar(b)
				if _, err := s.db.ExecContext(b.Context(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
					b.Fatal(err)
				}
				groupB += float64(wchar(b) - w0)
				n += float64(pages)
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(claimB/n, "claim_B/check")
			b.ReportMetric(groupB/n, "group_B/check")
			b.ReportMetric((claimB+groupB)/n, "B/check")
		})
	}
}

// recheckQuiet writes what the daemon's group commit writes for a 304.
func recheckQuiet(tx *Tx, p Page, now time.Time) error {
	if _, err := tx.PageByID(p.ID); err != nil {
		return err
	}
	if _, err := tx.LatestVersionID(p.ID); err != nil {
		return err
	}
	_, err := tx.InsertCapture(Capture{SourceID: p.SourceID, PageID: p.ID, FetchedAt: now, URL: p.URL, Status: 304,
		Class: "not_modified", ETag: `"a1b2c3d4e5f6"`, LastModified: "Mon, 30 Nov 2026 10:00:00 GMT", DurationMS: 2,
		Header: map[string][]string{"Etag": {`"a1b2c3d4e5f6"`}, "Last-Modified": {"Mon, 30 Nov 2026 10:00:00 GMT"},
			"Date": {"Tue, 01 Dec 2026 12:00:00 GMT"}, "Cache-Control": {"max-age=60"}},
		RequestHeader: map[string][]string{"User-Agent": {"stet/1 (+https://stet.example/bot)"},
			"If-None-Match": {`"a1b2c3d4e5f6"`}, "If-Modified-Since": {"Mon, 30 Nov 2026 10:00:00 GMT"},
			"Accept": {"text/html,application/xhtml+xml"}, "Accept-Encoding": {"gzip"}},
		RemoteIP: "127.0.0.2"})
	if err != nil {
		return err
	}
	p.LastCheckedAt, p.NextCheckAt, p.LastClass = now, now.Add(time.Hour), "not_modified"
	return tx.UpdatePageChecked(p)
}

// seedCaptures gives every page a capture, as its first fetch left, and
// makes it due within the last 10 minutes: in random order, or in the
// order of page ids.
func seedCaptures(b *testing.B, s *Store, now time.Time, idOrder bool) {
	b.Helper()
	ps, err := s.ClaimDuePagesPerHost(b.Context(), "seed", now, 0, 1<<30, 1<<30)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	err = s.Tx(b.Context(), func(tx *Tx) error {
		for _, p := range ps {
			if err := recheckQuiet(tx, p, now); err != nil {
				return err
			}
			p.NextCheckAt = now.Add(-time.Duration(rng.Int64N(int64(10 * time.Minute))))
			if idOrder {
				p.NextCheckAt = now.Add(-10*time.Minute + time.Duration(p.ID)*time.Millisecond)
			}
			if err := tx.UpdatePageChecked(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// wchar is the bytes this process has passed to write system calls.
func wchar(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for line := range bytes.Lines(raw) {
		if v, ok := bytes.CutPrefix(line, []byte("wchar: ")); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no wchar in /proc/self/io")
	return 0
}
