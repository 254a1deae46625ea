package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

func TestRoutes(t *testing.T) {
	f := seed(t)
	var logs bytes.Buffer
	h := quietHandler(f.st, &logs)
	tests := []struct {
		target string
		status int
		want   []string
	}{
		{"/", 200, []string{"Recent changes", `href="/changes/` + id(f.changed) + `"`, "Minister resigns",
			"http://news.test/a", "1 paragraph changed", `class="badge changed"`, `class="badge removed"`,
			`class="badge restored"`}},
		{"/changes/" + id(f.changed), 200, []string{"Minister resigns",
			`<a href="http://news.test/a" rel="noopener noreferrer nofollow">http://news.test/a</a>`,
			`href="/versions/` + id(f.v1) + `"`, `href="/versions/` + id(f.v2) + `"`, "1 paragraph changed",
			`<p class="replace"><span class="label">¶1</span> The minister <del>resigns over</del><ins>steps down amid</ins> the scandal.</p>`,
			`<p class="context">Context paragraph.</p>`, `<span class="class">stealth</span> <span class="class">wording</span>`}},
		{"/changes/" + id(f.res), 200, []string{"No text diff was stored", "Old version</dt><dd>none"}},
		{"/pages", 200, []string{`href="/pages/` + id(f.page.ID) + `"`, "http://news.test/a", "<td>2</td>", "<td>1</td>"}},
		{"/pages/" + id(f.page.ID), 200, []string{"Minister resigns", "news (feed)",
			`href="/versions/` + id(f.v2) + `"`, "<code>0123456789ab</code>", "61 bytes", // of v2's text
			`href="/changes/` + id(f.changed) + `"`, "Recent fetches"}},
		{"/versions/" + id(f.v2), 200, []string{"<p>The minister steps down amid the scandal.</p>", "<p>Context paragraph.</p>",
			"generic/1", `href="/pages/` + id(f.page.ID) + `"`, "Byline"}},
		{"/sources", 200, []string{"news", "http://news.test/rss", "@every 1m"}},
		{"/changes/999", 404, []string{"404 Not Found"}},
		{"/pages/999", 404, []string{"404 Not Found"}},
		{"/versions/999", 404, []string{"404 Not Found"}},
		{"/no/such/thing", 404, []string{"404 Not Found"}},
		{"/changes/abc", 400, []string{"id must be a positive number"}},
		{"/pages/-1", 400, []string{"id must be a positive number"}},
		{"/versions/1x", 400, []string{"id must be a positive number"}},
		{"/?kind=edited", 400, []string{"kind must be one of changed, removed, restored, flapping, settled"}},
		{"/?class=typo", 400, []string{"class must be one of added, byline, correction"}},
		{"/?all=yes", 400, []string{"all must be 1"}},
		{"/?since=yesterday", 400, []string{"since must be a positive duration"}},
		{"/?since=-5h", 400, []string{"since must be a positive duration"}},
		{"/?since=0d", 400, []string{"since must be a positive duration"}},
		{"/?before=x", 400, []string{"before must be a positive change id"}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res := get(t, h, tt.target)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d; body:\n%s", res.status, tt.status, res.body)
			}
			if got := res.header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			mustContain(t, tt.target, res.body, tt.want...)
		})
	}
	if logs.Len() > 0 {
		t.Errorf("nothing should be logged for client errors, got:\n%s", logs.String())
	}
}

func TestIndexFilters(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	link := func(n int64) string { return `href="/changes/` + id(n) + `"` }
	tests := []struct {
		query     string
		want, not []int64
	}{
		{"", []int64{f.changed, f.removed, f.res}, nil},
		{"?kind=changed", []int64{f.changed}, []int64{f.removed, f.res}},
		{"?kind=removed", []int64{f.removed}, []int64{f.changed, f.res}},
		{"?kind=restored", []int64{f.res}, []int64{f.changed, f.removed}},
		{"?since=24h", []int64{f.changed}, []int64{f.removed, f.res}},
		{"?since=60h", []int64{f.changed, f.res}, []int64{f.removed}},
		{"?since=7d", []int64{f.changed, f.removed, f.res}, nil},
		{"?since=7d&kind=removed", []int64{f.removed}, []int64{f.changed, f.res}},
		{"?before=" + id(f.res), []int64{f.removed, f.changed}, []int64{f.res}},
		{"?before=" + id(f.removed), []int64{f.changed}, []int64{f.removed, f.res}},
		{"?url=http://news.test/a", []int64{f.changed}, []int64{f.removed, f.res}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := get(t, h, "/"+tt.query)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d; body:\n%s", res.status, res.body)
			}
			for _, n := range tt.want {
				mustContain(t, "page", res.body, link(n))
			}
			for _, n := range tt.not {
				mustNotContain(t, "page", res.body, link(n))
			}
		})
	}
}

func TestIndexNewestFirst(t *testing.T) {
	f := seed(t)
	body := get(t, quietHandler(f.st, &bytes.Buffer{}), "/").body
	// Ids grow with insertion order: changed, removed, restored.
	a := strings.Index(body, `href="/changes/`+id(f.res)+`"`)
	b := strings.Index(body, `href="/changes/`+id(f.removed)+`"`)
	c := strings.Index(body, `href="/changes/`+id(f.changed)+`"`)
	if a < 0 || !(a < b && b < c) {
		t.Errorf("changes not newest first: positions %d, %d, %d", a, b, c)
	}
}

// manyChanges stores n changed reports of one page, oldest first, and
// returns their ids.
func manyChanges(t *testing.T, n int) (*storage.Store, []int64) {
	t.Helper()
	st := openStore(t)
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindPage, "doc", "http://gov.test/doc", "", now)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, v := addPage(t, tx, src.ID, "http://gov.test/doc", "Doc", now.Add(-time.Hour), "text")
		for i := range n {
			ids = append(ids, insertChange(t, tx, storage.Change{PageID: p.ID, Kind: storage.ChangeChanged,
				DetectedAt: now.Add(time.Duration(i-n) * time.Minute), OldVersionID: v, NewVersionID: v,
				Title: "Doc", Summary: fmt.Sprintf("edit %d", i)}))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, ids
}

var changeLink = regexp.MustCompile(`href="/changes/(\d+)"`)

// changeIDs lists the change links of a page in order.
func changeIDs(body string) []string {
	var out []string
	for _, m := range changeLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestPaging(t *testing.T) {
	st, ids := manyChanges(t, 55)
	h := quietHandler(st, &bytes.Buffer{})
	first := get(t, h, "/?kind=changed")
	got := changeIDs(first.body)
	if len(got) != 50 || got[0] != id(ids[54]) || got[49] != id(ids[5]) {
		t.Fatalf("first page: %d links %v, want 50 from %d down to %d", len(got), got, ids[54], ids[5])
	}
	next := `href="/?before=` + id(ids[5]) + `&amp;kind=changed"`
	mustContain(t, "first page", first.body, next)

	second := get(t, h, "/?before="+id(ids[5])+"&kind=changed")
	if got, want := changeIDs(second.body), []string{id(ids[4]), id(ids[3]), id(ids[2]), id(ids[1]), id(ids[0])}; !slices.Equal(got, want) {
		t.Errorf("second page = %v, want %v", got, want)
	}
	mustNotContain(t, "last page", second.body, "Older changes")
}

func TestExactlyOnePageHasNoNextLink(t *testing.T) {
	st, _ := manyChanges(t, 50)
	body := get(t, quietHandler(st, &bytes.Buffer{}), "/").body
	if n := len(changeIDs(body)); n != 50 {
		t.Errorf("%d changes shown, want 50", n)
	}
	mustNotContain(t, "page", body, "Older changes")
}
