package daemon_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

// BenchmarkCheck measures one check of an unchanged article end to end
// (HTTP on loopback, classification, SQLite transaction): "same-bytes"
// skips extraction because the body hash matches the last capture, "churn"
// extracts every time because the page furniture changes on each request.
// Compare the two to see what the hash shortcut saves. "changed" stores a
// new version and change on every check (a figure in the text moves): the
// cost of comparing, classifying and rendering a real edit.
func BenchmarkCheck(b *testing.B) {
	body := strings.Repeat("<p>"+strings.Repeat("A sentence of an article body that goes on. ", 8)+"</p>\n", 30)
	for _, tc := range []struct {
		name           string
		churn, changed bool
	}{{"same-bytes", false, false}, {"churn", true, false}, {"changed", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newSite(b)
			n := 0
			s.set("/a", func(w http.ResponseWriter, r *http.Request) {
				n++
				clock := ""
				if tc.churn {
					clock = fmt.Sprint(n)
				}
				figure := ""
				if tc.changed { // a figure in the text changes on every request
					figure = fmt.Sprintf("<p>The ministry counted %d incidents in the first quarter of the year.</p>", n)
				}
				fmt.Fprintf(w, "<html><body><header><nav><a href=/>Home</a> %s</nav></header><article><h1>Title</h1>%s%s</article></body></html>",
					clock, figure, body)
			})
			c := newBenchChecker(b)
			u := s.URL + "/a"
			if r, _ := c.d.Check(b.Context(), u); r.Status != "new" {
				b.Fatalf("first check: %s %s", r.Status, r.Reason)
			}
			want := "unchanged"
			if tc.changed {
				want = "changed"
			}
			for b.Loop() {
				if r, _ := c.d.Check(b.Context(), u); r.Status != want {
					b.Fatalf("check: %s %s", r.Status, r.Reason)
				}
			}
		})
	}
}

// BenchmarkManyHosts measures how fast due pages spread over 8 hosts on
// loopback are checked, with 1 request at a time and 100ms between
// requests per host, and 4 workers: politeness allows 80 pages/s in all.
// With one queue in due order, workers parked on the host that was due
// first; dispatched host by host, they do not.
func BenchmarkManyHosts(b *testing.B) {
	hosts := loopbackHosts(b, 8, func(int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			article("Story "+r.URL.Path, "The ministry said on Monday that it counted the measures again, for "+r.URL.Path+".", paras[1])(w, r)
		}
	})
	const perHost = 10
	round := 0
	for b.Loop() {
		round++
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "stet.db")
		cfg := testConfig(b, path, "")
		cfg.Fetch.PerHostInterval = config.Duration(100 * time.Millisecond)
		cfg.Fetch.PerHostConcurrency = 1
		cfg.Daemon.Workers = 4
		st := openStore(b, path)
		now := time.Now()
		src, err := st.EnsureSource(b.Context(), storage.KindAdhoc, "check", "stet:check", "", now)
		if err != nil {
			b.Fatal(err)
		}
		err = st.Tx(b.Context(), func(tx *storage.Tx) error {
			for h, base := range hosts { // host 0's pages are due first, then host 1's, ...
				for i := range perHost {
					due := now.Add(-time.Hour + time.Duration(h)*time.Minute)
					if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("%s/r%d-p%d.html", base, round, i), "", now, time.Time{}, due); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r := startDaemon(b, cfg, st)
		for n := 0; n < len(hosts)*perHost; {
			if res := <-r.results; res.Status == "new" {
				n++
			}
		}
		b.StopTimer()
		r.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*len(hosts)*perHost)/b.Elapsed().Seconds(), "pages/s")
}
