package config_test

import (
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

func TestSitemapAndIndexEntries(t *testing.T) {
	cfg, err := config.Parse(strings.NewReader(`
[[sitemap]]
url = "HTTPS://WWW.Example.gov.cn/sitemap.xml"
[[index]]
url = "https://www.example.gov.cn/zhengce/"
links = "ul.list a"
follow = "a.next"
`), "config.toml")
	if err != nil {
		t.Fatal(err)
	}
	srcs := cfg.Sources()
	if len(srcs) != 2 || srcs[0].Kind != config.KindSitemap || srcs[1].Kind != config.KindIndex {
		t.Fatalf("Sources() = %+v", srcs)
	}
	if got, want := srcs[0].URL, "https://www.example.gov.cn/sitemap.xml"; got != want {
		t.Errorf("sitemap URL = %q, want %q", got, want)
	}
	if srcs[0].Schedule.Spec != config.DefaultSitemapSchedule || srcs[1].Schedule.Spec != config.DefaultIndexSchedule {
		t.Errorf("default schedules = %q, %q", srcs[0].Schedule.Spec, srcs[1].Schedule.Spec)
	}
	if srcs[1].Index == nil || srcs[1].Index.MaxPages != 5 {
		t.Errorf("index with follow: max_pages = %+v, want 5", srcs[1].Index)
	}
	for _, tc := range []struct{ doc, want string }{
		{"[[index]]\nurl = \"https://a.example/\"\n", "config.toml:1:1: index[0].links: required"},
		{"[[index]]\nurl = \"https://a.example/\"\nlinks = \"ul >> a\"\n", "config.toml:3:9: index[0].links"},
		{"[[feed]]\nurl = \"https://a.example/x\"\n[[sitemap]]\nurl = \"https://A.example:443/x/\"\n", "config.toml:4:7: sitemap[0].url: duplicate of feed[0].url"},
		{"[[index]]\nurl = \"https://a.example/\"\nlinks = \"a\"\nmax_pages = 500\n", "config.toml:4:13: index[0].max_pages"},
		{"[[index]]\nurl = \"https://a.example/\"\nlinks = \"a\"\nhosts = [\"a/b\"]\n", "index[0].hosts[0]"},
		{"[fetch]\nunlisted_after = 0\n", "config.toml:2:18: fetch.unlisted_after"},
	} {
		_, err := config.Parse(strings.NewReader(tc.doc), "config.toml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.doc, err, tc.want)
		}
	}
}
