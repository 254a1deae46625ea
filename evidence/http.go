package evidence

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/stet/stet/storage"
)

// requestBlock is the GET stet sent for c: the request line and Host (which
// Go's client adds itself), then the headers stet set, as stored.
func requestBlock(c storage.Capture, target string) string {
	uri, host := target, ""
	if u, err := url.Parse(target); err == nil {
		uri, host = u.RequestURI(), u.Host
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\n", noCRLF.Replace(uri))
	if host != "" {
		fmt.Fprintf(&b, "Host: %s\r\n", host)
	}
	b.WriteString(storage.FormatHeader(c.RequestHeader))
	b.WriteString("\r\n")
	return b.String()
}

// responseHead is the status line and headers of c's response, framing a
// payload of n bytes. The kept body is decoded, so headers that describe
// the bytes on the wire and no longer fit are renamed X-Stet-Orig-*
// (Content-Encoding, Transfer-Encoding, a Content-Length other than n) and
// a Content-Length of n takes the old one's place; a reader that parses
// the block as HTTP then gets exactly the payload the digest covers. The
// reason phrase is the standard one: stet keeps the status code only.
func responseHead(c storage.Capture, n int) string {
	h := c.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	rename(h, "Content-Encoding")
	rename(h, "Transfer-Encoding")
	if cl, ok := h["Content-Length"]; ok && (len(cl) != 1 || cl[0] != strconv.Itoa(n)) {
		rename(h, "Content-Length")
		h["Content-Length"] = []string{strconv.Itoa(n)}
	}
	text := http.StatusText(c.Status)
	if text == "" {
		text = "Unknown"
	}
	return fmt.Sprintf("HTTP/1.1 %d %s\r\n%s\r\n", c.Status, text, storage.FormatHeader(h))
}

func rename(h http.Header, name string) {
	if v, ok := h[name]; ok {
		h["X-Stet-Orig-"+name] = v
		delete(h, name)
	}
}
