package crawler

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
)

// connEvidence notes which address one request was sent to. The guarded
// dialer cannot say (it sees every address tried, not the one used); the
// connection the transport hands out for the request can, whether freshly
// dialed or reused.
type connEvidence struct {
	remoteIP string
}

// trace returns ctx with a ClientTrace that records the connection.
// GotConn runs before the request is written, in the goroutine that sends
// it, so record may read what it set once Do has returned.
func (e *connEvidence) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { e.remoteIP = ipOf(info.Conn.RemoteAddr()) },
	})
}

// record sets r's evidence fields from the response that just came back,
// so that they always describe the same response as Status and Header.
func (e *connEvidence) record(r *Response, res *http.Response) {
	r.RemoteIP = e.remoteIP
	r.TLSVersion, r.CertSHA256 = tlsEvidence(res.TLS)
}

// ipOf is the IP address of a TCP peer, IPv4-mapped addresses unmapped.
func ipOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return ""
	}
	return ap.Addr().Unmap().String()
}

// tlsEvidence names the TLS version and fingerprints the leaf certificate
// the server presented; both are "" for plain HTTP.
func tlsEvidence(cs *tls.ConnectionState) (version, certSHA256 string) {
	if cs == nil {
		return "", ""
	}
	version = tls.VersionName(cs.Version)
	if len(cs.PeerCertificates) > 0 {
		sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
		certSHA256 = hex.EncodeToString(sum[:])
	}
	return version, certSHA256
}
