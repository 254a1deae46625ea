package storage_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stet/stet/storage"
)

// putBody encodes raw for host and stores it in its own transaction.
func putBody(tb testing.TB, st *storage.Store, host string, raw []byte) storage.EncodedBody {
	tb.Helper()
	b, err := st.EncodeBody(tb.Context(), host, raw)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Tx(tb.Context(), func(tx *storage.Tx) error { return tx.PutEncodedBody(b) }); err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestBodyRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", []byte{}},
		{"small page", []byte("<html><title>x</title><p>hello</p></html>")},
		{"incompressible", random},
		{"two megabytes of one page", bytes.Repeat(sitePage(rng, 1), 2<<20/len(sitePage(rng, 1))+1)},
	}
	st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := putBody(t, st, "news.example", tt.raw)
			if b.Hash != storage.HashBody(tt.raw) || b.Size != int64(len(tt.raw)) || b.Encoding != "zstd" {
				t.Errorf("EncodeBody = hash %s, size %d, %s; want %s, %d, zstd", b.Hash, b.Size, b.Encoding,
					storage.HashBody(tt.raw), len(tt.raw))
			}
			got, err := st.Body(t.Context(), b.Hash)
			if err != nil || !bytes.Equal(got, tt.raw) {
				t.Errorf("Body = %d bytes, %v; want the %d bytes stored", len(got), err, len(tt.raw))
			}
		})
	}
}

// Bodies stored by gzip (every body before schema 11, and PutBody) stay
// readable, and storing the same bytes again keeps the first row.
func TestBodyGzipRowsStayReadable(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	raw := []byte("<p>published before zstd</p>")
	var hash string
	err := st.Tx(t.Context(), func(tx *storage.Tx) (err error) {
		hash, err = tx.PutBody(raw)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	putBody(t, st, "news.example", raw) // the same bytes again: already stored
	if got := queryInt(t, rawDB(t, st.Path()), `SELECT count(*) FROM bodies WHERE encoding = 'gzip'`); got != 1 {
		t.Errorf("%d gzip rows after storing the same body with zstd, want the 1 kept", got)
	}
	if got, err := st.Body(t.Context(), hash); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("Body = %q, %v; want %q", got, err, raw)
	}
}

// A damaged or hostile row is an error naming the body, never a panic,
// and never more bytes than the row says.
func TestBodyDamagedRows(t *testing.T) {
	page := []byte(strings.Repeat("<p>a paragraph of the article</p>", 100))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	tests := []struct {
		name string
		edit func(b storage.EncodedBody) (enc string, size int64, data []byte)
		want string
	}{
		{"zstd says fewer bytes than it holds", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", b.Size - 1, b.Data
		}, "decompress body"},
		{"zstd says more bytes than it holds", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", b.Size + 1, b.Data
		}, "bytes, stored as"},
		{"gzip says fewer bytes than it holds", func(storage.EncodedBody) (string, int64, []byte) {
			return "gzip", int64(len(page)) - 1, gz.Bytes()
		}, "bytes, stored as"},
		{"size beyond any body", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", 1 << 40, b.Data
		}, "out of range"},
		{"garbage frame", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", b.Size, []byte("not a zstd frame at all")
		}, "decompress body"},
		{"truncated frame", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", b.Size, b.Data[:len(b.Data)/2]
		}, "decompress body"},
		{"unknown encoding", func(b storage.EncodedBody) (string, int64, []byte) {
			return "brotli", b.Size, b.Data
		}, `unknown encoding "brotli"`},
		{"missing dictionary", func(b storage.EncodedBody) (string, int64, []byte) {
			return "zstd", b.Size, b.Data
		}, "read body dictionary 99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
			b := putBody(t, st, "", page)
			enc, size, data := tt.edit(b)
			dict := 0
			if strings.HasPrefix(tt.name, "missing dictionary") {
				dict = 99 // no such row in body_dicts
			}
			db := rawDB(t, st.Path())
			if _, err := db.ExecContext(t.Context(), `UPDATE bodies SET encoding = ?, size = ?, data = ?, dict_id = nullif(?, 0)
				WHERE hash = ?`, enc, size, data, dict, b.Hash); err != nil {
				t.Fatal(err)
			}
			got, err := st.Body(t.Context(), b.Hash)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "body") {
				t.Errorf("Body = %d bytes, %v; want an error with %q", len(got), err, tt.want)
			}
		})
	}
}

// sitePage is article n of one site: the site's furniture (head, styles,
// navigation, footer: the same on every page, but not repetitive within
// one) around the article's own text, drawn from rng.
func sitePage(rng *rand.Rand, n int) []byte {
	site := rand.New(rand.NewPCG(42, 42))
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story ` + fmt.Sprint(n) + ` | Daily</title>`)
	for range 60 {
		fmt.Fprintf(&b, `<link rel="stylesheet" href="/static/%x.css" integrity="sha384-%x%x">`, site.Uint64(), site.Uint64(), site.Uint64())
	}
	b.WriteString(`</head><body><header><nav class="site-nav">`)
	for _, s := range []string{"World", "China", "Business", "Sci-Tech", "Culture", "Travel", "Sports", "Opinion"} {
		fmt.Fprintf(&b, `<a class="nav-item" href="/%s/index.html">%s</a>`, strings.ToLower(s), s)
	}
	b.WriteString(`</nav></header><article>`)
	for range 25 {
		b.WriteString("<p>")
		for range 40 {
			b.WriteString(words[rng.IntN(len(words))] + " ")
		}
		b.WriteString("</p>\n")
	}
	b.WriteString(`</article><footer><p>Copyright Daily News Group. All rights reserved. Registered number 0123456.</p>`)
	for i := range 40 {
		fmt.Fprintf(&b, `<a href="/about/page-%d.html">About us, part %d</a> `, i, i)
	}
	b.WriteString(`<script src="/static/js/analytics.js"></script></footer></body></html>`)
	return []byte(b.String())
}

var words = strings.Fields(`the ministry said on monday that officials would publish figures for the
	coming year after a consultation period critics argued report left out several measures which had
	appeared in earlier drafts of document provinces agreed targets trade growth prices energy water`)

// A host's dictionary is made once it has 4 bodies; later bodies use it,
// are much smaller than without it, and read back, also in a new process.
func TestBodyDictionaryPerHost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	st := mustOpen(t, path)
	rng := rand.New(rand.NewPCG(3, 4))
	var hashes []string
	for n := range 4 {
		b := putBody(t, st, "news.example", sitePage(rng, n))
		if b.DictID != 0 {
			t.Fatalf("body %d used dictionary %d before the host had 4 bodies", n, b.DictID)
		}
		hashes = append(hashes, b.Hash)
	}
	page := sitePage(rng, 4)
	b := putBody(t, st, "news.example", page)
	plain := putBody(t, st, "", page)
	if b.DictID == 0 {
		t.Fatal("no dictionary after 4 bodies of the host")
	}
	if len(b.Data) > len(plain.Data)*6/10 {
		t.Errorf("with the dictionary %d bytes, without %d: want at least 40%% smaller", len(b.Data), len(plain.Data))
	}
	other := putBody(t, st, "other.example", page)
	if other.DictID != 0 {
		t.Errorf("another host's body used dictionary %d", other.DictID)
	}
	st.Close()
	st = mustOpen(t, path) // a new process: the dictionary is read from the database
	for _, h := range append(hashes, b.Hash) {
		if _, err := st.Body(t.Context(), h); err != nil {
			t.Errorf("Body(%s) after reopening: %v", h, err)
		}
	}
	if got, err := st.Body(t.Context(), b.Hash); err != nil || !bytes.Equal(got, page) {
		t.Errorf("Body = %d bytes, %v; want the page", len(got), err)
	}
	if got := queryInt(t, rawDB(t, path), `SELECT count(*) FROM body_dicts`); got != 1 {
		t.Errorf("%d dictionaries, want 1", got)
	}
}

// A host whose pages share nothing gets no dictionary (the try is
// recorded, empty) until it has twice as many bodies.
func TestBodyDictionaryThatDoesNotPay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	st := mustOpen(t, path)
	rng := rand.New(rand.NewPCG(5, 6))
	noise := func() []byte {
		b := make([]byte, 8<<10)
		for i := range b {
			b[i] = 'a' + byte(rng.IntN(26))
		}
		return b
	}
	for n := range 6 {
		if b := putBody(t, st, "noise.example", noise()); b.DictID != 0 {
			t.Fatalf("body %d used dictionary %d", n, b.DictID)
		}
	}
	db := rawDB(t, path)
	if got := queryInt(t, db, `SELECT count(*) FROM body_dicts WHERE host = 'noise.example' AND coalesce(length(data), 0) = 0 AND bodies = 4`); got != 1 {
		t.Errorf("%d empty tries recorded at 4 bodies, want 1", got)
	}
	for range 3 { // the 3rd finds 8 stored
		putBody(t, st, "noise.example", noise())
	}
	if got := queryInt(t, db, `SELECT bodies FROM body_dicts WHERE host = 'noise.example'`); got != 8 {
		t.Errorf("last try at %d bodies, want 8 (twice the first)", got)
	}
}

// Workers crossing the threshold together train one dictionary, and every
// body reads back.
func TestBodyDictionaryConcurrent(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	pages := make([][]byte, 60)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range pages {
		pages[i] = sitePage(rng, i)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(pages); i += 4 {
				b, err := st.EncodeBody(t.Context(), "news.example", pages[i])
				if err == nil {
					err = st.Tx(t.Context(), func(tx *storage.Tx) error { return tx.PutEncodedBody(b) })
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := queryInt(t, rawDB(t, st.Path()), `SELECT count(*) FROM body_dicts`); got != 1 {
		t.Errorf("%d dictionaries, want 1", got)
	}
	for i, p := range pages {
		if got, err := st.Body(t.Context(), storage.HashBody(p)); err != nil || !bytes.Equal(got, p) {
			t.Errorf("page %d: Body = %d bytes, %v", i, len(got), err)
		}
	}
}

func TestPutEncodedBodyRefusesUnencoded(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	err := st.Tx(t.Context(), func(tx *storage.Tx) error { return tx.PutEncodedBody(storage.EncodedBody{}) })
	if err == nil || !strings.Contains(err.Error(), "not encoded") {
		t.Errorf("PutEncodedBody(zero) = %v, want an error", err)
	}
}

// What `stet verify` says of each kind of stored body (chain.go reads
// bodyProblem), for zstd with and without a dictionary and for gzip.
func TestBodyProblem(t *testing.T) {
	st := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	rng := rand.New(rand.NewPCG(9, 10))
	for n := range 4 {
		putBody(t, st, "news.example", sitePage(rng, n))
	}
	page := sitePage(rng, 4)
	withDict := putBody(t, st, "news.example", page)
	plain := putBody(t, st, "", []byte("<p>a page of its own</p>"))
	if withDict.DictID == 0 {
		t.Fatal("no dictionary after 4 bodies")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	other, err := st.EncodeBody(t.Context(), "news.example", bytes.Replace(page, []byte("Story"), []byte("Stork"), 1))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 1; return b }
	tests := []struct {
		name         string
		b            storage.EncodedBody
		enc          string
		dictID, size int64
		data         []byte
		want         string // "" or a substring of the problem
	}{
		{"zstd with a dictionary", withDict, "zstd", withDict.DictID, withDict.Size, withDict.Data, ""},
		{"zstd", plain, "zstd", 0, plain.Size, plain.Data, ""},
		{"gzip", withDict, "gzip", 0, withDict.Size, gz.Bytes(), ""},
		{"one byte of the frame changed", withDict, "zstd", withDict.DictID, withDict.Size, flip(withDict.Data), "does not decompress"},
		{"one byte of the gzip stream changed", withDict, "gzip", 0, withDict.Size, flip(gz.Bytes()), "does not decompress"},
		{"re-compressed with other text", withDict, "zstd", other.DictID, other.Size, other.Data, "hashes to " + other.Hash},
		{"stored size too large", plain, "zstd", 0, plain.Size + 1, plain.Data, "body size mismatch"},
		{"stored size too small", plain, "zstd", 0, plain.Size - 1, plain.Data, "does not decompress"},
		{"the wrong dictionary", withDict, "zstd", 0, withDict.Size, withDict.Data, "does not decompress"},
		{"unknown encoding", plain, "br", 0, plain.Size, plain.Data, `unknown encoding "br"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := st.BodyProblemForTest(t.Context(), tt.b.Hash, tt.enc, tt.dictID, tt.size, tt.data)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("problem %q, want %q", got, tt.want)
			}
		})
	}
}
