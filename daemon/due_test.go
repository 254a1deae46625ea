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

// timedFetcher serves an empty feed for every URL and records when each
// was fetched.
type timedFetcher struct {
	mu  sync.Mutex
	hit map[string][]time.Time
}

func (f *timedFetcher) Fetch(_ context.Context, r crawler.Request) (*crawler.Response, error) {
	f.mu.Lock()
	f.hit[r.URL] = append(f.hit[r.URL], time.Now())
	f.mu.Unlock()
	return &crawler.Response{URL: r.URL, FinalURL: r.URL, Status: 200, Class: crawler.ClassOK, Started: time.Now(),
		ContentType: "application/rss+xml",
		Body:        []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link></channel></rss>`)}, nil
}

// TestRestartReadsSourcesWhenDue: with 50 sources due at different times,
// a restarted daemon reads none before its due time (it used to read every
// feed at once on start).
func TestRestartReadsSourcesWhenDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "stet.db")
		var extra strings.Builder
		for i := range 50 {
			fmt.Fprintf(&extra, "\n[[feed]]\nurl = \"https://f%d.example/rss\"\nschedule = \"@every %dm\"\n", i, 10+i)
		}
		cfg := testConfig(t, path, extra.String())
		cfg.Daemon.DeliveryInterval = hour(1)
		cfg.Daemon.Tick = seconds(5)
		st, err := storage.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		run := func(f *timedFetcher, d time.Duration) {
			dm, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: f, Logger: quietLog()})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() { dm.Run(ctx); close(done) }()
			time.Sleep(d)
			synctest.Wait()
			cancel()
			<-done
		}
		first := &timedFetcher{hit: map[string][]time.Time{}}
		run(first, 5*time.Minute) // every source read once, at start
		if len(first.hit) != 50 {
			t.Fatalf("first run read %d sources, want 50", len(first.hit))
		}
		due := map[string]time.Time{}
		srcs, err := st.Sources(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range srcs {
			due[s.URL] = s.NextCheckAt
		}
		restart := time.Now()
		second := &timedFetcher{hit: map[string][]time.Time{}}
		run(second, 20*time.Minute)
		early, read := 0, 0
		for u, times := range second.hit {
			read++
			if times[0].Before(due[u]) {
				early++
				t.Errorf("%s read at +%v, due at +%v", u, times[0].Sub(restart), due[u].Sub(restart))
			}
		}
		wantRead := 0
		for _, d := range due {
			if !d.After(restart.Add(20 * time.Minute)) {
				wantRead++
			}
		}
		if early != 0 || read != wantRead {
			t.Errorf("after restart %d sources read (%d early); want the %d due within 20 minutes", read, early, wantRead)
		}
	})
}
