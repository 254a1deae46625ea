package crawler

import "net/netip"

// PublicAddr exposes the address classification to the black-box tests.
func PublicAddr(s string) bool { return publicAddr(netip.MustParseAddr(s)) }

// DialControl runs the dialer's Control guard on a resolved "ip:port".
func DialControl(allowPrivate bool, address string) error {
	return dialControl(allowPrivate)("tcp", address, nil)
}

// Title exposes the classifier's title reader.
func Title(body []byte) string { return title(body) }
