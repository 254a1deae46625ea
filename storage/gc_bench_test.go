package storage_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// newsHeaders are the response headers of a 304 from a news site's CDN, as
// stet stores them: about 1.3 KB.
func newsHeaders(rng *rand.Rand, at time.Time) http.Header {
	return http.Header{
		"Date":                      {at.Format(http.TimeFormat)},
		"Etag":                      {fmt.Sprintf(`W/"%x"`, rng.Uint64())},
		"Last-Modified":             {at.Add(-72 * time.Hour).Format(http.TimeFormat)},
		"Cache-Control":             {"max-age=60, stale-while-revalidate=600, stale-if-error=86400"},
		"Age":                       {fmt.Sprint(rng.IntN(60))},
		"Via":                       {"1.1 varnish, 1.1 varnish"},
		"X-Served-By":               {fmt.Sprintf("cache-fra-etou%d-FRA, cache-ams%d-AMS", rng.IntN(9000), rng.IntN(9000))},
		"X-Cache":                   {"HIT, HIT"},
		"X-Cache-Hits":              {"3, 1"},
		"X-Timer":                   {fmt.Sprintf("S%d.%06d,VS0,VE0", at.Unix(), rng.IntN(1e6))},
		"Vary":                      {"Accept-Encoding, X-Country, X-Device"},
		"Strict-Transport-Security": {"max-age=31536000; includeSubDomains; preload"},
		"Content-Security-Policy": {"default-src 'self' https://*.news.example; script-src 'self' 'unsafe-inline' " +
			"https://*.googletagmanager.com https://*.chartbeat.com https://*.doubleclick.net; img-src * data:; " +
			"frame-ancestors 'self'; upgrade-insecure-requests; report-uri https://csp.news.example/report"},
		"Set-Cookie": {"edition=int; Path=/; Domain=.news.example; Max-Age=31536000; Secure; SameSite=Lax",
			fmt.Sprintf("__cf_bm=%x%x; path=/; expires=%s; domain=.news.example; HttpOnly; Secure; SameSite=None",
				rng.Uint64(), rng.Uint64(), at.Add(30*time.Minute).Format(http.TimeFormat))},
		"Permissions-Policy":     {"interest-cohort=(), browsing-topics=()"},
		"X-Content-Type-Options": {"nosniff"},
		"Referrer-Policy":        {"strict-origin-when-cross-origin"},
	}
}

var stetRequest = http.Header{
	"User-Agent":      {"stet/0.1 (+https://github.com/stet/stet) (+mailto:desk@news.example)"},
	"Accept":          {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
	"Accept-Encoding": {"gzip, br"},
	"Accept-Language": {"en"},
}

// recheckedStore stores pages articles of about 60 KB, each fetched once
// (a version, its body kept) and then re-checked unchanged recheck times,
// answered 304 with the CDN's headers; the pages' checks interleave in
// the chain as a daemon's do. It returns the store's path.
func recheckedStore(tb testing.TB, pages, recheck int, start time.Time) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "stet.db")
	st := mustOpen(tb, path)
	ctx := tb.Context()
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "https://news.example/rss", "@every 15m", start)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the ministry said on monday that its report on the economy lists measures for the coming year " +
		"officials declined to say how the figures were counted or which regions were included in the published data")
	ps := make([]storage.Page, pages)
	for round := range recheck + 1 {
		err := st.Tx(ctx, func(tx *storage.Tx) error {
			for i := range ps {
				at := start.Add(time.Duration(round)*4*time.Hour + time.Duration(i)*time.Second)
				c := storage.Capture{SourceID: src.ID, FetchedAt: at, Status: 304, Class: "not_modified",
					Header: newsHeaders(rng, at), RequestHeader: stetRequest, RemoteIP: "192.0.2.10", TLSVersion: "TLS 1.3",
					CertSHA256: strings.Repeat("5e", 32), DurationMS: 40}
				if round == 0 {
					u := fmt.Sprintf("https://news.example/2026/11/30/story-%d.html", i)
					p, _, err := tx.EnsurePage(src.ID, u, "", at, at, at)
					if err != nil {
						return err
					}
					ps[i] = p
					var page bytes.Buffer
					for page.Len() < 60_000 {
						page.WriteString("<p>")
						for range 40 {
							page.WriteString(words[rng.IntN(len(words))] + " ")
						}
						page.WriteString("</p>\n")
					}
					if c.BodyHash, err = tx.PutBody(page.Bytes()); err != nil {
						return err
					}
					c.Status, c.Class, c.Bytes = 200, "ok", int64(page.Len())
				}
				c.PageID, c.URL, c.FinalURL = ps[i].ID, ps[i].URL, ps[i].URL
				id, err := tx.InsertCapture(c)
				if err != nil {
					return err
				}
				if round == 0 {
					if _, err := tx.InsertVersion(storage.Version{PageID: ps[i].ID, CaptureID: id, CreatedAt: at,
						Title: "Story", Text: "the story", TextHash: fmt.Sprint("h", i), Extractor: "1"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return path
}

// BenchmarkGCSize measures what gc saves: the database's size for articles
// re-checked unchanged for 30 days (170 captures each), before gc, after
// it (free pages included, as SQLite keeps them for reuse), and after
// stet gc -vacuum; and the time gc takes per capture pruned.
//
//	go test ./storage -run '^$' -bench GCSize -benchtime 1x
func BenchmarkGCSize(b *testing.B) {
	const pages, recheck = 200, 169
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		path := recheckedStore(b, pages, recheck, start)
		st := mustOpen(b, path)
		before, err := st.FileStats(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		res, err := st.GC(b.Context(), storage.GCOptions{Before: start.AddDate(1, 0, 0)})
		spent := time.Since(began)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.VerifyChain(b.Context()); err != nil {
			b.Fatal(err)
		}
		after, err := st.FileStats(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Vacuum(b.Context()); err != nil {
			b.Fatal(err)
		}
		vacuumed, err := st.FileStats(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(before.Bytes)/pages, "bytes/page-before")
		b.ReportMetric(float64(after.Bytes-after.FreeBytes)/pages, "bytes/page-after")
		b.ReportMetric(float64(vacuumed.Bytes)/pages, "bytes/page-vacuumed")
		b.ReportMetric(float64(res.Pruned)/pages, "pruned/page")
		b.ReportMetric(float64(spent.Microseconds())/float64(res.Pruned), "µs/pruned")
		b.StartTimer()
	}
}

// BenchmarkInsertCapture is what linking one capture to the chain costs,
// summaries or not (the chain's last link may be a seal).
func BenchmarkInsertCapture(b *testing.B) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, gc := range []bool{false, true} {
		b.Run(fmt.Sprintf("after-gc=%v", gc), func(b *testing.B) {
			path := recheckedStore(b, 20, 50, start)
			st := mustOpen(b, path)
			if gc {
				if _, err := st.GC(b.Context(), storage.GCOptions{Before: start.AddDate(1, 0, 0)}); err != nil {
					b.Fatal(err)
				}
			}
			caps, err := st.Captures(b.Context(), 0, 1, 1)
			if err != nil {
				b.Fatal(err)
			}
			c := caps[0]
			c.ID = 0
			err = st.Tx(b.Context(), func(tx *storage.Tx) error {
				for b.Loop() {
					c.FetchedAt = c.FetchedAt.Add(time.Second)
					if _, err := tx.InsertCapture(c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
