package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// Hostile strings planted in every crawled field of the fixture.
const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
	xssURL    = `javascript:alert(1)`
)

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fixture is what seed stored, by role.
type fixture struct {
	st                    *storage.Store
	source                storage.Source
	page, hostilePage     storage.Page
	v1, v2, hostileV      int64
	changed, removed, res int64 // change ids
}

// seed fills a fresh store through storage's own API: a normal page edited
// an hour ago, and a hostile page whose every crawled field is an attack,
// removed three days ago and restored two days ago.
func seed(t *testing.T) fixture {
	t.Helper()
	f := fixture{st: openStore(t)}
	ctx := t.Context()
	now := time.Now()
	var err error
	f.source, err = f.st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", now.Add(-96*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	err = f.st.Tx(ctx, func(tx *storage.Tx) error {
		f.page, f.v1, f.v2 = addEditedPage(t, tx, f.source.ID, now)
		f.changed = insertChange(t, tx, storage.Change{PageID: f.page.ID, Kind: storage.ChangeChanged,
			DetectedAt: now.Add(-time.Hour), OldVersionID: f.v1, NewVersionID: f.v2, Title: "Minister resigns",
			Summary: "1 paragraph changed", Diff: "--- version 1\n+++ version 2\n@@ ¶1 @@\n" +
				"- The minister resigns over the scandal.\n+ The minister steps down amid the scandal.\n" +
				"~ The minister [-resigns over-]{+steps down amid+} the scandal.\n  Context paragraph.\n",
			Blocks: blocksOf(t, editedOld, editedNew), Classes: []string{"stealth", "wording"}})
		f.hostilePage, f.hostileV = addPage(t, tx, f.source.ID, xssURL, xssScript, now.Add(-96*time.Hour),
			"Intro "+xssScript+"\n\nSecond "+xssAttr)
		f.removed = insertChange(t, tx, storage.Change{PageID: f.hostilePage.ID, Kind: storage.ChangeRemoved,
			DetectedAt: now.Add(-72 * time.Hour), OldVersionID: f.hostileV, Title: xssScript, Summary: xssAttr,
			Diff: "--- old\n+++ (removed)\n@@ old ¶1 @@\n- " + xssScript + "\n~ [-" + xssScript + "-]{+" + xssAttr + "+}\n"})
		f.res = insertChange(t, tx, storage.Change{PageID: f.hostilePage.ID, Kind: storage.ChangeRestored,
			DetectedAt: now.Add(-48 * time.Hour), NewVersionID: f.hostileV, Title: xssAttr})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// addPage stores a page with one version of text and returns both ids.
func addPage(t *testing.T, tx *storage.Tx, sourceID int64, u, title string, at time.Time, text string) (storage.Page, int64) {
	t.Helper()
	p, _, err := tx.EnsurePage(sourceID, u, title, at, at, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return p, addVersion(t, tx, p, title, at, text)
}

func addVersion(t *testing.T, tx *storage.Tx, p storage.Page, title string, at time.Time, text string) int64 {
	t.Helper()
	cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: at, URL: p.URL, Status: 200, Class: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	vid, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: at, Title: title,
		Byline: "By " + xssAttr, Text: text, TextHash: "0123456789abcdef" + strconv.Itoa(len(text)), Extractor: "generic/1"})
	if err != nil {
		t.Fatal(err)
	}
	return vid
}

// The texts of the edited page's two versions.
const (
	editedOld = "The minister resigns over the scandal.\n\nContext paragraph."
	editedNew = "The minister steps down amid the scandal.\n\nContext paragraph."
)

func addEditedPage(t *testing.T, tx *storage.Tx, sourceID int64, now time.Time) (storage.Page, int64, int64) {
	t.Helper()
	p, v1 := addPage(t, tx, sourceID, "http://news.test/a", "Minister resigns", now.Add(-2*time.Hour), editedOld)
	v2 := addVersion(t, tx, p, "Minister resigns", now.Add(-time.Hour), editedNew)
	return p, v1, v2
}

// blocksOf is what the daemon stores of the comparison of old with new.
func blocksOf(t testing.TB, old, new string) []byte {
	t.Helper()
	b, err := json.Marshal(diff.Compare(old, new).Compact())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func insertChange(t *testing.T, tx *storage.Tx, c storage.Change) int64 {
	t.Helper()
	id, err := tx.InsertChange(c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// response is what a test needs of an answer.
type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, target string) response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, target, nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: rec.Code, header: rec.Result().Header, body: string(b)}
}

func get(t *testing.T, h http.Handler, target string) response {
	t.Helper()
	return do(t, h, http.MethodGet, target)
}

// quietHandler builds the handler with its log captured in buf.
func quietHandler(st *storage.Store, buf *bytes.Buffer) http.Handler {
	return web.Handler(st, web.Options{Logger: slog.New(slog.NewTextHandler(buf, nil))})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func mustContain(t *testing.T, where, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", where, w)
		}
	}
}

func mustNotContain(t *testing.T, where, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s contains %q", where, b)
		}
	}
}
