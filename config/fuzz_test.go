package config_test

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

// FuzzParse checks that Parse never panics, that what it accepts is
// normalised and valid, and that what it rejects is reported as
// *config.Error values, each naming the file first.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../config.toml"); err == nil {
		f.Add(string(b))
	}
	f.Add("[[feed]]\nurl = 'https://a.example/'\nschedule = '61 * * * *'\n")
	f.Add("[recheck]\nsteps = [{ until = '6h', every = 'x' }]\n")
	f.Add("[[site]]\nhost = '*.a.example'\nremove = ['div..x']\n[fetch]\ntimeout = 3\n")
	f.Add("\uFEFF[[feed]]\nurl = 'HTTP://A.EXAMPLE:80/rss#x'\nschedule = '@every 1s'\n[[page]]\nurl = 'http://a.example/rss/'\n")
	f.Add("[[page]]\nurl = 'https://bücher.example'\nschedule = '0 0 29 2 *'\n[[feed]]\nurl = 'https://b.example/'\nschedule = '@every 0s'\n")
	f.Add("[[webhook]]\nurl = 'https://h.example/'\nname = 'x'\nallow_private = true\n[[webhook]]\nurl = 'https://h.example'\n")
	f.Add("[fetch]\nmax_body = '1GiB'\nmax_feed_items = 0\n")
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := config.Parse(strings.NewReader(doc), "f.toml")
		if err != nil {
			checkParseError(t, err)
			return
		}
		if verr := cfg.Validate(); verr != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", verr)
		}
		for i, f := range cfg.Feeds {
			checkSource(t, fmt.Sprintf("feed[%d]", i), f.URL, f.Schedule)
		}
		for i, p := range cfg.Pages {
			checkSource(t, fmt.Sprintf("page[%d]", i), p.URL, p.Schedule)
		}
	})
}

// checkParseError requires every joined error to be a *config.Error whose
// message starts with the file name.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), "f.toml") {
		t.Fatalf("error %q does not start with the file name", err)
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		ce, ok := errors.AsType[*config.Error](e)
		if !ok || ce.File != "f.toml" || !strings.HasPrefix(e.Error(), "f.toml") {
			t.Fatalf("error %q (%T) is not a *config.Error for f.toml", e, e)
		}
	}
}

// checkSource requires a parsed source's URL to be normalised and its
// schedule to be set and valid.
func checkSource(t *testing.T, key, u string, s config.Schedule) {
	t.Helper()
	if n, err := config.NormalizeURL(u); err != nil || n != u {
		t.Fatalf("%s.url = %q, which normalises to %q, %v", key, u, n, err)
	}
	if s.IsZero() {
		t.Fatalf("%s.schedule is not set", key)
	}
	if _, err := config.ParseSchedule(s.Spec); err != nil {
		t.Fatalf("%s.schedule = %q, which is invalid: %v", key, s.Spec, err)
	}
}

// FuzzNormalizeURL checks NormalizeURL's contract: its result is an absolute
// http(s) URL without a fragment that normalises to itself, and its key is
// a normalised URL too that spellings differing only in the fragment share.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"HTTP://A.EXAMPLE:80/rss#x", "https://a.example", "https://u:p@a.example:0443/a/?q=1",
		"https://bücher.example/", "http://[2001:DB8::1]:8080/x/", "javascript:alert(1)",
		"/rel", "http:///x", "https://a.example/%7E/a%2Fb/", "http://a.example:/?#",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := config.NormalizeURL(raw)
		if err != nil {
			return
		}
		if again, err := config.NormalizeURL(n); err != nil || again != n {
			t.Fatalf("NormalizeURL(%q) = %q, but NormalizeURL(%q) = %q, %v", raw, n, n, again, err)
		}
		u, err := url.Parse(n)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			t.Fatalf("NormalizeURL(%q) = %q, which is not an absolute http(s) URL (%v)", raw, n, err)
		}
		if strings.Contains(n, "#") {
			t.Fatalf("NormalizeURL(%q) = %q, which holds a '#'", raw, n)
		}
		key := config.URLKey(n)
		if again := config.URLKey(n); again != key {
			t.Fatalf("URLKey(%q) = %q, then %q", n, key, again)
		}
		if kn, err := config.NormalizeURL(key); err != nil || kn != key {
			t.Fatalf("URLKey(%q) = %q, which normalises to %q, %v", n, key, kn, err)
		}
		withFragment := strings.TrimSpace(raw) + "#frag"
		if fn, err := config.NormalizeURL(withFragment); err != nil || fn != n {
			t.Fatalf("NormalizeURL(%q) = %q, %v; want %q as without the fragment", withFragment, fn, err, n)
		}
	})
}
