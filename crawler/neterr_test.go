package crawler_test

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stet/stet/crawler"
)

// errTransport fails every request with err, as a transport would.
type errTransport struct{ err error }

func (e errTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, e.err }

func TestTransportErrorReasons(t *testing.T) {
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: &os.SyscallError{Syscall: op, Err: err}}
	}
	tests := []struct {
		name   string
		err    error
		reason string
	}{
		{"dns not found", &net.DNSError{Err: "no such host", Name: "gone.example", IsNotFound: true}, "dns: no such host"},
		{"dns failure", &net.DNSError{Err: "server misbehaving", Name: "x.example"}, "dns: server misbehaving"},
		{"reset", opErr("read", syscall.ECONNRESET), "connection reset"},
		{"refused", opErr("dial", syscall.ECONNREFUSED), "connection refused"},
		{"other", errors.New("something odd"), "something odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := crawler.New(crawler.Options{Transport: errTransport{tt.err}})
			resp, err := fetch(t, c, "http://public.example/a")
			wantFailure(t, resp, err, crawler.ClassError, tt.reason, nil)
			if !errors.Is(err, tt.err) {
				t.Errorf("error chain lost the cause %v", tt.err)
			}
		})
	}
}

func TestLoopbackTransportErrors(t *testing.T) {
	tlsServer := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is the point
	tlsServer.StartTLS()
	t.Cleanup(tlsServer.Close)
	closed := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	closed.Close()
	bigHeaders, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Junk", strings.Repeat("j", 100<<10))
	})
	tests := []struct{ name, url, reason string }{
		{"untrusted certificate", tlsServer.URL, "tls: x509: certificate signed by unknown authority"},
		{"plain http on https", strings.Replace(bigHeaders.URL, "http:", "https:", 1), "tls: server answered without TLS"},
		{"refused", closed.URL, "connection refused"},
		{"huge headers", bigHeaders.URL, "headers exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := fetch(t, newClient(t, crawler.Options{}), tt.url)
			wantFailure(t, resp, err, crawler.ClassError, tt.reason, nil)
		})
	}
}
