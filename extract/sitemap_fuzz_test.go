package extract

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"
)

// checkLink fails unless s is what Sitemap and IndexLinks promise: an
// absolute http(s) URL with a host, no fragment, at most maxFieldBytes.
func checkLink(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Fragment != "" || len(s) > maxFieldBytes {
		t.Fatalf("returned link %q is not an absolute http(s) URL with a host (parse error %v)", s, err)
	}
	return u
}

// fuzzSeeds adds every file under testdata/dir to f's corpus.
func fuzzSeeds(f *testing.F, dir, glob string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/%s (err %v)", dir, err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzSitemap checks, for any body, that Sitemap does not panic and either
// fails or returns at most MaxItems entries, each an absolute http(s) URL
// with a host, distinct, with valid UTF-8 titles, and counts that add up;
// and that it is deterministic. MaxItems is small so the cap is exercised.
func FuzzSitemap(f *testing.F) {
	fuzzSeeds(f, "sitemap", "*.xml*")
	for _, s := range []string{
		`<urlset><url><loc>/a</loc></url><url><loc>b</loc></url><url><loc>javascript:x</loc></url><url><loc>//h/c</loc></url></urlset>`,
		`<sitemapindex><sitemap><loc>https://a.example/1.xml</loc><lastmod>2024</lastmod></sitemap></sitemapindex>`,
		`<urlset><url><loc>https://a.example/?a=1&b=2</loc><news:news><news:title>&nbsp;x&#0;</news:title></news:news></url>`,
		"\xfe\xff\x00<\x00u\x00r\x00l\x00s\x00e\x00t\x00/\x00>",
		`<?xml version="1.0" encoding="x-unknown"?><urlset/>`,
		`<!DOCTYPE html><html></html>`,
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
	} {
		f.Add([]byte(s))
	}
	const maxItems = 5
	o := SitemapOptions{BaseURL: mustURL(f, "https://site.example/sitemaps/s.xml"), MaxItems: maxItems, MaxBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Sitemap(bytes.NewReader(b), o)
		if err != nil {
			if res != nil {
				t.Fatalf("result %+v with error %v", res, err)
			}
			return
		}
		if n := len(res.Items) + len(res.Sitemaps); n > maxItems || (res.Items != nil && res.Sitemaps != nil) {
			t.Fatalf("%d items and %d sitemaps, want at most %d of one kind", len(res.Items), len(res.Sitemaps), maxItems)
		}
		if res.Excess < 0 || res.Rejected < 0 || (res.Excess > 0 && len(res.Items)+len(res.Sitemaps) < maxItems) {
			t.Fatalf("counts: %d kept, Excess %d, Rejected %d", len(res.Items)+len(res.Sitemaps), res.Excess, res.Rejected)
		}
		seen := map[string]bool{}
		for _, it := range res.Items {
			checkLink(t, it.URL)
			if seen[it.URL] || it.GUID != it.URL || !utf8.ValidString(it.Title) || len(it.Title) > maxFieldBytes {
				t.Fatalf("bad item %+v", it)
			}
			seen[it.URL] = true
		}
		for _, sm := range res.Sitemaps {
			checkLink(t, sm.URL)
			if seen[sm.URL] {
				t.Fatalf("duplicate sitemap %q", sm.URL)
			}
			seen[sm.URL] = true
		}
		again, err := Sitemap(bytes.NewReader(b), o)
		if err != nil || !reflect.DeepEqual(res, again) {
			t.Fatalf("second run differs: %+v vs %+v (err %v)", res, again, err)
		}
	})
}
