package crawler_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stet/stet/crawler"
)

// newClient returns a Client allowed to dial loopback test servers.
func newClient(tb testing.TB, o crawler.Options) *crawler.Client {
	tb.Helper()
	o.AllowPrivate = true
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return crawler.New(o)
}

// serve starts a test server that counts the requests it receives.
func serve(tb testing.TB, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	tb.Helper()
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	tb.Cleanup(ts.Close)
	return ts, &hits
}

func fetch(tb testing.TB, c *crawler.Client, url string) (*crawler.Response, error) {
	tb.Helper()
	resp, err := c.Fetch(tb.Context(), crawler.Request{URL: url})
	if resp == nil {
		tb.Fatalf("Fetch(%s) returned a nil Response", url)
	}
	return resp, err
}

// wantFailure asserts a failed fetch: a *FetchError of the class, with the
// reason containing reason, wrapping target (if non-nil), and no body.
func wantFailure(tb testing.TB, resp *crawler.Response, err error, class crawler.Class, reason string, target error) *crawler.FetchError {
	tb.Helper()
	fe, ok := errors.AsType[*crawler.FetchError](err)
	if !ok {
		tb.Fatalf("err = %v (%T), want *crawler.FetchError", err, err)
	}
	if fe.Class != class || resp.Class != class {
		tb.Errorf("class = %q (response %q), want %q", fe.Class, resp.Class, class)
	}
	if !strings.Contains(fe.Reason, reason) || resp.Reason != fe.Reason {
		tb.Errorf("reason = %q (response %q), want it to contain %q", fe.Reason, resp.Reason, reason)
	}
	if want := "fetch " + resp.URL + ": " + fe.Reason; err.Error() != want {
		tb.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if target != nil && !errors.Is(err, target) {
		tb.Errorf("errors.Is(%v, %v) = false", err, target)
	}
	if resp.Body != nil {
		tb.Errorf("Body = %d bytes, want nil", len(resp.Body))
	}
	if resp.Started.IsZero() || resp.Duration <= 0 {
		tb.Errorf("Started = %v, Duration = %v: want both set", resp.Started, resp.Duration)
	}
	return fe
}

// wantClass asserts a fetch that returned no error.
func wantClass(tb testing.TB, resp *crawler.Response, err error, class crawler.Class, reason string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("err = %v, want nil", err)
	}
	if resp.Class != class || resp.Reason != reason {
		tb.Errorf("class, reason = %q, %q; want %q, %q", resp.Class, resp.Reason, class, reason)
	}
}

func hostOf(tb testing.TB, raw string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Host
}
