// Package crawler fetches URLs over HTTP with every limit explicit: timeouts,
// a decompressed body cap, a redirect cap, per-host politeness, robots.txt and
// a private-address guard applied at dial time. It returns raw bytes; turning
// them into text is the extract package's job.
package crawler

import (
	"context"
	"crypto/x509"
	"log/slog"
	"net/http"
	"time"
)

// Class is how a fetch is classified. Only ClassOK captures become versions.
type Class string

const (
	ClassOK          Class = "ok"
	ClassNotModified Class = "not_modified"
	ClassBlocked     Class = "blocked"   // bot challenge, 401/403 with challenge markers, consent/paywall wall, robots.txt disallow or unreachable, private address refused
	ClassGone        Class = "gone"      // 404, 410, redirect to the site's home page
	ClassError       Class = "error"     // transient: timeouts, 5xx, resets, DNS, TLS, 429
	ClassTooLarge    Class = "too_large" // body cap hit (after decompression)
)

// MaxBodyLimit caps Options.MaxBodyBytes: a larger setting is clamped to it,
// so the memory one fetch can take is bounded whatever the configuration
// says. Reading a body of n bytes allocates about 2n; a body found too large
// is dropped after MaxBodyLimit+1 bytes.
const MaxBodyLimit = 64 << 20

// Options configures a Client. The zero value of each field means its default.
type Options struct {
	UserAgent          string        // "" means "stet (+https://github.com/stet/stet)"
	Timeout            time.Duration // total per fetch incl. body read; 0 means 30s
	ConnectTimeout     time.Duration // 0 means 10s
	HeaderTimeout      time.Duration // 0 means 15s
	MaxBodyBytes       int64         // decompressed; 0 means 10 MiB; above MaxBodyLimit means MaxBodyLimit
	MaxRedirects       int           // 0 means 10
	PerHostInterval    time.Duration // minimum gap between request starts to one host; 0 means none
	PerHostConcurrency int           // 0 means 2
	AllowPrivate       bool
	// Robots honours robots.txt (the default policy; Request can override).
	// As RFC 9309 says, a 4xx means no rules; a 5xx, a 429, a network error
	// or a timeout means "unreachable", and blocks every fetch to the origin
	// until robots.txt is asked again 10 minutes later (at most RobotsTTL).
	// While unreachable, the last robots.txt read stays in force instead,
	// until one RobotsTTL past its expiry.
	Robots    bool
	RobotsTTL time.Duration // 0 means 24h
	Logger    *slog.Logger  // nil means slog.Default()
	// Transport, if set, replaces the dialing transport (tests only); the
	// private-address guard is then the caller's business.
	Transport http.RoundTripper
	// RootCAs, if set, replaces the system's roots for verifying servers:
	// tests trust httptest.NewTLSServer's certificate this way.
	RootCAs *x509.CertPool
	// HostGate, if set, is called before every request, robots.txt and
	// each redirect hop included, once the request holds its host's slot
	// and the host's interval has passed in this Client. host is the
	// politeness key ("example.com", "127.0.0.2:8080") and interval the gap
	// in force for it (PerHostInterval, or a longer robots.txt
	// Crawl-delay). It returns when the request may start: processes
	// sharing a database reserve the host's next start there. An error
	// fails the fetch (ClassError) without contacting the host.
	HostGate func(ctx context.Context, host string, interval time.Duration) error
}

// Request is one fetch.
type Request struct {
	URL          string
	ETag         string // sent as If-None-Match
	LastModified string // sent as If-Modified-Since
	Robots       *bool  // overrides Options.Robots when non-nil
	Accept       string // "" means a browser-like Accept for HTML and feeds
	// NoWait makes Fetch return at once, with a *NotReadyError saying when
	// the host may be asked, rather than wait for its interval before the
	// first request: the page's own, or the robots.txt request that must
	// come before it. A robots.txt request sent counts against the
	// interval as any other, so the first NoWait fetch of a host whose
	// robots.txt is not cached asks for robots.txt and returns not ready.
	// Redirect hops, once the first request was sent, wait as usual.
	NoWait bool
}

// Redirect is one hop of a redirect chain.
type Redirect struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status"`
}

// Response describes what happened. Fetch always returns a non-nil Response,
// filled as far as the fetch got, even when it also returns an error.
type Response struct {
	URL           string      // as requested
	FinalURL      string      // after redirects
	Redirects     []Redirect  // the chain, in order
	Permanent     bool        // every hop was 301/308 (the page's canonical URL moved)
	Status        int         // HTTP status of the final response; 0 if none
	Class         Class       // classification; always set
	Reason        string      // short human reason for non-ok classes ("status 404", "cloudflare challenge", ...)
	Header        http.Header // final response headers
	RequestHeader http.Header // headers sent on the final request
	ContentType   string      // Content-Type header value
	ETag          string
	LastModified  string
	Body          []byte        // raw (decompressed) body; nil unless Class is ok, blocked or gone
	RetryAfter    time.Duration // from Retry-After on 429/503 (0 if absent)
	Robots        string        // "allowed", "disallowed", "ignored", "unavailable (...)", "unreachable (...)"; "allowed (last copy; ...)" while a cached robots.txt stands in
	Started       time.Time
	Duration      time.Duration

	// Evidence of where the final response came from, set with Status and
	// Header. Empty when unknown: no response, or a Transport that does not
	// report its connection.
	RemoteIP   string // the address the connection was dialed to ("93.184.215.14", "2606:2800::1"), no port
	TLSVersion string // "TLS 1.3"; "" over plain HTTP
	CertSHA256 string // hex SHA-256 of the server's leaf certificate (DER); "" over plain HTTP
}

// FetchError reports a failed fetch: the URL and a reason an operator can act on.
type FetchError struct {
	URL    string
	Reason string
	Class  Class
	Status int
	Err    error
}
