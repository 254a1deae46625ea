package main

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// TestCheckFlagsAfterURL: flags after the URL are flags, not more URLs to
// check with the built-in defaults in a new ./stet.db.
func TestCheckFlagsAfterURL(t *testing.T) {
	srv := httptest.NewServer(&publisher{figure: "12"})
	defer srv.Close()
	cfg := writeConfig(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	u := srv.URL + "/report"

	code, out, stderr := run(t, "check", u, "-config", cfg, "-json")
	var r checkJSON
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil || r.Status != "new" || r.URL != u {
		t.Fatalf("check URL -config F -json: code %d, %v, stdout %q, stderr %q", code, err, out, stderr)
	}
	code, out, stderr = run(t, "check", "-config", cfg, u)
	if code != 0 || !strings.HasPrefix(out, "unchanged") {
		t.Errorf("check -config F URL after it: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if left, _ := os.ReadDir(cwd); len(left) > 0 {
		t.Errorf("check created %s in the working folder", left[0].Name())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "stet.db")); err != nil {
		t.Errorf("the configured database: %v", err)
	}
}

// TestCheckCommitFailureIsAnError makes every commit of a check fail, as a
// full disk would, and wants an error reported, never a stored version.
func TestCheckCommitFailureIsAnError(t *testing.T) {
	srv := httptest.NewServer(&publisher{figure: "12"})
	defer srv.Close()
	cfg := writeConfig(t)
	path := filepath.Join(filepath.Dir(cfg), "stet.db")
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db := sqlDB(t, path)
	for _, table := range []string{"versions", "captures"} {
		trigger := "CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table +
			" BEGIN SELECT RAISE(ABORT, 'simulated disk full'); END"
		if _, err := db.ExecContext(t.Context(), trigger); err != nil {
			t.Fatal(err)
		}
	}
	u := srv.URL + "/report"

	code, out, stderr := run(t, "check", "-config", cfg, u)
	if code != 1 || !strings.HasPrefix(out, "error") || !strings.Contains(out, "simulated disk full") || strings.Contains(out, "stored") {
		t.Errorf("check: code %d, stdout %q; want 1 and an error with the reason", code, out)
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 ||
		!strings.Contains(lines[0], u) || !strings.Contains(lines[0], "simulated disk full") {
		t.Errorf("stderr = %q, want one line naming the URL and the reason", stderr)
	}

	code, out, _ = run(t, "check", "-config", cfg, "-json", u)
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); code != 1 || err != nil {
		t.Fatalf("check -json: code %d, %v, stdout %q", code, err, out)
	}
	if r["status"] != "error" || !strings.Contains(r["reason"].(string), "simulated disk full") || r["version"] != nil {
		t.Errorf("check -json = %s", out)
	}

	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM versions").Scan(&n); err != nil || n != 0 {
		t.Errorf("versions stored: %d, %v", n, err)
	}
}

func TestOutcomeOfFailedCheck(t *testing.T) {
	r := daemon.Result{URL: "http://a.test/", Status: daemon.StatusNew, VersionID: 7, ChangeID: 3, Diff: "d", Summary: "s", Title: "A"}
	got := outcome("http://a.test/", r, errors.New("commit: disk full"))
	want := daemon.Result{URL: "http://a.test/", Status: daemon.StatusError, Reason: "commit: disk full", Title: "A"}
	if got.URL != want.URL || got.Status != want.Status || got.Reason != want.Reason || got.VersionID != 0 ||
		got.ChangeID != 0 || got.Diff != "" || got.Summary != "" || got.Title != want.Title {
		t.Errorf("outcome = %+v, want %+v", got, want)
	}
	if got := outcome("http://b.test/", daemon.Result{Status: daemon.StatusUnchanged}, nil); got.URL != "http://b.test/" || got.Status != daemon.StatusUnchanged {
		t.Errorf("outcome of a good check = %+v", got)
	}
}
