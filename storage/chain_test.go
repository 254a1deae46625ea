package storage_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stet/stet/storage"
)

// chainFixture is a page with four captures; the second kept its body and
// made a version, so the third and fourth are free to delete.
type chainFixture struct {
	path string
	st   *storage.Store
	page storage.Page
	ids  []int64
	body string // hash of the kept body
}

func newChainFixture(t *testing.T) chainFixture {
	t.Helper()
	f := chainFixture{path: filepath.Join(t.TempDir(), "stet.db")}
	f.st = mustOpen(t, f.path)
	_, f.page, _ = seed(t, f.st) // capture 1, with a kept body and a version
	err := f.st.Tx(t.Context(), func(tx *storage.Tx) error {
		var err error
		if f.body, err = tx.PutBody([]byte("<p>hello again</p>")); err != nil {
			return err
		}
		for i, c := range []storage.Capture{
			{Status: 200, Class: "ok", BodyHash: f.body, RemoteIP: "192.0.2.7", TLSVersion: "TLS 1.3", CertSHA256: strings.Repeat("ab", 32)},
			{Status: 304, Class: "not_modified"},
			{Status: 0, Class: "error", Reason: "connection reset"},
		} {
			c.PageID, c.URL, c.FinalURL, c.FetchedAt = f.page.ID, f.page.URL, f.page.URL, t0.Add(time.Duration(i+1)*time.Hour)
			c.Header = http.Header{"Content-Type": {"text/html"}}
			if _, err := tx.InsertCapture(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	caps, err := f.st.PageCaptures(t.Context(), storage.CaptureFilter{PageID: f.page.ID})
	if err != nil || len(caps) != 4 {
		t.Fatalf("PageCaptures = %d captures, %v; want 4", len(caps), err)
	}
	for _, c := range caps {
		f.ids = append(f.ids, c.ID)
	}
	return f
}

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestCaptureKeepsEvidenceAndLink(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	_, page, _ := seed(t, s)
	want := storage.Capture{PageID: page.ID, FetchedAt: t0.Add(time.Hour), URL: page.URL, FinalURL: page.URL + "?x",
		Status: 200, Class: "ok",
		Header:        http.Header{"Set-Cookie": {"b=2", "a=1"}, "Content-Type": {"text/html"}, "X-Empty": {""}},
		RequestHeader: http.Header{"User-Agent": {"stet-test"}, "If-None-Match": {`"v1"`}},
		RemoteIP:      "2001:db8::1", TLSVersion: "TLS 1.2", CertSHA256: strings.Repeat("0f", 32)}
	var id int64
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		var err error
		id, err = tx.InsertCapture(want)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.CaptureByID(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := s.CaptureByID(t.Context(), id-1)
	if err != nil {
		t.Fatal(err)
	}
	if got.PrevLink != prev.Link || prev.PrevLink != "" || prev.Link == "" {
		t.Errorf("links: first %q (prev %q), second prev %q; want the second to name the first", prev.Link, prev.PrevLink, got.PrevLink)
	}
	if l := storage.ChainLink(got.PrevLink, got.ChainInput()); got.Link != l {
		t.Errorf("Link = %s, recomputed %s", got.Link, l)
	}
	want.ID, want.Link, want.PrevLink = id, got.Link, got.PrevLink
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("capture read back (-stored +read):\n%s", diff)
	}
	if h := got.ChainInput().Headers; h != "Content-Type: text/html\r\nSet-Cookie: b=2\r\nSet-Cookie: a=1\r\nX-Empty: \r\n" {
		t.Errorf("header text = %q: want names sorted, values in the order received", h)
	}
}

// The link formula as chain.go documents it, written out independently.
func TestChainLinkMatchesDocumentedFormula(t *testing.T) {
	in := storage.ChainInput{URL: "https://news.test/a", FinalURL: "https://news.test/a", FetchedAt: "2024-01-23T10:00:00.000Z",
		Status: 200, Class: "ok", BodyHash: strings.Repeat("1", 64), RemoteIP: "192.0.2.1", TLSVersion: "TLS 1.3",
		CertSHA256: strings.Repeat("2", 64), RequestHeaders: "User-Agent: stet\r\n", Headers: "Content-Type: text/html\r\n"}
	prev := strings.Repeat("3", 64)
	var doc strings.Builder
	for _, f := range []string{"stet-capture-link-v1", prev, in.URL, in.FinalURL, in.FetchedAt, "200", "ok", in.BodyHash,
		"192.0.2.1", "TLS 1.3", in.CertSHA256, "User-Agent: stet\r\n", "Content-Type: text/html\r\n"} {
		fmt.Fprintf(&doc, "%d:%s,", len(f), f)
	}
	sum := sha256.Sum256([]byte(doc.String()))
	if got, want := storage.ChainLink(prev, in), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("ChainLink = %s, documented formula gives %s", got, want)
	}
}

func TestVerifyChain(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, f chainFixture) []string
		want   string // "" for an intact chain; else the error's text
	}{
		{"intact", func(*testing.T, chainFixture) []string { return nil }, ""},
		{"one byte of a stored body edited", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`UPDATE bodies SET data = substr(data, 1, 15) || x'00' || substr(data, 17) WHERE hash = '%s'`, f.body)}
		}, "capture %[2]d (http://news.test/a, fetched 2024-01-23T11:00:00.000Z): body hash mismatch (body %[5]s does not decompress"},
		{"body replaced with other content", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`UPDATE bodies SET data = x'%x' WHERE hash = '%s'`, gzipped(t, []byte("<p>hello AGAIN</p>")), f.body)}
		}, "capture %[2]d (http://news.test/a, fetched 2024-01-23T11:00:00.000Z): body hash mismatch (body %[5]s hashes to"},
		{"capture deleted", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`DELETE FROM captures WHERE id = %d`, f.ids[2])}
		}, "capture %[4]d (http://news.test/a, fetched 2024-01-23T13:00:00.000Z): link mismatch (no capture between %[2]d and %[4]d: deleted?)"},
		{"status edited", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`UPDATE captures SET status = 200 WHERE id = %d`, f.ids[2])}
		}, "capture %[3]d (http://news.test/a, fetched 2024-01-23T12:00:00.000Z): link mismatch"},
		{"capture inserted with a made-up link", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`INSERT INTO captures (id, page_id, fetched_at, url, class, link)
				SELECT %d, page_id, fetched_at, url, class, link FROM captures WHERE id = %d`, f.ids[3]+1, f.ids[3])}
		}, "capture %[6]d (http://news.test/a, fetched 2024-01-23T13:00:00.000Z): link mismatch"},
		{"unreferenced body edited", func(t *testing.T, f chainFixture) []string {
			return []string{fmt.Sprintf(`INSERT INTO bodies (hash, encoding, size, data) VALUES ('%s', 'gzip', 1, x'%x')`,
				strings.Repeat("0", 64), gzipped(t, []byte("x")))}
		}, "body hash mismatch (body " + strings.Repeat("0", 64) + " hashes to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChainFixture(t)
			db := rawDB(t, f.path)
			for _, q := range tt.tamper(t, f) {
				if _, err := db.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			ro, err := storage.OpenReadOnlyForTest(t, f.path)
			if err != nil {
				t.Fatal(err)
			}
			defer ro.Close()
			sum, err := ro.VerifyChain(t.Context())
			if tt.want == "" {
				last, _ := f.st.CaptureByID(t.Context(), f.ids[3])
				if err != nil || sum.Captures != 4 || sum.Bodies != 2 || sum.LastID != f.ids[3] || sum.LastLink != last.Link {
					t.Errorf("VerifyChain = %+v, %v; want 4 captures, 2 bodies, last %d %s", sum, err, f.ids[3], last.Link)
				}
				return
			}
			want := tt.want
			if strings.Contains(want, "%[") {
				want = fmt.Sprintf(want, f.ids[0], f.ids[1], f.ids[2], f.ids[3], f.body, f.ids[3]+1)
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("VerifyChain error = %v\nwant it to start with %s", err, want)
			}
			if want[0] == 'c' && !errors.As(err, new(*storage.ChainError)) {
				t.Errorf("error %T is not a *storage.ChainError", err)
			}
		})
	}
}

// Writers in separate connections (two processes, here two Stores on one
// file) serialise on the write lock, so the chain stays whole.
func TestChainWholeUnderConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	stores := []*storage.Store{mustOpen(t, path), mustOpen(t, path)}
	_, page, _ := seed(t, stores[0])
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				err := stores[w%2].Tx(t.Context(), func(tx *storage.Tx) error {
					_, err := tx.InsertCapture(storage.Capture{PageID: page.ID, URL: page.URL, Class: "ok",
						FetchedAt: t0.Add(time.Duration(w*100+i) * time.Second)})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	sum, err := stores[1].VerifyChain(t.Context())
	if err != nil || sum.Captures != 41 {
		t.Errorf("VerifyChain = %+v, %v; want 41 captures, no error", sum, err)
	}
}

// A database from before the chain gets links for the captures it holds,
// and new captures continue the chain.
func TestMigrationLinksExistingCaptures(t *testing.T) {
	storage.SQLiteOnly(t)
	f := newChainFixture(t)
	f.st.Close()
	db := rawDB(t, f.path)
	storage.UndoHeaderSetsForTest(t, db)    // schema 16
	storage.UndoTextsForTest(t, f.path, db) // schema 15
	for _, q := range []string{
		`DROP INDEX pages_host_due`, `ALTER TABLE pages DROP COLUMN host`, `DROP TABLE host_slots`, `DROP TABLE chain_summaries`, `DROP TABLE capture_gaps`, `DROP INDEX versions_capture`,
		`DROP INDEX bodies_host`, `ALTER TABLE bodies DROP COLUMN host`, `ALTER TABLE bodies DROP COLUMN dict_id`,
		`DROP TABLE body_dicts`, `DROP TABLE daemons`, `DROP INDEX pages_health`, `DROP INDEX pages_failing`, `DROP INDEX deliveries_given_up`,
		`ALTER TABLE captures DROP COLUMN headers`, `ALTER TABLE captures DROP COLUMN request_headers`,
		`ALTER TABLE captures DROP COLUMN remote_ip`, `ALTER TABLE captures DROP COLUMN tls_version`,
		`ALTER TABLE captures DROP COLUMN cert_sha256`, `ALTER TABLE captures DROP COLUMN link`,
		`DROP TABLE listings`, `DROP INDEX sources_due`, `DROP INDEX pages_source`,
		`ALTER TABLE sources DROP COLUMN next_check_at`, `ALTER TABLE sources DROP COLUMN reads`,
		`ALTER TABLE pages DROP COLUMN unlisted`,
		`DROP INDEX changes_kind`, `DROP INDEX changes_newest`,
		`DROP INDEX pages_claimed`, `DROP INDEX sources_claimed`,
		`ALTER TABLE pages DROP COLUMN claimed_by`, `ALTER TABLE sources DROP COLUMN claimed_by`,
		`DROP TABLE search_spans`, `DROP TABLE search_texts`, `DROP TABLE search_words`, `DROP TABLE search_grams`,
		`PRAGMA user_version = 4`, // schema 4: before the chain
	} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s := mustOpen(t, f.path)
	caps, err := s.PageCaptures(t.Context(), storage.CaptureFilter{PageID: f.page.ID})
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, c := range caps {
		if c.Header != nil || c.RemoteIP != "" {
			t.Errorf("capture %d has evidence after migrating: %v %q", c.ID, c.Header, c.RemoteIP)
		}
		if want := storage.ChainLink(prev, c.ChainInput()); c.Link != want || c.PrevLink != prev {
			t.Errorf("capture %d: link %q (prev %q), want %q (prev %q)", c.ID, c.Link, c.PrevLink, want, prev)
		}
		prev = c.Link
	}
	err = s.Tx(t.Context(), func(tx *storage.Tx) error {
		_, err := tx.InsertCapture(storage.Capture{PageID: f.page.ID, URL: f.page.URL, FetchedAt: t0.Add(24 * time.Hour), Class: "ok"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum, err := s.VerifyChain(t.Context()); err != nil || sum.Captures != 5 {
		t.Errorf("VerifyChain after migrating = %+v, %v; want 5 captures", sum, err)
	}
}
