package daemon

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/storage"
)

func TestQuiet(t *testing.T) {
	was := storage.Page{ID: 1, URL: "https://news.test/a", ConsecutiveFailures: 0, FlapSet: []string{"a", "b"}}
	tests := []struct {
		name string
		edit func(c *pageCheck)
		want bool
	}{
		{"304, nothing else", func(*pageCheck) {}, true},
		{"new validators and check times", func(c *pageCheck) {
			c.page.ETag, c.page.LastCheckedAt, c.page.NextCheckAt = `"v2"`, time.Now(), time.Now().Add(time.Hour)
		}, true},
		{"a new version", func(c *pageCheck) { c.version = &storage.Version{} }, false},
		{"a change", func(c *pageCheck) { c.change = &storage.Change{} }, false},
		{"an event", func(c *pageCheck) { c.events = append(c.events, changeEvent(storage.Change{}, "", "")) }, false},
		{"a body to keep", func(c *pageCheck) { c.body = []byte("x") }, false},
		{"status is not unchanged", func(c *pageCheck) { c.res.Status = StatusGone }, false},
		{"a failure", func(c *pageCheck) { c.page.ConsecutiveFailures = 1 }, false},
		{"gone count moves", func(c *pageCheck) { c.page.GoneCount = 1 }, false},
		{"a backoff", func(c *pageCheck) { c.page.BackoffUntil = time.Now() }, false},
		{"settled flapping", func(c *pageCheck) { c.page.FlapSet = nil }, false},
		{"a permanent move", func(c *pageCheck) {
			c.resp.Permanent, c.resp.FinalURL = true, "https://news.test/b"
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &pageCheck{page: was, resp: &crawler.Response{Class: crawler.ClassNotModified}, res: Result{Status: StatusUnchanged}}
			c.page.FlapSet = append([]string(nil), was.FlapSet...)
			tt.edit(c)
			if got := c.quiet(was); got != tt.want {
				t.Errorf("quiet = %v, want %v", got, tt.want)
			}
		})
	}
}

// groupFixture is a daemon over a fresh store and a site whose pages
// answer a matching If-None-Match with 304.
type groupFixture struct {
	t       *testing.T
	d       *Daemon
	st      *storage.Store
	srv     *httptest.Server
	mu      sync.Mutex
	text    map[string]string
	results []Result
}

func newGroupFixture(t *testing.T) *groupFixture {
	f := &groupFixture{t: t, text: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		text, ok := f.text[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, storage.HashBody([]byte(text))[:16])
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><article><h1>%s</h1><p>%s</p></article></body></html>",
			r.URL.Path, r.URL.Path, text)
	}))
	t.Cleanup(f.srv.Close)
	path := filepath.Join(t.TempDir(), "stet.db")
	cfg, err := config.Parse(strings.NewReader(fmt.Sprintf(`
[storage]
path = %q
[fetch]
allow_private = true
per_host_interval = "1ms"
[recheck]
steps = [{ until = "8760h", every = "1h" }]
stop_after = "8760h"
`, path)), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	if f.st, err = storage.Open(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.d, err = New(t.Context(), Options{Config: cfg, Store: f.st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AfterCheck: func(r Result) {
			f.mu.Lock()
			f.results = append(f.results, r)
			f.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// page serves text at path and returns its URL.
func (f *groupFixture) page(path, text string) string {
	f.mu.Lock()
	f.text[path] = text
	f.mu.Unlock()
	return f.srv.URL + path
}

// versioned checks u at once, as `stet check` does, and returns its page.
func (f *groupFixture) versioned(u string) storage.Page {
	f.t.Helper()
	r, err := f.d.Check(f.t.Context(), u)
	if err != nil || r.VersionID == 0 {
		f.t.Fatalf("Check(%s) = %s, %v", u, r.Status, err)
	}
	p, err := f.st.Page(f.t.Context(), r.PageID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *groupFixture) reported() []Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Result(nil), f.results...)
}

func (f *groupFixture) captures(pageID int64) []storage.Capture {
	f.t.Helper()
	cs, err := f.st.PageCaptures(f.t.Context(), storage.CaptureFilter{PageID: pageID})
	if err != nil {
		f.t.Fatal(err)
	}
	return cs
}

// A quiet check waits for its group: nothing is stored or reported until
// the group commits, then its capture and the page's state are, and it is
// reported once.
func TestGroupCommitWaitsThenCommits(t *testing.T) {
	f := newGroupFixture(t)
	p := f.versioned(f.page("/a", "The ministry counted 12 measures."))
	r, err := f.d.checkPageGrouped(t.Context(), p.ID)
	if !errors.Is(err, errGrouped) || r.Status != StatusUnchanged || r.Class != crawler.ClassNotModified {
		t.Fatalf("checkPageGrouped = %s %s, %v; want unchanged not_modified, errGrouped", r.Status, r.Class, err)
	}
	if n := len(f.captures(p.ID)); n != 1 || len(f.reported()) != 0 {
		t.Fatalf("before the group commits: %d captures, %d reported; want 1 (the first check), 0", n, len(f.reported()))
	}
	f.d.group.flush(t.Context())
	cs := f.captures(p.ID)
	if len(cs) != 2 || cs[1].Class != "not_modified" {
		t.Fatalf("after the group commits: %d captures, want the first and a not_modified one", len(cs))
	}
	after, err := f.st.Page(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastCheckedAt.After(p.LastCheckedAt) || !after.NextCheckAt.After(time.Now().Add(50*time.Minute)) {
		t.Errorf("page state: last checked %v (was %v), next %v; want the group's check stored", after.LastCheckedAt,
			p.LastCheckedAt, after.NextCheckAt)
	}
	if got := f.reported(); len(got) != 1 || got[0].Status != StatusUnchanged || got[0].PageID != p.ID {
		t.Errorf("reported %+v, want one unchanged check of page %d", got, p.ID)
	}
	checkChain(t, f.st, cs)
}

// A page checked (and changed) by an immediate check while its quiet check
// waited keeps the newer state; the quiet check's capture is still stored.
func TestGroupCommitKeepsNewerPageState(t *testing.T) {
	f := newGroupFixture(t)
	u := f.page("/a", "The ministry counted 12 measures.")
	p := f.versioned(u)
	if _, err := f.d.checkPageGrouped(t.Context(), p.ID); !errors.Is(err, errGrouped) {
		t.Fatalf("checkPageGrouped: %v, want errGrouped", err)
	}
	f.page("/a", "The ministry counted 13 measures.")
	r, err := f.d.Check(t.Context(), u) // "check now" while the group waits
	if err != nil || r.Status != StatusChanged {
		t.Fatalf("Check = %s, %v; want changed", r.Status, err)
	}
	now, err := f.st.Page(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.d.group.flush(t.Context())
	after, err := f.st.Page(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastCheckedAt.Equal(now.LastCheckedAt) || after.ETag != now.ETag || after.LastBodyHash != now.LastBodyHash {
		t.Errorf("page after the group: checked %v etag %s; want the newer check's %v %s", after.LastCheckedAt,
			after.ETag, now.LastCheckedAt, now.ETag)
	}
	if n := len(f.captures(p.ID)); n != 3 {
		t.Errorf("%d captures, want 3 (first, the group's, check now)", n)
	}
}

// quietItem is a quiet check and its page as read before it.
type quietItem struct {
	c   *pageCheck
	was storage.Page
}

// quietItems makes n pages and a quiet check (a 304) of each, ready for
// the group.
func quietItems(t *testing.T, f *groupFixture, n int) []quietItem {
	t.Helper()
	src, err := f.st.EnsureSource(t.Context(), storage.KindAdhoc, "check", "stet:check", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var items []quietItem
	err = f.st.Tx(t.Context(), func(tx *storage.Tx) error {
		for i := range n {
			p, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("%s/p%d", f.srv.URL, i), "", time.Now(), time.Time{}, time.Now())
			if err != nil {
				return err
			}
			now := time.Now()
			c := &pageCheck{d: f.d, page: p, now: now, resp: &crawler.Response{Class: crawler.ClassNotModified, Status: 304},
				capture: storage.Capture{PageID: p.ID, URL: p.URL, FetchedAt: now, Status: 304, Class: "not_modified"},
				res:     Result{URL: p.URL, PageID: p.ID, Status: StatusUnchanged}}
			c.page.LastCheckedAt, c.page.NextCheckAt = now, now.Add(time.Hour)
			items = append(items, quietItem{c, p})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// A page made due while its quiet check waited (a sitemap's lastmod)
// stays due: the group stores the capture, not the older state.
func TestGroupCommitKeepsPageMadeDue(t *testing.T) {
	f := newGroupFixture(t)
	it := quietItems(t, f, 1)[0]
	f.d.group.add(t.Context(), it.c, it.was)
	soon := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	if err := f.st.Tx(t.Context(), func(tx *storage.Tx) error { return tx.CheckSoon(it.c.page.ID, soon) }); err != nil {
		t.Fatal(err)
	}
	f.d.group.flush(t.Context())
	p, err := f.st.Page(t.Context(), it.c.page.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.NextCheckAt.Equal(soon) || len(f.captures(p.ID)) != 1 {
		t.Errorf("page due %v with %d captures; want still due at %v, and the capture stored", p.NextCheckAt,
			len(f.captures(p.ID)), soon)
	}
}

// The check that fills a group commits it at once, without the timer.
func TestGroupCommitWhenFull(t *testing.T) {
	f := newGroupFixture(t)
	items := quietItems(t, f, groupMaxItems)
	for _, it := range items[:len(items)-1] {
		f.d.group.add(t.Context(), it.c, it.was)
	}
	if got := len(f.reported()); got != 0 {
		t.Fatalf("%d reported before the group was full", got)
	}
	last := items[len(items)-1]
	f.d.group.add(t.Context(), last.c, last.was)
	if got := len(f.reported()); got != groupMaxItems {
		t.Errorf("%d reported once the group was full, want %d", got, groupMaxItems)
	}
	var all []storage.Capture
	for _, it := range items {
		cs := f.captures(it.c.page.ID)
		if len(cs) != 1 {
			t.Fatalf("page %d: %d captures, want 1", it.c.page.ID, len(cs))
		}
		all = append(all, cs...)
		if p, err := f.st.Page(t.Context(), it.c.page.ID); err != nil || !p.NextCheckAt.Equal(it.c.page.NextCheckAt.Truncate(time.Millisecond)) {
			t.Fatalf("page %d due %v, %v; want the check's %v", it.c.page.ID, p.NextCheckAt, err, it.c.page.NextCheckAt)
		}
	}
	checkChain(t, f.st, all)
}

// A group whose transaction fails is committed check by check: only the
// check that cannot be stored is lost, and it is reported as an error.
func TestGroupCommitFailureCommitsOneByOne(t *testing.T) {
	f := newGroupFixture(t)
	items := quietItems(t, f, 4)
	raw, err := sql.Open("sqlite", "file:"+f.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	bad := items[2].c.capture.URL
	if _, err := raw.Exec(`CREATE TRIGGER full_disk BEFORE INSERT ON captures WHEN new.url = '` + bad + `'
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		f.d.group.add(t.Context(), it.c, it.was)
	}
	f.d.group.flush(t.Context())
	got := map[string]string{}
	for _, r := range f.reported() {
		got[r.URL] = r.Status
		if r.Status == StatusError && !strings.Contains(r.Reason, "disk is full") {
			t.Errorf("reason %q does not name the cause", r.Reason)
		}
	}
	for i, it := range items {
		want, captures := StatusUnchanged, 1
		if i == 2 {
			want, captures = StatusError, 0
		}
		u := it.c.page.URL
		if got[u] != want || len(f.captures(it.c.page.ID)) != captures {
			t.Errorf("%s: reported %q with %d captures; want %q, %d", u, got[u], len(f.captures(it.c.page.ID)), want, captures)
		}
	}
}

// Stopping the daemon commits the group it holds: the checks of its last
// moments are stored before Run returns, not left to the timer.
func TestRunCommitsGroupOnStop(t *testing.T) {
	f := newGroupFixture(t)
	p := f.versioned(f.page("/a", "The ministry counted 12 measures."))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.d.Run(ctx); close(done) }()
	if _, err := f.d.checkPageGrouped(t.Context(), p.ID); !errors.Is(err, errGrouped) {
		t.Fatalf("checkPageGrouped: %v, want errGrouped", err)
	}
	cancel()
	<-done
	if n := len(f.captures(p.ID)); n != 2 {
		t.Errorf("%d captures after Run returned, want 2: the group was not committed on stop", n)
	}
	if got := f.reported(); len(got) == 0 || got[len(got)-1].PageID != p.ID {
		t.Errorf("reported %+v; want the grouped check reported", got)
	}
}

// checkChain checks that each capture's link is the chain link over the
// capture before it (by id) and its own fields.
func checkChain(t *testing.T, st *storage.Store, cs []storage.Capture) {
	t.Helper()
	for _, c := range cs {
		full, err := st.CaptureByID(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := storage.ChainLink(full.PrevLink, full.ChainInput()); full.Link != want {
			t.Errorf("capture %d: link %s, want %s", c.ID, full.Link, want)
		}
	}
}

// A claim takes at most maxClaim pages however much room the queue has:
// one claim is one UPDATE, whose statement journal SQLite keeps in memory.
func TestClaimAtMostMaxClaim(t *testing.T) {
	f := newGroupFixture(t)
	ctx := t.Context()
	src, err := f.st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	err = f.st.Tx(ctx, func(tx *storage.Tx) error {
		for i := range 2 * maxClaim {
			u := fmt.Sprintf("http://h%d.test/a/%d", i%40, i)
			if _, _, err := tx.EnsurePage(src.ID, u, "", past, time.Time{}, past); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if room := f.d.queue.room(); room <= maxClaim {
		t.Fatalf("queue room %d, want more than %d", room, maxClaim)
	}
	f.d.queueDue(ctx)
	if n := f.d.queue.len(); n != maxClaim {
		t.Errorf("one claim queued %d pages, want %d", n, maxClaim)
	}
}
