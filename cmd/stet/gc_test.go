package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// recheckedDB is a database where one page made a version and was then
// re-checked n times unchanged (304s a minute apart), starting at start.
// It returns the path and the captures' ids and links, oldest first.
func recheckedDB(t *testing.T, n int, start time.Time) (string, []int64, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	src, err := st.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1h", start)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "http://news.test/a", "A", start, start, start)
		if err != nil {
			return err
		}
		body, err := tx.PutBody([]byte("<p>the article</p>"))
		if err != nil {
			return err
		}
		for i := range n + 1 {
			c := storage.Capture{PageID: p.ID, SourceID: src.ID, URL: p.URL, FinalURL: p.URL,
				FetchedAt: start.Add(time.Duration(i) * time.Minute), Status: 304, Class: "not_modified",
				Header: http.Header{"Etag": {`"v1"`}}, RequestHeader: http.Header{"If-None-Match": {`"v1"`}}}
			if i == 0 {
				c.Status, c.Class, c.BodyHash = 200, "ok", body
			}
			id, err := tx.InsertCapture(c)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if i == 0 {
				if _, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: id, CreatedAt: start, Title: "A",
					Text: "the article", TextHash: "h", Extractor: "1"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, id := range ids {
		c, err := st.CaptureByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, c.Link)
	}
	return path, ids, links
}

func TestGC(t *testing.T) {
	path, ids, links := recheckedDB(t, 40, time.Now().Add(-100*24*time.Hour))
	code, out, stderr := run(t, "gc", "-db", path, "-older-than", "30d")
	want := regexp.MustCompile(`^pruned 38 of 41 captures older than 30d examined, in 1 summaries \(1 transactions\); ` +
		`0 bodies deleted; about \d+\.\d [kK]B freed\ndatabase \d+\.\d KB, \d+\.\d KB of it free pages SQLite reuses for new rows ` +
		`\(stet gc -vacuum gives them back to the file system\)\n$`)
	if code != 0 || !want.MatchString(out) {
		t.Fatalf("stet gc: code %d, stdout %q, stderr %q; want 0 and %s", code, out, stderr, want)
	}
	code, out, stderr = run(t, "verify", "-db", path)
	want = regexp.MustCompile(`^ok: 3 captures, 1 bodies, 1 summaries of 38 pruned captures; last link [0-9a-f]{64} ` +
		fmt.Sprintf(`\(seal of summary 1, after capture %d\)\n$`, ids[40]))
	if code != 0 || !want.MatchString(out) {
		t.Fatalf("stet verify: code %d, stdout %q, stderr %q; want 0 and %s", code, out, stderr, want)
	}

	// A link noted before gc, of a capture it pruned, still checks out.
	code, out, _ = run(t, "verify", "-db", path, "-link", fmt.Sprintf("%d:%s", ids[7], links[7]))
	if wantLine := fmt.Sprintf("ok: capture %d (pruned, its link kept by summary 1) has the link noted\n", ids[7]); code != 0 ||
		!strings.HasSuffix(out, wantLine) {
		t.Errorf("verify -link (pruned): code %d, stdout %q; want %q", code, out, wantLine)
	}
	code, _, stderr = run(t, "verify", "-db", path, "-link", fmt.Sprintf("%d:%s", ids[7], links[8]))
	if want := fmt.Sprintf("stet verify: capture %d (pruned, its link kept by summary 1): link mismatch: the chain holds %s\n",
		ids[7], links[7]); code != 1 || stderr != want {
		t.Errorf("verify -link (wrong link): code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	code, out, _ = run(t, "verify", "-db", path, "-link", fmt.Sprintf("%d:%s", ids[40], links[40]))
	if code != 0 || !strings.HasSuffix(out, fmt.Sprintf("ok: capture %d (kept) has the link noted\n", ids[40])) {
		t.Errorf("verify -link (kept): code %d, stdout %q", code, out)
	}

	// Nothing more to prune: a second run examines what is left.
	code, out, _ = run(t, "gc", "-db", path, "-older-than", "30d")
	if code != 0 || !strings.HasPrefix(out, "pruned 0 of 1 captures") {
		t.Errorf("second stet gc: code %d, stdout %q; want nothing pruned", code, out)
	}
}

// keep_captures in the config is what gc prunes by; captures younger than
// it stay.
func TestGCUsesKeepCaptures(t *testing.T) {
	path, _, _ := recheckedDB(t, 20, time.Now().Add(-40*24*time.Hour).Add(-10*time.Minute+30*time.Second))
	cfg := filepath.Join(filepath.Dir(path), "config.toml")
	if err := os.WriteFile(cfg, []byte("[storage]\npath = \"stet.db\"\nkeep_captures = \"40d\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Captures 0..9 are older than 40 days; 10 is the first younger one.
	code, out, stderr := run(t, "gc", "-config", cfg)
	if code != 0 || !strings.HasPrefix(out, "pruned 8 of 10 captures older than 40d examined") {
		t.Errorf("stet gc: code %d, stdout %q, stderr %q; want captures 2 to 9 pruned", code, out, stderr)
	}
}

func TestGCDryRun(t *testing.T) {
	path, _, _ := recheckedDB(t, 20, time.Now().Add(-100*24*time.Hour))
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "gc", "-db", path, "-older-than", "30d", "-dry-run")
	if code != 0 || !strings.HasPrefix(out, "would prune 18 of 21 captures older than 30d examined, in 1 summaries (1 transactions); up to 0 bodies") {
		t.Errorf("stet gc -dry-run: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the dry run changed the database file (%v)", err)
	}
	if n := queryCount(t, path, `SELECT count(*) FROM captures`); n != 21 {
		t.Errorf("%d captures after a dry run, want 21", n)
	}
}

func queryCount(t *testing.T, path, q string) int {
	t.Helper()
	var n int
	if err := sqlDB(t, path).QueryRowContext(t.Context(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGCUsage(t *testing.T) {
	path, _, _ := recheckedDB(t, 3, time.Now().Add(-100*24*time.Hour))
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"nothing to prune by", []string{"-db", path}, 2,
			`stet gc: usage: nothing to prune: [storage] keep_captures is "forever"; set it, or pass -older-than D`},
		{"below a day", []string{"-db", path, "-older-than", "12h"}, 2, "stet gc: usage: -older-than must be at least 1d, got 12h0m0s"},
		{"dry run and vacuum", []string{"-db", path, "-older-than", "30d", "-dry-run", "-vacuum"}, 2,
			"stet gc: usage: -dry-run and -vacuum do not go together"},
		{"no such database", []string{"-db", filepath.Join(t.TempDir(), "none.db"), "-older-than", "30d"}, 1, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"gc"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "none.db")); err == nil {
		t.Error("stet gc created a database")
	}
}

// -vacuum shrinks the file and turns on incremental auto-vacuum, after
// which gc gives the pages it frees back by itself; it refuses to run
// under a live daemon.
func TestGCVacuum(t *testing.T) {
	path, _, _ := recheckedDB(t, 2000, time.Now().Add(-100*24*time.Hour))
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.RegisterDaemon(t.Context(), storage.Daemon{Owner: "desk/1/aa", Host: "desk", PID: 1, StartedAt: now,
		HeartbeatAt: now, Interval: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "gc", "-db", path, "-older-than", "30d", "-vacuum")
	if code != 1 || !strings.Contains(stderr, "1 daemon(s) are running on this database (stet status): stop them before -vacuum") {
		t.Errorf("gc -vacuum beside a daemon: code %d, stderr %q", code, stderr)
	}
	if err := st.StopDaemon(t.Context(), "desk/1/aa", now); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, stderr := run(t, "gc", "-db", path, "-older-than", "30d", "-vacuum")
	m := regexp.MustCompile(`vacuumed: database (\d+\.\d [KM]B), was (\d+\.\d [KM]B); auto-vacuum is incremental`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("gc -vacuum: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if after, before := kilobytes(m[1]), kilobytes(m[2]); after > before/2 {
		t.Errorf("vacuum left %s of %s: want less than half", m[1], m[2])
	}
	if code, out, _ := run(t, "verify", "-db", path); code != 0 || !strings.Contains(out, "4 summaries of 1998 pruned captures") {
		t.Errorf("verify after vacuum: code %d, stdout %q", code, out)
	}
}

// A gc killed with SIGKILL between or inside its transactions leaves a
// chain that verifies, and the next run finishes the job.
func TestGCKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a database of 20,000 captures")
	}
	const n = 20000
	path, _, _ := recheckedDB(t, n, time.Now().Add(-100*24*time.Hour))
	var stderr bytes.Buffer
	cmd := stetCmd(t, &stderr, "gc", "-db", path, "-older-than", "30d")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	db := sqlDB(t, path)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var summaries int
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM chain_summaries`).Scan(&summaries); err == nil && summaries >= 3 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("gc wrote fewer than 3 summaries in 30 s; stderr %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	left := queryCount(t, path, `SELECT count(*) FROM captures`)
	if left <= 3 {
		t.Fatalf("gc finished (%d captures left) before it was killed", left)
	}
	code, out, errOut := run(t, "verify", "-db", path)
	if code != 0 {
		t.Fatalf("verify after kill -9: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut = run(t, "gc", "-db", path, "-older-than", "30d"); code != 0 {
		t.Fatalf("gc after kill -9: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = run(t, "verify", "-db", path)
	if want := fmt.Sprintf(" of %d pruned captures;", n-2); code != 0 || !strings.Contains(out, want) {
		t.Errorf("verify after the second gc: code %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

// kilobytes reads fmtBytes's "12.3 KB" or "1.2 MB".
func kilobytes(s string) float64 {
	var v float64
	var unit string
	fmt.Sscan(s, &v, &unit)
	if unit == "MB" {
		v *= 1000
	}
	return v
}
