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
	if len(paths) < 12 {
		t.Fatalf("only %d article and page paths: %v", len(paths), paths)
	}
	for _, path := range paths {
		a, b := fetchPage(t, srv, path), fetchPage(t, srv, path)
		if a.status != http.StatusOK || b.status != http.StatusOK {
			t.Fatalf("%s: status %d, %d", path, a.status, b.status)
		}
		if a.pdf {
			continue // a file, the same bytes every time: see TestPDFs
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
		if a.author == "" || a.modTim == "" || a.author != b.author || a.modTim != b.modTim {
			t.Errorf("%s: byline %q, %q and modified date %q, %q: want them set and equal between requests", path, a.author, b.author, a.modTim, b.modTim)
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
		if p.pdf {
			continue
		}
		for _, want := range []string{
			"<!DOCTYPE html>", `<meta name="description"`, `property="og:title"`,
			`property="article:published_time"`, `property="article:modified_time"`, `name="author"`,
			`"@type":"`, `"datePublished":`, `"dateModified":`,
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
	at := map[string]map[string]page{steps[0].Name: snapshot(t, srv, paths)}
	before := at[steps[0].Name]
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
			checkExpect(t, n, srv, e, before[e.Path], after[e.Path], at)
		}
		for _, path := range paths {
			if !named[path] && !equalPages(before[path], after[path]) {
				t.Errorf("step %q changed %s without expecting it", step.Name, path)
			}
		}
		at[step.Name], before = after, after
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

// TestScriptConsistent checks what the demo relies on: unique step names,
// at most one Expect per path and step, sorted classes from the
// vocabulary, reverts to earlier steps, and suppression only of changes.
func TestScriptConsistent(t *testing.T) {
	vocabulary := []string{"added", "byline", "correction", "modified", "moved", "number", "published",
		"quote", "removed", "reverted", "stealth", "title", "wording"}
	seen := map[string]bool{}
	for i, s := range newsroom.New().Steps() {
		if s.Name == "" || seen[s.Name] {
			t.Errorf("step %d: name %q empty or used before", i, s.Name)
		}
		paths := map[string]bool{}
		for _, x := range s.Expect {
			if paths[x.Path] {
				t.Errorf("step %q expects two changes of %s", s.Name, x.Path)
			}
			paths[x.Path] = true
			if !slices.IsSorted(x.Classes) || slices.ContainsFunc(x.Classes, func(c string) bool { return !slices.Contains(vocabulary, c) }) {
				t.Errorf("step %q: classes %v not sorted or not in the vocabulary", s.Name, x.Classes)
			}
			if x.RevertsTo != "" && (!seen[x.RevertsTo] || !slices.Contains(x.Classes, "reverted")) {
				t.Errorf("step %q reverts to %q: not an earlier step, or no \"reverted\" class", s.Name, x.RevertsTo)
			}
			if x.Suppressed && x.Kind != newsroom.KindChanged {
				t.Errorf("step %q: a suppressed %s; only changes are suppressed", s.Name, x.Kind)
			}
		}
		seen[s.Name] = true
	}
}

func TestExpectMatch(t *testing.T) {
	x := newsroom.Expect{Kind: newsroom.KindChanged, Classes: []string{"number", "stealth"}}
	tests := []struct {
		name string
		r    newsroom.Report
		want string // "" for a match, else a fragment of the error
	}{
		{"same", newsroom.Report{Kind: "changed", Classes: []string{"number", "stealth"}}, ""},
		{"classes in another order", newsroom.Report{Kind: "changed", Classes: []string{"stealth", "number"}}, ""},
		{"other kind", newsroom.Report{Kind: "flapping", Classes: []string{"number", "stealth"}}, "kind flapping, want changed"},
		{"class missing", newsroom.Report{Kind: "changed", Classes: []string{"number"}}, "classes [number], want [number stealth]"},
		{"unexpected revert", newsroom.Report{Kind: "changed", Classes: []string{"number", "stealth"}, RevertsTo: "figure changed"},
			`reverts to step "figure changed", want nothing`},
		{"suppressed", newsroom.Report{Kind: "changed", Classes: []string{"number", "stealth"}, Suppressed: true}, "suppressed true, want false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := x.Match(tt.r)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Match(%+v) = %v, want %q", tt.r, err, tt.want)
			}
		})
	}
	if got := (newsroom.Expect{Kind: "changed", Suppressed: true}).Event(); got != "" {
		t.Errorf("Event() of a suppressed change = %q, want none", got)
	}
	if got := (newsroom.Expect{Kind: "flapping"}).Event(); got != "change.flapping" {
		t.Errorf("Event() of a flapping change = %q, want change.flapping", got)
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
	return a.status == b.status && a.h1 == b.h1 && a.author == b.author && a.modTim == b.modTim && slices.Equal(a.paras, b.paras)
}

// textClasses are the classes that say the body text changed.
var textClasses = []string{"added", "correction", "moved", "number", "quote", "removed", "wording"}

// checkExpect checks that the page shows what e says happened to it: at
// holds the snapshot taken after each earlier step, by step name.
func checkExpect(t *testing.T, n *newsroom.Newsroom, srv *httptest.Server, e newsroom.Expect, before, after page, at map[string]map[string]page) {
	t.Helper()
	listed := len(listedBy(t, n, srv, e.Path)) > 0
	isPage := slices.Contains(n.Pages(), e.Path)
	switch e.Kind {
	case newsroom.KindChanged, newsroom.KindFlapping:
		if after.status != http.StatusOK || after.h1 != e.Title {
			t.Errorf("%s changed: status %d, h1 %q, want 200 and %q", e.Path, after.status, after.h1, e.Title)
		}
		checkClasses(t, n, srv, e, before, after)
		if e.Want != "" && (!strings.Contains(after.text(), e.Want) || strings.Contains(before.text(), e.Want)) {
			t.Errorf("%s changed: %q should be new in the article text", e.Path, e.Want)
		}
		if back, ok := at[e.RevertsTo][e.Path]; e.RevertsTo != "" && (!ok || !equalPages(back, after)) {
			t.Errorf("%s reverts to step %q: the page differs from what it was then", e.Path, e.RevertsTo)
		}
		if !listed && !isPage {
			t.Errorf("%s changed: in no listing nor Pages()", e.Path)
		}
	case newsroom.KindSettled:
		if after.status != http.StatusOK || after.h1 != e.Title || !equalPages(before, after) {
			t.Errorf("%s settled: status %d, h1 %q; want 200, %q and no edit", e.Path, after.status, after.h1, e.Title)
		}
	case newsroom.KindUnlisted, newsroom.KindRelisted:
		if after.status != http.StatusOK || after.h1 != e.Title || !equalPages(before, after) {
			t.Errorf("%s %s: status %d, h1 %q; want 200, %q and no edit", e.Path, e.Kind, after.status, after.h1, e.Title)
		}
		if listed != (e.Kind == newsroom.KindRelisted) {
			t.Errorf("%s %s: listed = %v", e.Path, e.Kind, listed)
		}
	case newsroom.KindRemoved:
		if after.status != http.StatusNotFound || !strings.Contains(after.html, "Page not found") || !strings.Contains(after.html, `class="main-nav"`) {
			t.Errorf("%s removed: status %d, want a 404 page with nav and \"Page not found\"", e.Path, after.status)
		}
		if listed {
			t.Errorf("%s removed: still in a feed", e.Path)
		}
	case newsroom.KindRestored:
		original := at[n.Steps()[0].Name][e.Path]
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

// checkClasses checks that each part of the page changed exactly when e's
// classes say it did.
func checkClasses(t *testing.T, n *newsroom.Newsroom, srv *httptest.Server, e newsroom.Expect, before, after page) {
	t.Helper()
	has := func(c string) bool { return slices.Contains(e.Classes, c) }
	textChanged := !slices.Equal(before.paras, after.paras)
	movedOnly := textChanged && slices.Equal(slices.Sorted(slices.Values(before.paras)), slices.Sorted(slices.Values(after.paras)))
	parts := []struct {
		name          string
		changed, want bool
	}{
		{"headline", before.h1 != after.h1, has("title")},
		{"byline", before.author != after.author, has("byline")},
		{"modified date", before.modTim != after.modTim, has("modified")},
		{"text", textChanged, slices.ContainsFunc(textClasses, has)},
		{"order of paragraphs alone", movedOnly, has("moved")},
		{"words, without a note or a new date", textChanged && !movedOnly && !has("correction") && before.modTim == after.modTim, has("stealth")},
	}
	for _, p := range parts {
		if p.changed != p.want {
			t.Errorf("%s: %s changed = %v, but classes %v say %v", e.Path, p.name, p.changed, e.Classes, p.want)
		}
	}
	if has("title") {
		item, _ := inFeed(t, n, srv, e.Path)
		if after.ogTitl != e.Title || !strings.Contains(after.ldJSON, e.Title) || !strings.HasPrefix(after.title, e.Title+" - ") || item.Title != e.Title {
			t.Errorf("%s retitled: title %q, og %q, feed %q, want %q everywhere", e.Path, after.title, after.ogTitl, item.Title, e.Title)
		}
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
	steps[1].Expect[0].Classes[0] = "mangled"
	if got := n.Steps()[1].Expect[0]; got.Want == "mangled" || got.Classes[0] == "mangled" {
		t.Error("Steps() shares its Expect or Classes slices with the script")
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
	paths := slices.Concat(articlePaths(t, n, srv), n.Feeds(), n.Sitemaps(), []string{"/sitemap-docs.xml.gz", "/zhengce/", "/zhengce/index_1.htm"})
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
