package crawler

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// nonPublic lists ranges that IsGlobalUnicast/IsPrivate do not cover but that
// still reach internal or special-purpose hosts.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: may translate to any IPv4, private included
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("2001:10::/28"),   // ORCHID
	netip.MustParsePrefix("ff00::/8"),       // multicast (belt and braces)
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, cloud metadata
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("255.255.255.255/32"),
}

var sixToFour = netip.MustParsePrefix("2002::/16")

// publicAddr reports whether ip is a public unicast address that a crawler may
// dial. IPv4-mapped addresses are judged by their IPv4 part, and 6to4
// addresses by the IPv4 address they embed.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	if sixToFour.Contains(ip) {
		b := ip.As16()
		return publicAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	return true
}

// addrError is returned by the dial guard; it names the refused address.
type addrError struct{ ip netip.Addr }

func (e *addrError) Error() string { return fmt.Sprintf("non-public address %s refused", e.ip) }
func (e *addrError) Unwrap() error { return ErrPrivateAddress }

// dialControl refuses non-public addresses. It runs after DNS resolution, on
// the exact address about to be dialed, so neither a DNS name resolving to
// 10.0.0.1 nor a redirect to one nor DNS rebinding between a check and the
// dial (TOCTOU) can slip through.
func dialControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("parse dial address %q: %w", address, err)
		}
		if !publicAddr(ap.Addr()) {
			return &addrError{ip: ap.Addr().Unmap()}
		}
		return nil
	}
}

// NewTransport returns the transport a Client built from o dials with, for
// the other HTTP clients in stet that must keep the same guard (the webhook
// sender). Unless o.AllowPrivate is set it refuses, at dial time and after
// DNS, every address that is not public unicast (loopback, RFC 1918,
// link-local and cloud metadata, CGNAT, ULA, NAT64 and the other special
// ranges), with an error wrapping ErrPrivateAddress: neither a name that
// resolves to 10.0.0.1 nor DNS rebinding slips past it.
//
// It never uses an environment proxy (the guard must see the real peer) and
// does not decompress responses. It takes ConnectTimeout, HeaderTimeout and
// PerHostConcurrency from o, zero meaning their defaults; the other fields,
// Transport included, are ignored. Redirects are the http.Client's business.
func NewTransport(o Options) *http.Transport {
	return newTransport(o.withDefaults())
}

// CheckHost refuses a literal non-public IP address before any request is
// made. host is a URL's host, with or without a port ("10.0.0.1",
// "[::1]:8080", "example.com"). It returns nil for a DNS name, whose
// addresses only the dial guard of NewTransport can judge, and nil whenever
// allowPrivate is set. The error wraps ErrPrivateAddress.
func CheckHost(host string, allowPrivate bool) error {
	if allowPrivate {
		return nil
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if err != nil || publicAddr(ip) {
		return nil
	}
	return &addrError{ip: ip.Unmap()}
}

// newTransport builds the guarded transport from defaulted Options.
// Compression is disabled so that decompression, and the cap on its output,
// stay in our hands (body.go).
func newTransport(o Options) *http.Transport {
	d := &net.Dialer{
		Timeout:   o.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		Control:   dialControl(o.AllowPrivate),
	}
	return &http.Transport{
		Proxy:                  nil, // never honour env proxies: the guard must see the real peer
		DialContext:            d.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: o.RootCAs},
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ResponseHeaderTimeout:  o.HeaderTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		IdleConnTimeout:        90 * time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    o.PerHostConcurrency,
		DisableCompression:     true,
		ForceAttemptHTTP2:      true,
	}
}
