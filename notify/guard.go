package notify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress is wrapped by the error of a Send that the default
// transport refused to dial.
var ErrPrivateAddress = errors.New("non-public address refused")

// sharedSpace is carrier-grade NAT space (RFC 6598), which IsPrivate misses.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

const connectTimeout = 10 * time.Second

// publicAddr is the default transport's test: public unicast only. It is
// deliberately minimal (no NAT64 or 6to4 decoding); stet itself passes the
// crawler's fuller guard as Webhook.Transport, and notify may not import it.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !sharedSpace.Contains(ip)
}

// dialControl refuses non-public addresses. It runs after DNS resolution on
// the exact address about to be dialed, before connecting, so a name that
// resolves to 10.0.0.1 and DNS rebinding are refused too.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("parse dial address %q: %w", address, err)
	}
	if !publicAddr(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr().Unmap())
	}
	return nil
}

// defaultTransport is the transport of a Webhook without one. It is built
// per Send with keep-alives off, so it leaves no idle connection behind; a
// webhook is not busy enough for reuse to matter. It ignores environment
// proxies: the guard must see the real peer.
func defaultTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: connectTimeout}
	if !allowPrivate {
		d.Control = dialControl
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		TLSHandshakeTimeout:    connectTimeout,
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true,
	}
}
