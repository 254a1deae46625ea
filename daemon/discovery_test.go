package daemon_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/daemon"
)

// Sitemaps (an index leading to a gzipped URL set and a news sitemap) and
// an index page with pagination all lead to tracked articles, through the
// same listing path as feeds.
func TestSitemapsAndIndexPages(t *testing.T) {
	s := newSite(t)
	u := s.URL
	xml := func(body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
		}
	}
	s.set("/sitemap.xml", xml(`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>`+u+`/sitemap-docs.xml.gz</loc></sitemap><sitemap><loc>`+u+`/news-sitemap.xml</loc></sitemap></sitemapindex>`))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	fmt.Fprintf(zw, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>%s/docs/a.html</loc><lastmod>2024-01-23</lastmod></url><url><loc>%s/docs/b.html</loc></url></urlset>`, u, u)
	zw.Close()
	s.set("/sitemap-docs.xml.gz", func(w http.ResponseWriter, r *http.Request) { w.Write(gz.Bytes()) })
	s.set("/news-sitemap.xml", xml(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>`+u+`/news/c.html</loc><news:news><news:title>国务院新闻办公室发表白皮书</news:title><news:publication_date>2024-01-23T10:00:00+08:00</news:publication_date></news:news></url></urlset>`))
	page := func(n int, next string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><body><nav><a href="/">Home</a></nav><ul class="list">
<li><a href="/zhengce/%d-1.html">Policy %d-1</a></li><li><a href="/zhengce/%d-2.html">Policy %d-2</a></li>
<li><a href="javascript:void(0)">bad</a></li><li><a href="https://elsewhere.example/x">offsite</a></li></ul>%s</body></html>`,
				n, n, n, n, next)
		}
	}
	s.set("/zhengce/", page(1, `<a class="next" href="/zhengce/index_1.html">next</a>`))
	s.set("/zhengce/index_1.html", page(2, `<a class="next" href="/zhengce/index_2.html">next</a>`))
	s.set("/zhengce/index_2.html", page(3, ""))
	path := dbPath(t)
	cfg := testConfig(t, path, fmt.Sprintf(`
[[sitemap]]
url = %q
schedule = "@every 1h"
[[index]]
url = %q
links = "ul.list a"
follow = "a.next"
max_pages = 2
schedule = "@every 1h"
`, u+"/sitemap.xml", u+"/zhengce/"))
	cfg.Recheck.StopAfter = hour(8760)
	st := openStore(t, path)
	r := startDaemon(t, cfg, st)
	for range 2 {
		waitResult(t, "a listing read", r.results, func(res daemon.Result) bool { return res.Status == daemon.StatusFeed })
	}
	r.stop()
	want := []string{"/docs/a.html", "/docs/b.html", "/news/c.html", "/zhengce/1-1.html", "/zhengce/1-2.html",
		"/zhengce/2-1.html", "/zhengce/2-2.html"}
	for _, w := range want {
		if _, err := st.PageByURL(t.Context(), u+w); err != nil {
			t.Errorf("%s not tracked: %v", w, err)
		}
	}
	ps, err := st.Pages(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(want) {
		var got []string
		for _, p := range ps {
			got = append(got, strings.TrimPrefix(p.URL, u))
		}
		t.Errorf("tracked %v, want exactly %v (max_pages = 2: the third index page is not read)", got, want)
	}
	if p, err := st.PageByURL(t.Context(), u+"/news/c.html"); err == nil && p.Title != "国务院新闻办公室发表白皮书" {
		t.Errorf("news sitemap title = %q", p.Title)
	}
}

// A sitemap lastmod newer than an article's last check makes the article
// due at once, ahead of its re-check schedule.
func TestSitemapLastmodMakesPageDue(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	lastmod := "2024-01-01"
	s.set("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/a.html</loc><lastmod>%s</lastmod></url></urlset>`,
			s.URL, lastmod)
	})
	s.set("/a.html", article("A", paras...))
	path := dbPath(t)
	cfg := testConfig(t, path, fmt.Sprintf("\n[[sitemap]]\nurl = %q\nschedule = \"@every 1s\"\n", s.URL+"/sitemap.xml"))
	cfg.Recheck.Steps = cfg.Recheck.Steps[:1]
	cfg.Recheck.Steps[0].Every = hour(1) // without the lastmod, no re-check within the test
	st := openStore(t, path)
	r := startDaemon(t, cfg, st)
	isPage := func(res daemon.Result) bool { return strings.HasSuffix(res.URL, "/a.html") }
	waitResult(t, "the first check of a.html", r.results, isPage)
	mu.Lock()
	lastmod = time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	mu.Unlock()
	waitResult(t, "a check of a.html after its lastmod moved", r.results, isPage)
}

// A child sitemap that changes under an unchanged sitemap index is read
// again (the index's bytes alone used to stop the read).
func TestChangedChildOfUnchangedSitemapIndex(t *testing.T) {
	s := newSite(t)
	var mu sync.Mutex
	child := "a"
	s.set("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s/child.xml</loc></sitemap></sitemapindex>`, s.URL)
	})
	s.set("/child.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>%s/%s.html</loc></url></urlset>`, s.URL, child)
	})
	path := dbPath(t)
	cfg := testConfig(t, path, fmt.Sprintf("\n[[sitemap]]\nurl = %q\nschedule = \"@every 1s\"\n", s.URL+"/sitemap.xml"))
	st := openStore(t, path)
	r := startDaemon(t, cfg, st)
	waitResult(t, "a sitemap read", r.results, func(res daemon.Result) bool { return res.Status == daemon.StatusFeed })
	mu.Lock()
	child = "b"
	mu.Unlock()
	waitUntil(t, "b.html tracked from the changed child", r.results, func() bool {
		_, err := st.PageByURL(t.Context(), s.URL+"/b.html")
		return err == nil
	})
}
