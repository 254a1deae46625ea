package crawler

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

const (
	defaultUserAgent = "stet (+https://github.com/stet/stet)"
	defaultAccept    = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptEncoding   = "gzip, deflate, br"
)

// Client fetches URLs. It is safe for concurrent use; per-host politeness,
// backoff and robots.txt state are shared by all its callers.
type Client struct {
	opts   Options
	rt     http.RoundTripper
	hosts  *hosts
	robots *robotsCache
	agent  string // robots.txt product token, from UserAgent
	log    *slog.Logger
}

// New returns a Client with o's zero fields set to their defaults.
func New(o Options) *Client {
	o = o.withDefaults()
	rt := o.Transport
	if rt == nil {
		rt = newTransport(o)
	}
	return &Client{
		opts:   o,
		rt:     rt,
		hosts:  newHosts(o.PerHostInterval, o.PerHostConcurrency),
		robots: newRobotsCache(),
		agent:  productToken(o.UserAgent),
		log:    o.Logger,
	}
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = defaultUserAgent
	}
	o.Timeout = orDefault(o.Timeout, 30*time.Second)
	o.ConnectTimeout = orDefault(o.ConnectTimeout, 10*time.Second)
	o.HeaderTimeout = orDefault(o.HeaderTimeout, 15*time.Second)
	o.MaxBodyBytes = min(orDefault(o.MaxBodyBytes, 10<<20), MaxBodyLimit)
	o.MaxRedirects = orDefault(o.MaxRedirects, 10)
	o.PerHostInterval = max(o.PerHostInterval, 0)
	o.PerHostConcurrency = orDefault(o.PerHostConcurrency, 2)
	o.RobotsTTL = orDefault(o.RobotsTTL, 24*time.Hour)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Fetch GETs r.URL. It never reads more than MaxBodyBytes decompressed bytes,
// never dials a non-public address unless AllowPrivate is set, and never
// takes longer than Timeout once its first request starts (waiting for a
// per-host slot is bounded by ctx only). The body is fully read and closed
// before Fetch returns.
//
// The Response is never nil. The error is a *FetchError when no usable body
// came back (classes error and too_large, robots.txt disallow, refused
// address); gone, blocked pages, and not_modified return a nil error with
// the Class set.
func (c *Client) Fetch(ctx context.Context, r Request) (*Response, error) {
	resp := &Response{URL: r.URL, Started: time.Now(), Robots: "ignored"}
	robots := c.opts.Robots
	if r.Robots != nil {
		robots = *r.Robots
	}
	err := c.newFetch(r, resp, c.opts.MaxBodyBytes, robots).run(ctx)
	resp.Duration = time.Since(resp.Started)
	c.log.Debug("fetch", "url", r.URL, "final_url", resp.FinalURL, "status", resp.Status,
		"class", string(resp.Class), "reason", resp.Reason, "bytes", len(resp.Body),
		"redirects", len(resp.Redirects), "robots", resp.Robots, "duration", resp.Duration)
	return resp, err
}

// fetch is the state of one Fetch across its redirect hops.
type fetch struct {
	c        *Client
	req      Request
	resp     *Response
	orig     *url.URL
	maxBody  int64
	robots   bool
	hc       *http.Client
	deadline time.Time // set when the first request starts
	visits   map[string]int
	noAnswer bool // failed without a complete answer: network error, timeout, host backed off
	noWait   bool // Request.NoWait, until the first request is sent
}

func (c *Client) newFetch(r Request, resp *Response, maxBody int64, robots bool) *fetch {
	// A per-fetch cookie jar lets "set a cookie and bounce back" redirects
	// succeed; nothing is kept between fetches.
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &fetch{
		c: c, req: r, resp: resp, maxBody: maxBody, robots: robots, noWait: r.NoWait,
		hc: &http.Client{
			Transport:     c.rt,
			Jar:           jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		visits: map[string]int{},
	}
}

// run follows the request's URL hop by hop. Each hop is admitted (backoff,
// address, robots.txt), then sent while holding a slot on its host.
func (f *fetch) run(ctx context.Context) error {
	u, err := parseTarget(f.req.URL)
	if err != nil {
		return fail(f.resp, ClassError, err.Error(), err)
	}
	f.orig, f.visits[u.String()] = u, 1
	f.resp.FinalURL = u.String()
	defer f.setPermanent()
	for {
		if err := f.admit(ctx, u); err != nil {
			return err
		}
		next, err := f.hop(ctx, u)
		if err != nil || next == nil {
			return err
		}
		if err := f.follow(next); err != nil {
			return err
		}
		u = next
	}
}

// hop sends one request to u. It returns the redirect target, or nil once a
// final response has been classified into f.resp.
func (f *fetch) hop(ctx context.Context, u *url.URL) (*url.URL, error) {
	key := hostKey(u)
	release, until, err := f.c.hosts.acquire(ctx, key, f.noWait)
	if err != nil {
		return nil, fail(f.resp, ClassError, "canceled waiting for host slot: "+err.Error(), err)
	}
	if release == nil {
		nr := &NotReadyError{Host: key, Until: until}
		return nil, fail(f.resp, ClassError, nr.Error(), nr)
	}
	defer release()
	if gate := f.c.opts.HostGate; gate != nil {
		if err := gate(ctx, key, f.c.hosts.gap(key)); err != nil {
			return nil, fail(f.resp, ClassError, "waiting for the shared host slot: "+err.Error(), fmt.Errorf("%w: %w", ErrHostGate, err))
		}
	}
	f.noWait = false
	if f.deadline.IsZero() {
		f.deadline = time.Now().Add(f.c.opts.Timeout)
	}
	hctx, cancel := context.WithDeadline(ctx, f.deadline)
	defer cancel()

	var conn connEvidence
	req := f.newRequest(conn.trace(hctx), u)
	f.resp.FinalURL, f.resp.RequestHeader = u.String(), req.Header.Clone()
	res, err := f.hc.Do(req)
	if err != nil {
		return nil, f.failTransport(ctx, hctx, err)
	}
	defer res.Body.Close()
	f.resp.Status, f.resp.Header = res.StatusCode, res.Header
	conn.record(f.resp, res)
	f.resp.ContentType = res.Header.Get("Content-Type")
	if next, err := f.redirectTarget(u, res); next != nil || err != nil {
		// Drain a little so the connection can be reused; never much.
		_, _ = io.CopyN(io.Discard, res.Body, 4<<10)
		return next, err
	}
	return nil, f.finish(ctx, hctx, u, res)
}

func (f *fetch) newRequest(ctx context.Context, u *url.URL) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil) // u is already parsed and checked
	req.Header.Set("User-Agent", f.c.opts.UserAgent)
	req.Header.Set("Accept", cmp.Or(f.req.Accept, defaultAccept))
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if f.req.ETag != "" {
		req.Header.Set("If-None-Match", f.req.ETag)
	}
	if f.req.LastModified != "" {
		req.Header.Set("If-Modified-Since", f.req.LastModified)
	}
	return req
}

// productToken is the User-Agent's first product name, lower-cased, which
// robots.txt groups are matched against ("stet" for the default agent).
func productToken(ua string) string {
	f := strings.FieldsFunc(ua, func(r rune) bool { return r == '/' || r == ' ' || r == '(' })
	if len(f) == 0 {
		return "stet"
	}
	return strings.ToLower(f[0])
}
