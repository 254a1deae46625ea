package newsroom_test

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/stet/stet/extract"
	"github.com/stet/stet/internal/newsroom"
)

func newServer(t *testing.T) (*newsroom.Newsroom, *httptest.Server) {
	t.Helper()
	n := newsroom.New()
	srv := httptest.NewServer(n)
	t.Cleanup(srv.Close)
	return n, srv
}

// get fetches path with optional header pairs and returns the response with
// its body read.
func get(tb testing.TB, srv *httptest.Server, path string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return resp, body
}

// page is what the tests look at in an article page. A PDF fills status,
// raw, h1 (its title), modTim and paras from what extract.PDF reads.
type page struct {
	status int
	raw    []byte
	html   string // decoded to UTF-8
	h1     string
	title  string
	ogTitl string
	ldJSON string
	author string   // <meta name="author">
	modTim string   // <meta property="article:modified_time">
	paras  []string // <p> texts inside <article>
	pdf    bool
}

func fetchPage(tb testing.TB, srv *httptest.Server, path string) page {
	tb.Helper()
	resp, raw := get(tb, srv, path)
	if resp.Header.Get("Content-Type") == "application/pdf" {
		return pdfPage(tb, path, resp.StatusCode, raw)
	}
	html := string(raw)
	if strings.Contains(resp.Header.Get("Content-Type"), "gbk") {
		html = decodeGBK(tb, raw)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	p := page{
		status: resp.StatusCode, raw: raw, html: html,
		h1:     strings.TrimSpace(doc.Find("h1").First().Text()),
		title:  doc.Find("title").Text(),
		ogTitl: doc.Find(`meta[property="og:title"]`).AttrOr("content", ""),
		ldJSON: doc.Find(`script[type="application/ld+json"]`).Text(),
		author: doc.Find(`meta[name="author"]`).AttrOr("content", ""),
		modTim: doc.Find(`meta[property="article:modified_time"]`).AttrOr("content", ""),
	}
	doc.Find("article p").Each(func(_ int, s *goquery.Selection) {
		p.paras = append(p.paras, s.Text())
	})
	return p
}

func (p page) text() string { return strings.Join(p.paras, "\n\n") }

// pdfPage reads a PDF as the daemon does.
func pdfPage(tb testing.TB, path string, status int, raw []byte) page {
	tb.Helper()
	a, err := extract.PDF(bytes.NewReader(raw), extract.PDFOptions{})
	if err != nil {
		tb.Fatalf("extract %s: %v", path, err)
	}
	return page{status: status, raw: raw, pdf: true, h1: a.Title, modTim: a.Modified.Format(time.RFC3339),
		paras: strings.Split(a.Text, "\n\n")}
}

func decodeGBK(tb testing.TB, raw []byte) string {
	tb.Helper()
	b, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw)
	if err != nil {
		tb.Fatalf("decode gbk: %v", err)
	}
	return string(b)
}

// feedItem is a minimal view of an RSS item or Atom entry.
type feedItem struct {
	Title string
	Link  string
}

type rssDoc struct {
	Items []struct {
		Title string `xml:"title"`
		Link  string `xml:"link"`
	} `xml:"channel>item"`
}

type atomDoc struct {
	Entries []struct {
		Title string `xml:"title"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// parseFeed decodes an RSS or Atom body into its items.
func parseFeed(tb testing.TB, path string, body []byte) []feedItem {
	tb.Helper()
	var items []feedItem
	if strings.HasSuffix(path, ".atom") {
		var d atomDoc
		if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&d); err != nil {
			tb.Fatalf("decode %s: %v", path, err)
		}
		for _, e := range d.Entries {
			items = append(items, feedItem{e.Title, e.Link.Href})
		}
		return items
	}
	var d rssDoc
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&d); err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	for _, it := range d.Items {
		items = append(items, feedItem{it.Title, it.Link})
	}
	return items
}

// feedItems fetches a feed and returns its items.
func feedItems(tb testing.TB, srv *httptest.Server, path string) []feedItem {
	tb.Helper()
	resp, body := get(tb, srv, path)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return parseFeed(tb, path, body)
}

// articlePaths returns the paths of every item of every listing (feeds,
// sitemaps, index pages) plus the pages, each once, sorted.
func articlePaths(tb testing.TB, n *newsroom.Newsroom, srv *httptest.Server) []string {
	tb.Helper()
	paths := slices.Clone(n.Pages())
	for _, items := range listings(tb, n, srv) {
		for _, it := range items {
			paths = append(paths, pathOf(tb, it.Link))
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

func pathOf(tb testing.TB, link string) string {
	tb.Helper()
	u, err := url.Parse(link)
	if err != nil {
		tb.Fatalf("item link %q: %v", link, err)
	}
	return u.Path
}

// listings returns the items of every listing, by the listing's path.
func listings(tb testing.TB, n *newsroom.Newsroom, srv *httptest.Server) map[string][]feedItem {
	tb.Helper()
	m := map[string][]feedItem{}
	for _, f := range n.Feeds() {
		m[f] = feedItems(tb, srv, f)
	}
	for _, s := range n.Sitemaps() {
		m[s] = sitemapItems(tb, srv, s)
	}
	for _, x := range n.Indexes() {
		m[x.Path] = indexItems(tb, srv, x)
	}
	return m
}

// listedBy returns the paths of the listings that show path.
func listedBy(tb testing.TB, n *newsroom.Newsroom, srv *httptest.Server, path string) []string {
	tb.Helper()
	var by []string
	for l, items := range listings(tb, n, srv) {
		if slices.ContainsFunc(items, func(it feedItem) bool { return it.Link == srv.URL+path }) {
			by = append(by, l)
		}
	}
	slices.Sort(by)
	return by
}

// sitemapDoc decodes a sitemap index or a URL set, news entries included.
type sitemapDoc struct {
	XMLName  xml.Name
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Title   string `xml:"http://www.google.com/schemas/sitemap-news/0.9 news>title"`
		Date    string `xml:"http://www.google.com/schemas/sitemap-news/0.9 news>publication_date"`
	} `xml:"url"`
}

// fetchSitemap fetches and decodes one sitemap file, gunzipping a .gz.
func fetchSitemap(tb testing.TB, srv *httptest.Server, path string) sitemapDoc {
	tb.Helper()
	resp, body := get(tb, srv, path)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			tb.Fatalf("gunzip %s: %v", path, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			tb.Fatalf("gunzip %s: %v", path, err)
		}
	}
	var d sitemapDoc
	if err := xml.Unmarshal(body, &d); err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return d
}

// sitemapItems returns the URLs a sitemap lists, following an index to
// the sitemaps it names; an item's title is its news:title, if any.
func sitemapItems(tb testing.TB, srv *httptest.Server, path string) []feedItem {
	tb.Helper()
	d := fetchSitemap(tb, srv, path)
	var items []feedItem
	for _, s := range d.Sitemaps {
		items = append(items, sitemapItems(tb, srv, pathOf(tb, s.Loc))...)
	}
	for _, u := range d.URLs {
		items = append(items, feedItem{Title: u.Title, Link: u.Loc})
	}
	return items
}

// indexItems reads an index page as its selectors say, following the
// next-page link for at most x.MaxPages pages.
func indexItems(tb testing.TB, srv *httptest.Server, x newsroom.Index) []feedItem {
	tb.Helper()
	var items []feedItem
	next := srv.URL + x.Path
	for range x.MaxPages {
		if next == "" {
			return items
		}
		doc := fetchDoc(tb, srv, pathOf(tb, next))
		base, err := url.Parse(next)
		if err != nil {
			tb.Fatal(err)
		}
		abs := func(href string) string {
			u, err := base.Parse(href)
			if err != nil {
				tb.Fatalf("%s: link %q: %v", next, href, err)
			}
			return u.String()
		}
		doc.Find(x.Links).Each(func(_ int, s *goquery.Selection) {
			items = append(items, feedItem{Title: s.Text(), Link: abs(s.AttrOr("href", ""))})
		})
		next = ""
		if href, ok := doc.Find(x.Follow).Attr("href"); ok {
			next = abs(href)
		}
	}
	if next != "" {
		tb.Fatalf("%s: more than %d pages", x.Path, x.MaxPages)
	}
	return items
}

func fetchDoc(tb testing.TB, srv *httptest.Server, path string) *goquery.Document {
	tb.Helper()
	resp, body := get(tb, srv, path)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	return doc
}

// inFeed finds path among the items of every feed.
func inFeed(tb testing.TB, n *newsroom.Newsroom, srv *httptest.Server, path string) (feedItem, bool) {
	tb.Helper()
	for _, f := range n.Feeds() {
		for _, it := range feedItems(tb, srv, f) {
			if it.Link == srv.URL+path {
				return it, true
			}
		}
	}
	return feedItem{}, false
}
