package crawler_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
)

// robotsSite serves robots.txt (status and body) and counts robots and
// article requests separately.
type robotsSite struct {
	robots, articles atomic.Int32
	mu               sync.Mutex
	agents           []string
	arrivals         []time.Time
}

func newRobotsSite(tb testing.TB, status int, robots string) (*robotsSite, string) {
	tb.Helper()
	s := &robotsSite{}
	ts, _ := serve(tb, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.agents = append(s.agents, r.UserAgent())
		s.mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			s.robots.Add(1)
			w.WriteHeader(status)
			fmt.Fprint(w, robots)
			return
		}
		s.articles.Add(1)
		s.mu.Lock()
		s.arrivals = append(s.arrivals, time.Now())
		s.mu.Unlock()
		fmt.Fprint(w, "<p>article</p>")
	})
	return s, ts.URL
}

func TestRobotsDisallow(t *testing.T) {
	tests := []struct {
		name, robots, path string
		allowed            bool
	}{
		{"star disallows path", "User-agent: *\nDisallow: /private/\n", "/private/a", false},
		{"star allows other path", "User-agent: *\nDisallow: /private/\n", "/public/a", true},
		{"stet group wins over star", "User-agent: stet\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/a", false},
		{"other agent's group ignored", "User-agent: googlebot\nDisallow: /\n", "/a", true},
		{"query matched", "User-agent: *\nDisallow: /*?print\n", "/a?print=1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, base := newRobotsSite(t, 200, tt.robots)
			c := newClient(t, crawler.Options{Robots: true})
			resp, err := fetch(t, c, base+tt.path)
			if tt.allowed {
				wantClass(t, resp, err, crawler.ClassOK, "")
				if resp.Robots != "allowed" {
					t.Errorf("Robots = %q, want allowed", resp.Robots)
				}
				return
			}
			wantFailure(t, resp, err, crawler.ClassBlocked, "disallowed by robots.txt", crawler.ErrRobotsDisallowed)
			if resp.Robots != "disallowed" || site.articles.Load() != 0 {
				t.Errorf("Robots = %q, article requests = %d; want disallowed, 0", resp.Robots, site.articles.Load())
			}
		})
	}
}

func TestRobotsCached(t *testing.T) {
	site, base := newRobotsSite(t, 200, "User-agent: *\nDisallow: /private/\n")
	c := newClient(t, crawler.Options{Robots: true, UserAgent: "stet/2.0 (+https://example.org)"})
	for _, p := range []string{"/a", "/b"} {
		resp, err := fetch(t, c, base+p)
		wantClass(t, resp, err, crawler.ClassOK, "")
	}
	if got := site.robots.Load(); got != 1 {
		t.Errorf("robots.txt fetched %d times for two articles, want 1", got)
	}
	for _, ua := range site.agents {
		if ua != "stet/2.0 (+https://example.org)" {
			t.Errorf("request sent User-Agent %q", ua)
		}
	}

	// An expired entry is fetched again.
	site, base = newRobotsSite(t, 200, "")
	c = newClient(t, crawler.Options{Robots: true, RobotsTTL: time.Nanosecond})
	for _, p := range []string{"/a", "/b"} {
		resp, err := fetch(t, c, base+p)
		wantClass(t, resp, err, crawler.ClassOK, "")
	}
	if got := site.robots.Load(); got != 2 {
		t.Errorf("robots.txt fetched %d times with an expired TTL, want 2", got)
	}
}

// TestRobotsUnavailable: robots.txt answered with nothing to obey.
func TestRobotsUnavailable(t *testing.T) {
	tests := []struct {
		name, body, want string
		status           int
	}{
		{"404 allows all", "", "allowed", 404},
		{"403 allows all", "", "allowed", 403},
		{"too large allows, reported", strings.Repeat("# comment\n", 60<<10), "unavailable (body larger than 524288 bytes)", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, base := newRobotsSite(t, tt.status, tt.body)
			resp, err := fetch(t, newClient(t, crawler.Options{Robots: true}), base+"/a")
			wantClass(t, resp, err, crawler.ClassOK, "")
			if resp.Robots != tt.want || site.articles.Load() != 1 {
				t.Errorf("Robots = %q, articles = %d; want %q, 1", resp.Robots, site.articles.Load(), tt.want)
			}
		})
	}
}

func TestRobotsOverride(t *testing.T) {
	site, base := newRobotsSite(t, 200, "User-agent: *\nDisallow: /\n")
	no, yes := false, true
	c := newClient(t, crawler.Options{Robots: true})
	resp, err := c.Fetch(t.Context(), crawler.Request{URL: base + "/a", Robots: &no})
	wantClass(t, resp, err, crawler.ClassOK, "")
	if resp.Robots != "ignored" || site.robots.Load() != 0 {
		t.Errorf("Robots = %q, robots.txt requests = %d; want ignored, 0", resp.Robots, site.robots.Load())
	}
	c = newClient(t, crawler.Options{})
	resp, err = c.Fetch(t.Context(), crawler.Request{URL: base + "/a", Robots: &yes})
	wantFailure(t, resp, err, crawler.ClassBlocked, "disallowed by robots.txt", crawler.ErrRobotsDisallowed)
}

func TestRobotsCrawlDelay(t *testing.T) {
	const delay = 200 * time.Millisecond
	site, base := newRobotsSite(t, 200, "User-agent: *\nCrawl-delay: 0.2\n")
	c := newClient(t, crawler.Options{Robots: true})
	for _, p := range []string{"/a", "/b"} {
		resp, err := fetch(t, c, base+p)
		wantClass(t, resp, err, crawler.ClassOK, "")
	}
	if len(site.arrivals) != 2 {
		t.Fatalf("article requests = %d, want 2", len(site.arrivals))
	}
	// Lower bound only (see TestPerHostInterval).
	if gap := site.arrivals[1].Sub(site.arrivals[0]); gap < delay-delay/3 {
		t.Errorf("gap between articles = %v, want >= %v from Crawl-delay", gap, delay)
	}
}
