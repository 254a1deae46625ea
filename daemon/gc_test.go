package daemon_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// offlineFetcher fails every fetch at once.
type offlineFetcher struct{}

func (offlineFetcher) Fetch(context.Context, crawler.Request) (*crawler.Response, error) {
	return nil, errors.New("offline")
}

// rechecked stores a page's version and n unchanged re-checks (304s an
// hour apart), the first fetched at start; the page is not due again for
// a year.
func rechecked(t *testing.T, st *storage.Store, start time.Time, n int) {
	t.Helper()
	src, err := st.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1h", start)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "http://news.test/a", "A", start, start, time.Now().AddDate(1, 0, 0))
		if err != nil {
			return err
		}
		return addRechecks(tx, p, start, n, true)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func addRechecks(tx *storage.Tx, p storage.Page, start time.Time, n int, version bool) error {
	for i := range n + 1 {
		c := storage.Capture{PageID: p.ID, SourceID: p.SourceID, URL: p.URL, FinalURL: p.URL, Status: 304, Class: "not_modified",
			FetchedAt: start.Add(time.Duration(i) * time.Hour), Header: http.Header{"Etag": {`"v1"`}}}
		if i == 0 && version {
			c.Status, c.Class = 200, "ok"
		}
		id, err := tx.InsertCapture(c)
		if err != nil {
			return err
		}
		if i == 0 && version {
			if _, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: id, CreatedAt: c.FetchedAt, Title: "A",
				Text: "text", TextHash: "h", Extractor: "1"}); err != nil {
				return err
			}
		}
	}
	return nil
}

func captureCount(t *testing.T, st *storage.Store) int {
	t.Helper()
	s, err := st.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s.Captures
}

// A daemon with keep_captures prunes the captures older than it that
// changed nothing, five minutes after it starts and then every hour, and
// logs what it pruned; with the default ("forever") it prunes nothing.
func TestGCSchedule(t *testing.T) {
	tests := []struct {
		keep       string
		after5, h1 int // captures left 6 minutes after the start, and an hour later with 10 more
	}{
		{"forever", 31, 42},
		// The version, the first 304 after its 200 and the last are kept;
		// then the new last, and the old last as the first run's seal's
		// anchor.
		{"30d", 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.keep, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				path := dbPath(t)
				cfg := testConfig(t, path, "")
				cfg.Daemon.Tick, cfg.Daemon.DeliveryInterval = minutes(10), minutes(10) // an hour of fake time, cheaply
				if err := cfg.Storage.KeepCaptures.UnmarshalText([]byte(tt.keep)); err != nil {
					t.Fatal(err)
				}
				st := openStore(t, path)
				rechecked(t, st, time.Now().AddDate(0, 0, -40), 30)
				var logs syncBuffer
				dm, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: offlineFetcher{},
					Logger: slog.New(slog.NewTextHandler(&logs, nil))})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan struct{})
				go func() { dm.Run(ctx); close(done) }()

				time.Sleep(4 * time.Minute)
				synctest.Wait()
				if n := captureCount(t, st); n != 31 {
					t.Errorf("4 minutes after the start: %d captures, want all 31", n)
				}
				time.Sleep(2 * time.Minute)
				synctest.Wait()
				if n := captureCount(t, st); n != tt.after5 {
					t.Errorf("6 minutes after the start: %d captures, want %d", n, tt.after5)
				}
				err = st.Tx(t.Context(), func(tx *storage.Tx) error {
					p, err := st.PageByURL(t.Context(), "http://news.test/a")
					if err != nil {
						return err
					}
					return addRechecks(tx, p, time.Now().AddDate(0, 0, -35), 10, false)
				})
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Hour)
				synctest.Wait()
				if n := captureCount(t, st); n != tt.h1 {
					t.Errorf("an hour later, with 11 more: %d captures, want %d", n, tt.h1)
				}
				cancel()
				<-done
				if tt.keep == "forever" {
					if strings.Contains(logs.String(), "pruned") {
						t.Errorf("kept forever, yet the log says:\n%s", logs.String())
					}
					return
				}
				if want := fmt.Sprintf(`level=INFO msg="captures pruned" keep_captures=30d examined=%d pruned=28 summaries=1`, 31); !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, logs.String())
				}
				if _, err := st.VerifyChain(t.Context()); err != nil {
					t.Errorf("VerifyChain after the daemon's gc: %v", err)
				}
			})
		})
	}
}

// gc finding the chain broken stops and says so as an error; the daemon
// carries on.
func TestGCBrokenChain(t *testing.T) {
	sqliteOnly(t)
	synctest.Test(t, func(t *testing.T) {
		path := dbPath(t)
		cfg := testConfig(t, path, "")
		cfg.Daemon.Tick, cfg.Daemon.DeliveryInterval = minutes(10), minutes(10)
		cfg.Storage.KeepCaptures = config.Retention{Age: config.Duration(30 * 24 * time.Hour)}
		st := openStore(t, path)
		rechecked(t, st, time.Now().AddDate(0, 0, -40), 10)
		// Edit capture 5 by hand, as sqlite3 would.
		raw, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(t.Context(), `UPDATE captures SET headers = 'Etag: "v2"' || char(13, 10) WHERE id = 5`); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		var logs syncBuffer
		dm, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: offlineFetcher{},
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { dm.Run(ctx); close(done) }()
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		cancel()
		<-done
		if want := `level=ERROR msg="gc stopped: the hash chain does not verify; run stet verify"`; !strings.Contains(logs.String(), want) ||
			!strings.Contains(logs.String(), "capture 5 (http://news.test/a") {
			t.Errorf("log lacks %q naming capture 5:\n%s", want, logs.String())
		}
		if n := captureCount(t, st); n != 11 {
			t.Errorf("%d captures after gc met a broken chain, want all 11", n)
		}
	})
}
