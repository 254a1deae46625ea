package daemon_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// siteTransport serves every host from handlers in memory, so the real
// crawler runs in a synctest bubble, and records each request's start.
type siteTransport struct {
	articles map[string]int // articles in a host's feed; 2 if not set
	mu       sync.Mutex
	sent     []sentRequest
}

type sentRequest struct {
	at         time.Time
	host, path string
}

func (rt *siteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.sent = append(rt.sent, sentRequest{time.Now(), r.URL.Host, r.URL.Path})
	rt.mu.Unlock()
	rec := httptest.NewRecorder()
	switch {
	case r.URL.Path == "/robots.txt":
		http.NotFound(rec, r)
	case r.URL.Path == "/feed.xml":
		n := rt.articles[r.URL.Host]
		if n == 0 {
			n = 2
		}
		var links []string
		for i := range n {
			links = append(links, fmt.Sprintf("http://%s/a%d.html", r.URL.Host, i+1))
		}
		rss(links...)(rec, r)
	default:
		article("Story "+r.URL.Path, paras...)(rec, r)
	}
	res := rec.Result()
	res.Request = r
	return res, nil
}

func (rt *siteTransport) requests() []sentRequest {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]sentRequest(nil), rt.sent...)
}

// TestColdHostsDoNotParkWorkers: one worker, three hosts whose robots.txt
// is not cached yet, per_host_interval 2s. The robots.txt request of each
// host comes first and counts against its interval, but the worker does
// not wait it out inside the crawler: it asks the three robots.txt at
// once, then each feed when its host is ready, then the articles. No two
// requests to a host start less than the interval apart, and every
// article is fetched three intervals after the start, as politeness
// allows (robots.txt, feed, first article, second article).
func TestColdHostsDoNotParkWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = 2 * time.Second
		hosts := []string{"a.example", "b.example", "c.example"}
		rt := &siteTransport{}
		start := runFeeds(t, hosts, rt, interval, 5*interval)

		sent := rt.requests()
		log := sentLog(sent, start)
		if len(sent) < 3 {
			t.Fatalf("requests:%s\nwant the three robots.txt first", log)
		}
		for i, s := range sent[:3] {
			if s.path != "/robots.txt" || s.at.Sub(start) >= interval {
				t.Errorf("request %d is +%v %s%s; want the three robots.txt first, before any interval passed:%s",
					i+1, s.at.Sub(start), s.host, s.path, log)
			}
		}
		first := checkSpacing(t, sent, start, interval)
		for _, h := range hosts {
			for _, p := range []string{"/robots.txt", "/feed.xml", "/a1.html", "/a2.html"} {
				if at, ok := first[h+p]; !ok || at > 3*interval {
					t.Errorf("%s%s first fetched at +%v (fetched: %v); want it by +%v", h, p, at, ok, 3*interval)
				}
			}
		}
		if t.Failed() {
			t.Logf("requests:%s", log)
		}
	})
}

// TestBusyFeedDoesNotCrowdOutHosts: one worker; a.example's feed lists 60
// articles, fifteen other hosts' 2 each. The queue holds at most 8 of
// a.example's pages, however many claims found them due, so every other
// host's articles are fetched as soon as politeness allows (two and three
// intervals after the start) rather than behind a.example's.
func TestBusyFeedDoesNotCrowdOutHosts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = 2 * time.Second
		hosts := []string{"a.example"}
		for i := range 15 {
			hosts = append(hosts, fmt.Sprintf("h%d.example", i))
		}
		rt := &siteTransport{articles: map[string]int{"a.example": 60}}
		start := runFeeds(t, hosts, rt, interval, 5*interval)
		sent := rt.requests()
		first := checkSpacing(t, sent, start, interval)
		for _, h := range hosts[1:] {
			for _, p := range []string{"/a1.html", "/a2.html"} {
				if at, ok := first[h+p]; !ok || at > 3*interval {
					t.Errorf("%s%s first fetched at +%v (fetched: %v); want it by +%v", h, p, at, ok, 3*interval)
				}
			}
		}
		if t.Failed() {
			t.Logf("requests:%s", sentLog(sent, start))
		}
	})
}

// runFeeds runs a daemon with one worker, the real crawler over rt and a
// feed on each host, for d of fake time, and returns when it started.
func runFeeds(t *testing.T, hosts []string, rt *siteTransport, interval, d time.Duration) time.Time {
	t.Helper()
	var extra strings.Builder
	for _, h := range hosts {
		fmt.Fprintf(&extra, "\n[[feed]]\nurl = \"http://%s/feed.xml\"\n", h)
	}
	path := filepath.Join(t.TempDir(), "stet.db")
	cfg := testConfig(t, path, extra.String())
	cfg.Daemon.Workers = 1
	cfg.Daemon.DeliveryInterval = hour(1)
	cfg.Fetch.PerHostInterval = config.Duration(interval)
	cfg.Fetch.PerHostConcurrency = 2
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	co := daemon.CrawlerOptions(cfg, quietLog())
	co.Robots, co.Transport = true, rt
	dm, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: crawler.New(co), Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	start := time.Now()
	go func() { dm.Run(ctx); close(done) }()
	time.Sleep(d)
	synctest.Wait()
	cancel()
	<-done
	return start
}

// checkSpacing reports requests to a host started less than interval
// apart, and returns when each URL (host and path) was first asked.
func checkSpacing(t *testing.T, sent []sentRequest, start time.Time, interval time.Duration) map[string]time.Duration {
	t.Helper()
	last := map[string]time.Time{}
	first := map[string]time.Duration{}
	for _, s := range sent {
		if prev, ok := last[s.host]; ok && s.at.Sub(prev) < interval {
			t.Errorf("%s%s started %v after the previous request to its host, want at least %v", s.host, s.path, s.at.Sub(prev), interval)
		}
		last[s.host] = s.at
		if _, ok := first[s.host+s.path]; !ok {
			first[s.host+s.path] = s.at.Sub(start)
		}
	}
	return first
}

func sentLog(sent []sentRequest, start time.Time) string {
	var b strings.Builder
	for _, s := range sent {
		fmt.Fprintf(&b, "\n+%v %s%s", s.at.Sub(start), s.host, s.path)
	}
	return b.String()
}
