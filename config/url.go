package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// NormalizeURL returns the canonical form of an absolute http or https URL,
// the one form in which stet stores, compares and fetches the URLs of
// sources, feed items and hand-checked pages.
//
// It trims surrounding white space, lower-cases the scheme and host,
// converts an international host name to its ASCII (punycode) form and an
// IPv6 address to its shortest form, drops the default port (80 for http,
// 443 for https) and a port's leading zeros, drops the fragment and turns an
// empty path into "/". Userinfo, the path and the query are kept as
// written, apart from the percent-encoding of bytes that must be escaped.
//
// It returns an error naming the reason for anything else: a relative URL,
// another scheme (javascript:, file:, data:, mailto:, ftp:, ...), a missing
// host, a port outside 1..65535 or a host that is not a valid name.
// NormalizeURL is idempotent: NormalizeURL of its result returns it again.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", errors.New("empty URL")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("invalid URL: %w", err)
	}
	host, err := normalizeAuthority(u)
	if err != nil {
		shown := s
		if _, ok := u.User.Password(); ok {
			shown = u.Redacted()
		}
		return "", fmt.Errorf("%q is not an absolute http(s) URL: %w", shown, err)
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	return u.String(), nil
}

// normalizeAuthority checks u's scheme and returns its normalised host and
// port.
func normalizeAuthority(u *url.URL) (string, error) {
	switch {
	case u.Scheme == "":
		return "", errors.New("relative URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("unsupported scheme %q", u.Scheme)
	case u.Hostname() == "":
		return "", errors.New("no host")
	}
	host, err := normalizeHostname(u.Hostname(), strings.HasPrefix(u.Host, "["))
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" {
		return host, nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid port %q", port)
	}
	if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
		return host, nil
	}
	return host + ":" + strconv.Itoa(n), nil
}

// normalizeHostname lower-cases a host name, converts an international
// one to punycode, and writes a bracketed IPv6 address in its shortest form.
func normalizeHostname(name string, bracketed bool) (string, error) {
	if bracketed {
		ip, err := netip.ParseAddr(name)
		if err != nil || !ip.Is6() {
			return "", fmt.Errorf("invalid IPv6 address %q", name)
		}
		return "[" + ip.String() + "]", nil
	}
	if strings.Contains(name, ":") {
		return "", fmt.Errorf("invalid host %q", name)
	}
	if isASCII(name) {
		return strings.ToLower(name), nil
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return "", fmt.Errorf("invalid international host name %q: %w", name, err)
	}
	return ascii, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// URLKey returns the identity of a URL normalised by NormalizeURL: the URL
// with one trailing slash of a non-root path removed, so that
// "https://a.example/news/" and "https://a.example/news" are the same
// source. Two sources are duplicates when their keys are equal. URLKey does
// not normalise: pass it NormalizeURL's result.
func URLKey(normalized string) string {
	i := strings.Index(normalized, "://")
	if i < 0 {
		return normalized
	}
	start := strings.IndexByte(normalized[i+3:], '/') // userinfo and host cannot hold a '/'
	if start < 0 {
		return normalized
	}
	start += i + 3
	end := len(normalized)
	if j := strings.IndexAny(normalized[start:], "?#"); j >= 0 {
		end = start + j
	}
	if end-start > 1 && normalized[end-1] == '/' {
		return normalized[:end-1] + normalized[end:]
	}
	return normalized
}
