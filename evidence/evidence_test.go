package evidence_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	iawarc "github.com/internetarchive/gowarc"
	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/stet/stet/evidence"
	"github.com/stet/stet/storage"
)

var t0 = time.Date(2024, 1, 23, 10, 0, 0, 0, time.UTC)

// history is what seed stored.
type history struct {
	st       *storage.Store
	page     storage.Page
	captures []storage.Capture // of page, in id order
	bodies   map[int64][]byte  // kept bodies by capture id
	change   int64
}

// seed stores a page whose captures cover every case an export meets: a
// compressed response, a 304, a body read but not kept, a fetch with no
// response, an edit (version 2 and a change), and a capture after it;
// another page's capture sits in between.
func seed(t *testing.T) history {
	t.Helper()
	ctx := t.Context()
	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "https://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	h := history{st: st, bodies: map[int64][]byte{}}
	ua := http.Header{"User-Agent": {"stet-test/1"}, "Accept": {"text/html"}, "Accept-Encoding": {"gzip, deflate, br"}}
	tls := func(c storage.Capture) storage.Capture {
		c.RemoteIP, c.TLSVersion, c.CertSHA256 = "192.0.2.10", "TLS 1.3", strings.Repeat("c3", 32)
		return c
	}
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "https://news.test/a?id=1", "A", t0, t0, t0)
		if err != nil {
			return err
		}
		other, _, err := tx.EnsurePage(src.ID, "https://news.test/b", "B", t0, t0, t0)
		if err != nil {
			return err
		}
		h.page = p
		at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
		v1 := h.add(t, tx, p, []byte("<p>one</p>"), tls(storage.Capture{FetchedAt: at(0), Status: 200, Class: "ok",
			Header: http.Header{"Content-Type": {"text/html"}, "Content-Encoding": {"gzip"}, "Content-Length": {"38"},
				"Etag": {`"v1"`}}, RequestHeader: ua}))
		h.add(t, tx, p, nil, tls(storage.Capture{FetchedAt: at(1), Status: 304, Class: "not_modified",
			Header: http.Header{"Etag": {`"v1"`}}, RequestHeader: withHeader(ua, "If-None-Match", `"v1"`)}))
		if _, err := tx.InsertCapture(storage.Capture{PageID: other.ID, URL: other.URL, FinalURL: other.URL,
			FetchedAt: at(1), Status: 200, Class: "ok"}); err != nil {
			return err
		}
		h.add(t, tx, p, nil, tls(storage.Capture{FetchedAt: at(2), Status: 200, Class: "ok", Bytes: 12,
			BodyHash: storage.HashBody([]byte("<p>seen</p>\n")), Header: http.Header{"Content-Type": {"text/html"}}, RequestHeader: ua}))
		h.add(t, tx, p, nil, storage.Capture{FetchedAt: at(3), Class: "error", Reason: "connection reset", RequestHeader: ua})
		v2 := h.add(t, tx, p, []byte("<p>two</p>"), tls(storage.Capture{FetchedAt: at(4), Status: 200, Class: "ok",
			Header: http.Header{"Content-Type": {"text/html"}, "Content-Length": {"10"}}, RequestHeader: ua}))
		h.change, err = tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: at(4),
			OldVersionID: v1, NewVersionID: v2, Title: "A", Summary: "1 paragraph changed"})
		if err != nil {
			return err
		}
		h.add(t, tx, p, []byte("<p>three</p>"), storage.Capture{FetchedAt: at(5), Status: 200, Class: "ok"}) // plain HTTP, before schema 5 style
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.captures, err = st.PageCaptures(ctx, storage.CaptureFilter{PageID: h.page.ID}); err != nil {
		t.Fatal(err)
	}
	return h
}

func withHeader(h http.Header, k, v string) http.Header {
	h = h.Clone()
	h.Set(k, v)
	return h
}

// add stores a capture of p, with its body kept and a version when body is
// non-nil, and returns the version id.
func (h *history) add(t *testing.T, tx *storage.Tx, p storage.Page, body []byte, c storage.Capture) int64 {
	t.Helper()
	c.PageID, c.URL, c.FinalURL = p.ID, p.URL, p.URL
	if body != nil {
		hash, err := tx.PutBody(body)
		if err != nil {
			t.Fatal(err)
		}
		c.BodyHash, c.Bytes = hash, int64(len(body))
	}
	id, err := tx.InsertCapture(c)
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		return 0
	}
	h.bodies[id] = body
	vid, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: id, CreatedAt: c.FetchedAt, Title: "A",
		Text: string(body), TextHash: storage.HashBody(body), Extractor: "test/1"})
	if err != nil {
		t.Fatal(err)
	}
	return vid
}

func export(t *testing.T, h history, sc evidence.Scope) (string, evidence.Summary) {
	t.Helper()
	e, err := evidence.Resolve(t.Context(), h.st, sc, evidence.Options{Software: "stet/test"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), e.FileName())
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := e.WriteTo(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	return path, sum
}

// record is one record as the Internet Archive's reader returns it.
type record struct {
	header  iawarc.Header
	content []byte
}

// readIA reads every record with the Internet Archive's gowarc, a code
// base independent of the nlnwa/gowarc that wrote the file.
func readIA(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := iawarc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []record
	for {
		rec, err := r.ReadRecord()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("record %d: %v", len(out), err)
		}
		b, err := io.ReadAll(rec.Content)
		rec.Content.Close()
		if err != nil {
			t.Fatal(err)
		}
		if rec.Version != "WARC/1.1" {
			t.Errorf("record %d: version %q", len(out), rec.Version)
		}
		out = append(out, record{rec.Header, b})
	}
}

func sha256Base32(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + base32.StdEncoding.EncodeToString(sum[:])
}

// metaDoc is a metadata record's JSON.
type metaDoc struct {
	Type string          `json:"type"`
	Stet json.RawMessage `json:"stet"`
}

type captureDoc struct {
	ID       int64 `json:"id"`
	BodyKept bool  `json:"body_kept"`
	Chain    struct {
		PrevLink string             `json:"prev_link"`
		Link     string             `json:"link"`
		Input    storage.ChainInput `json:"input"`
	} `json:"chain"`
}

// checkFile reads the export back and checks it holds exactly the captures
// want, each with its request, response, digests and chain link, plus the
// versions and changes counted.
func checkFile(t *testing.T, h history, path string, want []storage.Capture, versions, changes int) {
	t.Helper()
	recs := readIA(t, path)
	if len(recs) == 0 || recs[0].header.Get("WARC-Type") != "warcinfo" {
		t.Fatalf("first record is not warcinfo")
	}
	byID := map[string]record{}
	count := map[string]int{}
	for _, r := range recs {
		byID[r.header.Get("WARC-Record-ID")] = r
		count[r.header.Get("WARC-Type")]++
		if got, want := r.header.Get("WARC-Block-Digest"), sha256Base32(r.content); got != want {
			t.Errorf("%s record: block digest %s, content hashes to %s", r.header.Get("WARC-Type"), got, want)
		}
	}
	seen := map[int64]bool{}
	for _, r := range recs {
		if r.header.Get("WARC-Type") != "metadata" {
			continue
		}
		var m metaDoc
		if err := json.Unmarshal(r.content, &m); err != nil {
			t.Fatalf("metadata record: %v", err)
		}
		count[m.Type]++
		if m.Type != "capture" {
			continue
		}
		var c captureDoc
		if err := json.Unmarshal(m.Stet, &c); err != nil {
			t.Fatal(err)
		}
		seen[c.ID] = true
		if got := storage.ChainLink(c.Chain.PrevLink, c.Chain.Input); got != c.Chain.Link {
			t.Errorf("capture %d: link %s, recomputed from the record %s", c.ID, c.Chain.Link, got)
		}
		checkCapture(t, h, byID, r.header.Get("WARC-Concurrent-To"), c)
	}
	for _, c := range want {
		if !seen[c.ID] {
			t.Errorf("capture %d is not in the file", c.ID)
		}
	}
	if len(seen) != len(want) || count["version"] != versions || count["change"] != changes {
		t.Errorf("file holds %d captures, %d versions, %d changes; want %d, %d, %d",
			len(seen), count["version"], count["change"], len(want), versions, changes)
	}
}

// checkCapture follows a capture's metadata to its response (or request)
// record and checks the pair against the database.
func checkCapture(t *testing.T, h history, byID map[string]record, to string, doc captureDoc) {
	t.Helper()
	c := capture(t, h, doc.ID)
	if l := storage.ChainLink(c.PrevLink, c.ChainInput()); doc.Chain.Link != c.Link || l != c.Link {
		t.Errorf("capture %d: exported link %s, stored %s, recomputed %s", c.ID, doc.Chain.Link, c.Link, l)
	}
	last, ok := byID[to]
	if !ok {
		t.Fatalf("capture %d: metadata is concurrent to %q, which is not in the file", c.ID, to)
	}
	if got, want := last.header.Get("WARC-Target-URI"), c.FinalURL; got != want {
		t.Errorf("capture %d: target %q, want %q", c.ID, got, want)
	}
	if got, err := time.Parse(time.RFC3339Nano, last.header.Get("WARC-Date")); err != nil || !got.Equal(c.FetchedAt) {
		t.Errorf("capture %d: WARC-Date %q, want %s", c.ID, last.header.Get("WARC-Date"), c.FetchedAt)
	}
	if got := last.header.Get("WARC-IP-Address"); got != c.RemoteIP {
		t.Errorf("capture %d: WARC-IP-Address %q, want %q", c.ID, got, c.RemoteIP)
	}
	if c.Status == 0 {
		if last.header.Get("WARC-Type") != "request" {
			t.Errorf("capture %d without a response: metadata points to a %s record", c.ID, last.header.Get("WARC-Type"))
		}
		return
	}
	req := byID[last.header.Get("WARC-Concurrent-To")]
	if req.header.Get("WARC-Type") != "request" || req.header.Get("WARC-Concurrent-To") != last.header.Get("WARC-Record-ID") {
		t.Errorf("capture %d: response and request do not name each other", c.ID)
	}
	checkRequest(t, c, req)
	checkResponse(t, h, c, last)
}

func capture(t *testing.T, h history, id int64) storage.Capture {
	t.Helper()
	for _, c := range h.captures {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("capture %d is not of the page", id)
	return storage.Capture{}
}

func checkRequest(t *testing.T, c storage.Capture, r record) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(r.content))))
	if err != nil {
		t.Fatalf("capture %d: request block: %v", c.ID, err)
	}
	if req.Method != "GET" || req.Host != "news.test" || req.RequestURI != "/a?id=1" {
		t.Errorf("capture %d: request %s %s (Host %s)", c.ID, req.Method, req.RequestURI, req.Host)
	}
	for k, v := range c.RequestHeader {
		if req.Header.Get(k) != v[0] {
			t.Errorf("capture %d: request %s = %q, want %q", c.ID, k, req.Header.Get(k), v[0])
		}
	}
}

// checkResponse parses the block as HTTP, as replay tools do, and checks
// that the payload is the stored body and its digest matches.
func checkResponse(t *testing.T, h history, c storage.Capture, r record) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(r.content))), nil)
	if err != nil {
		t.Fatalf("capture %d: response block: %v", c.ID, err)
	}
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("capture %d: response body: %v", c.ID, err)
	}
	if resp.StatusCode != c.Status {
		t.Errorf("capture %d: status %d, want %d", c.ID, resp.StatusCode, c.Status)
	}
	if got := r.header.Get("WARC-Payload-Digest"); got != sha256Base32(payload) {
		t.Errorf("capture %d: payload digest %s, payload hashes to %s", c.ID, got, sha256Base32(payload))
	}
	if want := h.bodies[c.ID]; string(payload) != string(want) {
		t.Errorf("capture %d: payload %q, want the stored body %q", c.ID, payload, want)
	}
	notKept := c.BodyHash != "" && h.bodies[c.ID] == nil
	if got := r.header.Get("WARC-Truncated") != "" && strings.HasPrefix(r.header.Get("WARC-Stet-Body"), "not kept"); got != notKept {
		t.Errorf("capture %d: marked as body not kept = %v, want %v", c.ID, got, notKept)
	}
	for k, v := range c.Header {
		got := resp.Header.Values(k)
		if k == "Content-Encoding" || k == "Content-Length" && v[0] != strconv.Itoa(len(payload)) {
			got = resp.Header.Values("X-Stet-Orig-" + k)
		}
		if strings.Join(got, ",") != strings.Join(v, ",") {
			t.Errorf("capture %d: header %s = %q, want %q", c.ID, k, got, v)
		}
	}
}

func TestExportPageReadBackByAnotherLibrary(t *testing.T) {
	h := seed(t)
	path, sum := export(t, h, evidence.Scope{URL: h.page.URL})
	if sum.Captures != 6 || sum.Responses != 5 || sum.Versions != 3 || sum.Changes != 1 || sum.Bytes == 0 {
		t.Errorf("Summary = %+v", sum)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != sum.Bytes {
		t.Errorf("file is %v bytes (%v), Summary.Bytes %d", st.Size(), err, sum.Bytes)
	}
	checkFile(t, h, path, h.captures, 3, 1)
}

func TestExportChangeStopsAtTheChange(t *testing.T) {
	h := seed(t)
	path, _ := export(t, h, evidence.Scope{ChangeID: h.change})
	if filepath.Base(path) != "stet-change-"+strconv.FormatInt(h.change, 10)+".warc.gz" {
		t.Errorf("file name %s", filepath.Base(path))
	}
	checkFile(t, h, path, h.captures[:5], 2, 1)
}

func TestExportSince(t *testing.T) {
	h := seed(t)
	path, _ := export(t, h, evidence.Scope{URL: h.page.URL, Since: t0.Add(150 * time.Minute)})
	checkFile(t, h, path, h.captures[3:], 2, 1)
}

// The nlnwa reader, in strict mode, finds nothing to object to.
func TestExportValidatesStrictly(t *testing.T) {
	h := seed(t)
	path, _ := export(t, h, evidence.Scope{URL: h.page.URL})
	r, err := gowarc.NewWarcFileReader(path, 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for rec, err := range r.Records() {
		if err != nil {
			t.Fatalf("record %d: %v", n, err)
		}
		if _, err := rec.WarcRecord.ValidateDigest(); err != nil || len(rec.Validation) > 0 {
			t.Errorf("record %d (%s): %v %v", n, rec.WarcRecord.Type(), err, rec.Validation)
		}
		rec.Close()
		n++
	}
	// warcinfo, 6 x (request + metadata), 5 responses, 3 versions, 1 change
	if n != 1+12+5+3+1 {
		t.Errorf("read %d records, want %d", n, 1+12+5+3+1)
	}
}

func TestResolveErrors(t *testing.T) {
	h := seed(t)
	tests := []struct {
		name string
		sc   evidence.Scope
		want error
	}{
		{"nothing named", evidence.Scope{}, evidence.ErrNoScope},
		{"both named", evidence.Scope{ChangeID: h.change, URL: h.page.URL}, evidence.ErrNoScope},
		{"unknown change", evidence.Scope{ChangeID: 999}, storage.ErrNotFound},
		{"untracked URL", evidence.Scope{URL: "https://elsewhere.test/"}, storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := evidence.Resolve(t.Context(), h.st, tt.sc, evidence.Options{}); !errors.Is(err, tt.want) {
				t.Errorf("Resolve = %v, want %v", err, tt.want)
			}
		})
	}
}

// After stet gc, the export of a page says where its captures were pruned
// (how many, when, of which classes) between the captures it kept, and
// every capture's link still recomputes from the record's prev_link,
// which for the capture after a pruned range is that range's last link.
func TestExportAfterGC(t *testing.T) {
	ctx := t.Context()
	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "https://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	var p storage.Page
	var change int64
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		if p, _, err = tx.EnsurePage(src.ID, "https://news.test/a", "A", t0, t0, t0); err != nil {
			return err
		}
		h := &history{st: st, bodies: map[int64][]byte{}}
		at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
		v1 := h.add(t, tx, p, []byte("<p>one</p>"), storage.Capture{FetchedAt: at(0), Status: 200, Class: "ok"})
		for i := 1; i <= 6; i++ {
			h.add(t, tx, p, nil, storage.Capture{FetchedAt: at(i), Status: 304, Class: "not_modified"})
		}
		v2 := h.add(t, tx, p, []byte("<p>two</p>"), storage.Capture{FetchedAt: at(7), Status: 200, Class: "ok"})
		change, err = tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: at(7),
			OldVersionID: v1, NewVersionID: v2})
		if err != nil {
			return err
		}
		for i := 8; i <= 12; i++ {
			h.add(t, tx, p, nil, storage.Capture{FetchedAt: at(i), Status: 200, Class: "ok"})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.PageCaptures(ctx, storage.CaptureFilter{PageID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.GC(ctx, storage.GCOptions{Before: t0.AddDate(0, 0, 1)})
	// Kept: 0 (version), 1 (first 304), 6 (last 304), 7 (version), 12 (last);
	// pruned: 2-5 and 8-11.
	if err != nil || res.Pruned != 8 {
		t.Fatalf("GC = %+v, %v; want 8 pruned", res, err)
	}
	tests := []struct {
		name   string
		sc     evidence.Scope
		pruned []string // the pruned records' "after_capture until_capture captures", in file order
		kept   []int    // indexes in before of the captures in the file
	}{
		{"page", evidence.Scope{URL: p.URL}, []string{"2 7 4", "8 13 4"}, []int{0, 1, 6, 7, 12}},
		{"change", evidence.Scope{ChangeID: change}, []string{"2 7 4"}, []int{0, 1, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := evidence.Resolve(ctx, st, tt.sc, evidence.Options{})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), e.FileName())
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := e.WriteTo(ctx, f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			if want := int64(4 * len(tt.pruned)); sum.Pruned != want || sum.Captures != len(tt.kept) {
				t.Errorf("Summary = %+v, want %d captures and %d pruned", sum, len(tt.kept), want)
			}
			var order []string // "c<id>" and "p<after>" in file order
			var pruned []string
			for _, r := range readIA(t, path) {
				if r.header.Get("WARC-Type") != "metadata" {
					continue
				}
				var m metaDoc
				if err := json.Unmarshal(r.content, &m); err != nil {
					t.Fatal(err)
				}
				switch m.Type {
				case "capture":
					var c captureDoc
					if err := json.Unmarshal(m.Stet, &c); err != nil {
						t.Fatal(err)
					}
					if got := storage.ChainLink(c.Chain.PrevLink, c.Chain.Input); got != c.Chain.Link {
						t.Errorf("capture %d: link %s, recomputed from the record %s", c.ID, c.Chain.Link, got)
					}
					order = append(order, fmt.Sprint("c", c.ID))
					if c.ID == before[12].ID && c.Chain.PrevLink != before[11].Link {
						t.Errorf("capture %d chains from %s, want the last pruned link %s", c.ID, c.Chain.PrevLink, before[11].Link)
					}
				case "pruned":
					var g struct {
						After, Until, Captures int64
						Classes                map[string]int64
						First, Last            time.Time
					}
					var raw map[string]json.RawMessage
					json.Unmarshal(m.Stet, &raw)
					json.Unmarshal(raw["after_capture"], &g.After)
					json.Unmarshal(raw["until_capture"], &g.Until)
					json.Unmarshal(raw["captures"], &g.Captures)
					json.Unmarshal(raw["classes"], &g.Classes)
					json.Unmarshal(raw["first_fetched_at"], &g.First)
					pruned = append(pruned, fmt.Sprint(g.After, " ", g.Until, " ", g.Captures))
					order = append(order, fmt.Sprint("p", g.After))
					if g.Classes["not_modified"]+g.Classes["ok"] != 4 || g.First.IsZero() {
						t.Errorf("pruned record %s: classes %v, first fetched %v", m.Stet, g.Classes, g.First)
					}
				}
			}
			if strings.Join(pruned, ",") != strings.Join(tt.pruned, ",") {
				t.Errorf("pruned records %q, want %q", pruned, tt.pruned)
			}
			var want []string
			for _, i := range tt.kept {
				want = append(want, fmt.Sprint("c", before[i].ID))
				if i == 1 || i == 7 && len(tt.pruned) == 2 {
					want = append(want, fmt.Sprint("p", before[i].ID))
				}
			}
			if strings.Join(order, " ") != strings.Join(want, " ") {
				t.Errorf("records in the order\n%v\nwant\n%v", order, want)
			}
		})
	}
}
