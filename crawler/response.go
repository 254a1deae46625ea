package crawler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// admit decides whether u may be requested at all: not while its host is
// backed off, not at a literal non-public IP, not against robots.txt.
func (f *fetch) admit(ctx context.Context, u *url.URL) error {
	if err := f.checkBackoff(u); err != nil {
		return err
	}
	if err := CheckHost(u.Host, f.c.opts.AllowPrivate); err != nil {
		// The dial guard would refuse it too; refusing here also spares the
		// robots.txt request and covers a custom Transport.
		return fail(f.resp, ClassBlocked, err.Error(), err)
	}
	if !f.robots {
		return nil
	}
	if err := f.checkRobots(ctx, u); err != nil {
		return err
	}
	return f.checkBackoff(u) // the robots.txt request itself may have drawn a 429
}

func (f *fetch) checkBackoff(u *url.URL) error {
	if until, ok := f.c.hosts.backedOff(hostKey(u)); ok {
		f.noAnswer = true
		return fail(f.resp, ClassError, "host backed off until "+formatUntil(until), ErrHostBackedOff)
	}
	return nil
}

// finish classifies a final (non-redirect) response and reads its body when
// the class keeps one.
func (f *fetch) finish(ctx, hctx context.Context, u *url.URL, res *http.Response) error {
	code := res.StatusCode
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		f.resp.RetryAfter = retryAfter(res.Header, time.Now())
		until := f.c.hosts.backoff(hostKey(u), f.resp.RetryAfter)
		f.c.log.Debug("host backed off", "host", hostKey(u), "status", code, "until", until)
		return fail(f.resp, ClassError, statusReason(code), fmt.Errorf("%w until %s", ErrHostBackedOff, formatUntil(until)))
	}
	f.c.hosts.succeeded(hostKey(u))
	switch {
	case code == http.StatusNotModified:
		// A 304 need not repeat the validators; keep the ones we sent.
		f.resp.Class = ClassNotModified
		f.copyValidators(res)
		f.resp.ETag = cmp.Or(f.resp.ETag, f.req.ETag)
		f.resp.LastModified = cmp.Or(f.resp.LastModified, f.req.LastModified)
		return nil
	case code >= 200 && code < 300:
		return f.finishOK(ctx, hctx, u, res)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		f.keepBody(res)
		f.resp.Class, f.resp.Reason = ClassBlocked, statusReason(code)
		if why := challenge(res.Header, f.resp.Body, title(f.resp.Body)); why != "" {
			f.resp.Reason = fmt.Sprintf("%s (status %d)", why, code)
		}
		return nil
	case code == http.StatusNotFound || code == http.StatusGone:
		f.keepBody(res)
		f.resp.Class, f.resp.Reason = ClassGone, statusReason(code)
		return nil
	}
	return fail(f.resp, ClassError, statusReason(code), nil)
}

func (f *fetch) finishOK(ctx, hctx context.Context, u *url.URL, res *http.Response) error {
	body, err := readBody(res, f.maxBody)
	if err != nil {
		return f.failTransport(ctx, hctx, err)
	}
	f.resp.Body = body
	f.copyValidators(res)
	t := title(body) // once: both the wall and the soft 404 read it
	switch why := challenge(res.Header, body, t); {
	case f.redirectedHome(u):
		f.resp.Class, f.resp.Reason = ClassGone, "redirected to home page"
	case why != "":
		f.resp.Class, f.resp.Reason = ClassBlocked, why
	case softNotFound(body, t):
		f.resp.Class, f.resp.Reason = ClassGone, "page says not found (status 200)"
	default:
		f.resp.Class = ClassOK
	}
	return nil
}

// keepBody reads the body of a gone or blocked page for the record; failing
// to read it changes nothing about the classification.
func (f *fetch) keepBody(res *http.Response) {
	if body, err := readBody(res, f.maxBody); err == nil {
		f.resp.Body = body
	}
}

// failTransport classifies err, met sending a request or reading its body.
// It notes when the server left the fetch without a complete answer
// (network error, timeout), as opposed to answering with something unusable
// (too large, unknown encoding, corrupt compression).
func (f *fetch) failTransport(ctx, hctx context.Context, err error) error {
	class, reason, cause := errorOutcome(ctx, hctx, err, f.c.opts, f.maxBody)
	var de *decodeError
	f.noAnswer = class == ClassError && !errors.Is(cause, errBadEncoding) && !errors.As(cause, &de)
	return fail(f.resp, class, reason, cause)
}

// unreachable reports a fetch that got no usable answer because of the
// server or the network, RFC 9309's "unreachable": a 5xx, a 429 (which
// crawlers commonly treat alike), or no complete response at all.
func (f *fetch) unreachable() bool {
	s := f.resp.Status
	return s >= 500 || s == http.StatusTooManyRequests || f.noAnswer
}

func (f *fetch) copyValidators(res *http.Response) {
	f.resp.ETag = res.Header.Get("ETag")
	f.resp.LastModified = res.Header.Get("Last-Modified")
}
