package storage_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

func mustOpen(tb testing.TB, path string) *storage.Store {
	tb.Helper()
	s, err := storage.OpenForTest(tb, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2024, 1, 23, 10, 0, 0, 0, time.UTC)

// seed stores one page with one version and returns their ids.
func seed(t *testing.T, s *storage.Store) (storage.Source, storage.Page, int64) {
	t.Helper()
	ctx := t.Context()
	src, err := s.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	var page storage.Page
	var vid int64
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		p, created, err := tx.EnsurePage(src.ID, "http://news.test/a", "A", t0, t0, t0.Add(time.Minute))
		if err != nil {
			return err
		}
		if !created {
			t.Error("EnsurePage: created = false for a new URL")
		}
		h, err := tx.PutBody([]byte("<p>hello</p>"))
		if err != nil {
			return err
		}
		cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: t0, URL: p.URL, Status: 200, Class: "ok", BodyHash: h})
		if err != nil {
			return err
		}
		vid, err = tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: t0, Title: "A", Text: "hello", TextHash: "h1", Extractor: "1"})
		page = p
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return src, page, vid
}

func TestRoundTripSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	_, page, vid := seed(t, s)
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		cid, err := tx.InsertCapture(storage.Capture{PageID: page.ID, FetchedAt: t0.Add(time.Hour), URL: page.URL, Status: 200, Class: "ok"})
		if err != nil {
			return err
		}
		v2, err := tx.InsertVersion(storage.Version{PageID: page.ID, CaptureID: cid, CreatedAt: t0.Add(time.Hour), Title: "A", Text: "hello world", TextHash: "h2", Extractor: "1"})
		if err != nil {
			return err
		}
		_, err = tx.InsertChange(storage.Change{PageID: page.ID, Kind: storage.ChangeChanged, DetectedAt: t0.Add(time.Hour), OldVersionID: vid, NewVersionID: v2, Title: "A", Diff: "+ world"})
		if err != nil {
			return err
		}
		return tx.InsertDelivery(storage.Delivery{EventID: "chg-1", EventType: "change.changed", Subscriber: "desk", Payload: []byte(`{"id":"x"}`), CreatedAt: t0, NextAttemptAt: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = mustOpen(t, path) // migrations must be idempotent and data durable
	ctx := t.Context()
	latest, err := s.LatestVersion(ctx, page.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := latest.Text, "hello world"; got != want {
		t.Errorf("latest text = %q, want %q", got, want)
	}
	vs, err := s.Versions(ctx, page.ID)
	if err != nil || len(vs) != 2 || vs[0].ID != vid {
		t.Fatalf("Versions = %+v, %v; want 2, oldest first", vs, err)
	}
	chs, err := s.Changes(ctx, storage.ChangeFilter{})
	if err != nil || len(chs) != 1 {
		t.Fatalf("Changes = %+v, %v", chs, err)
	}
	if c := chs[0]; c.URL != page.URL || c.OldVersionID != vid || c.NewVersionID != latest.ID || !c.DetectedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("change = %+v", c)
	}
	if older, err := s.Changes(ctx, storage.ChangeFilter{BeforeID: chs[0].ID}); err != nil || len(older) != 0 {
		t.Errorf("Changes(BeforeID: %d) = %d rows, %v; want none", chs[0].ID, len(older), err)
	}
	if counts, err := s.VersionCounts(ctx); err != nil || counts[page.ID] != 2 {
		t.Errorf("VersionCounts = %v, %v; want 2 for page %d", counts, err, page.ID)
	}
	due, err := s.DueDeliveries(ctx, t0, 10)
	if err != nil || len(due) != 1 || string(due[0].Payload) != `{"id":"x"}` {
		t.Fatalf("DueDeliveries = %+v, %v", due, err)
	}
	caps, err := s.Captures(ctx, 0, page.ID, 10)
	if err != nil || len(caps) != 2 {
		t.Fatalf("Captures = %+v, %v", caps, err)
	}
	body, err := s.Body(ctx, caps[1].BodyHash)
	if err != nil || !bytes.Equal(body, []byte("<p>hello</p>")) {
		t.Errorf("Body = %q, %v", body, err)
	}
}

func TestTxRollsBackEverything(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	_, page, _ := seed(t, s)
	boom := errors.New("boom")
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		cid, err := tx.InsertCapture(storage.Capture{PageID: page.ID, FetchedAt: t0, URL: page.URL, Class: "ok"})
		if err != nil {
			return err
		}
		if _, err := tx.InsertVersion(storage.Version{PageID: page.ID, CaptureID: cid, CreatedAt: t0, Text: "lost", TextHash: "x", Extractor: "1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx error = %v, want boom", err)
	}
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Versions != 1 || st.Captures != 1 {
		t.Errorf("after rollback: versions=%d captures=%d, want 1 and 1", st.Versions, st.Captures)
	}
}

func TestBodiesStoredOncePerHash(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	for range 3 {
		if err := s.Tx(t.Context(), func(tx *storage.Tx) error { _, err := tx.PutBody([]byte("same")); return err }); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(t.Context())
	if err != nil || st.Bodies != 1 {
		t.Errorf("bodies = %d, %v; want 1", st.Bodies, err)
	}
}

func TestMovePageKeepsHistory(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	_, page, vid := seed(t, s)
	ctx := t.Context()
	err := s.Tx(ctx, func(tx *storage.Tx) error {
		moved, err := tx.MovePage(page.ID, page.URL, "http://news.test/a-new")
		if !moved {
			t.Error("MovePage: moved = false")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://news.test/a", "http://news.test/a-new"} {
		p, err := s.PageByURL(ctx, u)
		if err != nil || p.ID != page.ID || p.URL != "http://news.test/a-new" {
			t.Errorf("PageByURL(%s) = %+v, %v", u, p, err)
		}
	}
	if v, err := s.LatestVersion(ctx, page.ID); err != nil || v.ID != vid {
		t.Errorf("history lost after move: %+v, %v", v, err)
	}
	// A feed that still links the old URL must find the moved page, not create a new one.
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		p, created, err := tx.EnsurePage(page.SourceID, "http://news.test/a", "", t0, time.Time{}, t0)
		if created || p.ID != page.ID {
			t.Errorf("EnsurePage(old URL) = %d created=%v, want existing %d", p.ID, created, page.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDuePagesAndDeliveriesFollowTime(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	_, page, _ := seed(t, s) // next check at t0+1m
	ctx := t.Context()
	for _, tc := range []struct {
		now  time.Time
		want int
	}{{t0, 0}, {t0.Add(time.Minute), 1}} {
		due, err := s.DuePages(ctx, tc.now, 10)
		if err != nil || len(due) != tc.want {
			t.Errorf("DuePages(%v) = %d, %v; want %d", tc.now, len(due), err, tc.want)
		}
	}
	page.NextCheckAt = time.Time{} // stop re-checking
	if err := s.Tx(ctx, func(tx *storage.Tx) error { return tx.UpdatePageState(page) }); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DuePages(ctx, t0.Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("page with no next check is still due")
	}

	d := storage.Delivery{EventID: "e1", EventType: "change.changed", Subscriber: "desk", Payload: []byte("{}"), CreatedAt: t0, NextAttemptAt: t0}
	if err := s.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.InsertDelivery(d); err != nil {
			return err
		}
		return tx.InsertDelivery(d) // duplicate ignored
	}); err != nil {
		t.Fatal(err)
	}
	due, _ := s.DueDeliveries(ctx, t0, 10)
	if len(due) != 1 {
		t.Fatalf("due deliveries = %d, want 1 (duplicate must be ignored)", len(due))
	}
	if due, err := s.ClaimDeliveries(ctx, "p1", t0, time.Minute, 10); err != nil || len(due) != 1 {
		t.Fatalf("ClaimDeliveries = %d rows, %v; want 1", len(due), err)
	}
	if err := s.MarkFailed(ctx, due[0].ID, "p1", t0.Add(time.Minute), "status 500"); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueDeliveries(ctx, t0, 10); len(due) != 0 {
		t.Error("failed delivery due again before its retry time")
	}
	due, _ = s.DueDeliveries(ctx, t0.Add(time.Minute), 10)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "status 500" {
		t.Fatalf("retry row = %+v", due)
	}
	if due, err := s.ClaimDeliveries(ctx, "p1", t0.Add(time.Minute), time.Minute, 10); err != nil || len(due) != 1 {
		t.Fatalf("ClaimDeliveries = %d rows, %v; want 1", len(due), err)
	}
	if err := s.MarkDelivered(ctx, due[0].ID, "p1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx)
	if st.DeliveriesSent != 1 || st.DeliveriesPending != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestOpenRejectsNewerSchema(t *testing.T) {
	storage.SQLiteOnly(t)
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	if err := s.Tx(context.Background(), func(tx *storage.Tx) error { return tx.SetUserVersionForTest(99) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := storage.Open(t.Context(), path); err == nil {
		t.Error("Open of a database from a newer stet succeeded")
	}
}
