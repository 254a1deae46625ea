package crawler_test

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/stet/stet/crawler"
)

func BenchmarkFetch100KB(b *testing.B) {
	body := bytes.Repeat([]byte("<p>A paragraph of a long article.</p>\n"), 100<<10/38)
	ts, _ := serve(b, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	c := newClient(b, crawler.Options{})
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		resp, err := c.Fetch(b.Context(), crawler.Request{URL: ts.URL + "/article"})
		if err != nil || resp.Class != crawler.ClassOK || len(resp.Body) != len(body) {
			b.Fatalf("Fetch = %v, %v, %d bytes", err, resp.Class, len(resp.Body))
		}
	}
}

func BenchmarkFetch100KBGzip(b *testing.B) {
	page := bytes.Repeat([]byte("<p>A paragraph of a long article.</p>\n"), 100<<10/38)
	body := compress(b, "gzip", page)
	ts, _ := serve(b, encoded("gzip", body))
	c := newClient(b, crawler.Options{})
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if resp, err := c.Fetch(b.Context(), crawler.Request{URL: ts.URL + "/article"}); err != nil || len(resp.Body) != len(page) {
			b.Fatalf("Fetch = %v", err)
		}
	}
}

// BenchmarkFetch8MBChunked reads a body of unknown length, the case where
// the reader cannot size its buffer up front; B/op shows the cost of
// growing it (about twice the body, plus the server's side).
func BenchmarkFetch8MBChunked(b *testing.B) {
	body := bytes.Repeat([]byte("<p>A paragraph of a long article.</p>\n"), 8<<20/38)
	ts, _ := serve(b, func(w http.ResponseWriter, r *http.Request) {
		for chunk := range slices.Chunk(body, 64<<10) {
			w.Write(chunk)
			w.(http.Flusher).Flush() // no Content-Length: chunked encoding
		}
	})
	c := newClient(b, crawler.Options{})
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if resp, err := c.Fetch(b.Context(), crawler.Request{URL: ts.URL + "/article"}); err != nil || len(resp.Body) != len(body) {
			b.Fatalf("Fetch = %v", err)
		}
	}
}
