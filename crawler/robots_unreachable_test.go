package crawler_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stet/stet/crawler"
)

// TestRobotsUnreachable: a robots.txt that cannot be read (5xx, 429, network
// error, timeout) means complete disallow (RFC 9309 §2.3.1.4): the page is
// blocked without being requested, and robots.txt is not asked again during
// the retry window.
func TestRobotsUnreachable(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
	}
	tests := []struct {
		name   string
		robots http.HandlerFunc
		why    string
	}{
		{"500", status(500), "status 500"},
		{"503", status(503), "status 503"},
		{"429", status(429), "status 429"},
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, "connection closed by server"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "timeout after 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var robots, articles atomic.Int32
			ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					robots.Add(1)
					tt.robots(w, r)
					return
				}
				articles.Add(1)
			})
			c := newClient(t, crawler.Options{Robots: true, Timeout: 300 * time.Millisecond})
			resp, err := fetch(t, c, ts.URL+"/a")
			want := fmt.Sprintf("robots.txt unreachable (%s); retry after 10m0s", tt.why)
			if fe := wantFailure(t, resp, err, crawler.ClassBlocked, want, crawler.ErrRobotsUnreachable); fe.Reason != want {
				t.Errorf("reason = %q, want %q", fe.Reason, want)
			}
			if got, want := resp.Robots, "unreachable ("+tt.why+")"; got != want {
				t.Errorf("Robots = %q, want %q", got, want)
			}
			// Blocked again from the cache (or, after a 429/503, by the
			// host's backoff): either way nothing reaches the host.
			_, err = fetch(t, c, ts.URL+"/b")
			if err == nil {
				t.Error("second fetch succeeded, want it refused")
			}
			if got, want := robots.Load(), int32(1); got != want {
				t.Errorf("robots.txt requests = %d, want %d", got, want)
			}
			if got := articles.Load(); got != 0 {
				t.Errorf("article requests = %d, want 0", got)
			}
		})
	}
}

// wantBlocked is wantFailure for the synctest bubble, where no time passes
// during a fetch.
func wantBlocked(tb testing.TB, resp *crawler.Response, err error, reason string, target error) {
	tb.Helper()
	if !errors.Is(err, target) || resp.Class != crawler.ClassBlocked || !strings.Contains(resp.Reason, reason) {
		tb.Errorf("err, class, reason = %v, %q, %q; want %v, blocked, %q", err, resp.Class, resp.Reason, target, reason)
	}
}

// robotsTransport serves one origin without a network, so that tests can
// run in a synctest bubble and let hours pass at once. robots.txt answers
// with the current status and body.
type robotsTransport struct {
	mu               sync.Mutex
	status           int
	body             string
	robots, articles int
}

func (rt *robotsTransport) set(status int, body string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.status, rt.body = status, body
}

func (rt *robotsTransport) counts() (robots, articles int) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.robots, rt.articles
}

func (rt *robotsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	status, body := http.StatusOK, "<p>article</p>"
	if r.URL.Path == "/robots.txt" {
		rt.robots++
		status, body = rt.status, rt.body
	} else {
		rt.articles++
	}
	return &http.Response{StatusCode: status, Header: http.Header{}, Request: r,
		Body: io.NopCloser(strings.NewReader(body))}, nil
}

// TestRobotsUnreachableRetry: the block lasts the retry window (10 minutes,
// or RobotsTTL if shorter), then robots.txt is asked again, and a good
// answer lets the page through.
func TestRobotsUnreachableRetry(t *testing.T) {
	tests := []struct {
		name  string
		ttl   time.Duration
		retry time.Duration
	}{
		{"default", 0, 10 * time.Minute},
		{"capped by robots ttl", 2 * time.Minute, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &robotsTransport{status: http.StatusServiceUnavailable}
				c := newClient(t, crawler.Options{Robots: true, RobotsTTL: tt.ttl, Transport: rt})
				const page = "http://news.example/a"

				resp, err := fetch(t, c, page)
				wantBlocked(t, resp, err,
					"robots.txt unreachable (status 503); retry after "+tt.retry.String(), crawler.ErrRobotsUnreachable)

				time.Sleep(tt.retry - time.Second) // past the host's 503 backoff, inside the window
				rt.set(http.StatusOK, "User-agent: *\nAllow: /\n")
				resp, err = fetch(t, c, page)
				wantBlocked(t, resp, err, "robots.txt unreachable (status 503)", crawler.ErrRobotsUnreachable)
				if robots, articles := rt.counts(); robots != 1 || articles != 0 {
					t.Errorf("inside the window: robots.txt, article requests = %d, %d; want 1, 0", robots, articles)
				}

				time.Sleep(time.Second)
				resp, err = fetch(t, c, page)
				wantClass(t, resp, err, crawler.ClassOK, "")
				if robots, articles := rt.counts(); robots != 2 || articles != 1 {
					t.Errorf("after the window: robots.txt, article requests = %d, %d; want 2, 1", robots, articles)
				}
			})
		})
	}
}

// TestRobotsLastCopyStandsIn: once robots.txt has answered, an unreachable
// refresh keeps the last answer in force (RFC 9309 §2.4), for at most one
// RobotsTTL past its expiry; after that the origin is blocked.
func TestRobotsLastCopyStandsIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = time.Hour
		rt := &robotsTransport{status: http.StatusOK, body: "User-agent: *\nDisallow: /private/\n"}
		c := newClient(t, crawler.Options{Robots: true, RobotsTTL: ttl, Transport: rt})
		resp, err := fetch(t, c, "http://news.example/a")
		wantClass(t, resp, err, crawler.ClassOK, "")

		time.Sleep(ttl) // the copy expires; robots.txt now fails
		rt.set(http.StatusInternalServerError, "")
		resp, err = fetch(t, c, "http://news.example/a")
		wantClass(t, resp, err, crawler.ClassOK, "")
		if got, want := resp.Robots, "allowed (last copy; robots.txt unreachable: status 500)"; got != want {
			t.Errorf("Robots = %q, want %q", got, want)
		}
		resp, err = fetch(t, c, "http://news.example/private/x")
		wantBlocked(t, resp, err, "disallowed by robots.txt", crawler.ErrRobotsDisallowed)

		time.Sleep(ttl) // one TTL past expiry: the copy no longer stands in
		resp, err = fetch(t, c, "http://news.example/a")
		wantBlocked(t, resp, err, "robots.txt unreachable (status 500)", crawler.ErrRobotsUnreachable)
		if robots, articles := rt.counts(); robots != 3 || articles != 2 {
			t.Errorf("robots.txt, article requests = %d, %d; want 3, 2", robots, articles)
		}
	})
}
