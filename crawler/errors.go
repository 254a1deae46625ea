package crawler

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors, reachable with errors.Is through a *FetchError.
var (
	ErrTooLarge          = errors.New("response body too large")
	ErrPrivateAddress    = errors.New("non-public address refused")
	ErrRobotsDisallowed  = errors.New("disallowed by robots.txt")
	ErrRobotsUnreachable = errors.New("robots.txt unreachable")
	ErrTooManyRedirects  = errors.New("too many redirects")
	ErrRedirectLoop      = errors.New("redirect loop")
	ErrUnsupportedScheme = errors.New("unsupported URL scheme")
	ErrHostBackedOff     = errors.New("host backed off")
	// ErrHostGate: Options.HostGate did not let the request start (ctx
	// ended, or the shared reservation could not be taken).
	ErrHostGate = errors.New("host gate closed")
)

// NotReadyError is why a Request with NoWait was not sent: its host may
// not be asked before Until (its per-host interval, or a longer
// Crawl-delay, counted from the last request to it). Fetch returns it in a
// *FetchError of class error.
type NotReadyError struct {
	Host  string
	Until time.Time
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("host %s not ready until %s", e.Host, e.Until.Format("15:04:05.000"))
}

// Error returns "fetch URL: reason".
func (e *FetchError) Error() string { return fmt.Sprintf("fetch %s: %s", e.URL, e.Reason) }

// Unwrap returns the underlying cause (a sentinel above, a network error or a
// context error).
func (e *FetchError) Unwrap() error { return e.Err }

// fail sets the Response's class and reason and returns the matching
// *FetchError, so the two never disagree.
func fail(resp *Response, class Class, reason string, err error) *FetchError {
	resp.Class, resp.Reason = class, reason
	resp.Body = nil
	if err == nil {
		err = errors.New(reason)
	}
	return &FetchError{URL: resp.URL, Reason: reason, Class: class, Status: resp.Status, Err: err}
}
