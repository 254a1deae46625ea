package storage_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// The request headers every request shares are stored once; each capture
// keeps only its validators, reads back whole, and its link still covers
// the whole text, so the chain verifies.
func TestRequestHeaderSets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	ctx := t.Context()
	_, page, _ := seed(t, s)
	shared := http.Header{"User-Agent": {"stet/0.1 (+https://example.org/bot)"}, "Accept": {"text/html"},
		"Accept-Encoding": {"gzip, br"}, "Referer": {"https://example.org/"}}
	reqs := []http.Header{
		{},
		{"If-None-Match": {`"v1"`}},
		{"If-None-Match": {`"v2"`}, "If-Modified-Since": {"Tue, 01 Dec 2026 02:04:13 GMT"}},
	}
	var ids []int64
	err := s.Tx(ctx, func(tx *storage.Tx) error {
		for i, extra := range reqs {
			h := shared.Clone()
			for k, v := range extra {
				h[k] = v
			}
			id, err := tx.InsertCapture(storage.Capture{PageID: page.ID, URL: page.URL, FinalURL: page.URL,
				FetchedAt: t0.Add(time.Duration(i+1) * time.Hour), Status: 304, Class: "not_modified", RequestHeader: h})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		c, err := s.CaptureByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := shared.Clone()
		for k, v := range reqs[i] {
			want[k] = v
		}
		if got, w := storage.FormatHeader(c.RequestHeader), storage.FormatHeader(want); got != w {
			t.Errorf("capture %d: request headers read back %q, want %q", id, got, w)
		}
	}
	db := rawDB(t, path)
	var sets int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM header_sets`).Scan(&sets); err != nil {
		t.Fatal(err)
	}
	if sets != 1 {
		t.Errorf("%d header sets stored for one shared set of headers, want 1", sets)
	}
	var kept string
	if err := db.QueryRowContext(ctx, `SELECT request_headers FROM captures WHERE id = ?`, ids[2]).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(kept, "User-Agent") || !strings.Contains(kept, `If-None-Match: "v2"`) {
		t.Errorf("capture row keeps %q: want its validators only", kept)
	}
	sum, err := s.VerifyChain(ctx)
	if err != nil {
		t.Fatalf("chain does not verify: %v", err)
	}
	if sum.LastID != ids[2] {
		t.Errorf("chain verified up to capture %d, want %d", sum.LastID, ids[2])
	}
}
