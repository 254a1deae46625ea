package storage_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stet/stet/storage"
)

// A version's text is stored compressed and its paragraphs as slices of
// it; both read back whole, through every reader, and so do versions and
// passages stored before schema 15 (as text).
func TestTextsStoredOnce(t *testing.T) {
	f := newSearchFixture(t)
	para := func(w string) string { return strings.Repeat(w+" figures were published on Monday. ", 8) }
	text := para("Ünïcode") + "\n\n" + para("Budget") + "\n\n" + para("Harbour")
	id := f.version("http://news.test/a", "A title", text)
	ctx := t.Context()
	check := func(when string) {
		t.Helper()
		v, err := f.s.Version(ctx, id)
		if err != nil || v.Text != text {
			t.Fatalf("%s: Version = %q, %v; want the text", when, v.Text, err)
		}
		vs, err := f.s.Versions(ctx, v.PageID)
		if err != nil || len(vs) != 1 || vs[0].Text != text {
			t.Fatalf("%s: Versions = %d, %v", when, len(vs), err)
		}
		heads, err := f.s.VersionHeads(ctx, []int64{id})
		if err != nil || heads[id].Bytes != int64(len(text)) {
			t.Errorf("%s: VersionHeads bytes = %d, %v; want %d", when, heads[id].Bytes, err, len(text))
		}
		info, err := f.s.VersionTextInfo(ctx, v.PageID)
		if err != nil || info[id].Chars != len([]rune(text)) {
			t.Errorf("%s: VersionTextInfo chars = %d, %v; want %d", when, info[id].Chars, err, len([]rune(text)))
		}
		got := hitLines(f.search("harbour", storage.SearchOptions{}))
		if len(got) != 1 || !strings.Contains(got[0], "[[Harbour]] figures were published") {
			t.Errorf("%s: search = %q", when, got)
		}
	}
	check("stored")
	db := rawDB(t, f.path)
	if n := queryInt(t, db, `SELECT count(*) FROM versions WHERE text = '' AND length(text_zstd) < 400`); n != 1 {
		t.Errorf("%d versions stored compressed, want 1", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM search_texts WHERE text = '' AND version_id IS NOT NULL`); n != 3 {
		t.Errorf("%d passages stored as slices, want the 3 paragraphs", n)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM search_texts WHERE text = 'A title'`); n != 1 {
		t.Errorf("%d titles stored as text, want 1", n)
	}
	// As a version and its passages were stored before schema 15.
	if _, err := db.ExecContext(ctx, `UPDATE versions SET text = ?, text_zstd = NULL, text_bytes = NULL, text_chars = NULL`, text); err != nil {
		t.Fatal(err)
	}
	for i, p := range strings.Split(text, "\n\n") {
		if _, err := db.ExecContext(ctx, `UPDATE search_texts SET text = ?, version_id = NULL, text_at = NULL, text_bytes = NULL
			WHERE text_at = ?`, strings.TrimSpace(p), strings.Index(text, p)); err != nil {
			t.Fatal(i, err)
		}
	}
	if n := queryInt(t, db, `SELECT count(*) FROM search_texts WHERE text = ''`); n != 0 {
		t.Fatalf("%d passages still slices", n)
	}
	check("stored before schema 15")
}

// A passage whose slice no longer matches its hash is an error, not a
// wrong snippet.
func TestPassageSliceChecked(t *testing.T) {
	f := newSearchFixture(t)
	f.version("http://news.test/a", "A title", "First paragraph about the harbour.\n\nSecond paragraph.")
	db := rawDB(t, f.path)
	if _, err := db.ExecContext(t.Context(), `UPDATE search_texts SET text_at = text_at + 1 WHERE version_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	q, err := storage.ParseQuery("harbour")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Search(t.Context(), q, storage.SearchOptions{}); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Errorf("Search = %v, want a hash mismatch", err)
	}
}

// A version whose capture's body is stored is compressed with that body
// as dictionary: its text costs a few bytes, and reads back.
func TestTextWithItsBody(t *testing.T) {
	f := newSearchFixture(t)
	ctx := t.Context()
	var paras []string
	for i := range 12 {
		paras = append(paras, fmt.Sprintf("Paragraph %d of the story: the council met on Tuesday and voted %d to %d.", i, i+3, 9-i))
	}
	text := strings.Join(paras, "\n\n")
	html := []byte("<html><head><title>Story</title></head><body><article><p>" + strings.Join(paras, "</p>\n<p>") +
		"</p></article><footer>" + strings.Repeat("<a href=/x>Links</a> ", 50) + "</footer></body></html>")
	b, err := f.s.EncodeBody(ctx, "news.test", html)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = f.s.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(f.src.ID, "http://news.test/b", "Story", t0, t0, t0)
		if err != nil {
			return err
		}
		if err := tx.PutEncodedBody(b); err != nil {
			return err
		}
		cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: t0, URL: "http://news.test/b", Status: 200,
			Class: "ok", BodyHash: b.Hash, Bytes: int64(len(html))})
		if err != nil {
			return err
		}
		id, err = tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: t0, Title: "Story", Text: text,
			TextHash: "h", Extractor: "1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, f.path)
	if n := queryInt(t, db, `SELECT length(text_zstd) FROM versions WHERE id = `+fmt.Sprint(id)); n > len(text)/5 {
		t.Errorf("text stored in %d bytes with its body, want at most a fifth of its %d bytes", n, len(text))
	}
	if v, err := f.s.Version(ctx, id); err != nil || v.Text != text {
		t.Fatalf("Version = %q, %v; want the text", v.Text, err)
	}
	if got := hitLines(f.search("tuesday", storage.SearchOptions{})); len(got) != len(paras) || !strings.Contains(got[0], "[[Tuesday]] and voted") {
		t.Errorf("search = %q", got)
	}
	if _, err := f.s.VerifyChain(ctx); err != nil {
		t.Fatalf("VerifyChain = %v", err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM bodies`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Version(ctx, id); err == nil || !strings.Contains(err.Error(), "is not stored") {
		t.Errorf("Version without its body = %v, want an error", err)
	}
	if _, err := f.s.VerifyChain(ctx); err == nil || !strings.Contains(err.Error(), "which is not stored") {
		t.Errorf("VerifyChain without the body = %v, want an error", err)
	}
}

// A text compressed before the transaction (Store.EncodeText, by many
// goroutines at once, each with its own body) is stored as it is and
// reads back; one compressed with another body than its capture's is
// refused, and nothing of that transaction is stored.
func TestTextEncodedBeforeTheTransaction(t *testing.T) {
	f := newSearchFixture(t)
	ctx := t.Context()
	type story struct {
		url, text string
		html      []byte
		body      storage.EncodedBody
		enc       storage.EncodedText
	}
	stories := make([]story, 8)
	for i := range stories {
		var paras []string
		for j := range 10 {
			paras = append(paras, fmt.Sprintf("Story %d, paragraph %d: the council of ward %d met and voted %d to %d.", i, j, i*7, j+3, 9-j))
		}
		s := &stories[i]
		s.url, s.text = fmt.Sprintf("http://news.test/s%d", i), strings.Join(paras, "\n\n")
		s.html = []byte("<html><body><article><p>" + strings.Join(paras, "</p><p>") + "</p></article>" +
			strings.Repeat(fmt.Sprintf("<a href=/%d>Section %d</a> ", i, i), 40) + "</body></html>")
	}
	var wg sync.WaitGroup
	errs := make([]error, len(stories))
	for i := range stories {
		wg.Go(func() {
			s := &stories[i]
			if s.body, errs[i] = f.s.EncodeBody(ctx, "news.test", s.html); errs[i] == nil {
				s.enc, errs[i] = f.s.EncodeText(s.text, s.html, s.body.Hash)
			}
		})
	}
	wg.Wait()
	insert := func(s story, enc storage.EncodedText) (int64, error) {
		var id int64
		err := f.s.Tx(ctx, func(tx *storage.Tx) error {
			p, _, err := tx.EnsurePage(f.src.ID, s.url, "Story", t0, t0, t0)
			if err != nil {
				return err
			}
			if err := tx.PutEncodedBody(s.body); err != nil {
				return err
			}
			cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: t0, URL: s.url, Status: 200,
				Class: "ok", BodyHash: s.body.Hash, Bytes: int64(len(s.html))})
			if err != nil {
				return err
			}
			id, err = tx.InsertEncodedVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: t0, Title: "Story",
				Text: s.text, TextHash: "h" + s.url, Extractor: "1"}, enc)
			return err
		})
		return id, err
	}
	// The first story's text with the second story's body: refused.
	wrong := stories[0]
	wrong.url = "http://news.test/wrong"
	if _, err := insert(wrong, stories[1].enc); err == nil || !strings.Contains(err.Error(), "not the stored body of capture") {
		t.Fatalf("a text compressed with another body = %v, want refused", err)
	}
	if _, err := f.s.PageByURL(ctx, wrong.url); err == nil {
		t.Error("the refused version's page was stored")
	}
	for i, s := range stories {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if s.enc.BodyHash != s.body.Hash || len(s.enc.Zstd) > len(s.text)/5 {
			t.Errorf("story %d: compressed to %d bytes with body %q, want a fifth of %d with %q", i, len(s.enc.Zstd),
				s.enc.BodyHash, len(s.text), s.body.Hash)
		}
		id, err := insert(s, s.enc)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := f.s.Version(ctx, id); err != nil || v.Text != s.text {
			t.Errorf("story %d reads back as %q, %v", i, v.Text, err)
		}
	}
	if _, err := f.s.VerifyChain(ctx); err != nil {
		t.Fatalf("VerifyChain = %v", err)
	}
}
