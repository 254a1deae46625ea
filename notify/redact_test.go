package notify_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/notify"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://user:pass@127.0.0.1:8080/hook/SECRETTOKEN?key=SECRET2#frag", "http://127.0.0.1:8080"},
		{"https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com"},
		{"https://TOKEN@example.com", "https://example.com"},
		{"http://[::1]:9000/x", "http://[::1]:9000"},
		{"://nope/SECRET", "(invalid URL)"},
	}
	for _, tt := range tests {
		if got := notify.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// quotingTransport fails with an error that quotes the whole URL, as a
// careless transport might.
type quotingTransport struct{}

func (quotingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("cannot reach %s (user %s)", r.URL, r.URL.User)
}

// TestSendErrorsHideSecrets: no error Send returns names the webhook's
// userinfo, path or query, where receivers keep their tokens, whatever
// went wrong; they name scheme://host:port only.
func TestSendErrorsHideSecrets(t *testing.T) {
	const secrets = "user:pass@%s/hook/SECRETTOKEN?key=SECRET2"
	status, _ := receiver(t, http.StatusInternalServerError, nil)
	hang := hanging(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	hostOf := func(u string) string { return strings.TrimPrefix(u, "http://") }
	tests := []struct {
		name, host string
		w          notify.Webhook
	}{
		{"status", hostOf(status.URL), notify.Webhook{AllowPrivate: true}},
		{"connection refused", refused, notify.Webhook{AllowPrivate: true}},
		{"timeout", hostOf(hang.URL), notify.Webhook{AllowPrivate: true, Timeout: 200 * time.Millisecond}},
		{"private address", hostOf(status.URL), notify.Webhook{}},
		{"invalid URL", hostOf(status.URL) + "/\x7f", notify.Webhook{}},
		{"transport quotes the URL", hostOf(status.URL), notify.Webhook{Transport: quotingTransport{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.w.URL = "http://" + fmt.Sprintf(secrets, tt.host)
			err := tt.w.Send(t.Context(), notify.EventChanged, "evt-s1", []byte(body))
			if err == nil {
				t.Fatal("Send = nil, want an error")
			}
			// Every error in the chain, unless the cause itself is the
			// leak (a caller's transport): then the message at least.
			for e := err; e != nil; e = errors.Unwrap(e) {
				for _, s := range []string{"pass", "SECRETTOKEN", "SECRET2", "/hook"} {
					if msg := e.Error(); strings.Contains(msg, s) {
						t.Errorf("error %q (%T) contains %q", msg, e, s)
					}
				}
				if tt.w.Transport != nil {
					break
				}
			}
			if tt.name != "invalid URL" && !strings.HasPrefix(err.Error(), "webhook http://127.0.0.1:") {
				t.Errorf("error %q does not name the receiver's scheme://host:port", err)
			}
			if se, ok := errors.AsType[*notify.StatusError](err); ok && se.URL != "http://"+tt.host {
				t.Errorf("StatusError.URL = %q, want %q", se.URL, "http://"+tt.host)
			}
		})
	}
}
