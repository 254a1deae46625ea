// Package hostile is a publisher from hell: an http.Handler whose every path
// misbehaves in one of the ways crawlers meet on the open web. The daemon's
// benchmarks and tests point stet at it to check that each ends in a
// classified capture within stet's time and memory bounds.
package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Case is one misbehaviour.
type Case struct {
	Path  string
	About string
	// Class is the capture class stet must record ("ok" for the pages that
	// look wrong but can be read).
	Class string
}

// Cases lists every path the handler serves, besides /feed.xml.
func Cases() []Case {
	return []Case{
		{"/endless", "a body that never ends", "too_large"},
		{"/gzip-bomb", "64 MiB of HTML in a few KiB of gzip", "too_large"},
		{"/stall", "accepts the request, never answers", "error"},
		{"/trickle", "one byte a second, forever", "error"},
		{"/loop", "redirects between two URLs forever", "error"},
		{"/huge-header", "a 1 MiB response header", "error"},
		{"/deep", "200,000 nested <div>s", "error"},
		{"/binary", "random-looking bytes served as text/html", "error"},
		{"/challenge", "a bot challenge page with status 200", "blocked"},
		{"/soft-404", "a not-found page with status 200", "gone"},
		{"/lying-charset", "GBK bytes declared as UTF-8", "ok"},
		{"/wide", "a 6 MB article of 100,000 paragraphs", "ok"},
	}
}

// Handler serves the cases and a feed listing them all.
type Handler struct {
	bomb []byte
	deep []byte
	wide []byte
}

// New builds the handler; it prepares the large bodies once.
func New() *Handler {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := bytes.Repeat([]byte("<p>aaaaaaaaaaaaaaaa</p>"), 1<<16)
	for written := 0; written < 64<<20; written += len(chunk) {
		zw.Write(chunk)
	}
	zw.Close()
	return &Handler{
		bomb: b.Bytes(),
		deep: []byte(strings.Repeat("<div>", 200000) + "<p>deep</p>"),
		wide: []byte("<html><body><article>" + strings.Repeat("<p>A paragraph of words that goes on for a while.</p>", 100000) + "</article></body></html>"),
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/feed.xml":
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>hostile</title>`)
		for _, c := range Cases() {
			fmt.Fprintf(w, "<item><title>%s</title><link>http://%s%s</link></item>", c.About, r.Host, c.Path)
		}
		fmt.Fprint(w, `</channel></rss>`)
	case "/endless":
		b := bytes.Repeat([]byte("<p>x</p>"), 8<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(b); err != nil {
				return
			}
		}
	case "/gzip-bomb":
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(h.bomb)
	case "/stall":
		<-r.Context().Done()
	case "/trickle":
		trickle(w, r)
	case "/loop":
		http.Redirect(w, r, "/loop-2", http.StatusFound)
	case "/loop-2":
		http.Redirect(w, r, "/loop", http.StatusFound)
	case "/huge-header":
		w.Header().Set("X-Padding", strings.Repeat("a", 1<<20))
		w.Write([]byte("<p>hi</p>"))
	case "/deep":
		w.Write(h.deep)
	case "/binary":
		w.Header().Set("Content-Type", "text/html")
		b := make([]byte, 4096)
		for i := range b {
			b[i] = byte(i*7919%251) ^ 0x80
		}
		b[0], b[1] = 0, 0
		w.Write(b)
	case "/challenge":
		fmt.Fprint(w, `<html><head><title>Just a moment...</title></head><body><div id="cf-chl-widget"></div></body></html>`)
	case "/soft-404":
		fmt.Fprint(w, `<html><head><title>Page not found | Hostile</title></head><body><p>Sorry, we could not find that page.</p></body></html>`)
	case "/lying-charset":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// "长江大桥今日通车" and a sentence, in GBK.
		w.Write([]byte("<html><body><article><h1>\xb3\xa4\xbd\xad\xb4\xf3\xc7\xc5</h1><p>\xb3\xa4\xbd\xad\xb4\xf3\xc7\xc5\xbd\xf1\xc8\xd5\xcd\xa8\xb3\xb5\xa3\xac\xca\xd0\xc3\xf1\xc5\xc5\xb6\xd3\xb2\xce\xb9\xdb\xa1\xa3\xb3\xa4\xbd\xad\xb4\xf3\xc7\xc5\xbd\xf1\xc8\xd5\xcd\xa8\xb3\xb5\xa3\xac\xca\xd0\xc3\xf1\xc5\xc5\xb6\xd3\xb2\xce\xb9\xdb\xa1\xa3</p></article></body></html>"))
	case "/wide":
		w.Write(h.wide)
	default:
		http.NotFound(w, r)
	}
}

func trickle(w http.ResponseWriter, r *http.Request) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if _, err := w.Write([]byte("<")); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}
