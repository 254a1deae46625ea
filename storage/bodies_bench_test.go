package storage_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet/stet/storage"
)

// corpusDir holds real pages for measurement only (never copied here); the
// benchmark skips without it.
const corpusDir = "/work/shared/corpus"

// corpusPage is one page of the corpus and the host it was published on.
type corpusPage struct {
	host string
	raw  []byte
}

// corpusPages reads the pages of one corpus set, in file name order, with
// the host of the URL their annotation names ("" if none).
func corpusPages(tb testing.TB, set string) []corpusPage {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, set, "pages", "*.html"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no corpus pages in %s", filepath.Join(corpusDir, set))
	}
	var out []corpusPage
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		p := corpusPage{raw: raw}
		if meta, err := os.ReadFile(strings.TrimSuffix(f, ".html") + ".json"); err == nil {
			var m struct{ URL string }
			if json.Unmarshal(meta, &m) == nil {
				if u, err := url.Parse(m.URL); err == nil {
					p.host = strings.ToLower(u.Hostname())
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkBodyCodec stores the corpus's real pages as the daemon stores
// bodies, three ways: gzip (Tx.PutBody, every body before schema 11), zstd
// without dictionaries, and zstd with each host's dictionary once the
// host has 12 bodies (the daemon's way). It reports the stored bytes,
// dictionaries included, per byte of raw HTML, and the raw MB stored per
// second (compression and the transaction together).
//
//	go test ./storage -run '^$' -bench BodyCodec -benchtime 1x
func BenchmarkBodyCodec(b *testing.B) {
	for _, set := range []string{"trafilatura-eval", "chinese-web-content-extraction"} {
		for _, codec := range []string{"gzip", "zstd", "zstd+dict"} {
			b.Run(set+"/"+codec, func(b *testing.B) {
				pages := corpusPages(b, set)
				var raw int64
				for _, p := range pages {
					raw += int64(len(p.raw))
				}
				var stored int64
				for b.Loop() {
					stored = storeAll(b, pages, codec)
				}
				b.ReportMetric(float64(stored)/float64(raw), "stored/raw")
				b.ReportMetric(float64(raw)*float64(b.N)/b.Elapsed().Seconds()/1e6, "rawMB/s")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// storeAll stores pages in a new database with codec and returns the bytes
// of its bodies and dictionaries.
func storeAll(b *testing.B, pages []corpusPage, codec string) int64 {
	b.StopTimer()
	path := filepath.Join(b.TempDir(), "stet.db")
	st := mustOpen(b, path)
	b.StartTimer()
	for _, p := range pages {
		var err error
		switch codec {
		case "gzip":
			err = st.Tx(b.Context(), func(tx *storage.Tx) error { _, err := tx.PutBody(p.raw); return err })
		case "zstd":
			putBody(b, st, "", p.raw)
		default:
			putBody(b, st, p.host, p.raw)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	defer b.StartTimer()
	db := rawDB(b, path)
	var n int64
	if err := db.QueryRowContext(b.Context(), `SELECT (SELECT coalesce(sum(length(data)), 0) FROM bodies) +
		(SELECT coalesce(sum(length(data)), 0) FROM body_dicts)`).Scan(&n); err != nil {
		b.Fatal(fmt.Errorf("measure: %w", err))
	}
	return n
}
