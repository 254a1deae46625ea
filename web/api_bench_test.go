package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// bigDiffStore stores n changes of one page whose stored diffs (text and
// blocks) weigh about size bytes each: every other one a long article
// rewritten paragraph by paragraph, the others a single paragraph of that
// size added, so that excerpts cut between blocks and inside one.
func bigDiffStore(tb testing.TB, n, size int) *storage.Store {
	tb.Helper()
	st, err := storage.Open(tb.Context(), filepath.Join(tb.TempDir(), "stet.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	now := time.Now()
	src, err := st.EnsureSource(tb.Context(), storage.KindPage, "paper", "http://gov.test/paper", "", now)
	if err != nil {
		tb.Fatal(err)
	}
	err = st.Tx(tb.Context(), func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "http://gov.test/paper", "Paper", now, now, now)
		if err != nil {
			return err
		}
		cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: now, URL: p.URL, Status: 200, Class: "ok"})
		if err != nil {
			return err
		}
		v, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: now, Title: "Paper",
			Text: "short", TextHash: "h", Extractor: "x/1"})
		if err != nil {
			return err
		}
		for i := range n {
			blocks, text := bigDiff(size, i%2 == 1)
			_, err := tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: now.Add(time.Duration(i) * time.Second),
				OldVersionID: v, NewVersionID: v, Title: "Paper", Summary: "many paragraphs changed", Diff: text, Blocks: blocks,
				Classes: []string{"number", "wording"}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// bigDiff returns the blocks' JSON and the text of a diff of about size
// bytes each: paragraphs rewritten in place, or one huge added paragraph.
func bigDiff(size int, oneBlock bool) ([]byte, string) {
	var r diff.Result
	if oneBlock {
		r.Blocks = []diff.Block{{Kind: diff.Added, NewIndex: 1, New: strings.Repeat("China has joined 13 conventions <&> ", size/36)}}
	} else {
		para := strings.Repeat("The white paper says the figure rose. ", 10)
		for k := 1; k*len(para)*3 < size; k++ {
			r.Blocks = append(r.Blocks, diff.Block{Kind: diff.Modified, OldIndex: k, NewIndex: k, Old: para + "12.", New: para + "13.",
				Spans: []diff.Span{{Op: diff.Equal, Text: para}, {Op: diff.Delete, Text: "12"}, {Op: diff.Insert, Text: "13"}, {Op: diff.Equal, Text: "."}}})
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	var t strings.Builder
	t.WriteString("--- version 1\n+++ version 2\n")
	for t.Len() < size {
		t.WriteString("~ The white paper says the figure rose [-12-]{+13+} in the year.\n")
	}
	return b, t.String()
}

// apiCost is what one GET costs: the body's size and the bytes the Go
// heap allocated to serve it.
func apiCost(tb testing.TB, h http.Handler, target string) (body []byte, alloc uint64) {
	tb.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(tb.Context(), http.MethodGet, target, nil))
	runtime.ReadMemStats(&after)
	if rec.Code != http.StatusOK {
		tb.Fatalf("%s: status %d: %.300s", target, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes(), after.TotalAlloc - before.TotalAlloc
}

// TestAPIChangesBounded stores changes whose diffs weigh 64 KiB and then
// 3 MiB each: the answer of /api/changes, and what serving it allocates,
// stay the same size, and well under one stored diff. So do the list of
// changes in HTML and the first part of a change page.
func TestAPIChangesBounded(t *testing.T) {
	const n = 6
	type cost struct{ body, alloc uint64 }
	measure := func(size int) map[string]cost {
		st := bigDiffStore(t, n, size)
		h := quietHandler(st, &bytes.Buffer{})
		out := map[string]cost{}
		for _, target := range []string{"/api/changes?limit=500", "/"} {
			body, alloc := apiCost(t, h, target)
			out[target] = cost{uint64(len(body)), alloc}
		}
		body, alloc := apiCost(t, h, "/changes/1")
		out["/changes/1"] = cost{uint64(len(body)), alloc}
		if size > partBytesForTest {
			mustContain(t, "change page", string(body), "Part 1 of", `rel="next"`)
		}
		var page struct {
			Changes []struct {
				Truncated   bool            `json:"truncated"`
				BlocksBytes int64           `json:"blocks_bytes"`
				Blocks      json.RawMessage `json:"blocks"`
				FullURL     string          `json:"full_url"`
			} `json:"changes"`
		}
		body, _ = apiCost(t, h, "/api/changes?limit=500")
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for i, c := range page.Changes {
			var r diff.Result
			if err := json.Unmarshal(c.Blocks, &r); err != nil || len(r.Blocks) == 0 {
				t.Errorf("size %d, change %d: excerpt %.100s does not decode to blocks (%v)", size, i, c.Blocks, err)
			}
			if c.Truncated != (c.BlocksBytes > 8<<10) || c.FullURL == "" {
				t.Errorf("size %d, change %d: truncated %v for %d bytes of blocks, full_url %q", size, i, c.Truncated, c.BlocksBytes, c.FullURL)
			}
		}
		return out
	}
	small, large := measure(64<<10), measure(3<<20)
	for target, s := range small {
		l := large[target]
		t.Logf("%s: body %d → %d bytes, allocated %d → %d bytes (diffs of 64 KiB → 3 MiB)", target, s.body, l.body, s.alloc, l.alloc)
		if limit := uint64(1 << 20); target != "/changes/1" && (l.body > limit || l.body > s.body+s.body/4) {
			t.Errorf("%s: body of %d bytes with 3 MiB diffs (%d with 64 KiB ones); want at most 1 MiB, and about the same", target, l.body, s.body)
		}
		// Six stored diffs weigh 36 MiB: serving a list must cost a small
		// fraction of one, and about what it costs with small diffs.
		if limit := uint64(4 << 20); target != "/changes/1" && (l.alloc > limit || l.alloc > 2*s.alloc+(256<<10)) {
			t.Errorf("%s: allocated %d bytes with 3 MiB diffs (%d with 64 KiB ones); want under 4 MiB, and about the same", target, l.alloc, s.alloc)
		}
	}
	// One change page reads that change's whole diff, but shows one part.
	if l := large["/changes/1"]; l.body > 3<<20 {
		t.Errorf("change page: body of %d bytes, want one part (under 3 MiB)", l.body)
	}
}

// partBytesForTest mirrors web.partBytes: a diff longer than that is paged.
const partBytesForTest = 256 << 10

// BenchmarkAPIChanges serves /api/changes (50 changes, the default page)
// from stores whose diffs weigh from 64 KiB to 5 MiB each: bytes/op and
// resp-bytes stay flat.
func BenchmarkAPIChanges(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20, 5 << 20} {
		b.Run(fmt.Sprintf("diff=%dKiB", size>>10), func(b *testing.B) {
			st := bigDiffStore(b, 12, size)
			h := quietHandler(st, &bytes.Buffer{})
			var n int
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/api/changes", nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
				n = rec.Body.Len()
			}
			b.ReportMetric(float64(n), "resp-bytes")
			b.ReportMetric(float64(12*2*size), "stored-diff-bytes")
		})
	}
}
