//go:build unix

package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// rawDB opens path with the bare driver, for what the Store does not expose.
func rawDB(tb testing.TB, path string) storage.RawDB {
	tb.Helper()
	return storage.RawForTest(tb, path)
}

func queryInt(tb testing.TB, db storage.RawDB, q string) int {
	tb.Helper()
	var n int
	if err := db.QueryRowContext(tb.Context(), q).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// closedDB makes a database holding one source and closes it, so that
// everything is in the main file and no -wal is left.
func closedDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stet.db")
	s, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fileExists(path + "-wal") {
		t.Fatal("closing the only connection left a -wal file")
	}
	return path
}

func TestOpenCreatesFilesOwnerOnly(t *testing.T) {
	storage.SQLiteOnly(t)
	old := syscall.Umask(0) // so that only Open decides the modes
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "stet.db")
	s := mustOpen(t, path)
	if _, err := s.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fi.Mode().Perm(), fs.FileMode(0o600); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), got, want)
		}
	}
}

func TestOpenKeepsModeOfExistingFile(t *testing.T) {
	path := closedDB(t)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	mustOpen(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after Open = %v, %v; want 0640 left alone", fi.Mode().Perm(), err)
	}
}

// corruptSourcesPage overwrites the cell pointers of the sources table's
// root page, the way a torn write or a bad disk sector would, and returns
// the first problem SQLite's own quick check reports.
func corruptSourcesPage(t *testing.T, path string) string {
	t.Helper()
	db := rawDB(t, path)
	root := queryInt(t, db, "SELECT rootpage FROM sqlite_schema WHERE name = 'sources'")
	pageSize := queryInt(t, db, "PRAGMA page_size")
	db.Close()

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := int64(root-1) * int64(pageSize)
	if root == 1 {
		hdr += 100 // page 1 starts with the file header
	}
	page := make([]byte, 8)
	if _, err := f.ReadAt(page, hdr); err != nil {
		t.Fatal(err)
	}
	if page[0] != 0x0d {
		t.Fatalf("sources root page has type %#x, want a table leaf (0x0d)", page[0])
	}
	cells := int(binary.BigEndian.Uint16(page[3:5]))
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, 2*cells), hdr+8); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	db = rawDB(t, path)
	var report string
	if err := db.QueryRowContext(t.Context(), "PRAGMA quick_check").Scan(&report); err != nil {
		t.Fatal(err)
	}
	// "*** in database main ***\nTree 2 page 2 cell 0: Offset 65535 out of range ..."
	lines := strings.Split(report, "\n")
	if len(lines) < 2 || lines[0] != "*** in database main ***" || lines[1] == "" {
		t.Fatalf("quick_check of the corrupted file: %q", report)
	}
	return lines[1]
}

func TestOpenDamagedDatabase(t *testing.T) {
	storage.SQLiteOnly(t)
	path := closedDB(t)
	problem := corruptSourcesPage(t, path)
	opens := map[string]func(context.Context, string) (*storage.Store, error){
		"Open": storage.Open, "OpenReadOnly": storage.OpenReadOnly}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			s, err := open(t.Context(), path)
			if err == nil {
				s.Close()
				t.Fatal("opened a damaged database")
			}
			if !errors.Is(err, storage.ErrDamaged) {
				t.Errorf("error does not wrap ErrDamaged: %v", err)
			}
			for _, want := range []string{"database " + path + " is damaged: " + problem + ";", "restore it from a backup", ".recover"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	garbage := bytes.Repeat([]byte("these are somebody's notes, not a database\n"), 100)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	opens := map[string]func(context.Context, string) (*storage.Store, error){
		"Open": storage.Open, "OpenReadOnly": storage.OpenReadOnly}
	for name, open := range opens {
		t.Run(name, func(t *testing.T) {
			s, err := open(t.Context(), path)
			if err == nil {
				s.Close()
				t.Fatal("opened a text file as a database")
			}
			if want := "database " + path + " is not an SQLite database"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
			if !errors.Is(err, storage.ErrDamaged) {
				t.Errorf("error does not wrap ErrDamaged: %v", err)
			}
			if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, garbage) {
				t.Errorf("the file was changed (%v)", err)
			}
		})
	}
}

// TestDriverInterruptsOnContext checks what the quick check's time bound
// relies on: the driver interrupts a running statement when its context ends.
func TestDriverInterruptsOnContext(t *testing.T) {
	db := rawDB(t, filepath.Join(t.TempDir(), "x.db"))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	var n int64
	err := db.QueryRowContext(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c").Scan(&n)
	if err == nil {
		t.Fatalf("an endless query returned %d", n)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("the query ran %v past a 50ms deadline", elapsed)
	}
}

func TestOpenReadOnlyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	s, err := storage.OpenReadOnly(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("opened a missing database")
	}
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want fs.ErrNotExist naming %s", err, path)
	}
	if fileExists(path) {
		t.Error("OpenReadOnly created the file")
	}
}

func TestOpenReadOnlyDoesNotMigrate(t *testing.T) {
	storage.SQLiteOnly(t)
	path := closedDB(t)
	current := queryInt(t, rawDB(t, path), "PRAGMA user_version")
	tests := []struct {
		name    string
		version int
		want    string
	}{
		{"older", current - 1, "database needs migrating: run \"stet run\" or \"stet check\" once with write access"},
		{"newer", current + 1, "newer than this stet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := rawDB(t, path)
			if _, err := db.ExecContext(t.Context(), "PRAGMA user_version = "+strconv.Itoa(tt.version)); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s, err := storage.OpenReadOnly(t.Context(), path)
			if err == nil {
				s.Close()
				t.Fatalf("opened a database at schema version %d (this build: %d)", tt.version, current)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q lacks %q or the path", err, tt.want)
			}
			if got := errors.Is(err, storage.ErrNeedsMigration); got != (tt.version < current) {
				t.Errorf("errors.Is(err, ErrNeedsMigration) = %v", got)
			}
			if got := queryInt(t, rawDB(t, path), "PRAGMA user_version"); got != tt.version {
				t.Errorf("user_version = %d after OpenReadOnly, want %d untouched", got, tt.version)
			}
		})
	}
}

func TestOpenReadOnlyReadsBesideAWriter(t *testing.T) {
	storage.SQLiteOnly(t)
	path := filepath.Join(t.TempDir(), "stet.db")
	w := mustOpen(t, path)
	if _, err := w.EnsureSource(t.Context(), storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0); err != nil {
		t.Fatal(err)
	}
	r, err := storage.OpenReadOnly(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if srcs, err := r.Sources(t.Context()); err != nil || len(srcs) != 1 {
		t.Errorf("Sources = %d, %v; want the writer's one source", len(srcs), err)
	}
	err = r.Tx(t.Context(), func(tx *storage.Tx) error {
		_, _, err := tx.EnsurePage(1, "http://news.test/a", "A", t0, t0, t0)
		return err
	})
	if err == nil {
		t.Error("a read-only store wrote a page")
	}
}

// TestOpenReadOnlyInReadOnlyFolder opens a database whose folder the
// process may not write to, so SQLite cannot create the -wal and -shm files.
func TestOpenReadOnlyInReadOnlyFolder(t *testing.T) {
	path := closedDB(t)
	dir := filepath.Dir(path)
	if os.Geteuid() == 0 {
		// Permissions do not bind root: drop to nobody for the open, which
		// needs a way in to the folder and the file as that user.
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(path, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	asUnprivileged(t, func() {
		s, err := storage.OpenReadOnly(t.Context(), path)
		if err != nil {
			t.Error(err)
			return
		}
		defer s.Close()
		if srcs, err := s.Sources(t.Context()); err != nil || len(srcs) != 1 {
			t.Errorf("Sources = %d, %v; want the one source", len(srcs), err)
		}
	})
	for _, p := range []string{path + "-wal", path + "-shm"} {
		if fileExists(p) {
			t.Errorf("%s appeared in a read-only folder", filepath.Base(p))
		}
	}
}

const nobody = 65534

// asUnprivileged runs fn with the effective user id of nobody when the test
// runs as root, and as is otherwise. Nothing else in this package runs in
// parallel, so no other test sees the switch.
func asUnprivileged(t *testing.T, fn func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		fn()
		return
	}
	if err := syscall.Seteuid(nobody); err != nil {
		t.Skipf("running as root, which folder permissions do not bind, and cannot switch to uid %d: %v", nobody, err)
	}
	defer func() {
		if err := syscall.Seteuid(0); err != nil {
			panic("cannot switch back to root: " + err.Error())
		}
	}()
	fn()
}

// TestChangeKindsMatchSchema keeps ChangeKinds, which commands validate
// against, in step with what InsertChange accepts.
func TestChangeKindsMatchSchema(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	_, page, _ := seed(t, s)
	for _, kind := range append(storage.ChangeKinds(), "bogus") {
		err := s.Tx(t.Context(), func(tx *storage.Tx) error {
			_, err := tx.InsertChange(storage.Change{PageID: page.ID, Kind: kind, DetectedAt: t0})
			return err
		})
		if known := kind != "bogus"; (err == nil) != known {
			t.Errorf("insert change of kind %q: %v", kind, err)
		}
	}
}
