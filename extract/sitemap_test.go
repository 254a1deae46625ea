package extract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// checkGolden compares got, as indented JSON, with the golden file, or
// rewrites the file under -update.
func checkGolden(t *testing.T, golden string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s: got\n%s\nwant\n%s", golden, b, want)
	}
}

// TestSitemapGolden reads every testdata/sitemap/NAME.xml (and NAME.xml.gz)
// as if fetched from https://news.example/sitemaps/NAME.xml and compares
// the result with testdata/sitemap/NAME.json: a gzipped sitemap must give
// what its plain form gives. Run with -update to rewrite the goldens.
func TestSitemapGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "sitemap", "*.xml*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sitemaps in testdata/sitemap (err %v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(file), ".gz"), ".xml")
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			base := mustURL(t, "https://news.example/sitemaps/"+name+".xml")
			res, err := Sitemap(bytes.NewReader(b), SitemapOptions{BaseURL: base})
			if err != nil {
				t.Fatalf("Sitemap: %v", err)
			}
			if *update && strings.HasSuffix(file, ".gz") {
				return // the plain file writes the golden
			}
			checkGolden(t, filepath.Join("testdata", "sitemap", name+".json"), res)
		})
	}
}

func TestSitemap(t *testing.T) {
	base := mustURL(t, "https://site.example/sitemaps/main.xml")
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		body string
		o    SitemapOptions
		want SitemapResult
	}{
		{"urlset without namespace", `<urlset><url><loc>https://a.example/1</loc><lastmod>2024-01-02</lastmod></url></urlset>`,
			SitemapOptions{}, SitemapResult{Items: []Item{{GUID: "https://a.example/1", URL: "https://a.example/1", Updated: day(2)}}}},
		{"relative locs resolve against BaseURL", `<urlset><url><loc>../p/1</loc></url><url><loc>//cdn.example/x</loc></url></urlset>`,
			SitemapOptions{BaseURL: base}, SitemapResult{Items: []Item{
				{GUID: "https://site.example/p/1", URL: "https://site.example/p/1"},
				{GUID: "https://cdn.example/x", URL: "https://cdn.example/x"}}}},
		{"relative locs without BaseURL are rejected", `<urlset><url><loc>/p/1</loc></url></urlset>`,
			SitemapOptions{}, SitemapResult{Rejected: 1}},
		{"garbage locs", `<urlset><url><loc>javascript:alert(1)</loc></url><url><loc>data:text/html,x</loc></url>` +
			`<url><loc>http://</loc></url><url><loc>http:opaque</loc></url><url><loc>%zz</loc></url><url></url>` +
			`<url><loc>https://a.example/` + strings.Repeat("x", maxFieldBytes) + `</loc></url></urlset>`,
			SitemapOptions{BaseURL: base}, SitemapResult{Rejected: 7}},
		{"MaxItems keeps the first and counts the rest", `<urlset><url><loc>/1</loc></url><url><loc>/2</loc></url>` +
			`<url><loc>/1</loc></url><url><loc>/3</loc></url><url><loc>mailto:x@y</loc></url></urlset>`,
			SitemapOptions{BaseURL: base, MaxItems: 1}, SitemapResult{
				Items: []Item{{GUID: "https://site.example/1", URL: "https://site.example/1"}}, Excess: 2, Rejected: 1}},
		{"index ignores url entries", `<sitemapindex><url><loc>https://a.example/u</loc></url>` +
			`<sitemap><loc>https://a.example/s.xml</loc><lastmod>2024-01-03T00:00:00Z</lastmod></sitemap></sitemapindex>`,
			SitemapOptions{}, SitemapResult{Sitemaps: []SitemapRef{{URL: "https://a.example/s.xml", LastMod: day(3)}}}},
		{"image loc is not the page loc", `<urlset xmlns:image="i"><url><image:image><image:loc>https://img.example/a.jpg</image:loc>` +
			`</image:image><loc>https://a.example/page</loc></url></urlset>`,
			SitemapOptions{}, SitemapResult{Items: []Item{{GUID: "https://a.example/page", URL: "https://a.example/page"}}}},
		{"undeclared prefixes and unclosed tags", `<urlset><url><loc>https://a.example/?a=1&b=2</loc>` +
			`<news:news><news:title>A&nbsp;&amp; B</news:title></url></urlset>`,
			SitemapOptions{}, SitemapResult{Items: []Item{{GUID: "https://a.example/?a=1&b=2", URL: "https://a.example/?a=1&b=2", Title: "A & B"}}}},
		{"control characters and invalid UTF-8 in a title", "<urlset><url><loc>https://a.example/</loc><news><title>a\x01b\xffc\x0b</title></news></url></urlset>",
			SitemapOptions{}, SitemapResult{Items: []Item{{GUID: "https://a.example/", URL: "https://a.example/", Title: "ab\uFFFDc"}}}},
		{"overlong title rejects the entry", `<urlset><url><loc>https://a.example/</loc><news><title>` +
			strings.Repeat("长", maxFieldBytes) + `</title></news></url></urlset>`,
			SitemapOptions{}, SitemapResult{Rejected: 1}},
		{"a field over 4 KiB is rejected, never cut", `<urlset><url><loc>` + strings.Repeat(" ", maxFieldBytes) +
			`https://a.example/x</loc></url></urlset>`, SitemapOptions{}, SitemapResult{Rejected: 1}},
		{"no limit", `<urlset><url><loc>https://a.example/</loc></url></urlset>`, SitemapOptions{MaxBytes: math.MaxInt64, MaxItems: math.MaxInt},
			SitemapResult{Items: []Item{{GUID: "https://a.example/", URL: "https://a.example/"}}}},
		{"content after the root is not read", `<urlset></urlset><garbage`, SitemapOptions{}, SitemapResult{}},
		{"utf-16 with BOM", utf16LE("\uFEFF<?xml version=\"1.0\" encoding=\"UTF-16\"?><urlset><url><loc>https://a.example/é</loc></url></urlset>"),
			SitemapOptions{}, SitemapResult{Items: []Item{{GUID: "https://a.example/%C3%A9", URL: "https://a.example/%C3%A9"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sitemap(strings.NewReader(tt.body), tt.o)
			if err != nil {
				t.Fatalf("Sitemap: %v", err)
			}
			if !sameSitemap(*got, tt.want) {
				t.Errorf("Sitemap:\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func sameSitemap(a, b SitemapResult) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func utf16LE(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8)) // the test strings are in the BMP
	}
	return string(b)
}

func TestCapReader(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int64
		ok    bool
	}{{"", 0, true}, {"a", 0, false}, {"abc", 3, true}, {"abcd", 3, false}, {"abc", math.MaxInt64, true}} {
		b, err := readCapped(iotest.OneByteReader(strings.NewReader(tt.in)), "test", tt.limit)
		if tt.ok && (err != nil || string(b) != tt.in) {
			t.Errorf("readCapped(%q, %d) = %q, %v; want the input", tt.in, tt.limit, b, err)
		}
		if tl, ok := errors.AsType[*TooLargeError](err); !tt.ok && (!ok || tl.Limit != tt.limit || b != nil) {
			t.Errorf("readCapped(%q, %d) = %q, %v; want a *TooLargeError", tt.in, tt.limit, b, err)
		}
	}
	if got, want := (&TooLargeError{What: "sitemap", Limit: 10}).Error(), "extract: sitemap larger than 10 bytes"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestW3CDate(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2024":                       time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		"2024-02":                    time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		"2024-02-03":                 time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC),
		"2024-02-03T04:05+08:00":     time.Date(2024, 2, 2, 20, 5, 0, 0, time.UTC),
		"2024-02-03T04:05:06.5Z":     time.Date(2024, 2, 3, 4, 5, 6, 5e8, time.UTC),
		" 2024-02-03T04:05:06-05:00": time.Date(2024, 2, 3, 9, 5, 6, 0, time.UTC),
		"2024-02-03 04:05:06":        time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC),
		"yesterday":                  {},
		"1970-01-01":                 {},
		"":                           {},
	} {
		if got := w3cDate(in); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("w3cDate(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSitemapErrors(t *testing.T) {
	tests := []struct {
		name, body string
		is         error  // nil: any error
		msg        string // substring of the message
	}{
		{"html page", "<!DOCTYPE html>\n<html><head><title>x</title></head></html>", ErrNotSitemap, "extract: not a sitemap: root element <html>"},
		{"rss feed", `<?xml version="1.0"?><rss version="2.0"><channel/></rss>`, ErrNotSitemap, "root element <rss>"},
		{"atom feed", `<feed xmlns="http://www.w3.org/2005/Atom"/>`, ErrNotSitemap, "root element <feed>"},
		{"empty", "", ErrNotSitemap, "no root element"},
		{"only a prolog", `<?xml version="1.0"?><!-- nothing -->`, ErrNotSitemap, "no root element"},
		{"json", `{"urlset": []}`, ErrNotSitemap, "text before the root element"},
		{"broken before root", `<?xml version="1.0"?><<<`, ErrNotSitemap, "XML syntax error"},
		{"truncated in an entry", `<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.exa`, nil, "extract: sitemap: XML syntax error on line 1: unexpected EOF"},
		{"truncated after an entry", `<urlset><url><loc>https://a.example/1</loc></url>`, nil, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Sitemap(strings.NewReader(tt.body), SitemapOptions{})
			if err == nil || res != nil {
				t.Fatalf("Sitemap = %+v, %v; want an error", res, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.msg)
			}
		})
	}
}

func gzipped(tb testing.TB, body string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.WriteString(zw, body); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestSitemapReadErrors: a body that cannot be read is an error naming
// why, not a claim that it is no sitemap.
func TestSitemapReadErrors(t *testing.T) {
	good := gzipped(t, `<urlset><url><loc>https://a.example/</loc></url></urlset>`)
	for name, body := range map[string]io.Reader{
		"bad gzip header":  strings.NewReader("\x1f\x8bgarbage"),
		"gzip cut short":   bytes.NewReader(good[:len(good)/2]),
		"read error first": iotest.ErrReader(errors.New("connection reset")),
		"read error later": io.MultiReader(strings.NewReader("<urlset><url>"), iotest.ErrReader(errors.New("connection reset"))),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Sitemap(body, SitemapOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), "extract: sitemap: ") || errors.Is(err, ErrNotSitemap) {
				t.Errorf("Sitemap = %+v, %v; want an extract: sitemap: error, not ErrNotSitemap", res, err)
			}
		})
	}
}

// gzipBomb is a gzip stream of head followed by n MiB of unit repeated:
// one compressed MiB, repeated as gzip members, so a bomb of any size
// costs the test one small compression.
func gzipBomb(tb testing.TB, head, unit string, n int) []byte {
	tb.Helper()
	mib := gzipped(tb, strings.Repeat(unit, (1<<20)/len(unit)))
	return append(gzipped(tb, head), bytes.Repeat(mib, n)...)
}

// allocated returns the bytes f allocates, garbage included: a call that
// buffered its input would allocate at least the input's size.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestSitemapGzipBomb feeds 256 MiB bodies compressed to well under 1 MiB.
// Each is refused with ErrTooLarge once a limit is hit, and the call
// allocates a small multiple of its buffers, not of the body.
func TestSitemapGzipBomb(t *testing.T) {
	tests := []struct {
		name, head, unit string
		o                SitemapOptions
		what             string
		limit            int64
		maxAlloc         uint64
	}{
		{"NULs hit the default MaxBytes", "<urlset>", "\x00", SitemapOptions{}, "sitemap", DefaultSitemapMaxBytes, 8 << 20},
		{"NULs hit MaxBytes", "<urlset>", "\x00", SitemapOptions{MaxBytes: 1 << 20}, "sitemap", 1 << 20, 8 << 20},
		{"spaces hit the text node limit", "<urlset>", " ", SitemapOptions{}, "sitemap text node", maxTextRun, 16 << 20},
		{"one entry repeated hits MaxBytes", "<urlset>", "<url><loc>https://a.example/</loc></url>\n",
			SitemapOptions{MaxBytes: 4 << 20}, "sitemap", 4 << 20, 1 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.o.MaxBytes == 0 && raceEnabled() {
				t.Skip("50 MiB through the race detector; MaxBytes 1 MiB takes the same path")
			}
			bomb := gzipBomb(t, tt.head, tt.unit, 256)
			var res *SitemapResult
			var err error
			alloc := allocated(func() { res, err = Sitemap(bytes.NewReader(bomb), tt.o) })
			t.Logf("%d bytes compressed; allocated %d", len(bomb), alloc)
			tl, ok := errors.AsType[*TooLargeError](err)
			if !ok || !errors.Is(err, ErrTooLarge) || tl.What != tt.what || tl.Limit != tt.limit || res != nil {
				t.Fatalf("Sitemap = %+v, %v; want a *TooLargeError{%q, %d}", res, err, tt.what, tt.limit)
			}
			if alloc > tt.maxAlloc {
				t.Errorf("allocated %d bytes; want at most %d", alloc, tt.maxAlloc)
			}
		})
	}
}

// raceEnabled reports whether the test binary was built with -race.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// entriesReader yields prefix, then entry(i) for i in [0, n), then suffix,
// generating as it goes: a body of any size costs the test no memory.
type entriesReader struct {
	prefix, suffix string
	entry          func(i int) string
	n, i           int
	buf            []byte
}

func (r *entriesReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i <= r.n {
		switch {
		case r.prefix != "":
			r.buf, r.prefix = append(r.buf, r.prefix...), ""
			continue
		case r.i < r.n:
			r.buf = append(r.buf, r.entry(r.i)...)
		default:
			r.buf = append(r.buf, r.suffix...)
		}
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// TestSitemapMillionEntries reads a 1,000,000-entry urlset (29 MB) with
// MaxItems 1000: the first 1000 are kept, the rest counted, and memory is
// bounded by the cap, not by the body. Under -race, which makes the
// decoder ten times slower and adds nothing to a single goroutine, it
// reads 100,000 entries.
func TestSitemapMillionEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 29 MB of XML")
	}
	n := 1_000_000
	if raceEnabled() {
		n = 100_000
	}
	body := &entriesReader{prefix: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`,
		entry: func(i int) string { return "<url><loc>/" + strconv.Itoa(i) + "</loc></url>\n" }, n: n, suffix: "</urlset>"}
	res, err := Sitemap(body, SitemapOptions{BaseURL: mustURL(t, "https://big.example/"), MaxItems: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Items), 1000; got != want {
		t.Errorf("len(Items) = %d, want %d", got, want)
	}
	if got, want := res.Excess, n-1000; got != want {
		t.Errorf("Excess = %d, want %d", got, want)
	}
	if got, want := res.Items[999].URL, "https://big.example/999"; got != want {
		t.Errorf("last item = %q, want %q", got, want)
	}
}
