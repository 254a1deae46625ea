package crawler

import (
	"fmt"
	"net/http"
	"net/url"
)

// parseTarget parses a URL to fetch, refusing anything but http(s).
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid URL: no host")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w %q", ErrUnsupportedScheme, u.Scheme)
	}
	return nil
}

// redirectTarget returns where a 3xx response points, or nil if res is not
// a redirect. A redirect without a usable Location is a final response.
func (f *fetch) redirectTarget(u *url.URL, res *http.Response) (*url.URL, error) {
	switch res.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, nil
	}
	if res.Header.Get("Location") == "" {
		return nil, nil
	}
	next, err := res.Location()
	if err != nil {
		return nil, fail(f.resp, ClassError, "bad redirect location: "+err.Error(), err)
	}
	next.Fragment, next.RawFragment = "", ""
	f.c.hosts.succeeded(hostKey(u))
	f.resp.Redirects = append(f.resp.Redirects, Redirect{From: u.String(), To: next.String(), Status: res.StatusCode})
	return next, nil
}

// follow checks a redirect target before it is requested: scheme, hop cap
// and loops. A URL may be visited twice (sites that set a cookie and bounce
// back), not three times.
func (f *fetch) follow(next *url.URL) error {
	f.resp.FinalURL = next.String()
	if err := checkScheme(next); err != nil {
		return fail(f.resp, ClassError, fmt.Sprintf("redirect to unsupported scheme %q refused", next.Scheme), err)
	}
	if n := len(f.resp.Redirects); n > f.c.opts.MaxRedirects {
		return fail(f.resp, ClassError, fmt.Sprintf("stopped after %d redirects", f.c.opts.MaxRedirects), ErrTooManyRedirects)
	}
	k := next.String()
	f.visits[k]++
	if f.visits[k] > 2 {
		return fail(f.resp, ClassError, "redirect loop at "+k, ErrRedirectLoop)
	}
	return nil
}

// setPermanent marks a chain made only of 301/308 hops: the page's canonical
// URL has moved and the caller may update it.
func (f *fetch) setPermanent() {
	rs := f.resp.Redirects
	f.resp.Permanent = len(rs) > 0
	for _, r := range rs {
		if r.Status != http.StatusMovedPermanently && r.Status != http.StatusPermanentRedirect {
			f.resp.Permanent = false
		}
	}
}

// redirectedHome reports a redirect that landed on a site's home page from
// somewhere else: publishers do this for deleted articles instead of a 404.
func (f *fetch) redirectedHome(final *url.URL) bool {
	return len(f.resp.Redirects) > 0 && isHome(final) && !isHome(f.orig)
}

func isHome(u *url.URL) bool { return u.Path == "" || u.Path == "/" }
