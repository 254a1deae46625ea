package crawler

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	robotsMaxBytes = 512 << 10
	// unavailableTTL bounds how long a failed robots.txt fetch is trusted,
	// so a host that was down is asked again within the hour.
	unavailableTTL = time.Hour
)

// robotsEntry caches one origin's robots.txt. lock is a one-slot semaphore
// (ctx-aware, unlike a mutex) held while reading or refreshing the entry, so
// concurrent fetches to one origin trigger a single robots.txt request.
type robotsEntry struct {
	lock    chan struct{}
	group   *robotstxt.Group // nil means allow all
	state   string
	expires time.Time
}

type robotsCache struct {
	mu sync.Mutex
	m  map[string]*robotsEntry
}

func newRobotsCache() *robotsCache { return &robotsCache{m: make(map[string]*robotsEntry)} }

func (rc *robotsCache) entry(origin string) *robotsEntry {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.m[origin]
	if !ok {
		e = &robotsEntry{lock: make(chan struct{}, 1)}
		rc.m[origin] = e
	}
	return e
}

// checkRobots fails the fetch if robots.txt disallows u for our agent.
func (f *fetch) checkRobots(ctx context.Context, u *url.URL) error {
	allowed, state, err := f.c.robotsAllowed(ctx, u)
	f.resp.Robots = state
	if ae := (*addrError)(nil); errors.As(err, &ae) {
		return fail(f.resp, ClassBlocked, ae.Error(), ae)
	}
	if err != nil {
		return fail(f.resp, ClassError, "canceled: "+err.Error(), err)
	}
	if !allowed {
		return fail(f.resp, ClassBlocked, "disallowed by robots.txt", ErrRobotsDisallowed)
	}
	return nil
}

// robotsAllowed reports whether u may be fetched, and the Response.Robots
// state. Errors are only a refused address or ctx ending; an unreachable
// robots.txt allows the fetch.
func (c *Client) robotsAllowed(ctx context.Context, u *url.URL) (bool, string, error) {
	origin := u.Scheme + "://" + hostKey(u)
	e := c.robots.entry(origin)
	select {
	case e.lock <- struct{}{}:
	case <-ctx.Done():
		return false, "unavailable (canceled)", ctx.Err()
	}
	defer func() { <-e.lock }()
	if !time.Now().Before(e.expires) {
		if err := c.refreshRobots(ctx, e, origin, u); err != nil {
			return false, "unavailable (" + err.Error() + ")", err
		}
	}
	if e.group != nil && !e.group.Test(u.RequestURI()) {
		return false, "disallowed", nil
	}
	return true, e.state, nil
}

// refreshRobots fetches origin/robots.txt through the same guarded client,
// politeness and backoff included: 2xx is parsed, 4xx allows all, anything
// else allows all but is reported as unavailable.
func (c *Client) refreshRobots(ctx context.Context, e *robotsEntry, origin string, u *url.URL) error {
	sub := &Response{URL: origin + "/robots.txt", Started: time.Now()}
	err := c.run(ctx, Request{URL: sub.URL, Accept: "text/plain,*/*;q=0.5"}, sub, robotsMaxBytes, false)
	if ae := (*addrError)(nil); errors.As(err, &ae) {
		return ae
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	ttl := c.opts.RobotsTTL
	e.group, e.state = nil, "allowed"
	switch {
	case errors.Is(err, ErrHostBackedOff):
		// 429/503 or already backed off: cache nothing; the caller's
		// backoff check stops the fetch and robots.txt is asked again later.
		e.state, ttl = "unavailable ("+sub.Reason+")", 0
	case sub.Class == ClassOK:
		ttl = c.parseRobots(e, u, sub.Body, ttl)
	case sub.Class == ClassGone, sub.Status >= 400 && sub.Status < 500 && sub.Status != 429:
		// No robots.txt: everything is allowed.
	default:
		e.state, ttl = "unavailable ("+sub.Reason+")", min(ttl, unavailableTTL)
	}
	e.expires = time.Now().Add(ttl)
	c.log.Debug("robots.txt", "origin", origin, "status", sub.Status, "state", e.state)
	return nil
}

func (c *Client) parseRobots(e *robotsEntry, u *url.URL, body []byte, ttl time.Duration) time.Duration {
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		e.state = "unavailable (robots.txt parse error)"
		return min(ttl, unavailableTTL)
	}
	e.group = data.FindGroup(c.agent)
	c.hosts.setCrawlDelay(hostKey(u), e.group.CrawlDelay)
	return ttl
}
