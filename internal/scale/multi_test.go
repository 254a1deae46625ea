package scale_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for STET_TEST_POSTGRES

	"github.com/stet/stet/internal/scale"
	"github.com/stet/stet/notify"
)

// The multi-daemon test: three `stet run` processes (the real binary) on
// one database, an SQLite file or, with STET_TEST_POSTGRES set to a
// PostgreSQL URL, a database created for the test and dropped after it.
const (
	multiArticles = 2000
	multiHosts    = 20                     // 127.0.0.2 … 127.0.0.21, 100 articles each
	multiInterval = 200 * time.Millisecond // fetch.per_host_interval
	multiEvery    = 20 * time.Second       // the re-check step of every article
	multiLease    = 30 * time.Second       // daemon.lease: a job queued longer than half of it is given back, so it is well above the queue's wait on a loaded machine
	multiEdits    = 60                     // half before the kill, half after
	multiSecret   = "multi"
)

// TestDaemonsShareOneDatabase runs three daemons on one database against
// a loopback newsroom of 2,000 articles on 20 hosts, edits 60 of them,
// and SIGKILLs one daemon while it holds claims. It checks that every
// edit is reported once (one change, one event, each event received once),
// that no article is fetched sooner than its re-check step allows, that
// requests to each host start at least per_host_interval apart across the
// three daemons, and that the claims of the killed daemon are taken over
// once their lease ends, not before.
func TestDaemonsShareOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three stet daemons for about two minutes")
	}
	began := time.Now()
	hits := &hitLog{}
	n := newNewsroom(t, scale.NewsroomOptions{Articles: multiArticles, Hosts: multiHosts, ItemsPerFeed: 100, Paragraphs: 4, OnRequest: hits.add})
	events := newEventLog(t)
	db := newSharedDB(t)
	stet := stetBinary(t)
	dir := t.TempDir()

	names := []string{"A", "B", "C"}
	cfgs, procs := map[string]string{}, map[string]*scale.Proc{}
	for _, name := range names {
		cfgs[name] = filepath.Join(dir, name+".toml")
		writeMultiConfig(t, cfgs[name], name, db.storage, n, events.url)
	}
	defer func() {
		for name, p := range procs {
			_ = p.Stop(10 * time.Second)
			if t.Failed() {
				if b, err := os.ReadFile(filepath.Join(dir, name+".log")); err == nil {
					t.Logf("daemon %s log (last 3000 bytes):\n%s", name, tail(b, 3000))
				}
			}
		}
	}()
	for _, name := range names {
		p, err := stet.Start(filepath.Join(dir, name+".log"), "run", "-config", cfgs[name], "-log-level", "warn")
		if err != nil {
			t.Fatal(err)
		}
		procs[name] = p
	}

	// First pass: every article has its first version.
	waitFor(t, 360*time.Second, "every article's first version", func() (bool, string) {
		v := db.count(t, `SELECT count(DISTINCT page_id) FROM versions`)
		return v >= multiArticles, fmt.Sprintf("%d of %d articles have a version", v, multiArticles)
	})
	firstPass := time.Since(began)

	// Edits before the kill, spread over the hosts and over two seconds.
	edited := map[string]int{} // article URL -> edition
	edit := func(from, to int) {
		for i := from; i < to; i++ {
			id := (i*multiArticles/multiEdits + i) % multiArticles
			edited[n.ArticleURL(id)] = n.Edit(id).Edition
			time.Sleep(2 * time.Second / (multiEdits / 2))
		}
	}
	edit(0, multiEdits/2)

	// Kill C while it holds claims on due articles (and none on outbox
	// rows, whose lease is longer), then read what it held: it is dead,
	// so its claims stay as they were until their lease ends.
	owners := db.owners(t)
	victim := procs["C"]
	owner := owners[victim.Pid()]
	if owner == "" {
		t.Fatalf("daemon C (pid %d) is not in the daemons table: %v", victim.Pid(), owners)
	}
	waitFor(t, 20*time.Second, "daemon C holding claims", func() (bool, string) {
		now := db.now()
		held := db.count(t, `SELECT count(*) FROM pages WHERE claimed_by = ? AND next_check_at > ?`, owner, now)
		out := db.count(t, `SELECT count(*) FROM deliveries WHERE claimed_by = ? AND claim_until > ?`, owner, now)
		if held >= 3 && out == 0 {
			if err := syscall.Kill(victim.Pid(), syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			return true, ""
		}
		return false, fmt.Sprintf("%d page claims, %d outbox claims", held, out)
	})
	killedAt := time.Now()
	delete(procs, "C")
	time.Sleep(200 * time.Millisecond) // let it die
	held := db.claims(t, owner)        // page URL -> claim's end
	if len(held) == 0 {
		t.Fatal("daemon C held no claims when it died")
	}
	status := stetStatus(t, stet, cfgs["A"])
	if d, ok := status[victim.Pid()]; !ok || d.Claims.Pages+d.Claims.Lapsed < len(held) {
		t.Errorf("stet status -json: daemon C %+v (present %v), want its %d page claims", d, ok, len(held))
	}
	t.Logf("killed C at +%s holding %d page claims", killedAt.Sub(began).Round(time.Millisecond), len(held))

	edit(multiEdits/2, multiEdits)

	// The two left finish: C's claims are taken over and checked, every
	// edit is reported, the outbox is empty.
	waitFor(t, 150*time.Second, "the edits reported, C's claims taken over and the outbox empty", func() (bool, string) {
		changed := db.changedURLs(t)
		done := 0
		for u := range edited {
			if changed[u] > 0 {
				done++
			}
		}
		left := 0
		for u, until := range held {
			if last, ok := db.lastChecked(t, u); !ok || last.Before(until) {
				left++
			}
		}
		pending := db.count(t, `SELECT count(*) FROM deliveries WHERE delivered_at IS NULL`)
		return done == len(edited) && left == 0 && pending == 0,
			fmt.Sprintf("%d of %d edits reported, %d of C's %d claims not yet checked again, %d events undelivered",
				done, len(edited), left, len(held), pending)
	})
	for _, name := range []string{"A", "B"} {
		if err := procs[name].Stop(30 * time.Second); err != nil {
			t.Errorf("daemon %s: %v", name, err)
		}
		delete(procs, name)
	}

	checkChanges(t, db, edited)
	checkEvents(t, db, events, edited, "(+daemon-C)", killedAt)
	checkArticleGaps(t, n, hits.all(), held, "(+daemon-C)", killedAt)
	checkHostGaps(t, hits.all())
	t.Logf("%s: first pass %s, whole run %s; %d requests",
		db.name, firstPass.Round(time.Second), time.Since(began).Round(time.Second), len(hits.all()))
}

func writeMultiConfig(t *testing.T, path, name, storage string, n *scale.Newsroom, hook string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[storage]\n%s\n", storage)
	fmt.Fprintf(&b, `[fetch]
allow_private = true      # the newsroom is on loopback addresses
contact = "daemon-%s"     # names the daemon in the User-Agent
timeout = "3s"            # at most half the lease
per_host_interval = %q
[recheck]
steps = [{ until = "30d", every = %q }]
[daemon]
workers = 4
tick = "500ms"
delivery_interval = "500ms"
lease = %q
shared_politeness = "on"  # off by default with SQLite
[[webhook]]
url = %q
secret = %q
events = ["change.changed"]
allow_private = true
`, name, multiInterval, multiEvery, multiLease, hook, multiSecret)
	for f := range n.Feeds() {
		fmt.Fprintf(&b, "[[feed]]\nurl = %q\n", n.FeedURL(f)) // read once: the default schedule is 15m
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// hitLog keeps every request the newsroom received.
type hitLog struct {
	mu   sync.Mutex
	hits []scale.Hit
}

func (h *hitLog) add(x scale.Hit) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hits = append(h.hits, x)
}

func (h *hitLog) all() []scale.Hit {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hits)
}

// eventLog is a webhook receiver that keeps every delivery it accepts.
type eventLog struct {
	url  string
	mu   sync.Mutex
	got  map[string][]receipt // by event id (X-Stet-Delivery)
	bad  int
	urls map[string]string // event id -> article URL
}

type receipt struct {
	sender string // User-Agent
	began  time.Time
}

func newEventLog(t *testing.T) *eventLog {
	e := &eventLog{got: map[string][]receipt{}, urls: map[string]string{}}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/hook"
	return e
}

func (e *eventLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	body, _ := io.ReadAll(r.Body)
	var ev struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !notify.Verify([]byte(multiSecret), body, r.Header.Get("X-Stet-Signature")) || json.Unmarshal(body, &ev) != nil {
		e.bad++
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	id := r.Header.Get("X-Stet-Delivery")
	e.got[id] = append(e.got[id], receipt{sender: r.UserAgent(), began: began})
	e.urls[id] = ev.URL
	w.WriteHeader(http.StatusNoContent)
}

// checkChanges: one change per edit, none elsewhere.
func checkChanges(t *testing.T, db *sharedDB, edited map[string]int) {
	t.Helper()
	for u, c := range db.changedURLs(t) {
		if _, ok := edited[u]; !ok {
			t.Errorf("%s: %d changes, but it was not edited", u, c)
		} else if c != 1 {
			t.Errorf("%s: %d changes for one edit", u, c)
		}
	}
	if v, want := db.count(t, `SELECT count(*) FROM versions`), multiArticles+len(edited); v != want {
		t.Errorf("%d versions, want %d (one per article and edit)", v, want)
	}
}

// checkEvents: one change.changed event per edit, each received once. A
// second receipt is allowed only of an event whose first delivery the
// killed daemon began before it died.
func checkEvents(t *testing.T, db *sharedDB, e *eventLog, edited map[string]int, killed string, killedAt time.Time) {
	t.Helper()
	ids := db.strings(t, `SELECT event_id FROM deliveries`)
	if len(ids) != len(edited) {
		t.Errorf("%d events in the outbox, want %d (one per edit)", len(ids), len(edited))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.bad > 0 {
		t.Errorf("%d deliveries with a bad signature or body", e.bad)
	}
	perURL := map[string]int{}
	for _, id := range ids {
		got := e.got[id]
		switch {
		case len(got) == 0:
			t.Errorf("event %s never received", id)
		case len(got) > 2, len(got) == 2 && (!strings.Contains(got[0].sender, killed) || got[0].began.After(killedAt)):
			t.Errorf("event %s received %d times: %+v", id, len(got), got)
		}
		perURL[e.urls[id]]++
	}
	for u := range edited {
		if perURL[u] != 1 {
			t.Errorf("%s: %d events for one edit", u, perURL[u])
		}
	}
	if len(e.got) != len(ids) {
		t.Errorf("received %d distinct events, %d in the outbox", len(e.got), len(ids))
	}
}

// checkArticleGaps: no article is fetched sooner than its re-check step
// after the last fetch, except right after the killed daemon's last fetch
// of an article it still held: that check died with it, and the article
// is fetched again once the claim's lease has ended, not before.
func checkArticleGaps(t *testing.T, n *scale.Newsroom, hits []scale.Hit, held map[string]time.Time, killed string, killedAt time.Time) {
	t.Helper()
	const slack = 50 * time.Millisecond // stored times are in milliseconds; clocks are one
	byURL := map[string][]scale.Hit{}
	for _, h := range hits {
		if strings.HasPrefix(h.Path, "/a/") && strings.HasPrefix(h.UserAgent, "stet/") {
			id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(h.Path, "/a/"), ".html"))
			byURL[n.ArticleURL(id)] = append(byURL[n.ArticleURL(id)], h)
		}
	}
	if len(byURL) != multiArticles {
		t.Errorf("%d articles fetched, want %d", len(byURL), multiArticles)
	}
	minGap, bad, retaken := time.Duration(1<<62), 0, 0
	for u, hs := range byURL {
		slices.SortFunc(hs, func(a, b scale.Hit) int { return a.At.Compare(b.At) })
		until, wasHeld := held[u]
		for i := 1; i < len(hs); i++ {
			prev, cur := hs[i-1], hs[i]
			if wasHeld && !prev.At.After(killedAt) && cur.At.After(killedAt) {
				retaken++
				if cur.At.Before(until.Add(-slack)) {
					t.Errorf("%s: fetched again %s before the killed daemon's claim ended", u, until.Sub(cur.At))
				}
				continue
			}
			gap := cur.At.Sub(prev.At)
			minGap = min(minGap, gap)
			if gap < multiEvery-slack {
				bad++
				if bad <= 5 {
					t.Errorf("%s: fetched %s apart by %q and %q, re-check step %s", u, gap, prev.UserAgent, cur.UserAgent, multiEvery)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("… %d fetches in all came sooner than the re-check step", bad)
	}
	t.Logf("articles: shortest gap between two fetches %s (step %s); %d of the killed daemon's claims fetched again after their lease",
		minGap.Round(time.Millisecond), multiEvery, retaken)
}

// checkHostGaps: requests to one host, by all the daemons together, start
// at least per_host_interval apart. A daemon reserves each start in the
// database for the interval and a grace (daemon.gateLate), and starts its
// request within the grace or not at all; the newsroom sees the request a
// moment later, and that moment varies on a busy machine: slack allows for
// that only.
func checkHostGaps(t *testing.T, hits []scale.Hit) {
	t.Helper()
	const slack = 15 * time.Millisecond
	byHost := map[int][]time.Time{}
	for _, h := range hits {
		if strings.HasPrefix(h.UserAgent, "stet/") {
			byHost[h.Host] = append(byHost[h.Host], h.At)
		}
	}
	minGap := time.Duration(1 << 62)
	total := 0
	for host, ts := range byHost {
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		for i := 1; i < len(ts); i++ {
			gap := ts[i].Sub(ts[i-1])
			total++
			minGap = min(minGap, gap)
			if gap < multiInterval-slack {
				t.Errorf("host %d: two requests %s apart, per_host_interval %s", host, gap, multiInterval)
			}
		}
	}
	t.Logf("hosts: shortest gap between two requests to a host %s (interval %s) in %d gaps",
		minGap.Round(time.Millisecond), multiInterval, total)
}

// sharedDB is the database the daemons share, and the test's own
// connection to it for plain queries on the schema's long-standing
// columns.
type sharedDB struct {
	name    string // "SQLite" or "PostgreSQL"
	storage string // the [storage] keys of the daemons' config
	db      *sql.DB
	pg      bool
}

// newSharedDB is an SQLite file in a temporary folder, or with
// STET_TEST_POSTGRES (postgres://user@host:port/db) a new database on that
// server, dropped when the test ends.
func newSharedDB(t *testing.T) *sharedDB {
	t.Helper()
	dsn := os.Getenv("STET_TEST_POSTGRES")
	if dsn == "" {
		path := filepath.Join(t.TempDir(), "stet.db")
		db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(30000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &sharedDB{name: "SQLite", storage: fmt.Sprintf("path = %q", path), db: db}
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("STET_TEST_POSTGRES: want a postgres:// URL, got %q", dsn)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "stet_test_" + hex.EncodeToString(b[:])
	admin := *u
	admin.Path = "/postgres"
	adb, err := sql.Open("pgx", admin.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adb.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		adb.Close()
		t.Fatalf("create the test database: %v", err)
	}
	t.Cleanup(func() {
		defer adb.Close()
		if _, err := adb.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop the test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &sharedDB{name: "PostgreSQL", storage: fmt.Sprintf("driver = \"postgres\"\ndsn = %q", u.String()), db: db, pg: true}
}

// q writes query's ? placeholders as PostgreSQL's $1, $2, ….
func (s *sharedDB) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// now is the time as stet stores it, for comparisons in SQL.
func (s *sharedDB) now() string { return time.Now().UTC().Format(timeLayout) }

// timeLayout is how stet stores times (storage.timeLayout).
const timeLayout = "2006-01-02T15:04:05.000Z"

// count runs a query of one number; -1 while the schema is not there yet.
func (s *sharedDB) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), s.q(query), args...).Scan(&n); err != nil {
		return -1
	}
	return n
}

func (s *sharedDB) strings(t *testing.T, query string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), s.q(query), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// owners maps the pids of the running daemons to their claim names.
func (s *sharedDB) owners(t *testing.T) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, row := range s.strings(t, `SELECT owner FROM daemons WHERE state = 'running'`) {
		// host/pid/random, as daemon.newOwner writes it
		if f := strings.Split(row, "/"); len(f) == 3 {
			if pid, err := strconv.Atoi(f[1]); err == nil {
				out[pid] = row
			}
		}
	}
	return out
}

// claims are the pages owner holds, by URL, with the end of each claim.
func (s *sharedDB) claims(t *testing.T, owner string) map[string]time.Time {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), s.q(`SELECT url, next_check_at FROM pages WHERE claimed_by = ?`), owner)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var u, at string
		if err := rows.Scan(&u, &at); err != nil {
			t.Fatal(err)
		}
		until, err := time.Parse(timeLayout, at)
		if err != nil {
			t.Fatal(err)
		}
		out[u] = until
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *sharedDB) lastChecked(t *testing.T, u string) (time.Time, bool) {
	t.Helper()
	var at sql.NullString
	if err := s.db.QueryRowContext(t.Context(), s.q(`SELECT last_checked_at FROM pages WHERE url = ?`), u).Scan(&at); err != nil || !at.Valid {
		return time.Time{}, false
	}
	last, err := time.Parse(timeLayout, at.String)
	return last, err == nil
}

// changedURLs counts the "changed" reports by article URL.
func (s *sharedDB) changedURLs(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, u := range s.strings(t, `SELECT p.url FROM changes c JOIN pages p ON p.id = c.page_id WHERE c.kind = 'changed'`) {
		out[u]++
	}
	return out
}

// statusDaemon is what the test reads of `stet status -json`.
type statusDaemon struct {
	PID    int    `json:"pid"`
	State  string `json:"state"`
	Claims struct {
		Pages  int `json:"pages"`
		Lapsed int `json:"lapsed"`
	} `json:"claims"`
}

// stetStatus runs `stet status -json` and returns its daemons by pid.
func stetStatus(t *testing.T, stet scale.Stet, cfg string) map[int]statusDaemon {
	t.Helper()
	var out, errs bytes.Buffer
	if _, err := stet.Run(t.Context(), &out, &errs, "status", "-json", "-config", cfg); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	var st struct {
		Daemons []statusDaemon `json:"daemons"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatalf("stet status -json: %v\n%s", err, out.String())
	}
	m := map[int]statusDaemon{}
	for _, d := range st.Daemons {
		m[d.PID] = d
	}
	return m
}

// waitFor polls cond every 250ms until it holds, failing the test with
// cond's last word after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %s for %s: %s", limit, what, state)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
