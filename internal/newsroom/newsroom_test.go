package newsroom_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/stet/stet/internal/newsroom"
)

func TestChurnLeavesArticleTextAlone(t *testing.T) {
	n, srv := newServer(t)
	paths := articlePaths(t, n, srv)
	if len(paths) < 7 {
		t.Fatalf("only %d article and page paths: %v", len(paths), paths)
	}
	for _, path := range paths {
		a, b := fetchPage(t, srv, path), fetchPage(t, srv, path)
		if a.status != http.StatusOK || b.status != http.StatusOK {
			t.Fatalf("%s: status %d, %d", path, a.status, b.status)
		}
		if bytes.Equal(a.raw, b.raw) {
			t.Errorf("%s: two requests gave identical bytes; want churn", path)
		}
		if len(a.paras) < 5 {
			t.Errorf("%s: %d paragraphs in <article>, want at least 5", path, len(a.paras))
		}
		if diff := cmp.Diff(a.paras, b.paras); diff != "" {
			t.Errorf("%s: paragraphs differ between requests (-first +second):\n%s", path, diff)
		}
		for _, churn := range []string{"views", "Updated", "阅读", "更新时间", "Advertisement", "广告"} {
			if strings.Contains(a.text(), churn) {
				t.Errorf("%s: churn %q inside article paragraphs", path, churn)
			}
		}
	}
}

func TestPageStructure(t *testing.T) {
	n, srv := newServer(t)
	for _, path := range articlePaths(t, n, srv) {
		p := fetchPage(t, srv, path)
		for _, want := range []string{
			"<!DOCTYPE html>", `<meta name="description"`, `property="og:title"`,
			`property="article:published_time"`, `"@type":"`, `"datePublished":`,
			`class="breadcrumb"`, `class="article-tools"`, `<aside class="sidebar">`,
			`class="ad-block"`, "<footer",
		} {
			if !strings.Contains(p.html, want) {
				t.Errorf("%s: missing %q", path, want)
			}
		}
		wantNewsletter := !slices.Contains(n.Pages(), path) // documents have a table of contents instead
		if got := strings.Contains(p.html, `class="newsletter"`); got != wantNewsletter {
			t.Errorf("%s: newsletter box present = %v, want %v", path, got, wantNewsletter)
		}
		if n.Pages()[0] == path && !strings.Contains(p.html, `<nav class="toc">`) {
			t.Errorf("%s: document without a table of contents", path)
		}
		if !strings.HasSuffix(p.title, " - Newsroom") && !strings.HasSuffix(p.title, " - Newsroom中文网") {
			t.Errorf("%s: <title> %q lacks the site name", path, p.title)
		}
		if !strings.HasPrefix(p.title, p.h1) || p.ogTitl != p.h1 || !strings.Contains(p.ldJSON, p.h1) {
			t.Errorf("%s: headline disagrees: h1 %q, title %q, og:title %q, ld %s", path, p.h1, p.title, p.ogTitl, p.ldJSON)
		}
	}
	wp := fetchPage(t, srv, "/english/2024-01/23/c_1310761562.htm")
	for _, want := range []string{"Home</a> - ", "White Papers</a> - ", "Xinhua</span> | ", "January 23, 2024", "Related:"} {
		if !strings.Contains(wp.html, want) {
			t.Errorf("white paper article: missing %q", want)
		}
	}
}

// TestScript walks the whole script. After each step, every Expect is
// visible, and every page the step does not name is unchanged, so the
// Expects are the complete list of real edits.
func TestScript(t *testing.T) {
	n, srv := newServer(t)
	steps := n.Steps()
	if len(steps[0].Expect) != 0 {
		t.Errorf("step 0 expects %v, want nothing", steps[0].Expect)
	}
	paths := articlePaths(t, n, srv)
	original := snapshot(t, srv, paths)
	before := original
	for i := 1; i < len(steps); i++ {
		step, ok := n.Advance()
		if !ok || n.Step() != i {
			t.Fatalf("Advance to %d: ok=%v, Step()=%d", i, ok, n.Step())
		}
		if diff := cmp.Diff(steps[i], step); diff != "" {
			t.Errorf("Advance returned a step unlike Steps()[%d]:\n%s", i, diff)
		}
		after := snapshot(t, srv, paths)
		named := map[string]bool{}
		for _, e := range step.Expect {
			named[e.Path] = true
			checkExpect(t, n, srv, e, before[e.Path], after[e.Path], original[e.Path])
		}
		for _, path := range paths {
			if !named[path] && !equalPages(before[path], after[path]) {
				t.Errorf("step %q changed %s without expecting it", step.Name, path)
			}
		}
		before = after
	}
	if _, ok := n.Advance(); ok {
		t.Error("Advance after the last step returned true")
	}
	if got, want := n.Step(), len(steps)-1; got != want {
		t.Errorf("Step() after the end = %d, want %d", got, want)
	}
	if got := len(feedItems(t, srv, "/feeds/world.rss")); got != 5 {
		t.Errorf("world.rss has %d items at the end, want 5 (a new article was published)", got)
	}
}

func snapshot(t *testing.T, srv *httptest.Server, paths []string) map[string]page {
	t.Helper()
	m := make(map[string]page, len(paths))
	for _, p := range paths {
		m[p] = fetchPage(t, srv, p)
	}
	return m
}

func equalPages(a, b page) bool {
	return a.status == b.status && a.h1 == b.h1 && slices.Equal(a.paras, b.paras)
}

func checkExpect(t *testing.T, n *newsroom.Newsroom, srv *httptest.Server, e newsroom.Expect, before, after, original page) {
	t.Helper()
	item, listed := inFeed(t, n, srv, e.Path)
	isPage := slices.Contains(n.Pages(), e.Path)
	switch e.Kind {
	case newsroom.KindChanged:
		if after.status != http.StatusOK || after.h1 != e.Title {
			t.Errorf("%s changed: status %d, h1 %q, want 200 and %q", e.Path, after.status, after.h1, e.Title)
		}
		if equalPages(before, after) {
			t.Errorf("%s changed: page looks the same as before", e.Path)
		}
		if e.Want != "" && (!strings.Contains(after.text(), e.Want) || strings.Contains(before.text(), e.Want)) {
			t.Errorf("%s changed: %q should be new in the article text", e.Path, e.Want)
		}
		if e.Want == "" && (after.h1 == before.h1 || after.ogTitl != e.Title || !strings.Contains(after.ldJSON, e.Title) ||
			!strings.HasPrefix(after.title, e.Title+" - ") || item.Title != e.Title) {
			t.Errorf("%s retitled: h1 %q, title %q, og %q, feed %q, want %q everywhere", e.Path, after.h1, after.title, after.ogTitl, item.Title, e.Title)
		}
		if !listed && !isPage {
			t.Errorf("%s changed: not in any feed nor Pages()", e.Path)
		}
	case newsroom.KindRemoved:
		if after.status != http.StatusNotFound || !strings.Contains(after.html, "Page not found") || !strings.Contains(after.html, `class="main-nav"`) {
			t.Errorf("%s removed: status %d, want a 404 page with nav and \"Page not found\"", e.Path, after.status)
		}
		if listed {
			t.Errorf("%s removed: still in a feed", e.Path)
		}
	case newsroom.KindRestored:
		if after.status != http.StatusOK || after.h1 != e.Title || !slices.Equal(after.paras, original.paras) {
			t.Errorf("%s restored: status %d, h1 %q; want 200, %q and the original text", e.Path, after.status, after.h1, e.Title)
		}
		if !listed {
			t.Errorf("%s restored: not back in the feed", e.Path)
		}
	default:
		t.Errorf("%s: unknown kind %q", e.Path, e.Kind)
	}
}

func TestEncodings(t *testing.T) {
	_, srv := newServer(t)
	tests := []struct {
		name, path, contentType, meta, want string
		gbk                                 bool
	}{
		{"utf-8", "/politics/2024-01/23/c_1130066001.htm", "text/html; charset=utf-8", `<meta charset="utf-8">`, "国务院新闻办公室23日发布", false},
		{"gbk", "/fortune/2024-01/17/c_1130063002.htm", "text/html; charset=gbk",
			`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, "初步核算，2023年国内生产总值1260582亿元", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw := get(t, srv, tt.path)
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := utf8.Valid(raw); got == tt.gbk {
				t.Errorf("utf8.Valid(body) = %v, want %v", got, !tt.gbk)
			}
			text := string(raw)
			if tt.gbk {
				text = decodeGBK(t, raw)
			}
			for _, want := range []string{tt.meta, tt.want, "<h1>"} {
				if !strings.Contains(text, want) {
					t.Errorf("decoded page lacks %q", want)
				}
			}
		})
	}
}

func TestSitePaths(t *testing.T) {
	n, srv := newServer(t)
	tests := []struct {
		method, path string
		status       int
		want         string
	}{
		{"GET", "/robots.txt", 200, "Disallow: /private/"},
		{"GET", "/", 200, `href="/english/2024-01/23/c_1310761562.htm"`},
		{"GET", "/", 200, `href="` + n.Pages()[0] + `"`},
		{"GET", "/english/2024-01/24/c_1310761890.htm", 404, "Page not found"}, // not published yet
		{"GET", "/no/such/page.htm", 404, `class="main-nav"`},
		{"HEAD", "/feeds/world.rss", 200, ""},
		{"POST", "/feeds/world.rss", 405, ""},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body) //nolint:errcheck // compared below
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(body.String(), tt.want) {
			t.Errorf("%s %s: status %d, want %d with %q", tt.method, tt.path, resp.StatusCode, tt.status, tt.want)
		}
	}
}

func TestStepsAreACopy(t *testing.T) {
	n := newsroom.New()
	steps := n.Steps()
	if len(steps) < 7 {
		t.Fatalf("%d steps, want at least 7", len(steps))
	}
	steps[1].Expect[0].Want = "mangled"
	if got := n.Steps()[1].Expect[0].Want; got == "mangled" {
		t.Error("Steps() shares its Expect slices with the script")
	}
	if got := n.Step(); got != 0 {
		t.Errorf("Step() of a new Newsroom = %d, want 0", got)
	}
	for i := 1; i < len(steps); i++ {
		if _, ok := n.Advance(); !ok {
			t.Fatalf("Advance to step %d returned false", i)
		}
		if got := n.Step(); got != i {
			t.Errorf("Step() = %d, want %d", got, i)
		}
	}
	if step, ok := n.Advance(); ok || step.Name != "" {
		t.Errorf("Advance past the end = (%q, %v), want (\"\", false)", step.Name, ok)
	}
}

func TestRequestsCounted(t *testing.T) {
	n, srv := newServer(t)
	path := n.Pages()[0]
	for range 3 {
		get(t, srv, path)
	}
	get(t, srv, "/feeds/world.rss", "If-None-Match", `"x"`)
	if got := n.Requests(path); got != 3 {
		t.Errorf("Requests(%s) = %d, want 3", path, got)
	}
	if got := n.Requests("/feeds/world.rss"); got != 1 {
		t.Errorf("Requests(feed) = %d, want 1", got)
	}
	if got := n.Requests("/never"); got != 0 {
		t.Errorf("Requests(/never) = %d, want 0", got)
	}
}

// TestConcurrentUse is for the race detector: readers fetch every page while
// the script advances.
func TestConcurrentUse(t *testing.T) {
	n, srv := newServer(t)
	paths := append(articlePaths(t, n, srv), n.Feeds()...)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, p := range paths {
				resp, _ := get(t, srv, p)
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d", p, resp.StatusCode)
				}
			}
		})
	}
	wg.Go(func() {
		for {
			if _, ok := n.Advance(); !ok {
				return
			}
		}
	})
	wg.Wait()
	if got, want := n.Step(), len(n.Steps())-1; got != want {
		t.Errorf("Step() = %d, want %d", got, want)
	}
}
