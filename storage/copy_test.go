package storage_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet/stet/internal/pgtest"
	"github.com/stet/stet/storage"
)

// copySource builds an SQLite database with pages, captures and kept
// bodies, versions in two scripts, a change, a pending delivery and a
// range of captures pruned by gc.
func copySource(t *testing.T) *storage.Store {
	t.Helper()
	st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "src.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := t.Context()
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"The agency counted 12 incidents.\n\n北京市政府发布了新的报告。",
		"The agency counted 13 incidents.\n\n北京市政府发布了新的报告。"}
	at := t0
	for p := range 3 {
		url := fmt.Sprintf("http://news.test/%d", p)
		var prev int64
		for i, text := range texts {
			err := st.Tx(ctx, func(tx *storage.Tx) error {
				pg, _, err := tx.EnsurePage(src.ID, url, "Story", at, at, at)
				if err != nil {
					return err
				}
				body, err := tx.PutBody(fmt.Appendf(nil, "<p>%s</p>", text))
				if err != nil {
					return err
				}
				cid, err := tx.InsertCapture(storage.Capture{PageID: pg.ID, FetchedAt: at, URL: url, Status: 200, Class: "ok", BodyHash: body})
				if err != nil {
					return err
				}
				vid, err := tx.InsertVersion(storage.Version{PageID: pg.ID, CaptureID: cid, CreatedAt: at, Title: "Story",
					Text: text, TextHash: fmt.Sprint(p, i), Extractor: "1"})
				if err != nil {
					return err
				}
				if prev != 0 {
					if _, err := tx.InsertChange(storage.Change{PageID: pg.ID, Kind: storage.ChangeChanged, DetectedAt: at,
						OldVersionID: prev, NewVersionID: vid, Title: "Story", Summary: "12 → 13"}); err != nil {
						return err
					}
					if err := tx.InsertDelivery(storage.Delivery{EventID: fmt.Sprint("ev", p), EventType: "page.changed",
						Subscriber: "hook", Payload: []byte(`{"n":13}`), CreatedAt: at, NextAttemptAt: at}); err != nil {
						return err
					}
				}
				prev = vid
				// re-checks that changed nothing, for gc to prune
				for k := range 3 {
					if _, err := tx.InsertCapture(storage.Capture{PageID: pg.ID, FetchedAt: at.Add(time.Duration(k+1) * time.Minute),
						URL: url, Status: 304, Class: "not_modified"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			at = at.Add(time.Hour)
		}
	}
	if res, err := st.GC(ctx, storage.GCOptions{Before: at}); err != nil || res.Pruned == 0 {
		t.Fatalf("gc = %+v, %v; want captures pruned", res, err)
	}
	return st
}

func TestCopyDatabase(t *testing.T) {
	type open func(t *testing.T) *storage.Store
	sqlite := func(t *testing.T) *storage.Store {
		st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "to.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	postgres := func(t *testing.T) *storage.Store {
		dsn := pgtest.DSN()
		if dsn == "" {
			t.Skip("STET_TEST_POSTGRES is not set")
		}
		st, err := storage.OpenPostgres(t.Context(), pgtest.Schema(t, dsn, "copy-target"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	for _, tt := range []struct {
		name string
		to   open
		back open // copied back again, when set
	}{
		{"sqlite to sqlite", sqlite, nil},
		{"sqlite to postgres and back", postgres, sqlite},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			from := copySource(t)
			want, err := from.VerifyChain(ctx)
			if err != nil || want.Summaries == 0 {
				t.Fatalf("source chain = %+v, %v", want, err)
			}
			check := func(from, to *storage.Store) {
				t.Helper()
				rep, err := from.CopyDatabase(ctx, to, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range rep.Tables {
					if !c.OK() {
						t.Errorf("%+v", c)
					}
				}
				got, err := to.VerifyChain(ctx)
				if err != nil {
					t.Fatalf("VerifyChain of the copy: %v", err)
				}
				if got.LastLink != want.LastLink || got.Captures != want.Captures || got.Summaries != want.Summaries {
					t.Errorf("copy's chain %+v, want %+v", got, want)
				}
				// a hit is a passage on a page: 3 pages held each
				for q, want := range map[string]int{"incidents": 6, "北京市": 3, "北京": 3, "\"counted 12\"": 3, "\"counted 13\"": 3} {
					res, err := to.Search(ctx, mustQuery(t, q), storage.SearchOptions{})
					if err != nil || len(res.Hits) != want {
						t.Errorf("Search(%q) on the copy = %d hits, %v; want %d", q, len(res.Hits), err, want)
					}
				}
				ds, err := to.DueDeliveries(ctx, t0.Add(100*time.Hour), 10)
				if err != nil || len(ds) != 3 {
					t.Errorf("pending deliveries on the copy = %d, %v; want 3", len(ds), err)
				}
				// new rows get new ids after the copied ones
				var nextID int64
				err = to.Tx(ctx, func(tx *storage.Tx) error {
					nextID, err = tx.InsertCapture(storage.Capture{PageID: 1, FetchedAt: t0.Add(200 * time.Hour), URL: "http://news.test/0", Class: "ok"})
					return err
				})
				if err != nil || nextID <= got.LastID {
					t.Errorf("a capture inserted after the copy got id %d, %v; want above %d", nextID, err, got.LastID)
				}
			}
			to := tt.to(t)
			check(from, to)
			if _, err := from.CopyDatabase(ctx, to, nil); err == nil {
				t.Error("a second copy into the same database was not refused")
			}
			if tt.back != nil {
				back := tt.back(t)
				want, _ = to.VerifyChain(ctx)
				check(to, back)
			}
		})
	}
}

func mustQuery(t *testing.T, s string) storage.Query {
	t.Helper()
	q, err := storage.ParseQuery(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
