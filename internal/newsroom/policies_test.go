package newsroom_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestPolicyIndex reads the ministry's policy list as an index source
// would: its selectors find the notices and the next page, not the
// shuffled links around them, and the second page holds items no other
// listing shows.
func TestPolicyIndex(t *testing.T) {
	n, srv := newServer(t)
	xs := n.Indexes()
	if len(xs) != 1 {
		t.Fatalf("Indexes() = %+v, want one", xs)
	}
	x := xs[0]
	first := fetchDoc(t, srv, x.Path)
	if href, _ := first.Find(x.Follow).Attr("href"); href != "index_1.htm" {
		t.Errorf("next page link %q, want the relative index_1.htm", href)
	}
	onFirst := first.Find(x.Links).Length()
	items := indexItems(t, srv, x)
	if len(items) != 3 || onFirst != 2 || x.MaxPages < 2 {
		t.Fatalf("%d items, %d on the first page, max_pages %d; want 3 over 2 pages", len(items), onFirst, x.MaxPages)
	}
	var pdfs int
	for _, it := range items {
		path := pathOf(t, it.Link)
		p := fetchPage(t, srv, path)
		if p.status != http.StatusOK || strings.TrimSpace(it.Title) != p.h1 {
			t.Errorf("item %q: %s answers %d with title %q", it.Title, path, p.status, p.h1)
		}
		if p.pdf {
			pdfs++
		}
		if by := listedBy(t, n, srv, path); !slices.Equal(by, []string{x.Path}) {
			t.Errorf("%s is listed by %v; want the policy list alone", path, by)
		}
	}
	if pdfs != 1 {
		t.Errorf("%d PDFs on the policy list, want 1", pdfs)
	}
	first.Find(".most-read a").Each(func(_ int, s *goquery.Selection) {
		if slices.ContainsFunc(items, func(it feedItem) bool { return strings.HasSuffix(it.Link, s.AttrOr("href", "")) }) {
			t.Errorf("sidebar link %q selected as a notice", s.AttrOr("href", ""))
		}
	})
	_, a := get(t, srv, x.Path)
	_, b := get(t, srv, x.Path)
	if bytes.Equal(a, b) {
		t.Error("two requests of the policy list gave identical bytes; want churn around the list")
	}
	for _, path := range []string{"/zhengce/index_2.htm", "/zhengce/index_01.htm", "/zhengce/index_0.htm"} {
		if resp, _ := get(t, srv, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}
