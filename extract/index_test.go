package extract

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// indexGoldens are the options each testdata/index/NAME.html is read
// with, as the config's [[index]] entry for that site would give them.
func indexGoldens(tb testing.TB) map[string]IndexOptions {
	return map[string]IndexOptions{
		// A ministry's news list: GB2312, relative links, a link to the
		// central government portal, a subsite, pagination in Chinese.
		"ministry": {
			BaseURL: mustURL(tb, "https://www.mot.gov.example/xwfb/xwfbh/index.html"),
			Links:   "div.list ul",
			Follow:  `div.page a:contains("下一页")`,
			Hosts:   []string{"www.gov.example", "*.mot.gov.example"},
		},
		// An agency's press releases: <base href>, a thumbnail and a
		// headline per teaser, rel=next pagination.
		"agency": {
			BaseURL: mustURL(tb, "https://press.agency.example/releases/?page=1"),
			Links:   "article.teaser",
			Follow:  "a[rel=next]",
			Hosts:   []string{"*.agency.example"},
		},
	}
}

// TestIndexLinksGolden reads every testdata/index/NAME.html with the
// options in indexGoldens and compares the result with
// testdata/index/NAME.json. Run with -update to rewrite the goldens.
func TestIndexLinksGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "index", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pages in testdata/index (err %v)", err)
	}
	opts := indexGoldens(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".html")
		t.Run(name, func(t *testing.T) {
			o, ok := opts[name]
			if !ok {
				t.Fatalf("no options for %s in indexGoldens", file)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := IndexLinks(bytes.NewReader(b), o)
			if err != nil {
				t.Fatalf("IndexLinks: %v", err)
			}
			checkGolden(t, filepath.Join("testdata", "index", name+".json"), res)
		})
	}
}

func TestIndexLinks(t *testing.T) {
	page := mustURL(t, "https://www.example.gov/news/index.html")
	item := func(u, title string) Item { return Item{GUID: u, URL: u, Title: title} }
	tests := []struct {
		name string
		html string
		o    IndexOptions
		want IndexResult
	}{
		{"every link by default, page order, one per URL",
			`<a href="/a">A</a><a href="b">B</a><a href="/a#x">A again</a><a href="index.html">self</a><a href="#top">top</a>`,
			IndexOptions{BaseURL: page}, IndexResult{Items: []Item{
				item("https://www.example.gov/a", "A"), item("https://www.example.gov/news/b", "B")}, Rejected: 1}},
		{"selector of links", `<ul class="news-list"><li><a href="1">One</a></li></ul><nav><a href="2">Two</a></nav>`,
			IndexOptions{BaseURL: page, Links: "ul.news-list a"}, IndexResult{Items: []Item{
				item("https://www.example.gov/news/1", "One")}}},
		{"selector of containers", `<h3><a href="1">One</a></h3><div><a href="2">Two</a></div><h3><span><a href="3">Three</a></span></h3>`,
			IndexOptions{BaseURL: page, Links: "h3"}, IndexResult{Items: []Item{
				item("https://www.example.gov/news/1", "One"), item("https://www.example.gov/news/3", "Three")}}},
		{"nested containers expand once", `<div><div><a href="1">One</a></div><a href="2">Two</a></div>`,
			IndexOptions{BaseURL: page, Links: "div"}, IndexResult{Items: []Item{
				item("https://www.example.gov/news/1", "One"), item("https://www.example.gov/news/2", "Two")}}},
		{"garbage links are rejected", `<a href="javascript:void(0)">js</a><a href="mailto:a@b">m</a><a href="tel:1">t</a>` +
			`<a href="http://">empty host</a><a href="http://[::1">bad</a><a href="data:text/html,x">d</a><a>no href</a>` +
			`<a href="  /ok  ">ok</a>`,
			IndexOptions{BaseURL: page}, IndexResult{Items: []Item{item("https://www.example.gov/ok", "ok")}, Rejected: 6}},
		{"other hosts are offsite unless allowed", `<a href="https://evil.example/x">e</a><a href="https://EXAMPLE.gov./y">apex</a>` +
			`<a href="https://cdn.example.gov/z">sub</a><a href="http://www.example.gov:8080/p">port</a><a href="https://x.example.gov.evil/">s</a>`,
			IndexOptions{BaseURL: page, Hosts: []string{"*.example.gov"}}, IndexResult{Items: []Item{
				item("https://cdn.example.gov/z", "sub"), item("http://www.example.gov:8080/p", "port")}, Offsite: 3}},
		{"no BaseURL: only Hosts, only absolute", `<a href="/rel">r</a><a href="https://a.example/1">a</a><a href="https://b.example/2">b</a>`,
			IndexOptions{Hosts: []string{"a.example"}}, IndexResult{Items: []Item{item("https://a.example/1", "a")}, Offsite: 1, Rejected: 1}},
		{"title falls back to the title attribute, then the image alt; a later link's text wins over both",
			`<a href="1" title=" One  "></a><a href="2"><img alt="Two"></a><a href="3"><img src=x></a><a href="3">Three</a>` +
				`<a href="4"><img alt="Photo"></a><a href="4">Four<br>lines</a><a href="4">Not this</a><a href="2" title="Not this"></a>`,
			IndexOptions{BaseURL: page}, IndexResult{Items: []Item{item("https://www.example.gov/news/1", "One"),
				item("https://www.example.gov/news/2", "Two"), item("https://www.example.gov/news/3", "Three"),
				item("https://www.example.gov/news/4", "Four lines")}}},
		{"next pages are not items and never the page itself",
			`<a href="a1">A</a><div class=pages><a href="index.html">1</a><a href="index_1.html">2</a><a href="index_2.html">3</a></div>`,
			IndexOptions{BaseURL: page, Follow: "div.pages"}, IndexResult{Items: []Item{item("https://www.example.gov/news/a1", "A")},
				Next: []string{"https://www.example.gov/news/index_1.html", "https://www.example.gov/news/index_2.html"}}},
		{"next page on another host is offsite", `<a class=next href="https://mirror.example/p2">next</a>`,
			IndexOptions{BaseURL: page, Links: "li a", Follow: "a.next"}, IndexResult{Offsite: 1}},
		{"MaxItems", `<a href="1">1</a><a href="2">2</a><a href="1">1</a><a href="3">3</a><a href="3">3</a><a href="x:y">bad</a>`,
			IndexOptions{BaseURL: page, MaxItems: 1}, IndexResult{Items: []Item{item("https://www.example.gov/news/1", "1")}, Excess: 2, Rejected: 1}},
		{"base href", `<head><base href="https://static.example.gov/lists/"></head><a href="p1">P</a>`,
			IndexOptions{BaseURL: page, Hosts: []string{"static.example.gov"}}, IndexResult{Items: []Item{
				item("https://static.example.gov/lists/p1", "P")}}},
		{"base href that is not http is ignored", `<base href="javascript:x"><a href="p1">P</a>`,
			IndexOptions{BaseURL: page}, IndexResult{Items: []Item{item("https://www.example.gov/news/p1", "P")}}},
		{"charset from Content-Type", "<a href=\"1\">\xd6\xd0\xce\xc4</a>",
			IndexOptions{BaseURL: page, ContentType: "text/html; charset=gb2312"}, IndexResult{Items: []Item{
				item("https://www.example.gov/news/1", "中文")}, Charset: "gbk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IndexLinks(strings.NewReader(tt.html), tt.o)
			if err != nil {
				t.Fatalf("IndexLinks: %v", err)
			}
			if tt.want.Charset == "" {
				tt.want.Charset = "utf-8"
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("IndexLinks:\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestIndexLinksErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		o    IndexOptions
		msg  string
	}{
		{"invalid links selector", "", IndexOptions{Links: "ul >> a"}, `extract: index: links selector "ul >> a": `},
		{"invalid follow selector", "", IndexOptions{Follow: "a["}, `extract: index: follow selector "a[": `},
		{"invalid host pattern", "", IndexOptions{Hosts: []string{"a.example/path"}}, `extract: index: host pattern "a.example/path"`},
		{"empty host pattern", "", IndexOptions{Hosts: []string{"*."}}, `host pattern "*."`},
		{"too large", strings.Repeat("<p>x</p>", 200), IndexOptions{MaxBytes: 1000}, "extract: index page larger than 1000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := IndexLinks(strings.NewReader(tt.body), tt.o)
			if err == nil || res != nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("IndexLinks = %+v, %v; want an error containing %q", res, err, tt.msg)
			}
		})
	}
	_, err := IndexLinks(strings.NewReader(strings.Repeat("x", 2000)), IndexOptions{MaxBytes: 1000})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized page: err = %v, want ErrTooLarge", err)
	}
}

// failingReader fails the test if read: IndexLinks must check its options
// before it reads.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("IndexLinks read the body despite invalid options")
	return 0, errors.New("read")
}

func TestIndexLinksChecksOptionsFirst(t *testing.T) {
	if _, err := IndexLinks(failingReader{t}, IndexOptions{Links: "::"}); err == nil {
		t.Error("no error for an invalid selector")
	}
}

func TestHostSet(t *testing.T) {
	h, err := newHostSet(mustURL(t, "https://News.Example.ORG:8443/x"), []string{"Partner.example", "*.cdn.example", "*.例子.example"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"news.example.org":         true,
		"NEWS.EXAMPLE.ORG.":        true,
		"news.example.org:80":      true,
		"partner.example":          true,
		"www.partner.example":      false,
		"cdn.example":              false,
		"a.cdn.example":            true,
		"a.b.cdn.example":          true,
		"evilcdn.example":          false,
		"a.cdn.example.evil":       false,
		"www.例子.example":           true,
		"www.xn--fsqu00a.example":  true,
		"example.org":              false,
		"news.example.org.evil.io": false,
	} {
		if got := h.allow(mustURL(t, "http://"+host+"/")); got != want {
			t.Errorf("allow(%q) = %v, want %v", host, got, want)
		}
	}
}
