package web_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// searchSeed is the web fixture plus a removed page holding the word
// "scandal" too.
func searchSeed(t *testing.T) fixture {
	t.Helper()
	f := seed(t)
	err := f.st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, _ := addPage(t, tx, f.source.ID, "http://news.test/gone", "Gone story", time.Now().Add(-30*time.Minute),
			"A scandal story that was taken down.")
		p.Removed = true
		if err := tx.UpdatePageState(p); err != nil {
			return err
		}
		insertChange(t, tx, storage.Change{PageID: p.ID, Kind: storage.ChangeRemoved, DetectedAt: time.Now()})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	hitRE    = regexp.MustCompile(`(?s)<li class="hit">(.*?)</li>`)
	statusRE = regexp.MustCompile(`<span class="status [a-z_]+">([^<]*)</span>`)
	markRE   = regexp.MustCompile(`<mark>([^<]*)</mark>`)
)

// pageHits reads the hits of a search page: status label, and snippet
// with its marks as [[ ]].
func pageHits(t *testing.T, body string) []string {
	t.Helper()
	if !strings.Contains(body, `<ol id="results">`) {
		t.Fatalf("no results list in\n%s", body)
	}
	var out []string
	for _, m := range hitRE.FindAllStringSubmatch(body, -1) {
		st := statusRE.FindStringSubmatch(m[1])
		snip := regexp.MustCompile(`(?s)<p class="snippet">(.*?)</p>`).FindStringSubmatch(m[1])
		if st == nil || snip == nil {
			t.Fatalf("hit without status or snippet: %s", m[1])
		}
		out = append(out, st[1]+": "+markRE.ReplaceAllString(snip[1], "[[$1]]"))
	}
	return out
}

func TestSearchPage(t *testing.T) {
	f := searchSeed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	tests := []struct {
		target string
		want   []string
	}{
		{"/search?q=scandal", []string{
			"removed page: A [[scandal]] story that was taken down.",
			"live: The minister steps down amid the [[scandal]].",
			"edited away: The minister resigns over the [[scandal]].",
		}},
		{"/search?q=scandal&deleted=1", []string{"edited away: The minister resigns over the [[scandal]]."}},
		{"/search?q=%22steps+down%22", []string{"live: The minister [[steps down]] amid the scandal."}},
		{"/search?q=scandal&url=" + url.QueryEscape("http://news.test/a"), []string{
			"live: The minister steps down amid the [[scandal]].",
			"edited away: The minister resigns over the [[scandal]].",
		}},
		{"/search?q=scandal&url=" + url.QueryEscape("http://news.test/untracked"), nil},
		// The gone story was stored 30 minutes ago; the edit, an hour ago:
		// text stored since, or edited away since.
		{"/search?q=scandal&since=45m", []string{"removed page: A [[scandal]] story that was taken down."}},
		{"/search?q=scandal&since=90m", []string{
			"removed page: A [[scandal]] story that was taken down.",
			"live: The minister steps down amid the [[scandal]].",
			"edited away: The minister resigns over the [[scandal]].",
		}},
		{"/search?q=nowhere", nil},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res := get(t, h, tt.target)
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if got := pageHits(t, res.body); !slices.Equal(got, tt.want) {
				t.Errorf("hits\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Crawled text in hits (titles, snippets, URLs) is escaped, and only the
// marks are markup.
func TestSearchPageEscapesCrawledText(t *testing.T) {
	f := searchSeed(t)
	res := get(t, quietHandler(f.st, &bytes.Buffer{}), "/search?q=alert")
	if res.status != 200 {
		t.Fatalf("status %d", res.status)
	}
	hits := pageHits(t, res.body)
	if len(hits) == 0 {
		t.Fatal("the hostile page is not found")
	}
	mustContain(t, "search page", res.body, "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;",
		`onerror=<mark>alert</mark>(1)&gt;`, `href="#ZgotmplZ"`)
	mustNotContain(t, "search page", res.body, xssScript, xssAttr, `href="javascript:`)
}

// Paging follows the "More hits" link; every hit comes once.
func TestSearchPageNextLink(t *testing.T) {
	f := searchSeed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	var got []string
	target := "/search?q=scandal&limit=1"
	for range 5 {
		res := get(t, h, target)
		got = append(got, pageHits(t, res.body)...)
		m := regexp.MustCompile(`<a rel="next" href="([^"]+)">`).FindStringSubmatch(res.body)
		if m == nil {
			break
		}
		target = strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.Contains(target, "limit=1") || !strings.Contains(target, "q=scandal") {
			t.Errorf("next link %q drops the query or limit", target)
		}
	}
	if len(got) != 3 || len(slices.Compact(slices.Clone(got))) != 3 {
		t.Errorf("paged hits: %q, want 3 different ones", got)
	}
}

func TestSearchPageForm(t *testing.T) {
	f := searchSeed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	for _, target := range []string{"/search", "/search?q=", "/search?q=+++"} {
		res := get(t, h, target)
		if res.status != 200 || strings.Contains(res.body, `<ol id="results">`) || !strings.Contains(res.body, `name="q"`) {
			t.Errorf("%s: status %d; want the form alone", target, res.status)
		}
	}
	res := get(t, h, "/search?q=%3Cb%3Ex&deleted=1&since=7d")
	mustContain(t, "form", res.body, `value="&lt;b&gt;x"`, `value="7d"`, `value="1" checked`)
}

func TestSearchBadParameters(t *testing.T) {
	f := searchSeed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	tests := []struct{ query, want string }{
		{"q=%22unclosed", "quote"},
		{"q=ab*", "at least 3 letters"},
		{"q=%21%21%21", "no letters or digits"},
		{"q=x&limit=0", "limit must be a number from 1 to 1000"},
		{"q=x&limit=1001", "limit must be"},
		{"q=x&limit=ten", "limit must be"},
		{"q=x&deleted=yes", "deleted must be 1"},
		{"q=x&since=-1h", "since must be"},
		{"q=x&cursor=abc", "cursor"},
		{"q=x&cursor=1.2", "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := get(t, h, "/search?"+tt.query)
			if res.status != 400 || !strings.Contains(res.body, tt.want) {
				t.Errorf("page: status %d, want 400 saying %q:\n%s", res.status, tt.want, res.body)
			}
			res = get(t, h, "/api/search?"+tt.query)
			var e struct{ Error string }
			if err := json.Unmarshal([]byte(res.body), &e); err != nil || res.status != 400 || !strings.Contains(e.Error, tt.want) {
				t.Errorf("api: status %d, body %s; want 400 with an error saying %q", res.status, res.body, tt.want)
			}
		})
	}
	res := get(t, h, "/api/search")
	if res.status != 400 || !strings.Contains(res.body, "empty") {
		t.Errorf("api without q: %d %s", res.status, res.body)
	}
}

type apiSearchAnswer struct {
	Query  string
	Hits   []web.SearchHitJSON
	Next   *string
	Cursor *string `json:"next_cursor"`
	Capped bool
}

func TestAPISearch(t *testing.T) {
	f := searchSeed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	res := get(t, h, "/api/search?q=scandal&limit=2")
	if res.status != 200 || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", res.status, res.header.Get("Content-Type"))
	}
	var a apiSearchAnswer
	if err := json.Unmarshal([]byte(res.body), &a); err != nil {
		t.Fatal(err)
	}
	if len(a.Hits) != 2 || a.Next == nil || a.Cursor == nil || a.Capped || a.Query != "scandal" {
		t.Fatalf("answer = %+v; want 2 hits and a next link", a)
	}
	gone, live := a.Hits[0], a.Hits[1]
	if gone.Status != "removed_page" || gone.RemovedAt == nil || gone.URL != "http://news.test/gone" || gone.Field != "text" {
		t.Errorf("first hit = %+v; want the removed page's text", gone)
	}
	if live.Status != "live" || live.Version != f.v2 || live.FirstVersion != f.v2 || live.EditedVersion != nil ||
		live.HTMLURL != "/versions/"+id(f.v2) || live.Title != "Minister resigns" {
		t.Errorf("second hit = %+v; want the live paragraph in version %d", live, f.v2)
	}
	var marked []string
	for _, s := range live.Segments {
		if s.Mark {
			marked = append(marked, s.Text)
		}
	}
	if !slices.Equal(marked, []string{"scandal"}) || live.Snippet != "The minister steps down amid the scandal." {
		t.Errorf("snippet %q, marked %q", live.Snippet, marked)
	}
	res = get(t, h, *a.Next)
	var b apiSearchAnswer
	if err := json.Unmarshal([]byte(res.body), &b); err != nil || res.status != 200 {
		t.Fatalf("next page: %d %s", res.status, res.body)
	}
	if len(b.Hits) != 1 || b.Next != nil || b.Hits[0].Status != "edited_away" || b.Hits[0].EditedVersion == nil ||
		*b.Hits[0].EditedVersion != f.v2 || b.Hits[0].Version != f.v1 || b.Hits[0].EditedAt == nil {
		t.Errorf("next page = %+v; want the paragraph edited away in version %d, last", b, f.v2)
	}
}
