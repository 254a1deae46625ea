package notify_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/notify"
)

// counted starts a receiver on 127.0.0.1 that counts the requests it gets.
func counted(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestSendRefusesPrivateAddress: a zero Webhook never reaches a non-public
// address, by IP literal or by a name resolving to one; AllowPrivate lets
// it.
func TestSendRefusesPrivateAddress(t *testing.T) {
	srv, hits := counted(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{srv.URL + "/hook", fmt.Sprintf("http://localhost:%d/hook", port)} {
		err := (&notify.Webhook{URL: u}).Send(t.Context(), notify.EventChanged, "evt-p1", []byte(body))
		if !errors.Is(err, notify.ErrPrivateAddress) {
			t.Errorf("Send to %s = %v, want ErrPrivateAddress", u, err)
		}
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("receiver saw %d requests through the guard, want 0", got)
	}
	if err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true}).Send(t.Context(), notify.EventChanged, "evt-p2", []byte(body)); err != nil {
		t.Errorf("Send with AllowPrivate = %v, want nil", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("receiver saw %d requests with AllowPrivate, want 1", got)
	}
}

// TestSendRefusesInternalLiterals: cloud metadata and RFC 1918 addresses
// are refused before connecting, so the answer is immediate and names the
// guard, not a connect timeout.
func TestSendRefusesInternalLiterals(t *testing.T) {
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "http://[::ffff:10.0.0.1]/hook", "http://100.64.0.1/hook"} {
		start := time.Now()
		err := (&notify.Webhook{URL: u, Timeout: 5 * time.Second}).Send(t.Context(), notify.EventChanged, "evt-p3", []byte(body))
		if !errors.Is(err, notify.ErrPrivateAddress) {
			t.Errorf("Send to %s = %v, want ErrPrivateAddress", u, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send to %s took %v: it tried to connect", u, d)
		}
	}
}

// recordingTransport answers every request with status, without a network.
type recordingTransport struct {
	status int
	hits   atomic.Int32
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.hits.Add(1)
	h := http.Header{"Location": {"http://elsewhere.example/"}}
	return &http.Response{StatusCode: rt.status, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// TestSendCallerTransport: a caller's Transport carries the request as it
// is (its guard is the caller's; AllowPrivate does not apply), and a
// redirect is still not followed.
func TestSendCallerTransport(t *testing.T) {
	rt := &recordingTransport{status: http.StatusNoContent}
	w := &notify.Webhook{URL: "http://10.0.0.1/hook", Transport: rt}
	if err := w.Send(t.Context(), notify.EventChanged, "evt-p4", []byte(body)); err != nil {
		t.Errorf("Send through the caller's transport = %v, want nil", err)
	}
	rt = &recordingTransport{status: http.StatusTemporaryRedirect}
	w.Transport = rt
	err := w.Send(t.Context(), notify.EventChanged, "evt-p5", []byte(body))
	if se, ok := errors.AsType[*notify.StatusError](err); !ok || se.Status != http.StatusTemporaryRedirect {
		t.Errorf("Send = %v, want *StatusError 307", err)
	}
	if got := rt.hits.Load(); got != 1 {
		t.Errorf("transport saw %d requests, want 1 (redirect not followed)", got)
	}
}
