package daemon_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/internal/newsroom"
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

// The benchmarks below measure what one check costs the whole process on
// realistic pages (the newsroom's articles, ~20-60 KB of HTML with its
// furniture): CPU from getrusage, and bytes passed to write(2) from
// /proc/self/io minus what the loopback servers wrote and read on their
// sockets, which leaves what SQLite wrote to the database, its WAL and its
// checkpoints. CPU includes the in-process servers (static bodies: a few
// µs a request). Compare runs with benchstat, never in absolute terms.
//
//	go test ./daemon -run '^$' -bench 'RecheckUnchanged|FirstFetch' -count 6 | tee new.txt
//	benchstat old.txt new.txt

// benchPagesPerRound is how many pages one round of re-checks checks:
// enough that the wait of a round's first group commit (up to 200 ms) is
// a small part of it.
const benchPagesPerRound = 2048

// BenchmarkRecheckUnchanged re-checks pages that did not change: "304"
// answers a conditional GET with 304 Not Modified, "200" sends the same
// bytes again without validators (no extraction: the body hash matches).
// Each round makes every page due and runs the daemon until all are
// checked.
func BenchmarkRecheckUnchanged(b *testing.B) {
	for _, conditional := range []bool{true, false} {
		name := map[bool]string{true: "304", false: "200"}[conditional]
		b.Run(name, func(b *testing.B) {
			bs := newBenchSite(b, newsroomBodies(b), conditional)
			st, cfg := bs.store(b)
			bs.addPages(b, st, 0, benchPagesPerRound)
			bs.run(b, cfg, st, benchPagesPerRound, daemon.StatusNew) // first fetches: every page gets a version
			var m benchMeter
			for b.Loop() {
				b.StopTimer()
				makeAllDue(b, st.Path())
				m.start(b, bs)
				b.StartTimer()
				bs.run(b, cfg, st, benchPagesPerRound, daemon.StatusUnchanged)
				b.StopTimer()
				checkpoint(b, st.Path()) // what the round left in the WAL is charged to it
				m.stop(b, bs)
				b.StartTimer()
			}
			m.report(b, benchPagesPerRound, "check", "checks/s")
		})
	}
}

// BenchmarkFirstFetch checks pages never seen before: fetch, classify,
// extract, store the body and the first version.
func BenchmarkFirstFetch(b *testing.B) {
	bs := newBenchSite(b, newsroomBodies(b), true)
	st, cfg := bs.store(b)
	const perRound = 256
	round := 0
	var m benchMeter
	for b.Loop() {
		b.StopTimer()
		bs.addPages(b, st, round*perRound, perRound)
		round++
		m.start(b, bs)
		b.StartTimer()
		bs.run(b, cfg, st, perRound, daemon.StatusNew)
		b.StopTimer()
		checkpoint(b, st.Path())
		m.stop(b, bs)
		b.StartTimer()
	}
	m.report(b, perRound, "fetch", "fetches/s")
}

// newsroomBodies renders the newsroom's HTML articles once each.
func newsroomBodies(tb testing.TB) [][]byte { return newsroomEditions(tb, 1) }

// newsroomEditions renders the newsroom's HTML articles at each of the
// first steps of its script (every step if steps is 0): what stet stores
// of a site over its life, one body per version.
func newsroomEditions(tb testing.TB, steps int) [][]byte {
	tb.Helper()
	nr := newsroom.New()
	srv := httptest.NewServer(nr)
	defer srv.Close()
	get := func(u string) ([]byte, string) {
		resp, err := http.Get(u)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			tb.Fatal(err)
		}
		return body, resp.Header.Get("Content-Type")
	}
	link := regexp.MustCompile(regexp.QuoteMeta(srv.URL) + `/[^<"\s]+`)
	var out [][]byte
	for step := 0; steps == 0 || step < steps; step++ {
		seen := map[string]bool{}
		for _, p := range nr.Pages() {
			seen[srv.URL+p] = true
		}
		for _, f := range nr.Feeds() {
			feed, _ := get(srv.URL + f)
			for _, u := range link.FindAllString(string(feed), -1) {
				seen[u] = true
			}
		}
		for _, u := range slices.Sorted(maps.Keys(seen)) {
			if body, ct := get(u); strings.HasPrefix(ct, "text/html") {
				out = append(out, body)
			}
		}
		if _, ok := nr.Advance(); !ok {
			break
		}
	}
	if len(out) < 4 {
		tb.Fatalf("newsroom gave %d HTML articles", len(out))
	}
	return out
}

// BenchmarkNewsroomBodies stores the newsroom's articles at every step of
// its script (each a new version's body, on one host) three ways: gzip
// (every body before schema 11), zstd, and zstd with the host's
// dictionary (trained once the host has 12 bodies: the daemon's way). It
// reports stored bytes, dictionaries included, per byte of raw HTML.
func BenchmarkNewsroomBodies(b *testing.B) {
	pages := newsroomEditions(b, 0)
	var raw int64
	for _, p := range pages {
		raw += int64(len(p))
	}
	for _, codec := range []string{"gzip", "zstd", "zstd+dict"} {
		b.Run(codec, func(b *testing.B) {
			var stored int64
			for b.Loop() {
				b.StopTimer()
				path := dbPath(b)
				st := openStore(b, path)
				b.StartTimer()
				for _, p := range pages {
					if err := storeBody(b, st, codec, p); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				stored = storedBodyBytes(b, path)
				b.StartTimer()
			}
			b.ReportMetric(float64(stored)/float64(raw), "stored/raw")
			b.ReportMetric(float64(raw)*float64(b.N)/b.Elapsed().Seconds()/1e6, "rawMB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func storeBody(b *testing.B, st *storage.Store, codec string, raw []byte) error {
	if codec == "gzip" {
		return st.Tx(b.Context(), func(tx *storage.Tx) error { _, err := tx.PutBody(raw); return err })
	}
	host := ""
	if codec == "zstd+dict" {
		host = "newsroom.example"
	}
	eb, err := st.EncodeBody(b.Context(), host, raw)
	if err != nil {
		return err
	}
	return st.Tx(b.Context(), func(tx *storage.Tx) error { return tx.PutEncodedBody(eb) })
}

// storedBodyBytes is what the bodies and their dictionaries take.
func storedBodyBytes(b *testing.B, path string) int64 {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(b.Context(), `SELECT (SELECT coalesce(sum(length(data)), 0) FROM bodies) +
		(SELECT coalesce(sum(length(data)), 0) FROM body_dicts)`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// benchSite serves page i of a round at /p/I.html on one of four loopback
// hosts: the newsroom article i mod n with a comment naming the page, so
// every page has its own bytes. Its listeners count the bytes they carry.
type benchSite struct {
	hosts       []string
	bodies      [][]byte
	conditional bool // send an ETag and answer If-None-Match with 304
	sock        atomic.Int64
}

func newBenchSite(b testing.TB, bodies [][]byte, conditional bool) *benchSite {
	bs := &benchSite{bodies: bodies, conditional: conditional}
	for i := range 4 {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+2))
		if err != nil {
			b.Skipf("no loopback address 127.0.0.%d: %v", i+2, err)
		}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(bs.serve))
		srv.Listener.Close()
		srv.Listener = countingListener{ln, &bs.sock}
		srv.Start()
		b.Cleanup(srv.Close)
		bs.hosts = append(bs.hosts, srv.URL)
	}
	return bs
}

func (bs *benchSite) serve(w http.ResponseWriter, r *http.Request) {
	var n int
	if _, err := fmt.Sscanf(r.URL.Path, "/p/%d.html", &n); err != nil {
		http.NotFound(w, r)
		return
	}
	body := bs.body(n)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if bs.conditional {
		etag := fmt.Sprintf(`"%d-%d"`, n, len(body))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Write(body)
}

// body is page n's bytes; the same n always gives the same bytes.
func (bs *benchSite) body(n int) []byte {
	base := bs.bodies[n%len(bs.bodies)]
	i := bytes.LastIndex(base, []byte("</body>"))
	if i < 0 {
		i = len(base)
	}
	return slices.Concat(base[:i], fmt.Appendf(nil, "<!-- page %d -->", n), base[i:])
}

func (bs *benchSite) store(b testing.TB) (*storage.Store, *config.Config) {
	path := dbPath(b)
	cfg := testConfig(b, path, "")
	cfg.Recheck.Steps = []config.RecheckStep{{Until: hour(8760), Every: hour(1)}}
	return openStore(b, path), cfg
}

// addPages tracks pages first..first+n-1, due now.
func (bs *benchSite) addPages(b testing.TB, st *storage.Store, first, n int) {
	now := time.Now()
	src, err := st.EnsureSource(b.Context(), storage.KindAdhoc, "check", "stet:check", "", now)
	if err != nil {
		b.Fatal(err)
	}
	err = st.Tx(b.Context(), func(tx *storage.Tx) error {
		for i := first; i < first+n; i++ {
			u := fmt.Sprintf("%s/p/%d.html", bs.hosts[i%len(bs.hosts)], i)
			if _, _, err := tx.EnsurePage(src.ID, u, "", now, time.Time{}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// run starts a daemon, waits until n distinct pages were checked with
// status want (every result is in the database by then), and stops it.
func (bs *benchSite) run(b testing.TB, cfg *config.Config, st *storage.Store, n int, want string) {
	r := startDaemon(b, cfg, st)
	done := map[int64]bool{}
	timeout := time.After(5 * time.Minute)
	for len(done) < n {
		select {
		case res := <-r.results:
			if res.Status != want {
				b.Fatalf("check of %s: %s (%s), want %s", res.URL, res.Status, res.Reason, want)
			}
			done[res.PageID] = true
		case <-timeout:
			b.Fatalf("%d of %d pages checked", len(done), n)
		}
	}
	r.stop()
}

// makeAllDue makes every page due now, as the scale harness does.
func makeAllDue(b testing.TB, path string) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(b.Context(), `UPDATE pages SET next_check_at = ?`,
		time.Now().UTC().Format("2006-01-02T15:04:05.000Z")); err != nil {
		b.Fatal(err)
	}
}

// checkpoint copies every page in the WAL into the database file, so a
// measured stretch pays for the checkpoint writes it caused, not the next.
func checkpoint(b testing.TB, path string) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var busy, frames, done int
	if err := db.QueryRowContext(b.Context(), `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil || busy != 0 {
		b.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
}

// benchMeter adds up the process's CPU time and the bytes it wrote to
// files over the measured stretches of a benchmark.
type benchMeter struct {
	cpu, wrote int64
	c0, w0     int64
}

func (m *benchMeter) start(b *testing.B, bs *benchSite) {
	m.c0, m.w0 = cpuNanos(b), wchar(b)-bs.sock.Load()
}

func (m *benchMeter) stop(b *testing.B, bs *benchSite) {
	m.cpu += cpuNanos(b) - m.c0
	m.wrote += wchar(b) - bs.sock.Load() - m.w0
}

// report reports rates and costs per unit, perRound units a round.
func (m *benchMeter) report(b *testing.B, perRound int, unit, rate string) {
	n := float64(b.N * perRound)
	b.ReportMetric(n/b.Elapsed().Seconds(), rate)
	b.ReportMetric(float64(m.cpu)/1e6/n, "cpu-ms/"+unit)
	b.ReportMetric(float64(m.wrote)/n, "dbB/"+unit)
	b.ReportMetric(0, "ns/op")
}

func cpuNanos(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// wchar is what this process passed to write(2) and its kin, files and
// sockets alike (/proc/self/io).
func wchar(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no wchar in /proc/self/io")
	return 0
}

// countingListener counts every byte its connections read and write.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}
