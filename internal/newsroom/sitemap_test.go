package newsroom_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSitemaps reads the sitemap index and the two sitemaps it names: a
// gzipped URL set of documents with lastmod and a Google News sitemap of
// articles that no other listing shows.
func TestSitemaps(t *testing.T) {
	n, srv := newServer(t)
	if got := n.Sitemaps(); len(got) != 1 {
		t.Fatalf("Sitemaps() = %v, want the index alone", got)
	}
	idx := fetchSitemap(t, srv, n.Sitemaps()[0])
	if idx.XMLName.Local != "sitemapindex" || len(idx.Sitemaps) != 2 || len(idx.URLs) != 0 {
		t.Fatalf("%s: <%s> naming %d sitemaps and %d URLs; want a sitemapindex of 2", n.Sitemaps()[0], idx.XMLName.Local, len(idx.Sitemaps), len(idx.URLs))
	}
	var children []string
	for _, s := range idx.Sitemaps {
		if !strings.HasPrefix(s.Loc, srv.URL+"/") {
			t.Errorf("child sitemap %q is not absolute on %s", s.Loc, srv.URL)
		}
		if _, err := time.Parse(time.RFC3339, s.LastMod); err != nil {
			t.Errorf("child sitemap %s: lastmod %q: %v", s.Loc, s.LastMod, err)
		}
		children = append(children, pathOf(t, s.Loc))
	}
	if !slices.Equal(children, []string{"/sitemap-docs.xml.gz", "/news-sitemap.xml"}) {
		t.Fatalf("child sitemaps %v", children)
	}

	resp, raw := get(t, srv, children[0])
	if ct := resp.Header.Get("Content-Type"); ct != "application/gzip" || !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		t.Errorf("%s: Content-Type %q, first bytes % x; want a gzip file", children[0], ct, raw[:min(2, len(raw))])
	}
	docs := fetchSitemap(t, srv, children[0])
	var pdfs int
	for _, u := range docs.URLs {
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Errorf("%s: %s: lastmod %q: %v", children[0], u.Loc, u.LastMod, err)
		}
		if strings.HasSuffix(u.Loc, ".pdf") {
			pdfs++
		}
		if p := fetchPage(t, srv, pathOf(t, u.Loc)); p.status != http.StatusOK {
			t.Errorf("%s: %s answers %d", children[0], u.Loc, p.status)
		}
	}
	if len(docs.URLs) != 2 || pdfs != 1 {
		t.Errorf("%s lists %d URLs, %d of them PDFs; want the full text and its PDF", children[0], len(docs.URLs), pdfs)
	}

	news := fetchSitemap(t, srv, children[1])
	if len(news.URLs) == 0 {
		t.Fatalf("%s lists nothing", children[1])
	}
	for _, u := range news.URLs {
		path := pathOf(t, u.Loc)
		if p := fetchPage(t, srv, path); p.status != http.StatusOK || p.h1 != u.Title {
			t.Errorf("%s: %s: status %d, h1 %q; want 200 and the news:title %q", children[1], path, p.status, p.h1, u.Title)
		}
		if _, err := time.Parse(time.RFC3339, u.Date); err != nil {
			t.Errorf("%s: %s: publication_date %q: %v", children[1], path, u.Date, err)
		}
		if by := listedBy(t, n, srv, path); !slices.Equal(by, n.Sitemaps()) {
			t.Errorf("%s is listed by %v; want the sitemap alone", path, by)
		}
	}
}

// TestStaticFiles checks that sitemaps and PDFs are files: the same bytes
// on every request, a strong ETag honoured by If-None-Match, and no date
// validator to misuse.
func TestStaticFiles(t *testing.T) {
	n, srv := newServer(t)
	paths := []string{"/sitemap.xml", "/sitemap-docs.xml.gz", "/news-sitemap.xml"}
	for _, p := range articlePaths(t, n, srv) {
		if strings.HasSuffix(p, ".pdf") {
			paths = append(paths, p)
		}
	}
	if len(paths) != 5 {
		t.Fatalf("files %v, want 3 sitemaps and 2 PDFs", paths)
	}
	for _, path := range paths {
		first, a := get(t, srv, path)
		_, b := get(t, srv, path)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two requests gave different bytes", path)
		}
		tag := first.Header.Get("ETag")
		if resp, body := get(t, srv, path, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s with its ETag: status %d, %d bytes; want 304", path, resp.StatusCode, len(body))
		}
		if resp, _ := get(t, srv, path, "If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"); resp.StatusCode != http.StatusOK {
			t.Errorf("%s with If-Modified-Since alone: status %d, want 200", path, resp.StatusCode)
		}
	}
	if _, body := get(t, srv, "/robots.txt"); !strings.Contains(string(body), "Sitemap: "+srv.URL+"/sitemap.xml\n") {
		t.Errorf("robots.txt names no sitemap:\n%s", body)
	}
}
