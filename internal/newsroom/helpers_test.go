package newsroom_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/simplifiedchinese"

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

// page is what the tests look at in an article page.
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
}

func fetchPage(tb testing.TB, srv *httptest.Server, path string) page {
	tb.Helper()
	resp, raw := get(tb, srv, path)
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

// articlePaths returns the paths of every item in every feed plus the pages.
func articlePaths(tb testing.TB, n *newsroom.Newsroom, srv *httptest.Server) []string {
	tb.Helper()
	var paths []string
	for _, f := range n.Feeds() {
		for _, it := range feedItems(tb, srv, f) {
			u, err := url.Parse(it.Link)
			if err != nil {
				tb.Fatalf("item link %q: %v", it.Link, err)
			}
			paths = append(paths, u.Path)
		}
	}
	return append(paths, n.Pages()...)
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
