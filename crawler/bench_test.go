package crawler_test

import (
	"bytes"
	"net/http"
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
