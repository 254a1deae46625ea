package crawler

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// smallBody is the size under which body markers are trusted. Challenge and
// consent pages are small; a real article that merely mentions "cf-chl" or
// DataDome is almost always bigger, and is judged by its <title> only.
const smallBody = 32 << 10

type marker struct{ needle, reason string }

// titleExact match a whole <title> (lower-cased, spaces collapsed): generic
// words like "captcha" only count when they are the entire title, so an
// article titled "How CAPTCHA became a chore" is not a wall.
var titleExact = map[string]string{
	"just a moment...":    "cloudflare challenge",
	"just a moment":       "cloudflare challenge",
	"one more step":       "cloudflare challenge",
	"access denied":       "access denied page",
	"captcha":             "captcha page",
	"security check":      "bot check",
	"are you a robot?":    "bot check",
	"before you continue": "consent wall",
}

// titleMarkers are vendor phrases matched anywhere in the <title>.
var titleMarkers = []marker{
	{"attention required! | cloudflare", "cloudflare block"},
	{"ddos-guard", "ddos-guard challenge"},
	{"pardon our interruption", "imperva challenge"},
	{"before you continue to google", "consent wall"},
	{"before you continue to youtube", "consent wall"},
}

// bodyMarkers are vendor-specific tokens, matched in small bodies only.
var bodyMarkers = []marker{
	{"cf-browser-verification", "cloudflare challenge"},
	{"_cf_chl_opt", "cloudflare challenge"},
	{"cf-chl-", "cloudflare challenge"},
	{"captcha-delivery.com", "datadome challenge"},
	{"please enable js and disable any ad blocker", "datadome challenge"},
	{"px-captcha", "perimeterx captcha"},
	{"errors.edgesuite.net", "akamai access denied"},
	{"consent.google.", "consent wall"},
	{"consent.youtube.", "consent wall"},
	{"guce.yahoo.com", "consent wall"},
	{"consent.yahoo.com", "consent wall"},
}

// notFoundTitles are <title>s of error pages served with status 200 (a "soft
// 404"). Matched as the whole title or as a prefix before a separator, so an
// article about "404 errors" is not taken for one.
var notFoundTitles = []string{
	"404", "404 not found", "not found", "page not found", "404 - page not found", "error 404",
	"404 error", "page cannot be found", "the page you requested could not be found",
	"页面不存在", "页面未找到", "404错误", "您访问的页面不存在", "找不到页面", "页面找不到了",
}

// softNotFound reports whether a small 200 body, whose title (see title)
// is t, is really a "not found" page.
func softNotFound(body []byte, t string) bool {
	if len(body) > 4*smallBody {
		return false
	}
	for _, nf := range notFoundTitles {
		if t == nf || strings.HasPrefix(t, nf+" |") || strings.HasPrefix(t, nf+" -") ||
			strings.HasPrefix(t, nf+" –") || strings.HasPrefix(t, nf+"_") {
			return true
		}
	}
	return false
}

// challenge returns why a response is a wall rather than the page, or "";
// t is the body's title (see title).
func challenge(h http.Header, body []byte, t string) string {
	if strings.EqualFold(h.Get("Cf-Mitigated"), "challenge") {
		return "cloudflare challenge" // Cloudflare's own documented signal
	}
	if r, ok := titleExact[t]; ok {
		return r
	}
	if r := match(t, titleMarkers); r != "" {
		return r
	}
	if len(body) <= smallBody {
		return match(string(bytes.ToLower(body)), bodyMarkers)
	}
	return ""
}

func match(s string, ms []marker) string {
	for _, m := range ms {
		if strings.Contains(s, m.needle) {
			return m.reason
		}
	}
	return ""
}

// title returns the lower-cased, space-collapsed text of the first <title> in
// the first 64 KiB. Markers are ASCII, so no charset decoding is needed. The
// tags are found without lower-casing the page: only the title's own text
// is lower-cased, so the cost is the distance to the title, not 64 KiB.
func title(body []byte) string {
	head := body[:min(len(body), 64<<10)]
	i := indexFold(head, "<title")
	if i < 0 {
		return ""
	}
	head = head[i:]
	if i = bytes.IndexByte(head, '>'); i < 0 {
		return ""
	}
	head = head[i+1:]
	if i = indexFold(head, "</title"); i >= 0 {
		head = head[:i]
	}
	// Lower-casing may shrink a rune to a third of its bytes (the Kelvin
	// sign to "k"): 1536 bytes give at least the 512 kept.
	low := bytes.ToLower(head[:min(len(head), 3*512)])
	return strings.Join(strings.Fields(string(low[:min(len(low), 512)])), " ")
}

// indexFold is the index of the first instance of needle (lower-case
// ASCII) in s, ignoring ASCII case, or -1.
func indexFold(s []byte, needle string) int {
	first := needle[0]
	for i := 0; i+len(needle) <= len(s); {
		j := bytes.IndexByte(s[i:len(s)-len(needle)+1], first)
		if j < 0 {
			return -1
		}
		i += j
		if asciiEqualFold(s[i+1:i+len(needle)], needle[1:]) {
			return i
		}
		i++
	}
	return -1
}

// asciiEqualFold reports whether b equals the lower-case ASCII s, ignoring
// ASCII case; len(b) == len(s).
func asciiEqualFold(b []byte, s string) bool {
	for k := range len(s) {
		c := b[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[k] {
			return false
		}
	}
	return true
}

// netReason turns a transport error into a short reason an operator can act on.
func netReason(err error, o Options) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	msg := err.Error()
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "dns: no such host"
		}
		return "dns: " + dnsErr.Err
	case strings.Contains(msg, "timeout awaiting response headers"):
		return "timeout awaiting response headers after " + o.HeaderTimeout.String()
	case strings.Contains(msg, "TLS handshake timeout"):
		return "tls: handshake timeout after " + o.ConnectTimeout.String()
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		return "connect timeout after " + o.ConnectTimeout.String()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &certErr):
		return "tls: " + certErr.Err.Error()
	case errors.As(err, &recErr), strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "tls: server answered without TLS"
	case strings.Contains(msg, "tls: "):
		return msg[strings.Index(msg, "tls: "):]
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by server"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error()
	}
	return msg
}

// errorOutcome classifies a failure during a hop. parent is the caller's
// context and hop the per-fetch deadline context derived from it, so a fired
// deadline can be told from a caller's cancellation.
func errorOutcome(parent, hop context.Context, err error, o Options, maxBody int64) (Class, string, error) {
	var ae *addrError
	switch {
	case errors.As(err, &ae):
		return ClassBlocked, ae.Error(), ae
	case errors.Is(err, ErrTooLarge):
		return ClassTooLarge, fmt.Sprintf("body larger than %d bytes", maxBody), ErrTooLarge
	case errors.Is(err, errBadEncoding):
		return ClassError, err.Error(), err
	case parent.Err() != nil:
		return ClassError, "canceled: " + parent.Err().Error(), parent.Err()
	case errors.Is(hop.Err(), context.DeadlineExceeded):
		return ClassError, "timeout after " + o.Timeout.String(), fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	var de *decodeError
	if errors.As(err, &de) {
		return ClassError, de.Error(), err
	}
	return ClassError, netReason(err, o), err
}

// statusReason is the reason for a classified HTTP status.
func statusReason(code int) string { return fmt.Sprintf("status %d", code) }

// formatUntil prints a backoff deadline for reasons.
func formatUntil(t time.Time) string { return t.UTC().Format(time.RFC3339) }
