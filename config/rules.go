package config

import (
	"net"
	"strings"
	"time"
)

// eventTypes lists every event a webhook can subscribe to.
var eventTypes = []string{
	"change.changed",
	"change.removed",
	"change.restored",
	"change.flapping",
	"change.settled",
	"change.unlisted",
	"change.relisted",
	"source.failing",
	"source.recovered",
}

// UserAgentString is the User-Agent header value: UserAgent followed by
// " (+Contact)" when a contact is set and not already part of it, so site
// operators can reach whoever runs this instance.
func (c *Config) UserAgentString() string {
	ua := c.Fetch.UserAgent
	if c.Fetch.Contact == "" || strings.Contains(ua, c.Fetch.Contact) {
		return ua
	}
	return ua + " (+" + c.Fetch.Contact + ")"
}

// Interval returns how long to wait before re-checking an article of the
// given age: the Every of the first step whose Until is above age, or of the
// last step once age has passed every Until. ok is false when age has
// reached StopAfter and the article should no longer be re-checked.
func (r Recheck) Interval(age time.Duration) (every time.Duration, ok bool) {
	if age >= r.StopAfter.D() || len(r.Steps) == 0 {
		return 0, false
	}
	for _, s := range r.Steps {
		if age < s.Until.D() {
			return s.Every.D(), true
		}
	}
	return r.Steps[len(r.Steps)-1].Every.D(), true
}

// SiteRule returns the extraction rule for host, or nil. An exact rule wins
// (ignoring case, a port and a leading "www."), then the wildcard rule with
// the longest suffix: "*.example.com" covers example.com and every
// subdomain of it.
func (c *Config) SiteRule(host string) *Site {
	h := normalizeHost(host)
	for i := range c.Sites {
		if normalizeHost(c.Sites[i].Host) == h {
			return &c.Sites[i]
		}
	}
	var best *Site
	for i := range c.Sites {
		suffix, ok := strings.CutPrefix(strings.ToLower(c.Sites[i].Host), "*.")
		if !ok || (h != suffix && !strings.HasSuffix(h, "."+suffix)) {
			continue
		}
		if best == nil || len(suffix) > len(best.Host)-2 {
			best = &c.Sites[i]
		}
	}
	return best
}

// normalizeHost lower-cases host and drops a port, a trailing dot and a
// leading "www.", so "WWW.Example.com:443" and "example.com" compare equal.
func normalizeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.TrimPrefix(host, "www.")
}
