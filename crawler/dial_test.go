package crawler_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
)

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.1.1", false},      // CGNAT
		{"fd00::1", false},         // ULA
		{"fe80::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"2002:7f00:1::", false},   // 6to4 of 127.0.0.1
		{"2002:808:808::", true},   // 6to4 of 8.8.8.8
	}
	for _, tt := range tests {
		if got := crawler.PublicAddr(tt.ip); got != tt.want {
			t.Errorf("PublicAddr(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}

func TestDialControl(t *testing.T) {
	for _, addr := range []string{"169.254.169.254:80", "10.0.0.1:443", "100.64.1.1:80", "[fd00::1]:80", "[::ffff:127.0.0.1]:80", "0.0.0.0:80"} {
		err := crawler.DialControl(false, addr)
		if !errors.Is(err, crawler.ErrPrivateAddress) {
			t.Errorf("DialControl(%s) = %v, want ErrPrivateAddress", addr, err)
		}
		if err := crawler.DialControl(true, addr); err != nil {
			t.Errorf("DialControl(allowPrivate, %s) = %v, want nil", addr, err)
		}
	}
	if err := crawler.DialControl(false, "8.8.8.8:443"); err != nil {
		t.Errorf("DialControl(8.8.8.8:443) = %v, want nil", err)
	}
}

// TestPrivateAddressRefused fetches real loopback servers with the guard on:
// by IP literal, and by a DNS name, which only the dial-time check can catch.
func TestPrivateAddressRefused(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6"} {
		t.Run(network, func(t *testing.T) {
			ln, err := net.Listen(network, map[string]string{"tcp4": "127.0.0.1:0", "tcp6": "[::1]:0"}[network])
			if err != nil {
				t.Skipf("no %s loopback: %v", network, err)
			}
			var hits atomic.Int32
			ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
			ts.Listener.Close()
			ts.Listener = ln
			ts.Start()
			t.Cleanup(ts.Close)
			port := ln.Addr().(*net.TCPAddr).Port
			for _, robots := range []bool{false, true} {
				c := crawler.New(crawler.Options{Robots: robots})
				for _, u := range []string{ts.URL + "/a", fmt.Sprintf("http://localhost:%d/a", port)} {
					resp, err := fetch(t, c, u)
					wantFailure(t, resp, err, crawler.ClassBlocked, "non-public address", crawler.ErrPrivateAddress)
				}
			}
			if hits.Load() != 0 {
				t.Errorf("server saw %d requests, want 0", hits.Load())
			}
		})
	}
}

// fakeTransport answers from a map without any network, recording requests.
type fakeTransport struct {
	hits   atomic.Int32
	routes map[string]func(*http.Request) *http.Response
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.hits.Add(1)
	h, ok := f.routes[r.URL.String()]
	if !ok {
		return nil, fmt.Errorf("unexpected request to %s", r.URL)
	}
	return h(r), nil
}

func redirectTo(loc string) func(*http.Request) *http.Response {
	return func(r *http.Request) *http.Response {
		return &http.Response{StatusCode: 302, Header: http.Header{"Location": {loc}},
			Body: http.NoBody, Request: r}
	}
}

// TestRedirectToPrivateRefused: a public page redirecting to an internal
// address is refused before that address is requested.
func TestRedirectToPrivateRefused(t *testing.T) {
	for _, target := range []string{"http://169.254.169.254/latest/meta-data/", "http://[::1]:8080/admin", "http://10.0.0.1/"} {
		ft := &fakeTransport{routes: map[string]func(*http.Request) *http.Response{
			"http://public.example/a": redirectTo(target),
		}}
		c := crawler.New(crawler.Options{Transport: ft})
		resp, err := fetch(t, c, "http://public.example/a")
		wantFailure(t, resp, err, crawler.ClassBlocked, "non-public address", crawler.ErrPrivateAddress)
		if ft.hits.Load() != 1 || !strings.HasPrefix(resp.FinalURL, target[:12]) {
			t.Errorf("%s: transport saw %d requests, FinalURL %s", target, ft.hits.Load(), resp.FinalURL)
		}
	}
}

func TestCheckHost(t *testing.T) {
	tests := []struct {
		host    string
		refused bool
	}{
		{"10.0.0.1", true},
		{"169.254.169.254:80", true},
		{"127.0.0.1:8080", true},
		{"[::1]:8080", true},
		{"[::1]", true},
		{"::ffff:127.0.0.1", true},
		{"[fe80::1%25eth0]:80", true},
		{"8.8.8.8:443", false},
		{"[2606:4700:4700::1111]:443", false},
		{"example.com", false}, // names are the dial guard's business
		{"localhost:8080", false},
	}
	for _, tt := range tests {
		err := crawler.CheckHost(tt.host, false)
		if got := errors.Is(err, crawler.ErrPrivateAddress); got != tt.refused {
			t.Errorf("CheckHost(%q) = %v, want refused %v", tt.host, err, tt.refused)
		}
		if err := crawler.CheckHost(tt.host, true); err != nil {
			t.Errorf("CheckHost(%q, allowPrivate) = %v, want nil", tt.host, err)
		}
	}
}

// TestNewTransport: the exported transport carries the dial guard into
// another http.Client (the webhook sender's): a loopback receiver is never
// reached, by IP or by name, unless AllowPrivate is set.
func TestNewTransport(t *testing.T) {
	ts, hits := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	post := func(tr http.RoundTripper, url string) error {
		res, err := (&http.Client{Transport: tr}).Post(url, "application/json", strings.NewReader("{}"))
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	guarded := crawler.NewTransport(crawler.Options{ConnectTimeout: 2 * time.Second})
	for _, u := range []string{ts.URL + "/hook", fmt.Sprintf("http://localhost:%d/hook", port),
		"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook"} {
		if err := post(guarded, u); !errors.Is(err, crawler.ErrPrivateAddress) {
			t.Errorf("POST %s = %v, want ErrPrivateAddress", u, err)
		}
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("receiver saw %d requests through the guard, want 0", got)
	}
	if err := post(crawler.NewTransport(crawler.Options{AllowPrivate: true}), ts.URL+"/hook"); err != nil {
		t.Errorf("POST with AllowPrivate = %v, want nil", err)
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("receiver saw %d requests with AllowPrivate, want 1", got)
	}
}
