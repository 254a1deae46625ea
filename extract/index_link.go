package extract

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// maxFieldBytes bounds a kept URL and a sitemap text field. The sitemap
// protocol allows URLs of up to 2,048 characters; twice that is garbage.
const maxFieldBytes = 4 << 10

// absHTTP resolves ref against base (which may be nil) and returns the
// result and its parsed form if it is an absolute http or https URL with a
// host and at most maxFieldBytes long; otherwise "" and nil. The fragment
// is dropped, so "a#top" and "a" are one link, and a bare fragment ("#",
// "#top": an anchor in the same page) is refused; tabs and newlines inside
// ref are dropped, as browsers do. The string returned parses back to the URL
// returned, which is what callers key and host-check on.
func absHTTP(ref string, base *url.URL) (string, *url.URL) {
	ref = strings.TrimSpace(ref)
	if strings.ContainsAny(ref, "\t\n\r") {
		ref = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(ref)
	}
	if ref == "" || ref[0] == '#' || len(ref) > maxFieldBytes {
		return "", nil
	}
	u, err := url.Parse(ref)
	if err != nil {
		return "", nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Fragment, u.RawFragment = "", ""
	s := u.String()
	if len(s) > maxFieldBytes {
		return "", nil
	}
	if u, err = url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.Hostname() == "" {
		return "", nil
	}
	return s, u
}

// hostSet is the set of hosts an index page's links may point to: the
// page's own host, exact names and "*." suffixes. Hosts compare without
// port, case or trailing dot, and in their ASCII (punycode) form.
type hostSet struct {
	exact    map[string]bool
	suffixes []string // ".example.com"
}

// newHostSet builds the allowed hosts from the page URL (may be nil) and
// the operator's patterns: "example.com" matches that host only,
// "*.example.com" any host under it (not example.com itself).
func newHostSet(page *url.URL, patterns []string) (hostSet, error) {
	h := hostSet{exact: map[string]bool{}}
	if page != nil && page.Hostname() != "" {
		h.exact[hostKey(page.Hostname())] = true
	}
	for _, p := range patterns {
		name, wild := strings.CutPrefix(strings.TrimSpace(p), "*.")
		if name == "" || strings.ContainsAny(name, "/:*@ ") {
			return hostSet{}, fmt.Errorf("extract: index: host pattern %q: want \"example.com\" or \"*.example.com\"", p)
		}
		if wild {
			h.suffixes = append(h.suffixes, "."+hostKey(name))
		} else {
			h.exact[hostKey(name)] = true
		}
	}
	return h, nil
}

func (h hostSet) allow(u *url.URL) bool {
	host := hostKey(u.Hostname())
	if h.exact[host] {
		return true
	}
	for _, s := range h.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// hostKey is the comparable form of a host name.
func hostKey(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		return a
	}
	return host
}
