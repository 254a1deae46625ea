package storage_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// RecordListing: a page removed from among newer items is unlisted after K
// complete reads; one pushed out by newer items never is; a page another
// source still lists is not; a page listed again is relisted.
func TestRecordListing(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	feed, _ := s.EnsureSource(ctx, "feed", "f", "http://a.test/rss", "@every 1m", t0)
	other, _ := s.EnsureSource(ctx, "sitemap", "s", "http://a.test/sitemap.xml", "@every 1m", t0)
	var pages []int64
	err := s.Tx(ctx, func(tx *storage.Tx) error {
		for i := range 5 {
			p, _, err := tx.EnsurePage(feed.ID, fmt.Sprintf("http://a.test/%d", i), "", t0, time.Time{}, time.Time{})
			if err != nil {
				return err
			}
			pages = append(pages, p.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	day := func(i int) time.Time { return t0.Add(time.Duration(i) * 24 * time.Hour) }
	read := func(src int64, at time.Time, listed ...int) storage.ListingResult {
		t.Helper()
		var ls []storage.Listed
		for _, i := range listed {
			ls = append(ls, storage.Listed{PageID: pages[i], Date: day(i)})
		}
		var res storage.ListingResult
		err := s.Tx(ctx, func(tx *storage.Tx) error {
			var err error
			res, err = tx.RecordListing(src, ls, at, 2)
			for _, id := range res.Unlisted {
				tx.SetUnlisted(id, true)
			}
			for _, id := range res.Relisted {
				tx.SetUnlisted(id, false)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	read(feed.ID, day(10), 1, 2, 3) // the feed's latest three, dated days 1..3
	read(other.ID, day(10), 3)      // page 3 is also in the sitemap
	// Page 2 is taken out from among the listed items (page 1, older, stays);
	// page 3 leaves the feed but stays in the sitemap.
	if r := read(feed.ID, day(11), 1, 4); len(r.Unlisted) != 0 {
		t.Fatalf("first miss already unlisted: %v", r.Unlisted)
	}
	if r := read(feed.ID, day(12), 1, 4); !slices.Equal(r.Unlisted, []int64{pages[2]}) {
		t.Errorf("unlisted after 2 reads = %v, want only page 2 (%d)", r.Unlisted, pages[2])
	}
	// Page 1 is pushed out by newer items: never unlisted.
	for d := 13; d < 16; d++ {
		if r := read(feed.ID, day(d), 4); len(r.Unlisted) != 0 {
			t.Errorf("day %d: unlisted %v; page 1 was only pushed out", d, r.Unlisted)
		}
	}
	if r := read(feed.ID, day(16), 2, 4); !slices.Equal(r.Relisted, []int64{pages[2]}) {
		t.Errorf("relisted = %v, want page 2", r.Relisted)
	}
}

// Due pages and sources are claimed once: a second claimant gets none of
// them until the lease lapses, and a never-read source is due at once.
func TestClaimDuePagesAndSources(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, _ := s.EnsureSource(ctx, "feed", "f", "http://a.test/rss", "@every 1m", t0)
	err := s.Tx(ctx, func(tx *storage.Tx) error {
		for i := range 10 {
			// on hosts of their own: a claim takes at most a few pages of one host
			if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("http://a%d.test/", i), "", t0, time.Time{}, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ClaimDuePages(ctx, "p1", t0, time.Minute, 6)
	if err != nil || len(a) != 6 {
		t.Fatalf("first claim = %d pages, %v", len(a), err)
	}
	b, _ := s.ClaimDuePages(ctx, "p2", t0, time.Minute, 10)
	if len(b) != 4 {
		t.Errorf("second claim = %d pages, want the 4 left", len(b))
	}
	if c, _ := s.ClaimDuePages(ctx, "p2", t0.Add(59*time.Second), time.Minute, 10); len(c) != 0 {
		t.Errorf("claimed pages taken again inside the lease: %d", len(c))
	}
	if c, _ := s.ClaimDuePages(ctx, "p2", t0.Add(time.Minute), time.Minute, 10); len(c) != 10 {
		t.Errorf("after the lease lapsed %d pages due, want 10", len(c))
	}
	ids, err := s.ClaimDueSources(ctx, "p1", []string{"feed"}, t0, time.Minute, 10)
	if err != nil || len(ids) != 1 || ids[0] != src.ID {
		t.Fatalf("never-read source claim = %v, %v", ids, err)
	}
	if ids, _ := s.ClaimDueSources(ctx, "p2", []string{"feed"}, t0, time.Minute, 10); len(ids) != 0 {
		t.Errorf("source claimed twice: %v", ids)
	}
	// A dead claimant's work is released: due at once, not after the lease.
	owners, err := s.WorkClaimOwners(ctx)
	if err != nil || len(owners) != 2 {
		t.Fatalf("WorkClaimOwners = %v, %v; want p1 and p2", owners, err)
	}
	if n, err := s.ReleaseWorkOf(ctx, "p2", t0.Add(2*time.Minute)); err != nil || n != 10 {
		t.Fatalf("ReleaseWorkOf = %d, %v; want the 10 pages", n, err)
	}
	c, _ := s.ClaimDuePages(ctx, "p3", t0.Add(2*time.Minute), time.Minute, 20)
	if len(c) != 10 {
		t.Fatalf("after release %d pages due, want 10", len(c))
	}
	// Claims given back by their owner only are due again at once.
	if err := s.UnclaimWork(ctx, "someone else", []int64{c[0].ID}, nil, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UnclaimWork(ctx, "p3", []int64{c[1].ID, c[2].ID}, nil, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.ClaimDuePages(ctx, "p4", t0.Add(2*time.Minute), time.Minute, 20); len(d) != 2 {
		t.Errorf("after giving back two claims %d pages due, want 2", len(d))
	}
}
