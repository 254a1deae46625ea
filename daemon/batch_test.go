package daemon_test

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// conditionalSite serves n article pages /p0.html … with an ETag, and 304
// to a matching If-None-Match; notModified counts the 304s and signals
// each on served304.
type conditionalSite struct {
	*httptest.Server
	notModified atomic.Int64
	served304   chan struct{}
}

func newConditionalSite(tb testing.TB) *conditionalSite {
	s := &conditionalSite{served304: make(chan struct{}, 4096)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/p%d.html", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"p%d"`, n)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			s.notModified.Add(1)
			s.served304 <- struct{}{}
			return
		}
		article(fmt.Sprintf("Story %d", n), paras...)(w, r)
	}))
	tb.Cleanup(s.Close)
	return s
}

// trackPages tracks n pages of s, due now.
func trackPages(tb testing.TB, st *storage.Store, s *conditionalSite, n int) {
	tb.Helper()
	now := time.Now()
	src, err := st.EnsureSource(tb.Context(), storage.KindAdhoc, "check", "stet:check", "", now)
	if err != nil {
		tb.Fatal(err)
	}
	err = st.Tx(tb.Context(), func(tx *storage.Tx) error {
		for i := range n {
			if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("%s/p%d.html", s.URL, i), "", now, time.Time{}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// makeDue makes every page due now, behind the daemon's back.
func makeDue(tb testing.TB, path string) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(tb.Context(), `UPDATE pages SET next_check_at = ?`,
		time.Now().UTC().Format("2006-01-02T15:04:05.000Z")); err != nil {
		tb.Fatal(err)
	}
}

// pageCaptures counts the captures of every page by class.
func capturesByClass(tb testing.TB, st *storage.Store) map[string]int {
	tb.Helper()
	pages, err := st.Pages(tb.Context(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]int{}
	for _, p := range pages {
		cs, err := st.PageCaptures(tb.Context(), storage.CaptureFilter{PageID: p.ID})
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range cs {
			out[c.Class]++
			if want := storage.ChainLink(c.PrevLink, c.ChainInput()); c.Link != want {
				tb.Errorf("capture %d: link does not follow the capture before it", c.ID)
			}
		}
	}
	return out
}

// Scheduled re-checks that change nothing are committed in groups: each
// is reported once its capture and the page's next due time are stored.
func TestGroupedRechecks(t *testing.T) {
	sqliteOnly(t)
	s := newConditionalSite(t)
	path := dbPath(t)
	cfg := testConfig(t, path, "")
	cfg.Recheck.Steps = []config.RecheckStep{{Until: hour(8760), Every: hour(1)}}
	st := openStore(t, path)
	const n = 40
	trackPages(t, st, s, n)
	r := startDaemon(t, cfg, st)
	seen := map[int64]bool{}
	waitUntil(t, "first versions", r.results, func() bool { return versionsOf(t, st) == n })
	makeDue(t, path)
	for len(seen) < n {
		res := waitResult(t, "re-checks", r.results, func(r daemon.Result) bool { return r.Status == daemon.StatusUnchanged })
		seen[res.PageID] = true
		// Reported after its group committed: its capture is stored.
		cs, err := st.Captures(t.Context(), 0, res.PageID, 1)
		if err != nil || len(cs) != 1 || cs[0].Class != "not_modified" {
			t.Fatalf("page %d reported unchanged, latest capture %+v, %v", res.PageID, cs, err)
		}
	}
	r.stop()
	if got := capturesByClass(t, st); got["ok"] != n || got["not_modified"] != n {
		t.Errorf("captures by class %v, want %d ok and %d not_modified", got, n, n)
	}
	pages, err := st.Pages(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if until := time.Until(p.NextCheckAt); until < 50*time.Minute {
			t.Errorf("page %d due in %s, want about an hour (the re-check's state was not stored)", p.ID, until)
		}
	}
}

func versionsOf(tb testing.TB, st *storage.Store) int {
	tb.Helper()
	s, err := st.Stats(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return int(s.Versions)
}

// TestKill9GroupedChecks kills the daemon while quiet re-checks wait for
// their group commit. They are lost as if never run, and nothing else is:
// after a restart their pages are checked again at once (their claims die
// with the process), no version is lost or repeated, and the chain of
// captures holds.
func TestKill9GroupedChecks(t *testing.T) {
	sqliteOnly(t)
	if testing.Short() {
		t.Skip("starts a child daemon process")
	}
	s := newConditionalSite(t)
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "stet.db")
	cfgPath := filepath.Join(dir, "config.toml")
	// Re-checks an hour apart: after the restart only the pages whose
	// re-check was lost are due again.
	cfgText := strings.Replace(fmt.Sprintf(baseConfig, dbFile), `every = "1s"`, `every = "1h"`, 1)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 20
	st := openStore(t, dbFile)
	trackPages(t, st, s, n)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), helperEnv+"="+cfgPath)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	news := make(chan struct{}, n)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l helperLine
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Status == daemon.StatusNew {
				news <- struct{}{}
			}
		}
	}()
	for range n {
		select {
		case <-news:
		case <-time.After(60 * time.Second):
			t.Fatal("timed out waiting for the first versions")
		}
	}
	makeDue(t, dbFile)
	for range 5 { // five quiet re-checks answered: their group waits up to 200 ms
		select {
		case <-s.served304:
		case <-time.After(60 * time.Second):
			t.Fatal("timed out waiting for re-checks")
		}
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no group is committed
		t.Fatal(err)
	}
	child.Wait()
	served := s.notModified.Load()
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatalf("database after kill -9: %v", err)
	}
	stored := capturesByClass(t, st)["not_modified"]
	t.Logf("killed with %d re-checks answered and %d stored", served, stored)
	if int64(stored) >= served {
		t.Errorf("%d re-checks stored of %d answered: want the last group lost", stored, served)
	}

	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	r := startDaemon(t, cfg, st)
	// Every page ends with a stored re-check: those lost are checked again
	// now, not when their 10-minute claims lapse.
	waitUntil(t, "lost re-checks repeated", r.results, func() bool {
		return capturesByClass(t, st)["not_modified"] >= n
	})
	r.stop()
	got := capturesByClass(t, st)
	if got["ok"] != n || got["not_modified"] != n {
		t.Errorf("captures by class %v, want %d ok and %d not_modified: one stored re-check of every page", got, n, n)
	}
	if v := versionsOf(t, st); v != n {
		t.Errorf("%d versions, want %d: one per page, none lost or repeated", v, n)
	}
	if chs, err := st.Changes(t.Context(), storage.ChangeFilter{}); err != nil || len(chs) != 0 {
		t.Errorf("changes %d, %v; want none", len(chs), err)
	}
}
