package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Defaults and limits of Send.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultUserAgent = "stet-webhook/1"
	// maxResponseBytes is how much of a receiver's answer Send reads: the
	// answer is not used, but reading a little lets the connection be reused.
	maxResponseBytes = 64 << 10
)

// Webhook delivers signed events to one URL. The zero value of each
// optional field means its default; a zero Webhook reaches public addresses
// only.
type Webhook struct {
	URL string
	// Secret keys the signatures; "" sends none. X-Stet-Signature is
	// keyed with the secret's bytes as written; webhook-signature with
	// SigningKey(Secret): a "whsec_" secret's decoded base64, any other
	// secret's bytes.
	Secret string
	// Transport carries the request. nil means a transport that refuses,
	// after DNS and before connecting, every address that is not public
	// unicast (loopback, private, link-local and cloud metadata, CGNAT,
	// unspecified) with an error wrapping ErrPrivateAddress, unless
	// AllowPrivate is set. A caller's Transport is used as it is, guard
	// included: stet passes crawler.NewTransport, the crawler's own guard.
	// Either way redirects are not followed (a redirected POST would lose
	// its body, or carry the signature to another host): a 3xx is a
	// *StatusError.
	Transport http.RoundTripper
	// AllowPrivate lets the default transport reach non-public addresses (a
	// receiver on this machine or the LAN). It does not affect a caller's
	// Transport.
	AllowPrivate bool
	// Timeout bounds each Send. 0 means DefaultTimeout.
	Timeout   time.Duration
	UserAgent string // "" means DefaultUserAgent
	// Now is the clock of the webhook-timestamp header; nil means
	// time.Now.
	Now func() time.Time
}

// StatusError is returned by Send when the receiver answers with a status
// other than 2xx.
type StatusError struct {
	// URL is the webhook's scheme://host[:port] (see RedactURL): never its
	// userinfo, path or query, which may carry credentials.
	URL    string
	Status int
	// RetryAfter is the delay the receiver asked for with Retry-After
	// (seconds or an HTTP date); 0 when absent or in the past.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook %s: status %d", e.URL, e.Status)
}

// Temporary reports whether retrying later may succeed: 408, 425, 429 and
// 5xx. Other 4xx mean the receiver rejects this delivery for good.
func (e *StatusError) Temporary() bool {
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return e.Status >= 500
}

// Send POSTs body, the JSON encoding of an event of type eventType with ID
// eventID, with the X-Stet-Event, X-Stet-Delivery and (when Secret is set)
// X-Stet-Signature headers, and the Standard Webhooks headers: webhook-id
// (eventID, the same on every attempt), webhook-timestamp (now) and, when
// Secret is set, webhook-signature. It reads at most 64 KiB of the response and
// closes it before returning. A non-2xx answer is a *StatusError; any other
// failure (refused address, DNS, connection, timeout, ctx) wraps its cause.
// No error names more of the URL than RedactURL does, so errors may be
// logged and stored. Send never logs: the caller decides what a failure
// means.
func (w *Webhook) Send(ctx context.Context, eventType, eventID string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, w.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return wrapError(w.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", w.userAgent())
	if err := w.sign(req.Header, eventType, eventID, body); err != nil {
		return err
	}
	resp, err := w.client().Do(req)
	if err != nil {
		return wrapError(w.URL, err)
	}
	defer resp.Body.Close()
	// The answer's content is ignored; a read error changes nothing for a
	// delivery the status already decided.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode/100 != 2 {
		return &StatusError{
			URL:        RedactURL(w.URL),
			Status:     resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	return nil
}

// sign sets the headers that name and sign a delivery. Header names are
// case insensitive: Go sends the Standard Webhooks ones as Webhook-Id,
// Webhook-Timestamp and Webhook-Signature.
func (w *Webhook) sign(h http.Header, eventType, eventID string, body []byte) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	sent := now()
	h.Set("X-Stet-Event", eventType)
	h.Set("X-Stet-Delivery", eventID)
	h.Set(HeaderID, eventID)
	h.Set(HeaderTimestamp, strconv.FormatInt(sent.Unix(), 10))
	if w.Secret == "" {
		return nil
	}
	key, err := SigningKey(w.Secret)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", RedactURL(w.URL), err)
	}
	h.Set("X-Stet-Signature", Sign([]byte(w.Secret), body))
	h.Set(HeaderSignature, SignStandard(key, eventID, sent, body))
	return nil
}

func (w *Webhook) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return DefaultTimeout
}

func (w *Webhook) userAgent() string {
	if w.UserAgent != "" {
		return w.UserAgent
	}
	return DefaultUserAgent
}

func (w *Webhook) client() *http.Client {
	tr := w.Transport
	if tr == nil {
		tr = defaultTransport(w.AllowPrivate)
	}
	return &http.Client{
		Transport: tr,
		Timeout:   w.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date,
// relative to now. Anything else, or a time already past, is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(1<<63-1)/int64(time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
