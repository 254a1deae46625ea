package crawler_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
)

// TestNoWait: a NoWait fetch never waits out its host's interval. On a
// host whose robots.txt is not cached it asks for robots.txt (through the
// HostGate, spaced like any request) and returns at once, not ready until
// the interval from that request has passed; asked again before then, it
// sends nothing; after, the page goes out. Redirect hops after the first
// request wait as usual.
func TestNoWait(t *testing.T) {
	const interval = 300 * time.Millisecond
	g := &gateLog{}
	var mu sync.Mutex
	sent := map[string]time.Time{}
	ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent[r.URL.Path] = time.Now()
		mu.Unlock()
		g.add("sent " + r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/r":
			http.Redirect(w, r, "/b", http.StatusFound)
		default:
			fmt.Fprint(w, "<html><body><p>ok</p></body></html>")
		}
	})
	sentAt := func(path string) time.Time {
		mu.Lock()
		defer mu.Unlock()
		return sent[path]
	}
	c := newClient(t, crawler.Options{Robots: true, PerHostInterval: interval, HostGate: g.gate})
	noWait := func(path string) (*crawler.Response, error) {
		t.Helper()
		return c.Fetch(t.Context(), crawler.Request{URL: ts.URL + path, NoWait: true})
	}
	host := hostOf(t, ts.URL)

	start := time.Now()
	resp, err := noWait("/a")
	wantFailure(t, resp, err, crawler.ClassError, "host "+host+" not ready until", nil)
	nr, ok := errors.AsType[*crawler.NotReadyError](err)
	if !ok {
		t.Fatalf("err = %v, want a *NotReadyError in it", err)
	}
	if took := time.Since(start); took >= interval {
		t.Errorf("not-ready fetch took %v, want it to return without waiting the %v interval", took, interval)
	}
	robots := sentAt("/robots.txt")
	if nr.Host != host || nr.Until.Before(robots.Add(interval-50*time.Millisecond)) || nr.Until.After(robots.Add(interval)) {
		t.Errorf("NotReadyError = %+v; want host %s, until the interval after robots.txt (sent at %v)", nr, host, robots)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("requests = %d, want robots.txt only", n)
	}

	resp, err = noWait("/a") // too early: nothing is sent, the gate not asked
	wantFailure(t, resp, err, crawler.ClassError, "not ready until", nil)
	if again, _ := errors.AsType[*crawler.NotReadyError](err); again == nil || !again.Until.Equal(nr.Until) {
		t.Errorf("second not-ready = %v, want until %v", err, nr.Until)
	}

	time.Sleep(time.Until(nr.Until))
	resp, err = noWait("/a")
	wantClass(t, resp, err, crawler.ClassOK, "")
	// Starts are booked just before sending: allow for the server seeing
	// each request a little late.
	const slack = 10 * time.Millisecond
	if gap := sentAt("/a").Sub(robots); gap < interval-slack {
		t.Errorf("page sent %v after robots.txt, want at least %v", gap, interval)
	}

	time.Sleep(interval)
	resp, err = noWait("/r") // its redirect hop waits for the interval
	wantClass(t, resp, err, crawler.ClassOK, "")
	if gap := sentAt("/b").Sub(sentAt("/r")); gap < interval-slack {
		t.Errorf("redirect hop sent %v after the first request, want at least %v", gap, interval)
	}
	want := []string{
		"gate " + host + " 300ms", "sent /robots.txt",
		"gate " + host + " 300ms", "sent /a",
		"gate " + host + " 300ms", "sent /r",
		"gate " + host + " 300ms", "sent /b",
	}
	if got := g.log(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gate calls and requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
