package storage_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// searchFixture is a database with a source and helpers to store pages'
// versions as the daemon does.
type searchFixture struct {
	t    testing.TB
	s    *storage.Store
	path string
	src  storage.Source
	at   time.Time // the next version's time; each version is an hour later
}

func newSearchFixture(t testing.TB) *searchFixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	src, err := s.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	return &searchFixture{t: t, s: s, path: path, src: src, at: t0}
}

// version stores a version of the page at url (created if new) and
// returns its id.
func (f *searchFixture) version(url, title, text string) int64 {
	f.t.Helper()
	var id int64
	err := f.s.Tx(f.t.Context(), func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(f.src.ID, url, title, f.at, f.at, f.at)
		if err != nil {
			return err
		}
		cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: f.at, URL: url, Status: 200, Class: "ok"})
		if err != nil {
			return err
		}
		id, err = tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: f.at, Title: title, Text: text,
			TextHash: fmt.Sprint(title, text), Extractor: "1"})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.at = f.at.Add(time.Hour)
	return id
}

// remove marks the page at url removed, as the daemon does after
// gone_after 404s.
func (f *searchFixture) remove(url string) {
	f.t.Helper()
	p, err := f.s.PageByURL(f.t.Context(), url)
	if err != nil {
		f.t.Fatal(err)
	}
	err = f.s.Tx(f.t.Context(), func(tx *storage.Tx) error {
		p.Removed = true
		if err := tx.UpdatePageState(p); err != nil {
			return err
		}
		_, err := tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeRemoved, DetectedAt: f.at})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *searchFixture) search(query string, o storage.SearchOptions) storage.SearchResult {
	f.t.Helper()
	q, err := storage.ParseQuery(query)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := f.s.Search(f.t.Context(), q, o)
	if err != nil {
		f.t.Fatalf("Search(%q, %+v): %v", query, o, err)
	}
	return res
}

// hitLine summarises a hit for comparison: page path, field, status,
// version and the marked snippet.
func hitLine(h storage.SearchHit) string {
	var b strings.Builder
	for _, s := range h.Snippet {
		if s.Mark {
			b.WriteString("[[" + s.Text + "]]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return fmt.Sprintf("%s %s %s v%d: %s", strings.TrimPrefix(h.URL, "http://news.test"), h.Field, h.Status, h.VersionID, b.String())
}

func hitLines(res storage.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, hitLine(h))
	}
	return out
}

// newsroom stores the history the status tests search: a white paper
// whose figure changes and whose paragraph is deleted and put back, a
// Chinese page, a Japanese page, and a story later removed.
type newsroom struct {
	paper1, paper2, paper3, paper4 int64
	zh1, ja1, gone1                int64
}

func (f *searchFixture) newsroom() newsroom {
	var n newsroom
	n.paper1 = f.version("http://news.test/paper", "White paper on treaties",
		"China has joined 12 conventions.\n\nThe paragraph that will go.\n\nCafé owners welcomed it.")
	n.zh1 = f.version("http://news.test/zh", "白皮书",
		"中国已加入12项国际公约。\n\n北京市政府发布了新规定。")
	n.paper2 = f.version("http://news.test/paper", "White paper on treaties",
		"China has joined 13 conventions.\n\nCafé owners welcomed it.")
	n.ja1 = f.version("http://news.test/ja", "東京都の発表", "東京都は新しい方針を発表した。")
	n.gone1 = f.version("http://news.test/gone", "Taken down", "A story about the conventions that was taken down.")
	n.paper3 = f.version("http://news.test/paper", "White paper on treaties",
		"China has joined 13 conventions.\n\nThe paragraph that will go.\n\nCafé owners welcomed it.")
	n.paper4 = f.version("http://news.test/paper", "White paper on treaties (revised)",
		"China has joined 14 conventions.\n\nThe paragraph that will go.\n\nCafé owners welcomed it.")
	f.remove("http://news.test/gone")
	return n
}

func TestSearchFindsEveryVersionWithStatus(t *testing.T) {
	f := newSearchFixture(t)
	n := f.newsroom()
	tests := []struct {
		query string
		want  []string // newest passage first
	}{
		{"conventions", []string{
			fmt.Sprintf("/paper text live v%d: China has joined 14 [[conventions]].", n.paper4),
			fmt.Sprintf("/gone text removed_page v%d: A story about the [[conventions]] that was taken down.", n.gone1),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 12 [[conventions]].", n.paper1),
		}},
		{`"joined 12"`, []string{fmt.Sprintf("/paper text edited_away v%d: China has [[joined 12]] conventions.", n.paper1)}},
		{`"12 joined"`, nil},
		{"convention", nil}, // a word, not a substring
		{"convent*", []string{
			fmt.Sprintf("/paper text live v%d: China has joined 14 [[conventions]].", n.paper4),
			fmt.Sprintf("/gone text removed_page v%d: A story about the [[conventions]] that was taken down.", n.gone1),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 12 [[conventions]].", n.paper1),
		}},
		// Deleted in version 2, back in version 3: live, one hit.
		{"paragraph", []string{fmt.Sprintf("/paper text live v%d: The [[paragraph]] that will go.", n.paper4)}},
		// Titles are searched too, and kept when they change.
		{"treaties", []string{
			fmt.Sprintf("/paper title live v%d: White paper on [[treaties]] (revised)", n.paper4),
			fmt.Sprintf("/paper title edited_away v%d: White paper on [[treaties]]", n.paper3),
		}},
		{"CAFE", []string{fmt.Sprintf("/paper text live v%d: [[Café]] owners welcomed it.", n.paper4)}},
		// Chinese and Japanese by substring, of any length.
		{"北京", []string{fmt.Sprintf("/zh text live v%d: [[北京]]市政府发布了新规定。", n.zh1)}},
		{"京市政", []string{fmt.Sprintf("/zh text live v%d: 北[[京市政]]府发布了新规定。", n.zh1)}},
		{"国际公约", []string{fmt.Sprintf("/zh text live v%d: 中国已加入12项[[国际公约]]。", n.zh1)}},
		{"约", []string{fmt.Sprintf("/zh text live v%d: 中国已加入12项国际公[[约]]。", n.zh1)}},
		{"白皮书", []string{fmt.Sprintf("/zh title live v%d: [[白皮书]]", n.zh1)}},
		{"东京", nil},
		{"東京都", []string{
			fmt.Sprintf("/ja text live v%d: [[東京都]]は新しい方針を発表した。", n.ja1),
			fmt.Sprintf("/ja title live v%d: [[東京都]]の発表", n.ja1),
		}},
		{"方針", []string{fmt.Sprintf("/ja text live v%d: 東京都は新しい[[方針]]を発表した。", n.ja1)}},
		// Latin and CJK terms together, each its own way.
		{"12 公约", []string{fmt.Sprintf("/zh text live v%d: 中国已加入[[12]]项国际[[公约]]。", n.zh1)}},
		{"12 国际公约", []string{fmt.Sprintf("/zh text live v%d: 中国已加入[[12]]项[[国际公约]]。", n.zh1)}},
		{"china 国际公约", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := hitLines(f.search(tt.query, storage.SearchOptions{}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) =\n%s\nwant\n%s", tt.query, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Words are found whatever their case, accents or width, in every
// script; scripts written without spaces are found by any part.
func TestSearchScripts(t *testing.T) {
	f := newSearchFixture(t)
	texts := []string{
		"Москва объявила новые меры.",
		"Η Αθήνα ανακοίνωσε μέτρα.",
		"हिंदी भाषा में समाचार।",
		"กรุงเทพมหานครประกาศมาตรการใหม่",
		"서울특별시는 새로운 조치를 발표했다.",
		"ＦＵＬＬ－ＷＩＤＴＨ text and Straße.",
		"Le café de la gare.",
	}
	for i, text := range texts {
		f.version(fmt.Sprintf("http://news.test/s%d", i), "", text)
	}
	tests := []struct{ query, want string }{
		{"москва", "[[Москва]] объявила новые меры."},
		{"АФИНЫ", ""},
		{"αθηνα", "Η [[Αθήνα]] ανακοίνωσε μέτρα."},
		{"हिंदी", "[[हिंदी]] भाषा में समाचार।"},
		{"हिं", ""}, // a Devanagari word is a word, not a substring
		{"ประกาศ", "กรุงเทพมหานคร[[ประกาศ]]มาตรการใหม่"},
		{"กร", "[[กร]]ุงเทพมหานครประกาศมาตรการใหม่"},
		{"특별", "서울[[특별]]시는 새로운 조치를 발표했다."},
		{"full-width", "[[ＦＵＬＬ－ＷＩＤＴＨ]] text and Straße."},
		{"STRASSE", ""},
		{"straße", "ＦＵＬＬ－ＷＩＤＴＨ text and [[Straße]]."},
		{"CAFE", "Le [[café]] de la gare."},
		{"cafè", "Le [[café]] de la gare."},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res := f.search(tt.query, storage.SearchOptions{})
			var got []string
			for _, line := range hitLines(res) {
				_, snip, _ := strings.Cut(line, ": ")
				got = append(got, snip)
			}
			if want := []string{tt.want}; tt.want == "" && len(got) > 0 || tt.want != "" && !slices.Equal(got, want) {
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestSearchHitDetails(t *testing.T) {
	f := newSearchFixture(t)
	n := f.newsroom()
	res := f.search(`"joined 13"`, storage.SearchOptions{})
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %q", hitLines(res))
	}
	h := res.Hits[0]
	if h.FirstVersionID != n.paper2 || h.VersionID != n.paper3 || h.EditedVersionID != n.paper4 {
		t.Errorf("versions: first %d, newest %d, edited in %d; want %d, %d, %d",
			h.FirstVersionID, h.VersionID, h.EditedVersionID, n.paper2, n.paper3, n.paper4)
	}
	if !h.FirstSeen.Equal(t0.Add(2*time.Hour)) || !h.VersionAt.Equal(t0.Add(5*time.Hour)) || !h.EditedAt.Equal(t0.Add(6*time.Hour)) {
		t.Errorf("times: first %v, newest %v, edited %v", h.FirstSeen, h.VersionAt, h.EditedAt)
	}
	if h.Title != "White paper on treaties" || h.URL != "http://news.test/paper" {
		t.Errorf("page: %q, title of version %d %q", h.URL, h.VersionID, h.Title)
	}
	gone := f.search("taken", storage.SearchOptions{}).Hits
	if len(gone) != 2 || gone[0].Status != storage.SearchRemovedPage || !gone[0].RemovedAt.Equal(t0.Add(7*time.Hour)) {
		t.Errorf("removed page hits = %+v; want title and text, removed at %v", gone, t0.Add(7*time.Hour))
	}
	if got := storage.SearchEditedAway.Label(); got != "edited away" {
		t.Errorf("label = %q", got)
	}
}

func TestSearchFilters(t *testing.T) {
	f := newSearchFixture(t)
	n := f.newsroom()
	paper, err := f.s.PageByURL(t.Context(), "http://news.test/paper")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		query string
		o     storage.SearchOptions
		want  []string
	}{
		{"deleted", "conventions", storage.SearchOptions{Deleted: true}, []string{
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 12 [[conventions]].", n.paper1),
		}},
		{"page", "conventions", storage.SearchOptions{PageID: paper.ID}, []string{
			fmt.Sprintf("/paper text live v%d: China has joined 14 [[conventions]].", n.paper4),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 12 [[conventions]].", n.paper1),
		}},
		{"page without the word", "北京", storage.SearchOptions{PageID: paper.ID}, nil},
		// Since the 5th hour: text held by a version stored since
		// (versions 4 to 6 are at hours 4 to 6), or edited away since
		// (12 was edited away at hour 2; 13 at hour 6).
		{"since", "conventions", storage.SearchOptions{Since: t0.Add(5 * time.Hour)}, []string{
			fmt.Sprintf("/paper text live v%d: China has joined 14 [[conventions]].", n.paper4),
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
		}},
		{"deleted since", "conventions", storage.SearchOptions{Deleted: true, Since: t0.Add(3 * time.Hour)}, []string{
			fmt.Sprintf("/paper text edited_away v%d: China has joined 13 [[conventions]].", n.paper3),
		}},
		{"since after everything", "conventions", storage.SearchOptions{Since: t0.Add(48 * time.Hour)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hitLines(f.search(tt.query, tt.o))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q, %+v) =\n%s\nwant\n%s", tt.query, tt.o, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// Paging with a cursor returns every hit once, in the same order as one
// large page, and says when there are no more.
func TestSearchPaging(t *testing.T) {
	f := newSearchFixture(t)
	// The same paragraph on many pages, and many paragraphs on one page.
	for i := range 7 {
		f.version(fmt.Sprintf("http://news.test/p%d", i), fmt.Sprintf("Report %d", i),
			fmt.Sprintf("Shared boilerplate about reports.\n\nReport number %d.\n\nAnother report paragraph %d.", i, i))
	}
	all := f.search("report*", storage.SearchOptions{Limit: storage.MaxSearchLimit})
	if len(all.Hits) != 7*4 || all.Next != "" {
		t.Fatalf("one page: %d hits, next %q; want 28, none", len(all.Hits), all.Next)
	}
	for _, limit := range []int{1, 3, 7, 28} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			res := f.search("report*", storage.SearchOptions{Limit: limit, Cursor: cursor})
			if len(res.Hits) > limit || (res.Next != "" && len(res.Hits) != limit) {
				t.Fatalf("limit %d: page of %d hits, next %q", limit, len(res.Hits), res.Next)
			}
			got = append(got, hitLines(res)...)
			if res.Next == "" {
				break
			}
			cursor = res.Next
		}
		if want := hitLines(all); !slices.Equal(got, want) {
			t.Errorf("limit %d: paged hits\n%s\nwant\n%s", limit, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// A search that reaches its bound of work before its page is full says
// so, and its cursor resumes where it stopped: paging through capped
// results gives every hit once, the same as an unbounded search.
func TestSearchCappedResumes(t *testing.T) {
	f := newSearchFixture(t)
	for i := range 12 {
		// Each page keeps the shared paragraph; one in three edits its
		// own paragraph away.
		u := fmt.Sprintf("http://news.test/p%d", i)
		f.version(u, "T", fmt.Sprintf("Shared story line.\n\nStory number %d.", i))
		if i%3 == 0 {
			f.version(u, "T", "Shared story line.")
		}
	}
	o := storage.SearchOptions{Deleted: true, Limit: 2}
	want := hitLines(f.search("story", storage.SearchOptions{Deleted: true, Limit: storage.MaxSearchLimit}))
	if len(want) != 4 {
		t.Fatalf("unbounded: %q, want 4 hits", want)
	}
	var got []string
	capped := 0
	cursor := ""
	for range 100 {
		o.Cursor = cursor
		res := f.search("story", storage.WithScanLimitForTest(o, 5))
		got = append(got, hitLines(res)...)
		if res.Capped {
			capped++
			if res.Next == "" || len(res.Hits) == o.Limit {
				t.Errorf("capped page of %d hits with next %q", len(res.Hits), res.Next)
			}
		}
		if cursor = res.Next; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) || capped == 0 {
		t.Errorf("paged with a bound of 5 (%d capped pages):\n%s\nwant\n%s", capped, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSearchRejectsBadOptions(t *testing.T) {
	f := newSearchFixture(t)
	f.version("http://news.test/a", "A", "alpha")
	q, err := storage.ParseQuery("alpha")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []storage.SearchOptions{
		{Limit: -1}, {Limit: storage.MaxSearchLimit + 1},
		{Cursor: "x"}, {Cursor: "1.2"}, {Cursor: "0.0.0"}, {Cursor: "-1.2.0"}, {Cursor: "1.2.3.4"},
	} {
		if _, err := f.s.Search(t.Context(), q, o); !errors.Is(err, storage.ErrBadQuery) {
			t.Errorf("Search(%+v) = %v, want ErrBadQuery", o, err)
		}
	}
	if _, err := f.s.Search(t.Context(), storage.Query{}, storage.SearchOptions{}); !errors.Is(err, storage.ErrBadQuery) {
		t.Errorf("Search(zero query) = %v, want ErrBadQuery", err)
	}
}

// Versions that repeat passages (a byline edit, a revert, the same
// boilerplate on another page) add no passages, and re-publication adds
// no spans either.
func TestSearchIndexDoesNotGrowWithRepublication(t *testing.T) {
	f := newSearchFixture(t)
	text := "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
	f.version("http://news.test/a", "Title", text)
	counts := func() (texts, spans int) {
		db := rawDB(t, f.path)
		return queryInt(t, db, `SELECT count(*) FROM search_texts`), queryInt(t, db, `SELECT count(*) FROM search_spans`)
	}
	texts, spans := counts()
	if texts != 4 || spans != 4 {
		t.Fatalf("after one version: %d passages, %d spans; want 4 and 4", texts, spans)
	}
	for range 5 {
		f.version("http://news.test/a", "Title", text) // a byline edit: same title and text
	}
	if gotT, gotS := counts(); gotT != texts || gotS != spans {
		t.Errorf("after republishing: %d passages, %d spans; want %d, %d", gotT, gotS, texts, spans)
	}
	f.version("http://news.test/b", "Other", "Second paragraph.")
	if gotT, gotS := counts(); gotT != 5 || gotS != 6 {
		t.Errorf("after the same paragraph on another page: %d passages, %d spans; want 5, 6", gotT, gotS)
	}
}

// The index is written in the version's transaction: a version rolled
// back leaves nothing to find.
func TestSearchIndexRollsBackWithVersion(t *testing.T) {
	f := newSearchFixture(t)
	boom := errors.New("boom")
	err := f.s.Tx(t.Context(), func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(f.src.ID, "http://news.test/a", "A", t0, t0, t0)
		if err != nil {
			return err
		}
		cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: t0, URL: p.URL, Status: 200, Class: "ok"})
		if err != nil {
			return err
		}
		if _, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: t0, Title: "Lost",
			Text: "vanishing words", TextHash: "x", Extractor: "1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v", err)
	}
	if got := hitLines(f.search("vanishing", storage.SearchOptions{})); len(got) != 0 {
		t.Errorf("a rolled-back version is found: %q", got)
	}
	f.version("http://news.test/a", "A", "vanishing words, committed")
	if got := hitLines(f.search("vanishing", storage.SearchOptions{})); len(got) != 1 {
		t.Errorf("after a commit: %q, want one hit", got)
	}
}

// A database from before search (schema 8) is indexed by its migration,
// and finds what a database indexed version by version finds.
func TestSearchMigrationIndexesExistingVersions(t *testing.T) {
	storage.SQLiteOnly(t)
	f := newSearchFixture(t)
	f.newsroom()
	queries := []string{"conventions", "treaties", "北京", "国际公约", "方针", "paragraph", "taken"}
	want := map[string][]string{}
	for _, q := range queries {
		want[q] = hitLines(f.search(q, storage.SearchOptions{}))
	}
	f.s.Close()
	db := rawDB(t, f.path)
	storage.UndoHeaderSetsForTest(t, db)    // schema 16
	storage.UndoTextsForTest(t, f.path, db) // schema 15
	for _, q := range []string{`DROP INDEX pages_host_due`, `ALTER TABLE pages DROP COLUMN host`, `DROP TABLE host_slots`, `DROP TABLE chain_summaries`, `DROP TABLE capture_gaps`, `DROP INDEX versions_capture`,
		`DROP TABLE search_spans`, `DROP TABLE search_texts`, `DROP TABLE search_words`,
		`DROP TABLE search_grams`, `DROP INDEX bodies_host`, `ALTER TABLE bodies DROP COLUMN host`,
		`ALTER TABLE bodies DROP COLUMN dict_id`, `DROP TABLE body_dicts`, `DROP TABLE daemons`, `DROP INDEX pages_health`, `DROP INDEX pages_failing`,
		`DROP INDEX deliveries_given_up`, `PRAGMA user_version = 8`} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	f.s = mustOpen(t, f.path)
	for _, q := range queries {
		if got := hitLines(f.search(q, storage.SearchOptions{})); !slices.Equal(got, want[q]) {
			t.Errorf("after migrating, %q finds\n%s\nwant\n%s", q, strings.Join(got, "\n"), strings.Join(want[q], "\n"))
		}
	}
}

// Whatever a reader types, the query is either refused as a bad query or
// runs: FTS5 never sees syntax it could reject.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{`a OR b`, `"unclosed`, `NEAR(a b, 2)`, `col:x`, `^a`, `a*b*`, `"a" "b"*`, `(`, `-x`,
		`北京*`, `"北京 上海"`, `+`, `a AND`, `'quoted'`, `\"`, `*a`, "x\x00y", `""`, `" "`} {
		f.Add(s)
	}
	fx := newSearchFixture(f)
	fx.newsroom()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := storage.ParseQuery(s)
		if err != nil {
			if !errors.Is(err, storage.ErrBadQuery) {
				t.Fatalf("ParseQuery(%q) = %v, not ErrBadQuery", s, err)
			}
			return
		}
		if _, err := fx.s.Search(t.Context(), q, storage.SearchOptions{}); err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
	})
}
