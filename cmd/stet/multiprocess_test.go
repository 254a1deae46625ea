package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// TestMain lets the test binary stand in for the stet binary: with
// STET_TEST_MAIN set it runs the command line it was given, so tests can
// start real stet processes (and kill -9 them) without building anything.
func TestMain(m *testing.M) {
	if os.Getenv("STET_TEST_MAIN") == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// stetCmd is a stet process running args.
func stetCmd(t *testing.T, stderr io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "STET_TEST_MAIN=1")
	cmd.Stderr = stderr
	return cmd
}

// editingSite serves pages whose text the test edits while stet runs; it
// remembers every text each page has had, in order.
type editingSite struct {
	mu      sync.Mutex
	edition map[string]int // path -> current edition
}

func pageText(path string, edition int) string {
	return fmt.Sprintf("The ministry said on Monday that edition %d of the report on %s lists %d measures for the coming year.",
		edition, strings.TrimSuffix(strings.TrimPrefix(path, "/"), ".html"), 10+edition)
}

func (s *editingSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	if r.URL.Path == "/feed.xml" {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x/</link><description>d</description>`)
		for p := range s.edition {
			fmt.Fprintf(w, `<item><title>%s</title><link>http://%s%s</link></item>`, p, r.Host, p)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	e, ok := s.edition[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	fmt.Fprintf(w, `<html><head><title>Report %s</title></head><body><nav><a href="/">Home</a></nav><article><h1>Report %s</h1>
<p>%s</p><p>It did not say how the measures were counted or which regions were included in the published figures.</p>
</article><footer>Copyright</footer></body></html>`, r.URL.Path, r.URL.Path, pageText(r.URL.Path, e))
}

func (s *editingSite) edit(path string) {
	s.mu.Lock()
	s.edition[path]++
	s.mu.Unlock()
}

// countingReceiver accepts every signed event and records who sent it
// (the User-Agent names the process) and when the request began.
type countingReceiver struct {
	mu       sync.Mutex
	receipts map[string][]receipt // by event id
	bad      int
}

type receipt struct {
	sender string
	began  time.Time
}

func (c *countingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	body, _ := io.ReadAll(r.Body)
	time.Sleep(20 * time.Millisecond) // widen the window in which a sender can die mid-request
	c.mu.Lock()
	defer c.mu.Unlock()
	if !notify.Verify([]byte("multi"), body, r.Header.Get("X-Stet-Signature")) {
		c.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get("X-Stet-Delivery")
	c.receipts[id] = append(c.receipts[id], receipt{sender: r.Header.Get("User-Agent"), began: began})
}

// TestProcessesShareOneDatabase runs two daemons and a stream of `stet
// check` processes on one SQLite file while pages are edited, kills one
// daemon with SIGKILL and restarts it: every event is delivered, none twice
// except one whose first sender died mid-request, no version is stored
// twice or lost, and the database is intact.
func TestProcessesShareOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several stet processes for about 20 seconds")
	}
	site := &editingSite{edition: map[string]int{}}
	var paths []string
	for i := range 5 {
		p := fmt.Sprintf("/story-%d.html", i)
		site.edition[p] = 1
		paths = append(paths, p)
	}
	pub := httptest.NewServer(site)
	defer pub.Close()
	recv := &countingReceiver{receipts: map[string][]receipt{}}
	hook := httptest.NewServer(recv)
	defer hook.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "stet.db")
	writeCfg := func(name string) string {
		path := filepath.Join(dir, name+".toml")
		cfg := fmt.Sprintf(`[storage]
path = %q
[fetch]
allow_private = true
user_agent = "stet-%s"
per_host_interval = "1ms"
per_host_concurrency = 8
[recheck]
steps = [{ until = "8760h", every = "1s" }]
[daemon]
workers = 4
tick = "200ms"
delivery_interval = "200ms"
retry_base = "100ms"
retry_max = "500ms"
[[feed]]
url = %q
schedule = "@every 1s"
[[webhook]]
url = %q
secret = "multi"
allow_private = true
`, db, name, pub.URL+"/feed.xml", hook.URL+"/hook")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cfgA, cfgB, cfgC := writeCfg("A"), writeCfg("B"), writeCfg("C")

	var logs bytes.Buffer
	var logMu sync.Mutex
	logTo := writerFunc(func(p []byte) (int, error) { logMu.Lock(); defer logMu.Unlock(); return logs.Write(p) })
	start := func(cfg string) *exec.Cmd {
		cmd := stetCmd(t, logTo, "run", "-config", cfg, "-log-level", "warn")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	a, b := start(cfgA), start(cfgB)
	defer func() {
		for _, c := range []*exec.Cmd{a, b} {
			if c.ProcessState == nil {
				c.Process.Kill()
				c.Wait()
			}
		}
		if t.Failed() {
			t.Logf("process logs:\n%s", logs.String())
		}
	}()

	// The checker: `stet check` processes one after another.
	stopCheck := make(chan struct{})
	checkDone := make(chan struct{})
	go func() {
		defer close(checkDone)
		for {
			select {
			case <-stopCheck:
				return
			default:
			}
			p := paths[rand.IntN(len(paths))]
			cmd := stetCmd(t, io.Discard, "check", "-config", cfgC, pub.URL+p)
			cmd.Run() // an error here is a check's failure, not the test's
		}
	}()

	// Edit a page every 400 ms; kill A with SIGKILL at a random moment and
	// start it again.
	killAt := time.Now().Add(3*time.Second + rand.N(4*time.Second))
	var killedAt time.Time
	for i := 0; time.Since(killAt) < 6*time.Second; i++ {
		time.Sleep(400 * time.Millisecond)
		site.edit(paths[i%len(paths)])
		if killedAt.IsZero() && time.Now().After(killAt) {
			killedAt = time.Now()
			a.Process.Signal(syscall.SIGKILL)
			a.Wait()
			a = start(cfgA)
		}
	}
	close(stopCheck)
	<-checkDone

	// Let the daemons catch up: every page at its last edition and the
	// outbox empty.
	deadline := time.Now().Add(60 * time.Second)
	for !caughtUp(t, db, pub.URL, site) {
		if time.Now().After(deadline) {
			t.Fatal("daemons did not catch up with the edits and the outbox within 60s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, c := range []*exec.Cmd{a, b} {
		c.Process.Signal(syscall.SIGTERM)
		if err := c.Wait(); err != nil {
			t.Errorf("daemon exit: %v", err)
		}
	}

	raw := openRaw(t, db)
	events := map[string]bool{}
	rows, err := raw.Query(`SELECT event_id, delivered_at IS NOT NULL FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var delivered bool
		rows.Scan(&id, &delivered)
		events[id] = true
		if !delivered {
			t.Errorf("event %s never delivered", id)
		}
	}
	rows.Close()
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if recv.bad != 0 {
		t.Errorf("%d deliveries with a bad signature", recv.bad)
	}
	firstA := "stet-A" // the killed process and its successor share the name
	for id := range events {
		got := recv.receipts[id]
		switch {
		case len(got) == 0:
			t.Errorf("event %s was never received", id)
		case len(got) > 1:
			// A redelivery is allowed only if the first sender was the
			// daemon that was killed, in a request begun before the kill.
			if got[0].sender != firstA || got[0].began.After(killedAt) || len(got) > 2 {
				t.Errorf("event %s delivered %d times: %+v (kill at %v)", id, len(got), got, killedAt)
			}
		}
	}
	for id := range recv.receipts {
		if !events[id] {
			t.Errorf("received event %s that is not in the outbox", id)
		}
	}
	// Versions: each page's stored texts are distinct editions in order,
	// none stored twice, the last one present.
	st, err := storage.OpenReadOnly(t.Context(), db) // texts are stored compressed: read them through the store
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, p := range paths {
		var texts []string
		if pg, err := st.PageByURL(t.Context(), pub.URL+p); err == nil {
			vs, err := st.Versions(t.Context(), pg.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				texts = append(texts, v.Text)
			}
		}
		last := -1
		for _, s := range texts {
			var e int
			if i := strings.Index(s, "edition "); i >= 0 {
				fmt.Sscanf(s[i:], "edition %d", &e)
			}
			if e <= last {
				t.Errorf("%s: edition %d stored after edition %d (a version stored twice or out of order)", p, e, last)
			}
			last = e
		}
		site.mu.Lock()
		if want := site.edition[p]; last != want {
			t.Errorf("%s: last stored edition %d, want %d", p, last, want)
		}
		site.mu.Unlock()
	}
	var changes, versions int
	raw.QueryRow(`SELECT (SELECT count(*) FROM changes), (SELECT count(*) FROM versions)`).Scan(&changes, &versions)
	if changes == 0 || versions <= len(paths) {
		t.Errorf("only %d versions and %d changes: the edits were not seen", versions, changes)
	}
	var ic string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Errorf("integrity_check = %q, %v", ic, err)
	}
	t.Logf("%d versions, %d changes, %d events, killed A at +%v", versions, changes, len(events), killedAt)
}

// caughtUp reports whether every page's latest version is its current
// edition and every queued event has been delivered.
func caughtUp(t *testing.T, db, base string, site *editingSite) bool {
	st, err := storage.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	site.mu.Lock()
	defer site.mu.Unlock()
	for p, e := range site.edition {
		pg, err := st.PageByURL(t.Context(), base+p)
		if err != nil {
			return false
		}
		v, err := st.LatestVersion(t.Context(), pg.ID)
		if err != nil || !strings.Contains(v.Text, fmt.Sprintf("edition %d ", e)) {
			return false
		}
	}
	pending, err := st.DueDeliveries(t.Context(), time.Now().Add(time.Hour), 1)
	return err == nil && len(pending) == 0
}

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
