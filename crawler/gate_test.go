package crawler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
)

// gateLog records what a HostGate was asked and what the servers then saw,
// in one sequence, so a test can check that every request was preceded by
// its gate call.
type gateLog struct {
	mu     sync.Mutex
	events []string
	fail   func(host string) error // nil: let everything through
}

func (g *gateLog) add(s string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, s)
}

func (g *gateLog) gate(_ context.Context, host string, interval time.Duration) error {
	g.add(fmt.Sprintf("gate %s %s", host, interval))
	if g.fail != nil {
		return g.fail(host)
	}
	return nil
}

func (g *gateLog) log() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.events...)
}

// TestHostGateEveryRequest checks that the gate is asked before every
// request, robots.txt and each redirect hop included, with the request's
// host and the interval in force there (a longer Crawl-delay replaces
// PerHostInterval).
func TestHostGateEveryRequest(t *testing.T) {
	g := &gateLog{}
	other, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		g.add("other " + r.URL.Path)
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nCrawl-delay: 2\n")
			return
		}
		fmt.Fprint(w, "<html><body><p>moved here</p></body></html>")
	})
	first, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		g.add("first " + r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case "/b":
			http.Redirect(w, r, other.URL+"/c", http.StatusMovedPermanently)
		}
	})
	c := newClient(t, crawler.Options{Robots: true, PerHostInterval: time.Millisecond, HostGate: g.gate})
	resp, err := fetch(t, c, first.URL+"/a")
	wantClass(t, resp, err, crawler.ClassOK, "")
	h1, h2 := hostOf(t, first.URL), hostOf(t, other.URL)
	want := []string{
		"gate " + h1 + " 1ms", "first /robots.txt",
		"gate " + h1 + " 1ms", "first /a",
		"gate " + h1 + " 1ms", "first /b",
		"gate " + h2 + " 1ms", "other /robots.txt",
		"gate " + h2 + " 2s", "other /c", // the Crawl-delay just read
	}
	if got := g.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gate calls and requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHostGateRefuses checks that a gate's error fails the fetch without
// contacting the host, and that a robots.txt request the gate refused is
// not remembered as an unreachable robots.txt: the next fetch asks again.
func TestHostGateRefuses(t *testing.T) {
	boom := errors.New("database unavailable")
	tests := []struct {
		name   string
		robots bool
		reason string
	}{
		{"page", false, "waiting for the shared host slot: database unavailable"},
		{"robots.txt", true, "robots.txt: waiting for the shared host slot: database unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &gateLog{fail: func(string) error { return boom }}
			ts, hits := serve(t, page(200, nil, "<p>ok</p>"))
			var mu sync.Mutex
			c := newClient(t, crawler.Options{Robots: tt.robots, HostGate: func(ctx context.Context, host string, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				return g.gate(ctx, host, d)
			}})
			resp, err := fetch(t, c, ts.URL+"/a")
			wantFailure(t, resp, err, crawler.ClassError, tt.reason, crawler.ErrHostGate)
			if !errors.Is(err, boom) {
				t.Errorf("err = %v, want it to wrap the gate's error", err)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("server saw %d requests, want none", n)
			}
			mu.Lock()
			g.fail = nil
			mu.Unlock()
			resp, err = fetch(t, c, ts.URL+"/a")
			wantClass(t, resp, err, crawler.ClassOK, "")
			want := int32(1)
			if tt.robots {
				want = 2 // robots.txt, then the page
			}
			if n := hits.Load(); n != want {
				t.Errorf("after the gate opened, server saw %d requests, want %d", n, want)
			}
		})
	}
}

// TestHostGateWaits checks that the request waits for the gate, and that
// the gate's wait ends with the fetch's context.
func TestHostGateWaits(t *testing.T) {
	var sent, opened atomic.Int64 // UnixNano
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		sent.Store(time.Now().UnixNano())
		fmt.Fprint(w, "<p>ok</p>")
	})
	c := newClient(t, crawler.Options{HostGate: func(ctx context.Context, _ string, _ time.Duration) error {
		select {
		case <-time.After(50 * time.Millisecond):
			opened.Store(time.Now().UnixNano())
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	resp, err := fetch(t, c, ts.URL)
	wantClass(t, resp, err, crawler.ClassOK, "")
	if s, o := sent.Load(), opened.Load(); s < o {
		t.Errorf("request sent %v before the gate opened", time.Duration(o-s))
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	c = newClient(t, crawler.Options{HostGate: func(ctx context.Context, _ string, _ time.Duration) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	resp, err = c.Fetch(ctx, crawler.Request{URL: ts.URL})
	wantFailure(t, resp, err, crawler.ClassError, "waiting for the shared host slot", context.DeadlineExceeded)
}
