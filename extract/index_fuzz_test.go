package extract

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzIndexLinks checks, for any page, that IndexLinks does not panic and
// either fails or returns at most MaxItems items and MaxItems next pages,
// each an absolute http(s) URL with an allowed host, distinct across both
// lists, never the page itself, with valid UTF-8 titles drawn from the
// page; and that it is deterministic.
func FuzzIndexLinks(f *testing.F) {
	fuzzSeeds(f, "index", "*.html")
	for _, s := range []string{
		`<a href="/a">A</a><a href="b#x">B</a><a href="javascript:void(0)">J</a><a href="https://other.example/">O</a>`,
		`<ul class="list"><li><a href="./2024/t1.html" title="T"><img alt="I"></a></li></ul><a class="next" href="index_1.html">下一页</a>`,
		`<base href="https://cdn.site.example/x/"><a href="y">Y</a><a href="//a.site.example/z">Z</a>`,
		`<meta charset="gbk"><a href="1">` + "\xd6\xd0" + `</a>`,
		strings.Repeat("<div>", 600) + `<a href="deep">deep</a>`,
	} {
		f.Add([]byte(s))
	}
	const maxItems = 5
	page := mustURL(f, "https://site.example/news/index.html")
	o := IndexOptions{BaseURL: page, Links: "ul, a", Follow: "a.next, div.page a", Hosts: []string{"*.site.example"}, MaxItems: maxItems}
	hosts, err := newHostSet(page, o.Hosts)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := IndexLinks(bytes.NewReader(b), o)
		if err != nil {
			if res != nil {
				t.Fatalf("result %+v with error %v", res, err)
			}
			return
		}
		if len(res.Items) > maxItems || len(res.Next) > maxItems || res.Excess < 0 || res.Rejected < 0 || res.Offsite < 0 {
			t.Fatalf("%d items, %d next, counts %d/%d/%d", len(res.Items), len(res.Next), res.Excess, res.Rejected, res.Offsite)
		}
		seen := map[string]bool{page.String(): true}
		check := func(s string) {
			if u := checkLink(t, s); !hosts.allow(u) || seen[s] {
				t.Fatalf("link %q: offsite, the page itself or a duplicate", s)
			}
			seen[s] = true
		}
		for _, s := range res.Next {
			check(s)
		}
		for _, it := range res.Items {
			check(it.URL)
			if it.GUID != it.URL || !utf8.ValidString(it.Title) || it.Title != strings.TrimSpace(it.Title) || len(it.Title) > 4*len(b) {
				t.Fatalf("bad item %+v", it)
			}
		}
		again, err := IndexLinks(bytes.NewReader(b), o)
		if err != nil || !reflect.DeepEqual(res, again) {
			t.Fatalf("second run differs: %+v vs %+v (err %v)", res, again, err)
		}
	})
}
