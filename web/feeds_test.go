package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// feedFixture is a store with changes in two sources, one suppressed, one
// stored before structured diffs and one too long for a feed entry.
type feedFixture struct {
	st                          *storage.Store
	news, gov                   storage.Source
	edited, gone, paper         storage.Page
	edit, removal, wording      int64 // change ids
	suppressed, legacy, longOne int64
	at                          map[int64]time.Time // detection time by change id
}

func seedFeeds(t *testing.T) feedFixture {
	t.Helper()
	f := feedFixture{st: openStore(t), at: map[int64]time.Time{}}
	ctx := t.Context()
	now := time.Now().Truncate(time.Second)
	var err error
	if f.news, err = f.st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", now.Add(-96*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f.gov, err = f.st.EnsureSource(ctx, storage.KindPage, "gov", "http://gov.test/paper", "@every 1h", now.Add(-96*time.Hour)); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("A paragraph of the annex that goes on and on. ", 40)
	var longOld, longNew []string
	for i := range 200 {
		longOld = append(longOld, fmt.Sprintf("%d. %s", i, long))
		longNew = append(longNew, fmt.Sprintf("%d. %s (revised)", i, long))
	}
	add := func(tx *storage.Tx, id *int64, c storage.Change, ago time.Duration) {
		c.DetectedAt = now.Add(-ago)
		*id = insertChange(t, tx, c)
		f.at[*id] = c.DetectedAt
	}
	err = f.st.Tx(ctx, func(tx *storage.Tx) error {
		const old1, new1 = "The ministry listed 12 measures.\n\nContext.", "The ministry listed 13 measures. " + xssScript + "\n\nContext."
		var v1, v2 int64
		f.edited, v1 = addPage(t, tx, f.news.ID, "http://news.test/a", "Budget", now.Add(-5*time.Hour), old1)
		v2 = addVersion(t, tx, f.edited, "Budget", now.Add(-4*time.Hour), new1)
		add(tx, &f.edit, storage.Change{PageID: f.edited.ID, Kind: storage.ChangeChanged, OldVersionID: v1, NewVersionID: v2,
			Title: "Budget", Summary: "1 paragraph changed " + xssAttr, Blocks: blocksOf(t, old1, new1),
			Classes: []string{"number", "stealth"}}, 4*time.Hour)
		var g int64
		f.gone, g = addPage(t, tx, f.news.ID, "http://news.test/b", "Gone story", now.Add(-5*time.Hour), "Once here.")
		add(tx, &f.removal, storage.Change{PageID: f.gone.ID, Kind: storage.ChangeRemoved, OldVersionID: g,
			Title: "Gone story", Summary: "removed", Blocks: blocksOf(t, "Once here.", ""), Classes: []string{"removed"}}, 3*time.Hour)
		var p1, p2, p3 int64
		f.paper, p1 = addPage(t, tx, f.gov.ID, "http://gov.test/paper", "White paper", now.Add(-5*time.Hour), "We act.")
		p2 = addVersion(t, tx, f.paper, "White paper", now.Add(-2*time.Hour), "We do act.")
		add(tx, &f.wording, storage.Change{PageID: f.paper.ID, Kind: storage.ChangeChanged, OldVersionID: p1, NewVersionID: p2,
			Title: "White paper", Summary: "1 paragraph changed", Blocks: blocksOf(t, "We act.", "We do act."), Classes: []string{"wording"}}, 2*time.Hour)
		add(tx, &f.suppressed, storage.Change{PageID: f.edited.ID, Kind: storage.ChangeChanged, OldVersionID: v2, NewVersionID: v1,
			Title: "Budget", Suppressed: true, Blocks: blocksOf(t, new1, old1), Classes: []string{"number", "reverted"}}, 90*time.Minute)
		add(tx, &f.legacy, storage.Change{PageID: f.paper.ID, Kind: storage.ChangeChanged, OldVersionID: p1, NewVersionID: p2,
			Title: "White paper", Diff: "@@ ¶1 @@\n- We act.\n+ We do act. " + xssScript + "\n"}, time.Hour)
		p3 = addVersion(t, tx, f.paper, "White paper", now.Add(-30*time.Minute), strings.Join(longNew, "\n\n"))
		add(tx, &f.longOne, storage.Change{PageID: f.paper.ID, Kind: storage.ChangeChanged, OldVersionID: p2, NewVersionID: p3,
			Title: "White paper", Summary: "200 paragraphs changed",
			Blocks: blocksOf(t, strings.Join(longOld, "\n\n"), strings.Join(longNew, "\n\n")), Classes: []string{"wording"}}, 30*time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fetchFeed GETs a feed from a real server and parses it back with gofeed.
func fetchFeed(t *testing.T, base, path string) (*gofeed.Feed, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := new(bytes.Buffer)
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q, want application/atom+xml; charset=utf-8", path, ct)
	}
	feed, err := gofeed.NewParser().ParseString(body.String())
	if err != nil {
		t.Fatalf("GET %s: gofeed cannot parse it back: %v\n%s", path, err, body)
	}
	if feed.FeedType != "atom" || feed.FeedVersion != "1.0" {
		t.Errorf("GET %s: parsed as %s %s, want atom 1.0", path, feed.FeedType, feed.FeedVersion)
	}
	return feed, body.String()
}

func TestFeeds(t *testing.T) {
	f := seedFeeds(t)
	srv := httptest.NewServer(web.Handler(f.st, web.Options{}))
	t.Cleanup(srv.Close)
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	host, port, _ := strings.Cut(hostPort, ":")
	tests := []struct {
		name, path string
		want       []int64 // change ids, newest first
	}{
		{"all", "/feeds/changes.atom", []int64{f.longOne, f.legacy, f.wording, f.removal, f.edit}},
		{"by kind", "/feeds/changes.atom?kind=removed", []int64{f.removal}},
		{"by class", "/feeds/changes.atom?class=number", []int64{f.edit}},
		{"by kind and class", "/feeds/changes.atom?class=wording&kind=changed", []int64{f.longOne, f.wording}},
		{"a source", "/feeds/sources/" + id(f.gov.ID) + "/changes.atom", []int64{f.longOne, f.legacy, f.wording}},
		{"another source, by class", "/feeds/sources/" + id(f.news.ID) + "/changes.atom?class=removed", []int64{f.removal}},
		{"a page", "/feeds/pages/" + id(f.edited.ID) + "/changes.atom", []int64{f.edit}},
		{"nothing matches", "/feeds/pages/" + id(f.gone.ID) + "/changes.atom?kind=restored", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feed, _ := fetchFeed(t, srv.URL, tt.path)
			self := srv.URL + tt.path
			if feed.FeedLink != self {
				t.Errorf("self link %q, want %q", feed.FeedLink, self)
			}
			if u, _ := url.Parse(tt.path); !strings.HasPrefix(feed.Title, "stet: changes") ||
				(u.Query().Get("kind") != "" && !strings.Contains(feed.Title, "kind "+u.Query().Get("kind"))) {
				t.Errorf("title %q does not say what the feed holds", feed.Title)
			}
			if len(feed.Items) != len(tt.want) {
				t.Fatalf("%d entries, want %d", len(feed.Items), len(tt.want))
			}
			for i, it := range feed.Items {
				cid := tt.want[i]
				if want := fmt.Sprintf("tag:%s,2026:%s/changes/%d", host, port, cid); it.GUID != want {
					t.Errorf("entry %d: id %q, want %q", i, it.GUID, want)
				}
				if want := srv.URL + "/changes/" + id(cid); it.Link != want {
					t.Errorf("entry %d: link %q, want %q", i, it.Link, want)
				}
				at := f.at[cid]
				if it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(at) || it.PublishedParsed == nil || !it.PublishedParsed.Equal(at) {
					t.Errorf("entry %d: updated %v, published %v; want the detection time %v", i, it.UpdatedParsed, it.PublishedParsed, at)
				}
			}
			if len(tt.want) > 0 && (feed.UpdatedParsed == nil || !feed.UpdatedParsed.Equal(f.at[tt.want[0]])) {
				t.Errorf("feed updated %v, want the newest entry's %v", feed.UpdatedParsed, f.at[tt.want[0]])
			}
		})
	}
}

// TestFeedEntries checks what an entry carries: its title, summary and
// diff, crawled markup arriving as escaped text, and a long diff cut with
// a link to the change page.
func TestFeedEntries(t *testing.T) {
	f := seedFeeds(t)
	srv := httptest.NewServer(web.Handler(f.st, web.Options{}))
	t.Cleanup(srv.Close)
	feed, raw := fetchFeed(t, srv.URL, "/feeds/changes.atom")
	if strings.Contains(raw, "<script") || strings.Contains(raw, "<img") {
		t.Errorf("the feed's XML carries crawled markup as markup:\n%s", raw)
	}
	byLink := map[string]*gofeed.Item{}
	for _, it := range feed.Items {
		byLink[it.Link] = it
	}
	edit := byLink[srv.URL+"/changes/"+id(f.edit)]
	if edit == nil {
		t.Fatal("no entry for the edit")
	}
	if want := "changed [number stealth]: Budget"; edit.Title != want {
		t.Errorf("title %q, want %q", edit.Title, want)
	}
	if want := "1 paragraph changed " + xssAttr; edit.Description != want {
		t.Errorf("summary %q, want the stored summary as text, %q", edit.Description, want)
	}
	// The content is HTML; the crawled script in it is text.
	mustContain(t, "the edit's content", edit.Content,
		"<del>12</del>", "<ins>13</ins>", "&lt;script&gt;alert(1)&lt;/script&gt;", `<span class="class">number</span>`)
	mustNotContain(t, "the edit's content", edit.Content, xssScript, "<img")

	legacy := byLink[srv.URL+"/changes/"+id(f.legacy)]
	if legacy == nil {
		t.Fatal("no entry for the change without blocks")
	}
	mustContain(t, "the legacy change's content", legacy.Content, `<pre class="legacy">`, "We do act. &lt;script&gt;alert(1)&lt;/script&gt;")
	mustNotContain(t, "the legacy change's content", legacy.Content, xssScript)

	long := byLink[srv.URL+"/changes/"+id(f.longOne)]
	if long == nil {
		t.Fatal("no entry for the long change")
	}
	if n := len(long.Content); n > 20<<10 {
		t.Errorf("the long change's content is %d bytes, want it cut near 16 KiB", n)
	}
	mustContain(t, "the long change's content", long.Content, "<del>", "The diff is cut here",
		`href="`+srv.URL+"/changes/"+id(f.longOne)+`"`)
	if c := byLink[srv.URL+"/changes/"+id(f.wording)].Content; strings.Contains(c, "cut here") {
		t.Errorf("a short diff was cut:\n%s", c)
	}
}

func TestFeedErrors(t *testing.T) {
	f := seedFeeds(t)
	h := web.Handler(f.st, web.Options{})
	for _, tt := range []struct {
		path   string
		status int
		says   string
	}{
		{"/feeds/changes.atom?kind=edited", http.StatusBadRequest, "kind must be one of"},
		{"/feeds/changes.atom?class=numbers", http.StatusBadRequest, "class must be one of"},
		{"/feeds/pages/0/changes.atom", http.StatusBadRequest, "id must be a positive number"},
		{"/feeds/pages/x/changes.atom", http.StatusBadRequest, "id must be a positive number"},
		{"/feeds/pages/999/changes.atom", http.StatusNotFound, "no such"},
		{"/feeds/sources/999/changes.atom", http.StatusNotFound, "no such"},
	} {
		r := get(t, h, tt.path)
		if r.status != tt.status || !strings.Contains(r.body, tt.says) {
			t.Errorf("GET %s = %d %q, want %d saying %q", tt.path, r.status, r.body, tt.status, tt.says)
		}
	}
}
