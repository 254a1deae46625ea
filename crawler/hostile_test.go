package crawler_test

import (
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/stet/stet/crawler"
)

const testCap = 1 << 20

func compress(tb testing.TB, enc string, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "zlib":
		w = zlib.NewWriter(&buf)
	case "flate":
		w, _ = flate.NewWriter(&buf, flate.DefaultCompression)
	case "br":
		w = brotli.NewWriter(&buf)
	}
	if _, err := w.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encoded(enc string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", enc)
		w.Write(body)
	}
}

// untilGone writes chunk every tick until the client goes away.
func untilGone(w http.ResponseWriter, r *http.Request, chunk []byte, tick time.Duration) {
	w.WriteHeader(http.StatusOK)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		if tick > 0 {
			select {
			case <-time.After(tick):
			case <-r.Context().Done():
			}
		}
	}
}

func TestHostile(t *testing.T) {
	bomb := bytes.Repeat([]byte{0}, 8<<20) // 8 MiB of zeros compress to a few KiB
	emptyMember := compress(t, "gzip", nil)
	tests := []struct {
		name    string
		opts    crawler.Options
		handler http.HandlerFunc
		reason  string
		class   crawler.Class
		target  error
	}{
		{"endless body", crawler.Options{}, func(w http.ResponseWriter, r *http.Request) {
			untilGone(w, r, make([]byte, 32<<10), 0)
		}, "body larger than 1048576 bytes", crawler.ClassTooLarge, crawler.ErrTooLarge},
		{"huge declared body", crawler.Options{}, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(100<<20))
			w.Write(make([]byte, 64<<10))
		}, "body larger than 1048576 bytes", crawler.ClassTooLarge, crawler.ErrTooLarge},
		{"gzip bomb", crawler.Options{}, encoded("gzip", compress(t, "gzip", bomb)),
			"body larger than 1048576 bytes", crawler.ClassTooLarge, crawler.ErrTooLarge},
		{"brotli bomb", crawler.Options{}, encoded("br", compress(t, "br", bomb)),
			"body larger than 1048576 bytes", crawler.ClassTooLarge, crawler.ErrTooLarge},
		{"endless empty gzip members", crawler.Options{MaxBodyBytes: 16 << 10}, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			untilGone(w, r, bytes.Repeat(emptyMember, 256), 0)
		}, "body larger than 16384 bytes", crawler.ClassTooLarge, crawler.ErrTooLarge},
		{"never answers", crawler.Options{Timeout: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, "timeout after 300ms", crawler.ClassError, context.DeadlineExceeded},
		{"headers then stall", crawler.Options{Timeout: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "timeout after 300ms", crawler.ClassError, context.DeadlineExceeded},
		{"trickle", crawler.Options{Timeout: 300 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			untilGone(w, r, []byte("x"), 50*time.Millisecond)
		}, "timeout after 300ms", crawler.ClassError, context.DeadlineExceeded},
		{"header timeout", crawler.Options{HeaderTimeout: 100 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, "timeout awaiting response headers after 100ms", crawler.ClassError, nil},
		{"unknown encoding", crawler.Options{}, encoded("zstd", []byte("whatever")),
			`unsupported content-encoding "zstd"`, crawler.ClassError, nil},
		{"corrupt gzip", crawler.Options{}, encoded("gzip", []byte("this is not gzip at all")),
			"corrupt gzip body", crawler.ClassError, nil},
		{"connection dropped", crawler.Options{}, func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, "connection closed by server", crawler.ClassError, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts, _ := serve(t, tt.handler)
			tt.opts.MaxBodyBytes = cmp.Or(tt.opts.MaxBodyBytes, testCap)
			resp, err := fetch(t, newClient(t, tt.opts), ts.URL+"/a")
			wantFailure(t, resp, err, tt.class, tt.reason, tt.target)
		})
	}
}

func TestDecompression(t *testing.T) {
	page := bytes.Repeat([]byte("<p>Le ministre a démissionné.</p>\n"), 1000)
	tests := []struct{ name, header, enc string }{
		{"identity", "", ""},
		{"gzip", "gzip", "gzip"},
		{"x-gzip", "x-gzip", "gzip"},
		{"deflate zlib", "deflate", "zlib"},
		{"deflate raw", "deflate", "flate"},
		{"brotli", "br", "br"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := page
			if tt.enc != "" {
				body = compress(t, tt.enc, page)
			}
			var gotAE string
			ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				gotAE = r.Header.Get("Accept-Encoding")
				encoded(tt.header, body)(w, r)
			})
			resp, err := fetch(t, newClient(t, crawler.Options{}), ts.URL)
			wantClass(t, resp, err, crawler.ClassOK, "")
			if !bytes.Equal(resp.Body, page) {
				t.Errorf("Body = %d bytes, want the %d decompressed bytes", len(resp.Body), len(page))
			}
			if gotAE != "gzip, deflate, br" {
				t.Errorf("Accept-Encoding = %q", gotAE)
			}
		})
	}
}

func TestCapIsInclusive(t *testing.T) {
	ts, _ := serve(t, encoded("gzip", compress(t, "gzip", make([]byte, 1000))))
	resp, err := fetch(t, newClient(t, crawler.Options{MaxBodyBytes: 1000}), ts.URL)
	wantClass(t, resp, err, crawler.ClassOK, "")
	resp, err = fetch(t, newClient(t, crawler.Options{MaxBodyBytes: 999}), ts.URL)
	wantFailure(t, resp, err, crawler.ClassTooLarge, "body larger than 999 bytes", crawler.ErrTooLarge)
}

func TestCallerCancel(t *testing.T) {
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithCancel(t.Context())
	go func() { cancel() }()
	resp, err := newClient(t, crawler.Options{}).Fetch(ctx, crawler.Request{URL: ts.URL})
	if !errors.Is(err, context.Canceled) || resp.Class != crawler.ClassError {
		t.Errorf("err, class = %v, %q; want context.Canceled, error", err, resp.Class)
	}
}

// TestGzipBombMemory: whatever MaxBodyBytes says, a fetch never holds more
// than MaxBodyLimit of body. 200 MiB of zeros behind gzip (200 members of
// 1 MiB each, which a gzip reader joins into one stream), fetched with a
// 1 GiB setting, is too_large after allocating a small multiple of the
// limit; a doubling buffer would take about four times what it read.
func TestGzipBombMemory(t *testing.T) {
	member := compress(t, "gzip", make([]byte, 1<<20))
	ts, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		for range 200 {
			if _, err := w.Write(member); err != nil {
				return // the client hung up, as it should
			}
		}
	})
	c := newClient(t, crawler.Options{MaxBodyBytes: 1 << 30})
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := fetch(t, c, ts.URL)
	runtime.ReadMemStats(&after)
	wantFailure(t, resp, err, crawler.ClassTooLarge, fmt.Sprintf("body larger than %d bytes", crawler.MaxBodyLimit), crawler.ErrTooLarge)
	got, bound := after.TotalAlloc-before.TotalAlloc, uint64(3*crawler.MaxBodyLimit)
	if got > bound {
		t.Errorf("fetching a gzip bomb allocated %d MiB, want at most %d MiB", got>>20, bound>>20)
	}
	t.Logf("allocated %d MiB", got>>20)
}
