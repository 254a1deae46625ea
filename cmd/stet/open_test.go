package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// sqlDB opens path with the bare driver, for what the commands do not show.
func sqlDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func userVersion(t *testing.T, path string) int {
	t.Helper()
	db := sqlDB(t, path)
	defer db.Close()
	var v int
	if err := db.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// runWithin runs a command that might not return (serve) and fails the
// test if it has not after a while.
func runWithin(t *testing.T, d time.Duration, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.code, r.stdout, r.stderr = run(t, args...)
		done <- r
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(d):
		t.Fatalf("stet %s still running after %v", strings.Join(args, " "), d)
		return 0, "", ""
	}
}

var readOnlyCommands = [][]string{
	{"changes"},
	{"history", "http://a.test/"},
	{"diff", "http://a.test/"},
	{"sources"},
	{"status"},
	{"search", "x"},
	{"serve", "-listen", "127.0.0.1:0"},
}

func TestWritingCommandsNeedANamedDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{{"check", "http://a.test/"}, {"run"}} {
		code, _, stderr := run(t, args...)
		if code != 2 || !strings.Contains(stderr, "pass -config FILE") || !strings.Contains(stderr, "-db FILE") {
			t.Errorf("stet %s with built-in defaults: code %d, stderr %q; want 2 and a hint to pass -config or -db",
				strings.Join(args, " "), code, stderr)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("%s was created", left[0].Name())
	}
}

func TestReadOnlyCommandsOnMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	missing := filepath.Join(dir, "missing.db")
	for _, args := range readOnlyCommands {
		t.Run(args[0], func(t *testing.T) {
			code, _, stderr := runWithin(t, 10*time.Second, append(args, "-db", missing)...)
			if code != 1 || !strings.Contains(stderr, "database "+missing+" does not exist") {
				t.Errorf("-db missing.db: code %d, stderr %q", code, stderr)
			}
			code, _, stderr = runWithin(t, 10*time.Second, args...)
			if code != 1 || !strings.Contains(stderr, "database stet.db does not exist") || !strings.Contains(stderr, "-config") {
				t.Errorf("no flags: code %d, stderr %q", code, stderr)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("%s was created", left[0].Name())
	}
}

func TestReadOnlyCommandsDoNotMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	old := userVersion(t, path) - 1
	if _, err := sqlDB(t, path).ExecContext(t.Context(), "PRAGMA user_version = "+strconv.Itoa(old)); err != nil {
		t.Fatal(err)
	}
	for _, args := range readOnlyCommands {
		t.Run(args[0], func(t *testing.T) {
			code, _, stderr := runWithin(t, 10*time.Second, append(args, "-db", path)...)
			if code != 1 || !strings.Contains(stderr, "database needs migrating") {
				t.Errorf("code %d, stderr %q; want 1 and that the database needs migrating", code, stderr)
			}
			if got := userVersion(t, path); got != old {
				t.Errorf("user_version = %d after stet %s, want %d", got, args[0], old)
			}
		})
	}
}
