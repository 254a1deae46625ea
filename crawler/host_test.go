package crawler_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
)

func TestBackoffRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter func(now time.Time) string
		want       time.Duration
		slack      time.Duration
	}{
		{"429 seconds", 429, func(time.Time) string { return "120" }, 2 * time.Minute, time.Second},
		{"503 date", 503, func(now time.Time) string { return now.Add(time.Hour).UTC().Format(http.TimeFormat) }, time.Hour, 2 * time.Second},
		{"429 absurd", 429, func(time.Time) string { return "999999999" }, 24 * time.Hour, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.retryAfter(time.Now()))
				w.WriteHeader(tt.status)
			})
			c := newClient(t, crawler.Options{})
			before := time.Now()
			resp, err := fetch(t, c, ts.URL+"/a")
			fe := wantFailure(t, resp, err, crawler.ClassError, "status", crawler.ErrHostBackedOff)
			if fe.Status != tt.status {
				t.Errorf("Status = %d, want %d", fe.Status, tt.status)
			}
			if d := resp.RetryAfter; d < tt.want-tt.slack || d > tt.want {
				t.Errorf("RetryAfter = %v, want about %v", d, tt.want)
			}
			until := c.HostBackoff(hostOf(t, ts.URL))
			if until.Before(before.Add(tt.want-tt.slack)) || until.After(time.Now().Add(tt.want)) {
				t.Errorf("HostBackoff = %v, want about now+%v", until, tt.want)
			}

			resp, err = fetch(t, c, ts.URL+"/b")
			wantFailure(t, resp, err, crawler.ClassError, "host backed off until "+until.UTC().Format(time.RFC3339), crawler.ErrHostBackedOff)
			if hits.Load() != 1 {
				t.Errorf("server saw %d requests, want 1: a backed-off host must not be contacted", hits.Load())
			}
		})
	}
}

func TestBackoffExponential(t *testing.T) {
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) })
	c := newClient(t, crawler.Options{})
	host := hostOf(t, ts.URL)
	for _, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		before := time.Now()
		resp, err := fetch(t, c, ts.URL)
		wantFailure(t, resp, err, crawler.ClassError, "status 429", crawler.ErrHostBackedOff)
		if resp.RetryAfter != 0 {
			t.Errorf("RetryAfter = %v without a header, want 0", resp.RetryAfter)
		}
		until := c.HostBackoff(host)
		if lo, hi := before.Add(want), time.Now().Add(want+want/10); until.Before(lo) || until.After(hi) {
			t.Errorf("backoff until %v, want in [%v, %v]", until, lo, hi)
		}
		c.SetHostBackoff(host, time.Time{}) // let the next attempt through
	}
}

func TestSetHostBackoff(t *testing.T) {
	ts, hits := serve(t, page(200, nil, "<p>ok</p>"))
	c := newClient(t, crawler.Options{})
	host := hostOf(t, ts.URL)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	c.SetHostBackoff(strings.ToUpper(host), until)
	if got := c.HostBackoff(host); !got.Equal(until) {
		t.Errorf("HostBackoff = %v, want %v", got, until)
	}
	resp, err := fetch(t, c, ts.URL)
	wantFailure(t, resp, err, crawler.ClassError, "host backed off until", crawler.ErrHostBackedOff)
	if hits.Load() != 0 {
		t.Errorf("server saw %d requests, want 0", hits.Load())
	}
	c.SetHostBackoff(host, time.Now().Add(-time.Second))
	if got := c.HostBackoff(host); !got.IsZero() {
		t.Errorf("HostBackoff after expiry = %v, want zero", got)
	}
	resp, err = fetch(t, c, ts.URL)
	wantClass(t, resp, err, crawler.ClassOK, "")
}

// TestPerHostConcurrency fills the host's slots with requests the server
// holds, then shows that a further fetch to that host waits for a slot (and
// gives up with its ctx) while another host is still served.
func TestPerHostConcurrency(t *testing.T) {
	const limit = 2
	arrived := make(chan struct{}, limit+1)
	release := make(chan struct{})
	ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	})
	other, _ := serve(t, page(200, nil, "<p>other host</p>"))
	c := newClient(t, crawler.Options{PerHostConcurrency: limit})
	var wg sync.WaitGroup
	for range limit {
		wg.Go(func() {
			resp, err := fetch(t, c, ts.URL)
			wantClass(t, resp, err, crawler.ClassOK, "")
		})
	}
	for range limit {
		<-arrived
	}

	// The ctx deadline is a bound on waiting, not a timing assertion: a
	// correct cap never lets this request through, however slow the machine.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	resp, err := c.Fetch(ctx, crawler.Request{URL: ts.URL + "/third"})
	wantFailure(t, resp, err, crawler.ClassError, "canceled waiting for host slot", context.DeadlineExceeded)
	if got := hits.Load(); got != limit {
		t.Errorf("server saw %d requests with %d slots, want %d", got, limit, limit)
	}
	resp, err = fetch(t, c, other.URL)
	wantClass(t, resp, err, crawler.ClassOK, "")

	close(release)
	wg.Wait()
}

func TestPerHostInterval(t *testing.T) {
	const interval = 150 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	})
	c := newClient(t, crawler.Options{PerHostInterval: interval, PerHostConcurrency: 3})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			resp, err := fetch(t, c, ts.URL)
			wantClass(t, resp, err, crawler.ClassOK, "")
		})
	}
	wg.Wait()
	if len(arrivals) != 3 {
		t.Fatalf("server saw %d requests, want 3", len(arrivals))
	}
	for i := 1; i < len(arrivals); i++ {
		// A minimum spacing is a lower bound, so a slow machine only widens
		// the gaps; the slack absorbs network jitter between arrivals, and an
		// unenforced interval would still show gaps near zero.
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < interval-interval/3 {
			t.Errorf("gap between request %d and %d = %v, want >= %v", i-1, i, gap, interval)
		}
	}
}
