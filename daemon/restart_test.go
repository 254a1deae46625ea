package daemon_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/internal/newsroom"
	"github.com/stet/stet/storage"
)

// helperEnv names the config a re-executed test binary runs the daemon with.
const helperEnv = "STET_TEST_DAEMON_CONFIG"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		runHelperDaemon(path) // never returns: the parent kills it
	}
	os.Exit(m.Run())
}

type helperLine struct {
	PageID   int64  `json:"page_id"`
	Status   string `json:"status"`
	ChangeID int64  `json:"change_id"`
}

// runHelperDaemon is the child process of TestKill9: it runs the daemon and
// reports each committed check on stdout, so the parent waits on signals,
// not on sleeps.
func runHelperDaemon(path string) {
	ctx := context.Background()
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	st, err := storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	enc := json.NewEncoder(os.Stdout)
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: quietLog(), AfterCheck: func(r daemon.Result) {
		enc.Encode(helperLine{PageID: r.PageID, Status: r.Status, ChangeID: r.ChangeID})
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	d.Run(ctx)
	os.Exit(0)
}

// TestKill9 kills the daemon with SIGKILL while it works and while its
// webhook receiver is down, restarts it, and checks that no committed
// version or change was lost, nothing was reported twice, and every alert
// arrives once the receiver is back.
func TestKill9(t *testing.T) {
	sqliteOnly(t)
	if testing.Short() {
		t.Skip("starts a child daemon process")
	}
	nr := newsroom.New()
	srv := httptest.NewServer(nr)
	defer srv.Close()
	hook := newHookServer(t)
	hook.setDown(true)
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "stet.db")
	cfgText := fmt.Sprintf(baseConfig, dbFile) + newsroomSources(nr, srv.URL) + hook.webhookConfig()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}

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
	lines := make(chan helperLine, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l helperLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				lines <- l
			}
		}
		close(lines)
	}()
	await := func(what string, n int, status string) {
		t.Helper()
		for got := 0; got < n; {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child exited while waiting for %s", what)
				}
				if l.Status == status {
					got++
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	await("first versions", 7, daemon.StatusNew)
	step1, _ := nr.Advance() // a figure changes in two pages
	await("step 1 changes", len(step1.Expect), daemon.StatusChanged)
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	child.Wait()

	st := openStore(t, dbFile)
	if err := st.IntegrityCheck(t.Context()); err != nil {
		t.Fatalf("database after kill -9: %v", err)
	}
	before := changeCounts(t, st)
	for _, x := range step1.Expect {
		if before["changed "+srv.URL+x.Path] != 1 {
			t.Fatalf("after kill: %s recorded %d times, want 1", x.Path, before["changed "+srv.URL+x.Path])
		}
	}
	chs, _ := st.Changes(t.Context(), storage.ChangeFilter{})
	for _, ch := range chs {
		if _, err := st.Version(t.Context(), ch.NewVersionID); err != nil {
			t.Errorf("change %d points at a lost version %d: %v", ch.ID, ch.NewVersionID, err)
		}
	}

	// Restart in this process with the receiver back up.
	hook.setDown(false)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	run := startDaemon(t, cfg, st)
	step2, _ := nr.Advance()
	want := len(step1.Expect) + len(step2.Expect)
	for range want {
		select {
		case <-hook.got:
		case <-time.After(60 * time.Second):
			events, _, _ := hook.snapshot()
			t.Fatalf("after restart the receiver got %d of %d events", len(events), want)
		}
	}
	run.stop()
	after := changeCounts(t, st)
	for _, x := range append(step1.Expect, step2.Expect...) {
		if n := after[x.Kind+" "+srv.URL+x.Path]; n != 1 {
			t.Errorf("%s %s reported %d times, want once", x.Kind, x.Path, n)
		}
	}
	total := 0
	for _, n := range after {
		total += n
	}
	events, dupes, bad := hook.snapshot()
	if total != want || len(events) != want || dupes != 0 || bad != 0 {
		t.Errorf("changes = %d, events = %d (dupes %d, bad %d), want %d each", total, len(events), dupes, bad, want)
	}
}
