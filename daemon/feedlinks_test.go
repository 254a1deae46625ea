package daemon_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stet/stet/daemon"
)

func rss(links ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x.test/</link><description>d</description>`)
		for i, l := range links {
			fmt.Fprintf(&b, "<item><title>item %d</title><link>%s</link></item>", i, l)
		}
		b.WriteString(`</channel></rss>`)
		w.Write([]byte(b.String()))
	}
}

// Feed items whose links are not absolute http(s) URLs are never tracked
// (they were re-checked forever and raised source.failing with those URLs),
// and a feed cannot make more than fetch.max_feed_items pages in one read.
func TestHostileFeedLinks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		links     func(base string) []string
		max       int
		wantPages int
		wantURL   string // one URL that must be tracked, as normalised
		reason    string // in the feed's last capture reason
	}{
		{"schemes", func(base string) []string {
			return []string{"javascript:alert(1)", "file:///etc/passwd", "data:text/html,<p>x</p>", "mailto:desk@example.org",
				"gopher://gopher.example/1", "http://", "http:///nohost", "::garbage::", base + "/a.html",
				base + "/a.html#comments", strings.Replace(base, "http://", "HTTP://", 1) + "/b.html", base + "/c.html"}
		}, 1000, 3, "/b.html", ""},
		{"cap", func(base string) []string {
			var l []string
			for i := range 700 {
				l = append(l, fmt.Sprintf("%s/story-%d.html", base, i))
			}
			return l
		}, 600, 600, "/story-599.html", "read the first 600 of 700 items"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			s.set("/feed.xml", rss(tc.links(s.URL)...))
			path := dbPath(t)
			cfg := testConfig(t, path, fmt.Sprintf("\n[[feed]]\nurl = %q\nschedule = \"@every 1h\"\n", s.URL+"/feed.xml"))
			cfg.Fetch.MaxFeedItems = tc.max
			st := openStore(t, path)
			r := startDaemon(t, cfg, st)
			res := waitResult(t, "the feed read", r.results, func(res daemon.Result) bool { return res.Status == daemon.StatusFeed })
			r.stop()
			if res.NewPages != tc.wantPages {
				t.Errorf("new pages = %d, want %d", res.NewPages, tc.wantPages)
			}
			stats, err := st.Stats(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if stats.Pages != tc.wantPages {
				t.Errorf("pages tracked = %d, want %d", stats.Pages, tc.wantPages)
			}
			if _, err := st.PageByURL(t.Context(), s.URL+tc.wantURL); err != nil {
				t.Errorf("page %s not tracked: %v", tc.wantURL, err)
			}
			srcs, err := st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, src := range srcs {
				if src.Kind == "feed" && !strings.Contains(src.LastReason, tc.reason) {
					t.Errorf("feed's last reason = %q, want it to say %q", src.LastReason, tc.reason)
				}
			}
		})
	}
}
