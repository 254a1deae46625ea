package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// getJSON fetches target and decodes its JSON body into v, checking the
// status and the content type.
func getJSON(t *testing.T, h http.Handler, target string, status int, v any) {
	t.Helper()
	res := get(t, h, target)
	if res.status != status {
		t.Fatalf("%s = %d, want %d: %s", target, res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type = %q", target, ct)
	}
	if err := json.Unmarshal([]byte(res.body), v); err != nil {
		t.Fatalf("%s: %v in %s", target, err, res.body)
	}
}

// setFailing marks a page failing with a last error and a backoff.
func setFailing(t *testing.T, st *storage.Store, p storage.Page, reason string, until time.Time) {
	t.Helper()
	err := st.Tx(t.Context(), func(tx *storage.Tx) error {
		p.Failing, p.ConsecutiveFailures, p.FailingSince, p.LastReason, p.LastClass = true, 5, until.Add(-3*time.Hour), reason, "error"
		p.BackoffUntil = until
		return tx.UpdatePageState(p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAPIBadParameters(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	tests := []struct{ target, param string }{
		{"/api/changes?limit=0", "limit"}, {"/api/changes?limit=-1", "limit"}, {"/api/changes?limit=501", "limit"},
		{"/api/changes?limit=99999999999999999999", "limit"}, {"/api/changes?limit=ten", "limit"},
		{"/api/changes?since=-24h", "since"}, {"/api/changes?since=0", "since"}, {"/api/changes?since=1000000h", "since"},
		{"/api/changes?since=36501d", "since"}, {"/api/changes?before=x", "before"},
		{"/api/pages?limit=0", "limit"}, {"/api/pages?limit=-5", "limit"}, {"/api/pages?after=-1", "after"},
		{"/api/pages?failing=yes", "failing"}, {"/api/pages?source=0", "source"},
		{"/api/pages/x", "id"}, {"/api/pages/0/versions", "id"}, {"/api/pages/1/versions?before=-2", "before"},
		{"/api/pages/1/versions?limit=1000", "limit"}, {"/api/versions/-1", "id"}, {"/api/changes/abc", "id"},
		{"/api/diff", "from"}, {"/api/diff?from=1", "to"}, {"/api/diff?from=x&to=2", "from"}, {"/api/diff?from=1&to=0", "to"},
		{"/api/diff?from=" + id(f.v1) + "&to=" + id(f.hostileV), "to"},
		{"/api/sources?limit=0", "limit"}, {"/api/sources?after=z", "after"}, {"/api/sources?failing=2", "failing"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			var body struct{ Error string }
			getJSON(t, h, tt.target, http.StatusBadRequest, &body)
			if !strings.HasPrefix(body.Error, "bad request: "+tt.param+" must") {
				t.Errorf("error = %q, want a message about %s", body.Error, tt.param)
			}
		})
	}
}

func TestAPINotFound(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	for _, target := range []string{"/api/pages/999", "/api/pages/999/versions", "/api/versions/999", "/api/changes/999",
		"/api/diff?from=999&to=" + id(f.v1), "/api/diff?from=" + id(f.v1) + "&to=999", "/api/nothing", "/api/"} {
		var body struct{ Error string }
		getJSON(t, h, target, http.StatusNotFound, &body)
		if !strings.HasPrefix(body.Error, "not found") {
			t.Errorf("%s: error = %q", target, body.Error)
		}
	}
}

func TestAPIPages(t *testing.T) {
	f := seed(t)
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	setFailing(t, f.st, f.hostilePage, "connection refused", until)
	h := quietHandler(f.st, &bytes.Buffer{})
	type pageJSON struct {
		ID            int64      `json:"id"`
		URL           string     `json:"url"`
		Versions      int        `json:"versions"`
		LatestVersion *int64     `json:"latest_version"`
		Failing       bool       `json:"failing"`
		LastReason    string     `json:"last_reason"`
		BackoffUntil  *time.Time `json:"backoff_until"`
		VersionsURL   string     `json:"versions_url"`
		Source        *struct {
			Name string `json:"name"`
		} `json:"source"`
	}
	var first struct {
		Pages []pageJSON `json:"pages"`
		Next  *string    `json:"next"`
	}
	getJSON(t, h, "/api/pages?limit=1", http.StatusOK, &first)
	if len(first.Pages) != 1 || first.Pages[0].ID != f.page.ID || first.Pages[0].Versions != 2 ||
		*first.Pages[0].LatestVersion != f.v2 || first.Next == nil {
		t.Fatalf("first page = %+v", first)
	}
	if want := "/api/pages?after=" + id(f.page.ID) + "&limit=1"; *first.Next != want {
		t.Errorf("next = %q, want %q", *first.Next, want)
	}
	var second struct {
		Pages []pageJSON `json:"pages"`
		Next  *string    `json:"next"`
	}
	getJSON(t, h, *first.Next, http.StatusOK, &second)
	if len(second.Pages) != 1 || second.Pages[0].ID != f.hostilePage.ID || second.Next != nil {
		t.Errorf("second page = %+v", second)
	}
	var failing struct{ Pages []pageJSON }
	getJSON(t, h, "/api/pages?failing=1", http.StatusOK, &failing)
	if len(failing.Pages) != 1 || !failing.Pages[0].Failing || failing.Pages[0].LastReason != "connection refused" ||
		!failing.Pages[0].BackoffUntil.Equal(until) {
		t.Errorf("failing pages = %+v", failing.Pages)
	}
	var one pageJSON
	getJSON(t, h, "/api/pages/"+id(f.page.ID), http.StatusOK, &one)
	if one.URL != "http://news.test/a" || one.Source == nil || one.Source.Name != "news" ||
		one.VersionsURL != "/api/pages/"+id(f.page.ID)+"/versions" {
		t.Errorf("page = %+v", one)
	}
}

func TestAPIVersions(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	var list struct {
		PageID   int64                        `json:"page_id"`
		Versions []map[string]json.RawMessage `json:"versions"`
		Next     *string                      `json:"next"`
	}
	getJSON(t, h, "/api/pages/"+id(hs.page.ID)+"/versions?limit=2", http.StatusOK, &list)
	if len(list.Versions) != 2 || list.Next == nil || list.PageID != hs.page.ID {
		t.Fatalf("versions = %+v", list)
	}
	for i, want := range []struct {
		id     int64
		number string
	}{{hs.v[5], "5"}, {hs.v[4], "4"}} {
		v := list.Versions[i]
		if string(v["id"]) != id(want.id) || string(v["number"]) != want.number {
			t.Errorf("version %d = id %s number %s, want %d and %s", i, v["id"], v["number"], want.id, want.number)
		}
		if _, ok := v["text"]; ok {
			t.Errorf("a list of versions carries their text")
		}
	}
	var rest struct {
		Versions []struct {
			ID     int64 `json:"id"`
			Number int   `json:"number"`
		} `json:"versions"`
		Next *string `json:"next"`
	}
	getJSON(t, h, *list.Next, http.StatusOK, &rest)
	if len(rest.Versions) != 2 || rest.Versions[0].ID != hs.v[3] || rest.Versions[1].Number != 2 || rest.Next == nil {
		t.Errorf("second page = %+v", rest)
	}

	var v struct {
		ID       int64   `json:"id"`
		Number   int     `json:"number"`
		Text     string  `json:"text"`
		Bytes    int     `json:"bytes"`
		Previous *int64  `json:"previous"`
		Next     *int64  `json:"next"`
		DiffURL  *string `json:"diff_url"`
		URL      string  `json:"url"`
		Hash     string  `json:"hash"`
	}
	getJSON(t, h, "/api/versions/"+id(hs.v[2]), http.StatusOK, &v)
	if v.Text != ratesB || v.Bytes != len(ratesB) || v.Number != 2 || *v.Previous != hs.v[1] || *v.Next != hs.v[3] ||
		v.URL != "http://bank.test/rates" || v.Hash == "" {
		t.Errorf("version = %+v", v)
	}
	if want := "/api/diff?from=" + id(hs.v[1]) + "&to=" + id(hs.v[2]); v.DiffURL == nil || *v.DiffURL != want {
		t.Errorf("diff_url = %v, want %s", v.DiffURL, want)
	}
	getJSON(t, h, "/api/versions/"+id(hs.v[1]), http.StatusOK, &v)
	if v.Previous != nil || v.DiffURL != nil || v.Number != 1 {
		t.Errorf("first version = %+v", v)
	}
}

func TestAPIDiff(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	var d struct {
		PageID  int64    `json:"page_id"`
		Changed bool     `json:"changed"`
		Summary string   `json:"summary"`
		Classes []string `json:"classes"`
		Diff    string   `json:"diff"`
		From    struct {
			ID     int64 `json:"id"`
			Number int   `json:"number"`
		} `json:"from"`
		Meta   []struct{ Field, Old, New string } `json:"meta"`
		Blocks struct {
			Blocks []struct {
				Op    string `json:"op"`
				Spans []struct{ Op, Text string }
			} `json:"blocks"`
		} `json:"blocks"`
		HTMLURL string `json:"html_url"`
	}
	getJSON(t, h, "/api/diff?from="+id(hs.v[1])+"&to="+id(hs.v[4]), http.StatusOK, &d)
	if !d.Changed || d.PageID != hs.page.ID || d.From.Number != 1 || !strings.Contains(d.Diff, "[-3-]{+4+}") ||
		!slices.Contains(d.Classes, "number") || !slices.Contains(d.Classes, "title") {
		t.Errorf("diff = %+v", d)
	}
	if len(d.Meta) != 1 || d.Meta[0].Field != "title" || d.Meta[0].Old != "Rates" || d.Meta[0].New != "Rates rise" {
		t.Errorf("meta = %+v", d.Meta)
	}
	if len(d.Blocks.Blocks) == 0 || d.Blocks.Blocks[0].Op != "replace" {
		t.Errorf("blocks = %+v", d.Blocks)
	}
	if d.HTMLURL != "/pages/"+id(hs.page.ID)+"/compare?from="+id(hs.v[1])+"&to="+id(hs.v[4]) {
		t.Errorf("html_url = %q", d.HTMLURL)
	}
	getJSON(t, h, "/api/diff?from="+id(hs.v[1])+"&to="+id(hs.v[3]), http.StatusOK, &d)
	if d.Changed || d.Summary != "title changed" {
		t.Errorf("same text, new title: changed %v, summary %q", d.Changed, d.Summary)
	}
}

func TestAPISources(t *testing.T) {
	f := seed(t)
	until := time.Now().Add(time.Hour)
	setFailing(t, f.st, f.hostilePage, "timeout", until)
	if _, err := f.st.EnsureSource(t.Context(), storage.KindFeed, "other", "http://other.test/rss", "@every 1h", time.Now()); err != nil {
		t.Fatal(err)
	}
	h := quietHandler(f.st, &bytes.Buffer{})
	var out struct {
		Sources []struct {
			Name         string  `json:"name"`
			Pages        int     `json:"pages"`
			PagesFailing int     `json:"pages_failing"`
			LastReason   *string `json:"last_reason"`
			NextCheckAt  *string `json:"next_check_at"`
		} `json:"sources"`
		Next   *string        `json:"next"`
		Health map[string]int `json:"health"`
	}
	getJSON(t, h, "/api/sources?limit=1", http.StatusOK, &out)
	if len(out.Sources) != 1 || out.Sources[0].Name != "news" || out.Sources[0].Pages != 2 || out.Sources[0].PagesFailing != 1 ||
		out.Sources[0].LastReason == nil || out.Next == nil {
		t.Fatalf("sources = %+v", out)
	}
	if out.Health["sources"] != 2 || out.Health["pages"] != 2 || out.Health["pages_failing"] != 1 || out.Health["pages_backed_off"] != 1 {
		t.Errorf("health = %v", out.Health)
	}
	getJSON(t, h, *out.Next, http.StatusOK, &out)
	if len(out.Sources) != 1 || out.Sources[0].Name != "other" || out.Next != nil {
		t.Errorf("second page = %+v", out)
	}
	getJSON(t, h, "/api/sources?failing=1", http.StatusOK, &out)
	if len(out.Sources) != 1 || out.Sources[0].Name != "news" {
		t.Errorf("failing sources = %+v", out.Sources)
	}
}

// TestAPIChangeFull checks that a list cuts a long diff to an excerpt and
// links the change, which answers it whole.
func TestAPIChangeFull(t *testing.T) {
	st := bigDiffStore(t, 2, 200<<10)
	h := quietHandler(st, &bytes.Buffer{})
	type change struct {
		ID          int64           `json:"id"`
		Diff        string          `json:"diff"`
		Blocks      json.RawMessage `json:"blocks"`
		Truncated   bool            `json:"truncated"`
		DiffBytes   int             `json:"diff_bytes"`
		BlocksBytes int             `json:"blocks_bytes"`
		FullURL     string          `json:"full_url"`
	}
	var list struct{ Changes []change }
	getJSON(t, h, "/api/changes", http.StatusOK, &list)
	if len(list.Changes) != 2 {
		t.Fatalf("%d changes", len(list.Changes))
	}
	for _, c := range list.Changes {
		if !c.Truncated || len(c.Diff) > 8<<10 || len(c.Blocks) > 16<<10 || c.DiffBytes < 200<<10 {
			t.Errorf("change %d in the list: truncated %v, %d bytes of diff of %d, %d of blocks", c.ID, c.Truncated,
				len(c.Diff), c.DiffBytes, len(c.Blocks))
		}
		if !strings.HasSuffix(c.Diff, "\n") {
			t.Errorf("change %d: the excerpt of the text is not cut at a line end", c.ID)
		}
		var full change
		getJSON(t, h, c.FullURL, http.StatusOK, &full)
		stored, err := st.Change(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if full.Truncated || full.Diff != stored.Diff || len(full.Blocks) < len(stored.Blocks) || !strings.HasPrefix(stored.Diff, c.Diff) {
			t.Errorf("change %d whole: truncated %v, %d bytes of diff, %d of blocks; stored %d and %d", c.ID, full.Truncated,
				len(full.Diff), len(full.Blocks), len(stored.Diff), len(stored.Blocks))
		}
	}
}

func TestAPIChangesLimitAndNext(t *testing.T) {
	st, ids := manyChanges(t, 7)
	h := quietHandler(st, &bytes.Buffer{})
	var out struct {
		Changes []struct{ ID int64 }
		Next    *string
	}
	getJSON(t, h, "/api/changes?limit=3&kind=changed", http.StatusOK, &out)
	if len(out.Changes) != 3 || out.Changes[0].ID != ids[6] || out.Next == nil {
		t.Fatalf("first page = %+v", out)
	}
	if want := "/api/changes?before=" + id(ids[4]) + "&kind=changed&limit=3"; *out.Next != want {
		t.Errorf("next = %q, want %q", *out.Next, want)
	}
	var got []int64
	for next := "/api/changes?limit=3"; next != ""; {
		out.Next = nil
		getJSON(t, h, next, http.StatusOK, &out)
		for _, c := range out.Changes {
			got = append(got, c.ID)
		}
		next = ""
		if out.Next != nil {
			next = *out.Next
		}
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("following next: %v, want %v", got, want)
	}
}

func TestChangeViews(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	base := "/changes/" + id(hs.number)
	tests := []struct {
		target    string
		want, not []string
	}{
		{base, []string{`<div id="inline">`, `Rates rose by <del>3</del><ins>4</ins> percent.`, `<strong>Reading view</strong>`,
			`<a href="` + base + `?view=side">Side by side</a>`}, []string{`id="side-by-side"`}},
		{base + "?view=inline", []string{`<div id="inline">`}, []string{`id="side-by-side"`}},
		{base + "?view=side", []string{`<div id="side-by-side">`, `<strong>Side by side</strong>`,
			`<tr class="replace"><td class="old"><span class="label">¶1</span> Rates rose by <del>3</del> percent.</td>` +
				`<td class="new"><span class="label">¶1</span> Rates rose by <ins>4</ins> percent.</td></tr>`,
			`<tr class="context"><td class="old">The board met on Monday.</td><td class="new">The board met on Monday.</td></tr>`},
			[]string{`id="inline"`}},
		{"/changes/" + id(hs.moved) + "?view=side", []string{`<tr class="move moved">`, `moved ¶1 → ¶3`,
			`Officials declined to comment<ins> further</ins>.`}, nil},
		{"/changes/" + id(hs.legacy) + "?view=side", []string{`<div id="side-by-side">`, `<pre class="legacy">`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res := get(t, h, tt.target)
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			mustContain(t, tt.target, res.body, tt.want...)
			mustNotContain(t, tt.target, res.body, tt.not...)
		})
	}
	for _, target := range []string{base + "?view=table", base + "?part=0", base + "?part=2", base + "?part=x"} {
		if res := get(t, h, target); res.status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", target, res.status)
		}
	}
}

// TestChangePageReadsTheWholeArticle checks that the reading view fills
// in the paragraphs a stored diff left out, from the versions, folded
// away but there to unfold.
func TestChangePageReadsTheWholeArticle(t *testing.T) {
	st := openStore(t)
	old := "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth paragraph.\n\nThe figure is 12."
	new := strings.Replace(old, "12", "13", 1)
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindPage, "p", "http://gov.test/p", "", now)
	if err != nil {
		t.Fatal(err)
	}
	var cid int64
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, v1 := addPage(t, tx, src.ID, "http://gov.test/p", "P", now.Add(-time.Hour), old)
		v2 := addVersion(t, tx, p, "P", now, new)
		cid = insertChange(t, tx, storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: now, OldVersionID: v1,
			NewVersionID: v2, Title: "P", Blocks: blocksOf(t, old, new), Classes: []string{"number"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := quietHandler(st, &bytes.Buffer{})
	body := get(t, h, "/changes/"+id(cid)).body
	mustContain(t, "reading view", body, "<details class=\"gap\"><summary>⋯ 3 unchanged paragraphs</summary>\n"+
		"<p class=\"context\">First paragraph.</p>\n<p class=\"context\">Second paragraph.</p>\n<p class=\"context\">Third paragraph.</p>\n</details>",
		`<p class="context">Fourth paragraph.</p>`, `The figure is <del>12</del><ins>13</ins>.`)
	body = get(t, h, "/changes/"+id(cid)+"?view=side").body
	mustContain(t, "side by side", body, "<p>First paragraph.</p>", `The figure is <del>12</del>.`, `The figure is <ins>13</ins>.`)
}

// TestLongDiffIsPaged stores a diff of many paragraphs: the change page
// shows it a part at a time, each linking the others.
func TestLongDiffIsPaged(t *testing.T) {
	st := bigDiffStore(t, 1, 2<<20)
	h := quietHandler(st, &bytes.Buffer{})
	first := get(t, h, "/changes/1")
	parts := regexp.MustCompile(`Part 1 of (\d+)`).FindStringSubmatch(first.body)
	if parts == nil {
		t.Fatalf("no part links on a 2 MiB diff")
	}
	mustContain(t, "first part", first.body, `<a href="/changes/1?part=2" rel="next">next →</a>`)
	if len(first.body) > 1<<20 {
		t.Errorf("first part is %d bytes", len(first.body))
	}
	last := get(t, h, "/changes/1?view=side&part="+parts[1])
	if last.status != http.StatusOK {
		t.Fatalf("last part: %d", last.status)
	}
	mustContain(t, "last part", last.body, `rel="prev"`, `<div id="side-by-side">`)
	mustNotContain(t, "last part", last.body, `rel="next"`)
	seen := strings.Count(first.body, `<p class="replace">`)
	if seen == 0 || seen > 400 {
		t.Errorf("first part shows %d paragraphs", seen)
	}
}

func TestComparePage(t *testing.T) {
	hs := seedHistory(t)
	h := quietHandler(hs.st, &bytes.Buffer{})
	base := "/pages/" + id(hs.page.ID) + "/compare?from=" + id(hs.v[1]) + "&to=" + id(hs.v[2])
	res := get(t, h, base)
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	mustContain(t, "compare", res.body, `<div id="inline">`, `Rates rose by <del>3</del><ins>4</ins> percent.`,
		`version 1 → version 2`, `<tr><td>title</td><td><del>Rates</del></td><td><ins>Rates rise</ins></td></tr>`,
		`<option value="`+id(hs.v[1])+`" selected>version 1 · `, `<option value="`+id(hs.v[2])+`" selected>version 2 · `)
	side := get(t, h, base+"&view=side").body
	mustContain(t, "compare side", side, `<div id="side-by-side">`, `Rates rose by <del>3</del> percent.`, `Rates rose by <ins>4</ins> percent.`)

	tests := []struct {
		target string
		status int
	}{
		{"/pages/" + id(hs.page.ID) + "/compare?from=" + id(hs.v[1]) + "&to=" + id(hs.v[1]), http.StatusOK},
		{"/pages/" + id(hs.movePage.ID) + "/compare?from=" + id(hs.v[1]) + "&to=" + id(hs.v[2]), http.StatusBadRequest},
		{"/pages/" + id(hs.page.ID) + "/compare?from=" + id(hs.v[1]), http.StatusBadRequest},
		{"/pages/" + id(hs.page.ID) + "/compare?from=" + id(hs.v[1]) + "&to=999", http.StatusNotFound},
		{"/pages/" + id(hs.page.ID) + "/compare?from=" + id(hs.v[1]) + "&to=" + id(hs.v[2]) + "&view=x", http.StatusBadRequest},
	}
	for _, tt := range tests {
		if res := get(t, h, tt.target); res.status != tt.status {
			t.Errorf("%s = %d, want %d", tt.target, res.status, tt.status)
		}
	}
	same := get(t, h, tests[0].target).body
	mustContain(t, "same version", same, "The text did not change.")
}

func TestPageTimelineAndPicker(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	body := get(t, h, "/pages/"+id(f.hostilePage.ID)).body
	// Newest first: the restoration, the removal, the version.
	items := regexp.MustCompile(`<li class="([^"]*)">`).FindAllStringSubmatch(body[strings.Index(body, `<ol id="timeline"`):], -1)
	var classes []string
	for _, m := range items {
		classes = append(classes, m[1])
	}
	if want := []string{"restored", "removed", "version"}; !slices.Equal(classes, want) {
		t.Errorf("timeline classes = %q, want %q", classes, want)
	}

	body = get(t, h, "/pages/"+id(f.page.ID)).body
	mustContain(t, "history", body,
		`<form id="compare" method="get" action="/pages/`+id(f.page.ID)+`/compare">`,
		`<select name="from"><option value="`+id(f.v2)+`">version 2 · `, `<option value="`+id(f.v1)+`" selected>version 1 · `,
		`<select name="to"><option value="`+id(f.v2)+`" selected>version 2 · `,
		`<button type="submit">Compare</button>`,
		`<li class="version changed">`, `<a href="/versions/`+id(f.v2)+`">version 2</a>`,
		`<a href="/pages/`+id(f.page.ID)+`/compare?from=`+id(f.v1)+`&amp;to=`+id(f.v2)+`">compare with the version before</a>`)

	// A long history is shown a stretch at a time.
	hs := seedHistory(t)
	h = quietHandler(hs.st, &bytes.Buffer{})
	first := get(t, h, "/pages/"+id(hs.page.ID)+"?limit=2").body
	older := regexp.MustCompile(`<a href="([^"]+)">Older history →</a>`).FindStringSubmatch(first)
	if older == nil {
		t.Fatal("no link to older history")
	}
	if n := strings.Count(first, `<li class="`); n != 2 {
		t.Errorf("first stretch has %d entries, want 2", n)
	}
	next := get(t, h, strings.ReplaceAll(older[1], "&amp;", "&"))
	if next.status != http.StatusOK || !strings.Contains(next.body, "← newest") {
		t.Errorf("older history: %d", next.status)
	}
	for _, bad := range []string{"?before=x12", "?before=v", "?before=c0", "?limit=0", "?limit=9999"} {
		if res := get(t, h, "/pages/"+id(hs.page.ID)+bad); res.status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", bad, res.status)
		}
	}
	if res := get(t, h, "/pages/"+id(hs.page.ID)+"?before=v999"); res.status != http.StatusNotFound {
		t.Errorf("a cursor naming nothing = %d, want 404", res.status)
	}
}

func TestSourcesHealth(t *testing.T) {
	f := seed(t)
	until := time.Now().Add(2 * time.Hour)
	setFailing(t, f.st, f.hostilePage, "dial tcp: connection refused", until)
	h := quietHandler(f.st, &bytes.Buffer{})
	body := get(t, h, "/sources").body
	mustContain(t, "sources", body, `<span><b>1</b> sources</span>`, `<b>1</b> failing</a>`, `<h2>Failing pages</h2>`,
		`error: dial tcp: connection refused`, `<td>5</td>`, when(until), `1 failing</span>`)
	body = get(t, h, "/pages?failing=1").body
	mustContain(t, "failing pages", body, "Failing pages", `href="/pages/`+id(f.hostilePage.ID)+`"`)
	mustNotContain(t, "failing pages", body, `href="/pages/`+id(f.page.ID)+`"`)
	body = get(t, h, "/pages?limit=1").body
	mustContain(t, "pages", body, `<a href="/pages?after=`+id(f.page.ID)+`&amp;limit=1">More pages →</a>`)
	for _, bad := range []string{"/pages?limit=0", "/pages?after=-1", "/sources?limit=-1", "/sources?failing=x"} {
		if res := get(t, h, bad); res.status != http.StatusBadRequest {
			t.Errorf("%s = %d, want 400", bad, res.status)
		}
	}
}

// when is the UI's way of showing a time.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

func TestLayoutLinksSearchAndFeed(t *testing.T) {
	f := seed(t)
	body := get(t, quietHandler(f.st, &bytes.Buffer{}), "/").body
	mustContain(t, "layout", body,
		`<form id="search" action="/search" method="get"><input name="q" type="search" placeholder="Search every version" aria-label="Search"></form>`,
		`<link rel="alternate" type="application/atom+xml" href="/feeds/changes.atom">`, `<a href="/feeds/changes.atom">`)
	mustNotContain(t, "layout", body, "<script")
}

// TestNewViewsEscapeCrawledText opens every view this file covers on the
// hostile page of the fixture: its title, URL, byline and text are shown
// as text, never as markup or a javascript: link.
func TestNewViewsEscapeCrawledText(t *testing.T) {
	f := seed(t)
	setFailing(t, f.st, f.hostilePage, xssScript, time.Now().Add(time.Hour))
	h := quietHandler(f.st, &bytes.Buffer{})
	for _, target := range []string{
		"/changes/" + id(f.removed) + "?view=side",
		"/pages/" + id(f.hostilePage.ID) + "/compare?from=" + id(f.hostileV) + "&to=" + id(f.hostileV),
		"/pages/" + id(f.hostilePage.ID) + "/compare?from=" + id(f.hostileV) + "&to=" + id(f.hostileV) + "&view=side",
		"/pages?failing=1", "/sources",
	} {
		res := get(t, h, target)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d", target, res.status)
		}
		mustNotContain(t, target, res.body, "<script", "<img", `href="javascript:`, "onerror=alert(1)>")
		if !strings.Contains(res.body, xssScriptEscaped) && !strings.Contains(res.body, xssAttrEscaped) {
			t.Errorf("%s shows neither hostile string in escaped form", target)
		}
	}
	for _, target := range []string{"/api/pages", "/api/pages/" + id(f.hostilePage.ID), "/api/versions/" + id(f.hostileV),
		"/api/pages/" + id(f.hostilePage.ID) + "/versions", "/api/sources", "/api/diff?from=" + id(f.hostileV) + "&to=" + id(f.hostileV)} {
		res := get(t, h, target)
		mustNotContain(t, target, res.body, "<script", "<img")
	}
}

// TestPageSourceShowsItsPage checks that a [[page]] source, checked
// through its one page, shows that page's state.
func TestPageSourceShowsItsPage(t *testing.T) {
	st := openStore(t)
	now := time.Now()
	src, err := st.EnsureSource(t.Context(), storage.KindPage, "white paper", "http://gov.test/paper", "@every 1h", now)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, _ := addPage(t, tx, src.ID, "http://gov.test/paper", "Paper", now, "text")
		setFailingTx(t, tx, p, "status 503", now.Add(time.Hour))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h := quietHandler(st, &bytes.Buffer{})
	var out struct {
		Sources []struct {
			Failing     bool    `json:"failing"`
			LastReason  string  `json:"last_reason"`
			NextCheckAt *string `json:"next_check_at"`
		} `json:"sources"`
	}
	getJSON(t, h, "/api/sources", http.StatusOK, &out)
	if len(out.Sources) != 1 || !out.Sources[0].Failing || out.Sources[0].LastReason != "status 503" || out.Sources[0].NextCheckAt == nil {
		t.Errorf("page source = %+v", out.Sources)
	}
	mustContain(t, "sources", get(t, h, "/sources").body, "error: status 503 <span class=\"flag\">failing</span>")
}

func setFailingTx(t *testing.T, tx *storage.Tx, p storage.Page, reason string, until time.Time) {
	t.Helper()
	p.Failing, p.ConsecutiveFailures, p.FailingSince, p.LastReason, p.LastClass = true, 5, until.Add(-3*time.Hour), reason, "error"
	p.BackoffUntil = until
	if err := tx.UpdatePageState(p); err != nil {
		t.Fatal(err)
	}
}

func TestNewRoutesDatabaseErrors(t *testing.T) {
	f := seed(t)
	var logs bytes.Buffer
	h := quietHandler(f.st, &logs)
	f.st.Close()
	for _, target := range []string{"/api/pages", "/api/pages/1", "/api/pages/1/versions", "/api/versions/1", "/api/changes/1",
		"/api/diff?from=1&to=2", "/api/sources"} {
		var body struct{ Error string }
		getJSON(t, h, target, http.StatusInternalServerError, &body)
		if body.Error != "database error" {
			t.Errorf("%s: error = %q", target, body.Error)
		}
	}
	for _, target := range []string{"/pages/1/compare?from=1&to=2", "/pages?failing=1", "/sources"} {
		res := get(t, h, target)
		if res.status != http.StatusInternalServerError {
			t.Errorf("%s = %d, want 500", target, res.status)
		}
		mustNotContain(t, target, strings.ToLower(res.body), "sql", "closed", "stet.db")
	}
	mustContain(t, "log", logs.String(), "database is closed", "path=/api/sources")
}
