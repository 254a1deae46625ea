package storage_test

import (
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// Pages found in one feed share a due time and a host. A claim takes the
// most overdue page of every host before any host's second, hosts in
// order of their most overdue page, and never more than a few of one
// host; oldest-first alone would hand over the first hosts whole.
func TestClaimDuePagesFairAcrossHosts(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, _ := s.EnsureSource(ctx, "feed", "f", "http://feeds.test/rss", "@every 1m", t0)
	const hosts, perHost = 20, 10
	// Host 0's feed was read last, so its pages are the least overdue.
	seedHostPages(t, s, src.ID, "http://Site%d.test:80/a/%d", hosts, perHost, func(h, i int) time.Time {
		return t0.Add(time.Duration((h+hosts-1)%hosts) * time.Second)
	})
	now := t0.Add(time.Hour)
	a, err := s.ClaimDuePages(ctx, "p1", now, time.Minute, hosts+5)
	if err != nil {
		t.Fatal(err)
	}
	if got := claimHosts(t, a); len(got) != hosts || len(a) != hosts+5 {
		t.Fatalf("claimed %d pages of %d hosts, want %d pages of all %d", len(a), len(got), hosts+5, hosts)
	}
	// The five most overdue hosts (site1 to site5) gave a second page;
	// site0, the least overdue, only one.
	for h, n := range claimHosts(t, a) {
		want := 1
		if h == "site1.test" || h == "site2.test" || h == "site3.test" || h == "site4.test" || h == "site5.test" {
			want = 2
		}
		if n != want {
			t.Errorf("%s gave %d pages to the first claim, want %d", h, n, want)
		}
	}
	// The next claim goes on with each host's next pages, never
	// claimed twice.
	seen := map[int64]bool{}
	for _, p := range a {
		seen[p.ID] = true
	}
	b, err := s.ClaimDuePages(ctx, "p2", now, time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b {
		if seen[p.ID] {
			t.Errorf("page %d claimed twice", p.ID)
		}
	}
	perHostGot := map[string]int{}
	for _, p := range b {
		perHostGot[host(t, p.URL)]++
	}
	for h, n := range perHostGot {
		if n > 8 {
			t.Errorf("%s: %d pages in one claim, want at most 8", h, n)
		}
	}
	if len(b) != hosts*8 {
		t.Errorf("second claim = %d pages, want %d (8 a host at most)", len(b), hosts*8)
	}
}

// seedHostPages stores perHost pages of each of hosts hosts, page i of
// host h at fmt.Sprintf(urlFormat, h, i), due at due(h, i).
func seedHostPages(t *testing.T, s *storage.Store, srcID int64, urlFormat string, hosts, perHost int, due func(h, i int) time.Time) {
	t.Helper()
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		for h := range hosts {
			for i := range perHost {
				if _, _, err := tx.EnsurePage(srcID, fmt.Sprintf(urlFormat, h, i), "", t0, time.Time{}, due(h, i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func claimHosts(t *testing.T, ps []storage.Page) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range ps {
		out[host(t, p.URL)]++
	}
	return out
}

func host(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToLower(u.Hostname())
}

// A database from before pages knew their host (schema 13) gets the hosts
// of the pages it holds, and a page moved to another host follows it.
func TestPageHostMigration(t *testing.T) {
	storage.SQLiteOnly(t)
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	ctx := t.Context()
	src, _ := s.EnsureSource(ctx, "feed", "f", "http://feeds.test/rss", "@every 1m", t0)
	urls := []string{"https://News.Example.org:443/a", "http://news.example.org:8080/b", "https://user@x.test/c", "urn:not-a-url"}
	err := s.Tx(ctx, func(tx *storage.Tx) error {
		for _, u := range urls {
			if _, _, err := tx.EnsurePage(src.ID, u, "", t0, time.Time{}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"news.example.org", "news.example.org:8080", "x.test", "urn:not-a-url"}
	checkHosts := func(when string) {
		t.Helper()
		for i, u := range urls {
			var got string
			if err := rawDB(t, path).QueryRowContext(ctx, `SELECT host FROM pages WHERE url = ?`, u).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want[i] {
				t.Errorf("%s: host of %s = %q, want %q", when, u, got, want[i])
			}
		}
	}
	checkHosts("stored")
	s.Close()
	db := rawDB(t, path)
	storage.UndoHeaderSetsForTest(t, db)  // schema 16
	storage.UndoTextsForTest(t, path, db) // schema 15
	for _, q := range []string{`DROP INDEX pages_host_due`, `ALTER TABLE pages DROP COLUMN host`, `PRAGMA user_version = 13`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s = mustOpen(t, path)
	checkHosts("migrated")
	p, err := s.PageByURL(ctx, urls[0])
	if err != nil {
		t.Fatal(err)
	}
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		_, err := tx.MovePage(p.ID, urls[0], "https://moved.example.net/a")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	urls[0], want[0] = "https://moved.example.net/a", "moved.example.net"
	checkHosts("moved")
}

// ClaimDuePagesPerHost takes as many pages of each host as it is told,
// the most overdue first, and no page twice.
func TestClaimDuePagesPerHost(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, _ := s.EnsureSource(ctx, "feed", "f", "http://feeds.test/rss", "@every 1m", t0)
	const hosts, perHost = 3, 40
	seedHostPages(t, s, src.ID, "http://site%d.test/a/%d", hosts, perHost, func(h, i int) time.Time {
		return t0.Add(time.Duration(i) * time.Second)
	})
	now := t0.Add(time.Hour)
	seen := map[int64]bool{}
	for _, tt := range []struct{ limit, per, want int }{
		{1000, 25, 75}, // 25 of each host
		{1000, 0, 3},   // at least one of each
		{10, 25, 10},   // the limit
		{1000, 25, 32}, // what is left: 40-25-1-(10 of three hosts)
	} {
		ps, err := s.ClaimDuePagesPerHost(ctx, "p", now, time.Minute, tt.limit, tt.per)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != tt.want {
			t.Errorf("limit %d, per host %d: claimed %d, want %d", tt.limit, tt.per, len(ps), tt.want)
		}
		for h, n := range claimHosts(t, ps) {
			if n > max(tt.per, 1) {
				t.Errorf("limit %d, per host %d: %s gave %d", tt.limit, tt.per, h, n)
			}
		}
		for _, p := range ps {
			if seen[p.ID] {
				t.Errorf("page %d claimed twice", p.ID)
			}
			seen[p.ID] = true
		}
	}
}

// ClaimDueRuns takes runs of one host's pages, each the host's most
// overdue, from the hosts whose most overdue page is the oldest; the next
// claim starts with the host left out.
func TestClaimDueRuns(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, _ := s.EnsureSource(ctx, "feed", "f", "http://feeds.test/rss", "@every 1m", t0)
	const hosts, perHost = 4, 50
	seedHostPages(t, s, src.ID, "http://site%d.test/a/%d", hosts, perHost, func(h, i int) time.Time {
		return t0.Add(time.Duration(h)*time.Second + time.Duration(i)*10*time.Second)
	})
	now := t0.Add(time.Hour)
	claim := func(limit, run int) map[string][]int {
		t.Helper()
		ps, err := s.ClaimDueRuns(ctx, "p", now, time.Minute, limit, run)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]int{}
		for _, p := range ps {
			var h, i int
			if _, err := fmt.Sscanf(p.URL, "http://site%d.test/a/%d", &h, &i); err != nil {
				t.Fatal(err)
			}
			k := fmt.Sprintf("site%d", h)
			got[k] = append(got[k], i)
		}
		for _, is := range got {
			slices.Sort(is)
		}
		return got
	}
	seq := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	want := map[string][]int{"site0": seq(0, 20), "site1": seq(0, 20), "site2": seq(0, 20)}
	if got := claim(60, 20); !reflect.DeepEqual(got, want) {
		t.Errorf("first claim: %v, want %v", got, want)
	}
	// site3's most overdue page (1h-57m ago) is now the oldest, then site0's 21st.
	want = map[string][]int{"site3": seq(0, 20), "site0": seq(20, 40), "site1": seq(20, 40)}
	if got := claim(60, 20); !reflect.DeepEqual(got, want) {
		t.Errorf("second claim: %v, want %v", got, want)
	}
	// Runs of at least one page: one of each host.
	want = map[string][]int{"site0": {40}, "site1": {40}, "site2": {20}, "site3": {20}}
	if got := claim(1000, 0); !reflect.DeepEqual(got, want) {
		t.Errorf("runs of 0: %v, want %v", got, want)
	}
	// Hosts with fewer due pages than a run: the claim goes on to the next.
	want = map[string][]int{"site0": seq(41, 50), "site1": seq(41, 50), "site2": seq(21, 50), "site3": seq(21, 50)}
	if got := claim(100, 40); !reflect.DeepEqual(got, want) {
		t.Errorf("short runs: %v, want %v", got, want)
	}
}
