package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	robotsMaxBytes = 512 << 10
	// robotsRetry is how long an unreachable robots.txt blocks its origin
	// before it is asked again (at most Options.RobotsTTL).
	robotsRetry = 10 * time.Minute
	// unavailableTTL bounds how long a robots.txt that answered with nothing
	// usable (too large, unparsable, redirect trouble) is taken to allow
	// everything, so it is asked again within the hour.
	unavailableTTL = time.Hour
)

// robotsEntry caches one origin's robots.txt. lock is a one-slot semaphore
// (ctx-aware, unlike a mutex) held while reading or refreshing the entry, so
// concurrent fetches to one origin trigger a single robots.txt request.
type robotsEntry struct {
	lock chan struct{}
	// The last answer: its rules (nil allows everything) and the
	// Response.Robots state of a fetch they allow.
	group *robotstxt.Group
	state string
	// standIn is until when the last answer may stand in for a robots.txt
	// that has become unreachable; zero when there is no answer yet.
	standIn time.Time
	// note tells, while the last answer stands in, why it does.
	note string
	// blocked, when set, refuses every fetch: robots.txt is unreachable and
	// no answer stands in for it.
	blocked *unreachableError
	expires time.Time // when to ask again
}

// unreachableError refuses a fetch because its origin's robots.txt could
// not be read.
type unreachableError struct{ reason, state string }

func (e *unreachableError) Error() string { return e.reason }
func (e *unreachableError) Unwrap() error { return ErrRobotsUnreachable }

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

// checkRobots fails the fetch if robots.txt disallows u for our agent, or
// cannot be read.
func (f *fetch) checkRobots(ctx context.Context, u *url.URL) error {
	state, err := f.c.robotsAllowed(ctx, u, f.noWait)
	f.resp.Robots = state
	var ae *addrError
	var ue *unreachableError
	var nr *NotReadyError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae):
		return fail(f.resp, ClassBlocked, ae.Error(), ae)
	case errors.As(err, &ue):
		return fail(f.resp, ClassBlocked, ue.Error(), ue)
	case errors.As(err, &nr):
		return fail(f.resp, ClassError, nr.Error(), err) // robots.txt not asked yet
	case errors.Is(err, ErrRobotsDisallowed):
		return fail(f.resp, ClassBlocked, "disallowed by robots.txt", ErrRobotsDisallowed)
	case errors.Is(err, ErrHostGate):
		reason := err.Error()
		if fe, ok := errors.AsType[*FetchError](err); ok {
			reason = fe.Reason
		}
		return fail(f.resp, ClassError, "robots.txt: "+reason, err)
	}
	return fail(f.resp, ClassError, "canceled: "+err.Error(), err)
}

// robotsAllowed returns the Response.Robots state of u and nil if robots.txt
// lets u be fetched. Otherwise the error is ErrRobotsDisallowed, an
// *unreachableError, a refused address, ctx ending, or (with noWait) a
// *NotReadyError when robots.txt must be asked but the host is not ready.
func (c *Client) robotsAllowed(ctx context.Context, u *url.URL, noWait bool) (string, error) {
	origin := u.Scheme + "://" + hostKey(u)
	e := c.robots.entry(origin)
	select {
	case e.lock <- struct{}{}:
	case <-ctx.Done():
		return "unavailable (canceled)", ctx.Err()
	}
	defer func() { <-e.lock }()
	if !time.Now().Before(e.expires) {
		if err := c.refreshRobots(ctx, e, origin, u, noWait); err != nil {
			return "unavailable (" + err.Error() + ")", err
		}
	}
	switch {
	case e.blocked != nil:
		return e.blocked.state, e.blocked
	case e.group != nil && !e.group.Test(u.RequestURI()):
		return "disallowed" + e.note, ErrRobotsDisallowed
	}
	return e.state + e.note, nil
}

// refreshRobots fetches origin/robots.txt through the same guarded client,
// politeness and backoff included, and stores the outcome in e. With
// noWait, a host not ready for it yet returns a *NotReadyError.
func (c *Client) refreshRobots(ctx context.Context, e *robotsEntry, origin string, u *url.URL, noWait bool) error {
	sub := &Response{URL: origin + "/robots.txt", Started: time.Now()}
	f := c.newFetch(Request{URL: sub.URL, Accept: "text/plain,*/*;q=0.5", NoWait: noWait}, sub, robotsMaxBytes, false)
	err := f.run(ctx)
	if ae := (*addrError)(nil); errors.As(err, &ae) {
		return ae
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, ErrHostGate) || errors.As(err, new(*NotReadyError)) {
		return err // robots.txt was not asked: nothing to remember
	}
	if f.unreachable() {
		c.robotsUnreachable(e, sub.Reason)
	} else {
		c.robotsAnswered(e, u, sub)
	}
	c.log.Debug("robots.txt", "origin", origin, "status", sub.Status, "state", e.state+e.note, "blocked", e.blocked != nil)
	return nil
}

// robotsAnswered stores an answer: a 2xx is parsed; a 4xx allows everything
// (RFC 9309 §2.3.1.3); anything else (too large, redirect trouble) also
// allows everything but is reported as unavailable and trusted for less
// long.
func (c *Client) robotsAnswered(e *robotsEntry, u *url.URL, sub *Response) {
	ttl := c.opts.RobotsTTL
	e.group, e.state, e.note, e.blocked = nil, "allowed", "", nil
	switch {
	case sub.Class == ClassOK:
		ttl = c.parseRobots(e, u, sub.Body, ttl)
	case sub.Class == ClassGone, sub.Status >= 400 && sub.Status < 500:
		// No robots.txt: everything is allowed.
	default:
		e.state, ttl = "unavailable ("+sub.Reason+")", min(ttl, unavailableTTL)
	}
	e.expires = time.Now().Add(ttl)
	e.standIn = e.expires.Add(c.opts.RobotsTTL)
}

// robotsUnreachable handles a robots.txt that could not be read: a 5xx or
// 429, a network error, a timeout. RFC 9309 §2.3.1.4 then means complete
// disallow, and §2.4 lets a crawler keep using a cached copy meanwhile. So
// the last answer, until one RobotsTTL past its expiry, stays in force;
// without one, every fetch to the origin is blocked. Either way robots.txt
// is asked again after robotsRetry.
func (c *Client) robotsUnreachable(e *robotsEntry, reason string) {
	retry := min(robotsRetry, c.opts.RobotsTTL)
	now := time.Now()
	e.expires = now.Add(retry)
	if now.Before(e.standIn) {
		e.note = " (last copy; robots.txt unreachable: " + reason + ")"
		return
	}
	e.group, e.note = nil, ""
	e.blocked = &unreachableError{
		reason: fmt.Sprintf("robots.txt unreachable (%s); retry after %s", reason, retry),
		state:  "unreachable (" + reason + ")",
	}
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
