package crawler_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/stet/stet/crawler"
)

// The final response's headers, peer address and TLS details are kept as
// evidence of what was fetched from where.
func TestResponseEvidence(t *testing.T) {
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Trace", "first")
		w.Header().Add("X-Trace", "second")
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<p>hello</p>"))
	}
	plain := httptest.NewServer(http.HandlerFunc(page))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(page))
	t.Cleanup(tlsSrv.Close)
	// A TLS page that redirects to the plain one: the evidence is the final hop's.
	hop := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/moved", http.StatusFound)
	}))
	t.Cleanup(hop.Close)
	roots := x509.NewCertPool()
	roots.AddCert(tlsSrv.Certificate())
	roots.AddCert(hop.Certificate())
	c := newClient(t, crawler.Options{RootCAs: roots})

	sum := sha256.Sum256(tlsSrv.Certificate().Raw)
	tests := []struct {
		name, url       string
		wantTLS, wantFP string
	}{
		{"plain http", plain.URL, "", ""},
		{"https", tlsSrv.URL, "TLS 1.3", hex.EncodeToString(sum[:])},
		{"https redirected to http", hop.URL, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := fetch(t, c, tt.url)
			wantClass(t, resp, err, crawler.ClassOK, "")
			if got, want := resp.RemoteIP, "127.0.0.1"; got != want {
				t.Errorf("RemoteIP = %q, want %q", got, want)
			}
			if resp.TLSVersion != tt.wantTLS || resp.CertSHA256 != tt.wantFP {
				t.Errorf("TLSVersion, CertSHA256 = %q, %q; want %q, %q", resp.TLSVersion, resp.CertSHA256, tt.wantTLS, tt.wantFP)
			}
			if got, want := resp.Header.Values("X-Trace"), []string{"first", "second"}; !slices.Equal(got, want) {
				t.Errorf("X-Trace = %q, want %q in the order sent", got, want)
			}
		})
	}
}
