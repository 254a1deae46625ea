package web_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	iawarc "github.com/internetarchive/gowarc"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// warcSite serves the UI over a page with two versions and the change
// between them; it returns the server and the change's id.
func warcSite(t *testing.T) (*httptest.Server, int64) {
	t.Helper()
	ctx := t.Context()
	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	t0 := time.Date(2024, 1, 23, 10, 0, 0, 0, time.UTC)
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "https://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	var change int64
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "https://news.test/a", "A", t0, t0, t0)
		if err != nil {
			return err
		}
		var vids []int64
		for i, text := range []string{"<p>one</p>", "<p>two</p>", "<p>two</p>"} {
			at := t0.Add(time.Duration(i) * time.Hour)
			hash, err := tx.PutBody([]byte(text))
			if err != nil {
				return err
			}
			cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, URL: p.URL, FinalURL: p.URL, FetchedAt: at,
				Status: 200, Class: "ok", BodyHash: hash, Bytes: int64(len(text)), RemoteIP: "192.0.2.1",
				Header: http.Header{"Content-Type": {"text/html"}}})
			if err != nil {
				return err
			}
			if i == 2 {
				continue // a capture after the change, with no new text
			}
			vid, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: at, Title: "A",
				Text: text, TextHash: strconv.Itoa(i), Extractor: "test/1"})
			if err != nil {
				return err
			}
			vids = append(vids, vid)
		}
		change, err = tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: t0.Add(time.Hour),
			OldVersionID: vids[0], NewVersionID: vids[1], Title: "A"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.Handler(st, web.Options{}))
	t.Cleanup(srv.Close)
	return srv, change
}

func TestChangeDownloadIsTheWARCExport(t *testing.T) {
	srv, change := warcSite(t)
	resp, err := http.Get(srv.URL + "/changes/" + strconv.FormatInt(change, 10) + "/export.warc.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename=stet-change-`+strconv.FormatInt(change, 10)+`.warc.gz`; resp.StatusCode != 200 || got != want {
		t.Fatalf("status %d, Content-Disposition %q; want 200, %q", resp.StatusCode, got, want)
	}
	r, err := iawarc.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	types := map[string]int{}
	var payloads []string
	for {
		rec, err := r.ReadRecord()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		types[rec.Header.Get("WARC-Type")]++
		if rec.Header.Get("WARC-Type") == "response" {
			b, _ := io.ReadAll(rec.Content)
			payloads = append(payloads, string(b[strings.Index(string(b), "\r\n\r\n")+4:]))
		}
		rec.Content.Close()
	}
	// Two captures up to the change (not the third, after it), two
	// versions and the change.
	if types["warcinfo"] != 1 || types["request"] != 2 || types["response"] != 2 || types["metadata"] != 2+2+1 {
		t.Errorf("records by type: %v", types)
	}
	if strings.Join(payloads, " ") != "<p>one</p> <p>two</p>" {
		t.Errorf("payloads %q", payloads)
	}
}

func TestChangeDownloadErrors(t *testing.T) {
	srv, change := warcSite(t)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/changes/999/export.warc.gz", http.StatusNotFound},
		{"GET", "/changes/x/export.warc.gz", http.StatusBadRequest},
		{"POST", "/changes/" + strconv.FormatInt(change, 10) + "/export.warc.gz", http.StatusMethodNotAllowed},
		{"HEAD", "/changes/" + strconv.FormatInt(change, 10) + "/export.warc.gz", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestChangePageLinksTheDownload(t *testing.T) {
	srv, change := warcSite(t)
	id := strconv.FormatInt(change, 10)
	resp, err := http.Get(srv.URL + "/changes/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), `href="/changes/`+id+`/export.warc.gz"`) {
		t.Errorf("change page has no link to its WARC file")
	}
}
