package daemon_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// fakeFetcher serves a feed with one article and counts requests per URL.
type fakeFetcher struct {
	mu    sync.Mutex
	calls map[string]int
}

const (
	fakeFeed    = "https://news.example/feed.xml"
	fakeArticle = "https://news.example/a.html"
)

func (f *fakeFetcher) Fetch(_ context.Context, r crawler.Request) (*crawler.Response, error) {
	f.mu.Lock()
	f.calls[r.URL]++
	f.mu.Unlock()
	resp := &crawler.Response{URL: r.URL, FinalURL: r.URL, Status: 200, Class: crawler.ClassOK, Started: time.Now()}
	switch r.URL {
	case fakeFeed:
		resp.ContentType = "application/rss+xml"
		resp.Body = []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><title>A</title><link>` + fakeArticle + `</link></item></channel></rss>`)
	default:
		resp.ContentType = "text/html; charset=utf-8"
		resp.Body = []byte(`<html><body><article><h1>A</h1><p>` + strings.Repeat("A sentence of the article body. ", 20) + `</p></article></body></html>`)
	}
	return resp, nil
}

func (f *fakeFetcher) count(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// TestSchedules runs four hours of fake time: the feed follows its cron
// spec exactly, and the article is re-checked every 10 minutes until it is
// an hour old, then never again.
func TestSchedules(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "stet.db")
		cfg := testConfig(t, path, fmt.Sprintf("\n[[feed]]\nurl = %q\nschedule = \"*/5 * * * *\"\n", fakeFeed))
		cfg.Recheck.Steps = cfg.Recheck.Steps[:1]
		cfg.Recheck.Steps[0].Until, cfg.Recheck.Steps[0].Every = hour(1), minutes(10)
		cfg.Recheck.StopAfter = hour(1)
		cfg.Daemon.Tick = seconds(30)
		cfg.Daemon.DeliveryInterval = hour(1) // no webhooks here; keep fake time cheap
		st, err := storage.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ff := &fakeFetcher{calls: map[string]int{}}
		d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: ff, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		// Start on a 5-minute boundary so the count is exact.
		time.Sleep(time.Until(time.Now().Truncate(5*time.Minute).Add(5*time.Minute)) - time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		time.Sleep(4 * time.Hour)
		synctest.Wait()
		cancel()
		<-done

		// One fetch at start, then one every 5 minutes: 48 in 4 hours.
		if got, want := ff.count(fakeFeed), 1+48; got != want {
			t.Errorf("feed fetches in 4h of */5 = %d, want %d", got, want)
		}
		// Checked at ages 0, ~10, ~20, ~30, ~40, ~50 and ~60 minutes (each
		// interval has up to 10% jitter), then re-checks stop.
		if got, want := ff.count(fakeArticle), 7; got != want {
			t.Errorf("article checks = %d, want %d", got, want)
		}
		p, err := st.PageByURL(context.Background(), fakeArticle)
		if err != nil {
			t.Fatal(err)
		}
		if !p.NextCheckAt.IsZero() {
			t.Errorf("article still due at %v after it aged out", p.NextCheckAt)
		}
	})
}

// TestPagesFetchedOncePerCycle: a [[page]] source was enqueued both by its
// cron job and by the due-time ticker, so with a short tick it was fetched
// twice per cycle. Three pages on "* * * * *" for 30 minutes of fake time
// are fetched once a minute each.
func TestPagesFetchedOncePerCycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "stet.db")
		var extra strings.Builder
		for i := range 3 {
			fmt.Fprintf(&extra, "\n[[page]]\nurl = \"https://news.example/p%d.html\"\nschedule = \"* * * * *\"\n", i)
		}
		cfg := testConfig(t, path, extra.String())
		cfg.Daemon.Tick = seconds(1)
		cfg.Daemon.DeliveryInterval = hour(1)
		st, err := storage.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ff := &fakeFetcher{calls: map[string]int{}}
		d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: ff, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(time.Now().Truncate(time.Minute).Add(time.Minute)) - time.Second)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		cancel()
		<-done
		for i := range 3 {
			// Checked at start, then once a minute: 31 in 30 minutes (one
			// fewer if the spread delay carries the last past the end).
			if got := ff.count(fmt.Sprintf("https://news.example/p%d.html", i)); got < 30 || got > 31 {
				t.Errorf("page %d fetched %d times in 30 minutes of * * * * *, want 30 or 31", i, got)
			}
		}
	})
}
