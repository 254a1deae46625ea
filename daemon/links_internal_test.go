package daemon

import (
	"net/url"
	"testing"

	"github.com/stet/stet/config"
	"github.com/stet/stet/extract"
)

// FuzzFeedLinks: whatever a feed lists, what is tracked is normalised,
// absolute http(s), listed once, at most max, and every item is accounted
// for.
func FuzzFeedLinks(f *testing.F) {
	for _, s := range []string{"http://a.example/x", "javascript:alert(1)", "HTTP://A.EXAMPLE:80/rss#x", "file:///etc/passwd",
		"data:,x", "mailto:a@b", "gopher://g/1", "//evil.example/x", "../../x", "https://例子.测试/路径?q=1", "http://[::1]:80/"} {
		f.Add(s, "http://a.example/rss/", 2)
	}
	f.Fuzz(func(t *testing.T, a, b string, max int) {
		if max < 1 || max > 8 {
			max = 1 + max&7
		}
		items := []extract.Item{{URL: a}, {URL: b}, {URL: a + "#frag"}, {URL: b}}
		fl := readFeedLinks(items, max)
		if got := len(fl.items) + fl.rejected + fl.excess + fl.repeats; got != len(items) {
			t.Fatalf("accounted for %d of %d items: %+v", got, len(items), fl)
		}
		if len(fl.items) > max {
			t.Fatalf("kept %d items, max %d", len(fl.items), max)
		}
		seen := map[string]bool{}
		for _, it := range fl.items {
			u, err := url.Parse(it.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Fatalf("tracked %q", it.URL)
			}
			if n, err := config.NormalizeURL(it.URL); err != nil || n != it.URL {
				t.Fatalf("tracked %q is not normalised (%q, %v)", it.URL, n, err)
			}
			if seen[config.URLKey(it.URL)] {
				t.Fatalf("tracked %q twice", it.URL)
			}
			seen[config.URLKey(it.URL)] = true
		}
	})
}
