package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/notify"
)

const body = `{"id":"evt-1","type":"change.changed"}`

// received is what a test receiver saw.
type received struct {
	header http.Header
	method string
	body   []byte
}

func receiver(t *testing.T, status int, extra http.Header) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: read body: %v", err)
		}
		got <- received{header: r.Header.Clone(), method: r.Method, body: b}
		for k, v := range extra {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestSendSignsAndSetsHeaders(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent, nil)
	w := &notify.Webhook{URL: srv.URL, AllowPrivate: true, Secret: "s3cret", UserAgent: "stet-test"}
	if err := w.Send(t.Context(), notify.EventChanged, "evt-1", []byte(body)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if r.method != http.MethodPost || string(r.body) != body {
		t.Errorf("receiver got %s %q, want POST %q", r.method, r.body, body)
	}
	if !notify.Verify([]byte("s3cret"), r.body, r.header.Get("X-Stet-Signature")) {
		t.Errorf("signature %q does not verify with the secret", r.header.Get("X-Stet-Signature"))
	}
	for k, want := range map[string]string{
		"Content-Type":    "application/json",
		"X-Stet-Event":    notify.EventChanged,
		"X-Stet-Delivery": "evt-1",
		"User-Agent":      "stet-test",
	} {
		if v := r.header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
}

func TestSendWithoutSecret(t *testing.T) {
	srv, got := receiver(t, http.StatusOK, nil)
	w := &notify.Webhook{URL: srv.URL, AllowPrivate: true}
	if err := w.Send(t.Context(), notify.EventRemoved, "evt-2", []byte(body)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if _, ok := r.header["X-Stet-Signature"]; ok {
		t.Errorf("X-Stet-Signature sent without a secret: %q", r.header.Get("X-Stet-Signature"))
	}
	if ua := r.header.Get("User-Agent"); ua != notify.DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, notify.DefaultUserAgent)
	}
}

func TestSendStatusError(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
		temporary  bool
	}{
		{"rate limited with seconds", http.StatusTooManyRequests, "120", 2 * time.Minute, true},
		{"unavailable without retry-after", http.StatusServiceUnavailable, "", 0, true},
		{"gone", http.StatusGone, "", 0, false},
		{"garbage retry-after", http.StatusBadGateway, "soon", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := receiver(t, tt.status, http.Header{"Retry-After": {tt.retryAfter}})
			err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true}).Send(t.Context(), notify.EventChanged, "evt-3", []byte(body))
			se, ok := errors.AsType[*notify.StatusError](err)
			if !ok {
				t.Fatalf("Send error = %v, want *StatusError", err)
			}
			if se.Status != tt.status || se.RetryAfter != tt.want || se.URL != srv.URL {
				t.Errorf("StatusError = %+v, want status %d, RetryAfter %v, URL %s", se, tt.status, tt.want, srv.URL)
			}
			if se.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", se.Temporary(), tt.temporary)
			}
		})
	}
}

func TestSendRetryAfterDate(t *testing.T) {
	at := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	srv, _ := receiver(t, http.StatusServiceUnavailable, http.Header{"Retry-After": {at}})
	err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true}).Send(t.Context(), notify.EventChanged, "evt-4", []byte(body))
	se, ok := errors.AsType[*notify.StatusError](err)
	if !ok {
		t.Fatalf("Send error = %v, want *StatusError", err)
	}
	if se.RetryAfter < 58*time.Minute || se.RetryAfter > time.Hour {
		t.Errorf("RetryAfter = %v for a date one hour ahead", se.RetryAfter)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	target, got := receiver(t, http.StatusOK, nil)
	srv, _ := receiver(t, http.StatusTemporaryRedirect, http.Header{"Location": {target.URL}})
	err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true, Secret: "s3cret"}).Send(t.Context(), notify.EventChanged, "evt-5", []byte(body))
	if se, ok := errors.AsType[*notify.StatusError](err); !ok || se.Status != http.StatusTemporaryRedirect {
		t.Fatalf("Send error = %v, want *StatusError 307", err)
	}
	select {
	case <-got:
		t.Error("redirect target received the signed event")
	default:
	}
}

func hanging(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a closed connection (and cancels r.Context)
		// only once the request body has been read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSendHangingReceiverTimesOut(t *testing.T) {
	srv := hanging(t)
	for name, w := range map[string]*notify.Webhook{
		"default transport": {URL: srv.URL, AllowPrivate: true, Timeout: 200 * time.Millisecond},
		// Timeout also bounds a caller's transport, which has none.
		"caller transport": {URL: srv.URL, Timeout: 200 * time.Millisecond, Transport: &http.Transport{}},
	} {
		t.Run(name, func(t *testing.T) {
			err := w.Send(t.Context(), notify.EventChanged, "evt-6", []byte(body))
			var te interface{ Timeout() bool }
			if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &te) && te.Timeout()) {
				t.Fatalf("Send error = %v, want a timeout", err)
			}
			if !strings.HasPrefix(err.Error(), "webhook "+srv.URL+": ") {
				t.Errorf("error %q does not name the webhook URL", err)
			}
		})
	}
}

func TestSendCanceled(t *testing.T) {
	srv := hanging(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true}).Send(ctx, notify.EventChanged, "evt-7", []byte(body))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send error = %v, want context.Canceled", err)
	}
}

// An endless answer must not hold Send: it reads 64 KiB at most, so it
// returns well within the generous Timeout instead of timing out.
func TestSendCapsResponseBody(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusInternalServerError} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			chunk := make([]byte, 32<<10)
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}))
		t.Cleanup(srv.Close)
		err := (&notify.Webhook{URL: srv.URL, AllowPrivate: true, Timeout: time.Minute}).Send(t.Context(), notify.EventChanged, "evt-8", []byte(body))
		if status == http.StatusOK && err != nil {
			t.Errorf("status %d, endless body: Send error = %v, want nil", status, err)
		}
		if se, ok := errors.AsType[*notify.StatusError](err); status != http.StatusOK && (!ok || se.Status != status) {
			t.Errorf("status %d, endless body: Send error = %v, want *StatusError", status, err)
		}
	}
}

func TestSendBadURL(t *testing.T) {
	err := (&notify.Webhook{URL: "://nope"}).Send(t.Context(), notify.EventChanged, "evt-10", []byte(body))
	if err == nil || !strings.HasPrefix(err.Error(), "webhook ") {
		t.Errorf("Send error = %v, want a wrapped error", err)
	}
}
