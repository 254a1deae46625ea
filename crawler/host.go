package crawler

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	backoffBase     = time.Minute
	backoffMax      = 6 * time.Hour
	retryAfterMax   = 24 * time.Hour // a hostile Retry-After cannot park a host for years
	crawlDelayMax   = time.Minute    // nor can a hostile Crawl-delay wedge the workers
	defaultHTTPPort = ":80"
	defaultTLSPort  = ":443"
)

// hostKey is the politeness key of a URL: its lower-cased host with the
// scheme's default port removed ("example.com", "127.0.0.1:8080").
func hostKey(u *url.URL) string {
	return normalizeHost(u.Host)
}

func normalizeHost(h string) string {
	h = strings.ToLower(h)
	if strings.HasSuffix(h, defaultHTTPPort) {
		return strings.TrimSuffix(h, defaultHTTPPort)
	}
	return strings.TrimSuffix(h, defaultTLSPort)
}

// hostState is one host's politeness state. sem bounds requests in flight;
// the other fields are guarded by hosts.mu.
type hostState struct {
	sem        chan struct{}
	next       time.Time     // earliest start of the next request
	crawlDelay time.Duration // from robots.txt
	until      time.Time     // backed off until
	failures   int           // consecutive 429/503 without Retry-After
}

// hosts holds per-host state shared by every caller of one Client.
type hosts struct {
	interval time.Duration
	conc     int

	mu sync.Mutex
	m  map[string]*hostState
}

func newHosts(interval time.Duration, conc int) *hosts {
	return &hosts{interval: interval, conc: conc, m: make(map[string]*hostState)}
}

// get returns the host's state; the caller must hold h.mu.
func (h *hosts) get(key string) *hostState {
	s, ok := h.m[key]
	if !ok {
		s = &hostState{sem: make(chan struct{}, h.conc)}
		h.m[key] = s
	}
	return s
}

// acquire waits for a request slot on the host and for its minimum interval
// to pass. The interval is reserved under the lock but waited for outside it,
// so no lock is ever held while sleeping. The returned func releases the slot.
// With noWait, a host whose interval has not passed is not waited for:
// acquire reserves nothing and returns, with a nil func, when it may be
// asked.
func (h *hosts) acquire(ctx context.Context, key string, noWait bool) (func(), time.Time, error) {
	h.mu.Lock()
	s := h.get(key)
	h.mu.Unlock()
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
	release := func() { <-s.sem }
	start, ok := h.reserve(s, noWait)
	if !ok {
		release()
		return nil, start, nil
	}
	if err := sleepCtx(ctx, time.Until(start)); err != nil {
		release()
		return nil, time.Time{}, err
	}
	return release, time.Time{}, nil
}

// reserve books the next start time on the host and returns it. With
// noWait it books only a start that is now, and otherwise returns the
// earliest start and false.
func (h *hosts) reserve(s *hostState, noWait bool) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := time.Now()
	if s.next.After(start) {
		if noWait {
			return s.next, false
		}
		start = s.next
	}
	s.next = start.Add(max(h.interval, s.crawlDelay))
	return start, true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gap is the interval in force between request starts to the host: the
// configured interval, or a longer Crawl-delay.
func (h *hosts) gap(key string) time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return max(h.interval, h.get(key).crawlDelay)
}

// setCrawlDelay records a robots.txt Crawl-delay, capped at crawlDelayMax.
func (h *hosts) setCrawlDelay(key string, d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.get(key).crawlDelay = min(d, crawlDelayMax)
}

// backedOff returns the time until which the host must not be contacted.
func (h *hosts) backedOff(key string) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.m[key]
	if !ok || !time.Now().Before(s.until) {
		return time.Time{}, false
	}
	return s.until, true
}

// backoff parks the host after a 429/503: until Retry-After when the server
// gave one, otherwise exponentially (1m, 2m, 4m ... 6h) with up to 10% jitter
// so that many hosts failing together do not come back in lockstep.
func (h *hosts) backoff(key string, retryAfter time.Duration) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.get(key)
	d := retryAfter
	if d <= 0 {
		d = backoffBase << min(s.failures, 10)
		d = min(d+rand.N(d/10+1), backoffMax)
		s.failures++
	}
	s.until = time.Now().Add(d)
	return s.until
}

// succeeded resets the exponential backoff after any answer but 429/503.
func (h *hosts) succeeded(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.m[key]; ok {
		s.failures = 0
	}
}

func (h *hosts) until(key string) time.Time {
	t, _ := h.backedOff(key)
	return t
}

func (h *hosts) setUntil(key string, t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.get(key).until = t
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
// It returns 0 when absent, unparsable or in the past, and caps the result.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(max(n, 0), int64(retryAfterMax/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), retryAfterMax)
}

// HostBackoff returns when host may be contacted again after a 429/503, or
// the zero time if it is not backed off. host is a URL's host ("example.com",
// "example.com:8080"); case and default ports are ignored.
func (c *Client) HostBackoff(host string) time.Time {
	return c.hosts.until(normalizeHost(host))
}

// SetHostBackoff restores a backoff stored before a restart: fetches to host
// fail with "host backed off until ..." until that time. A zero or past time
// lifts the backoff.
func (c *Client) SetHostBackoff(host string, until time.Time) {
	c.hosts.setUntil(normalizeHost(host), until)
}
