// Package storage keeps everything stet has seen in one SQLite file: sources,
// pages, every fetch attempt (captures), raw bodies stored once per hash,
// distinct extracted versions, the changes between them and the webhook
// outbox. A version, its change and its outbox rows commit in one
// transaction, and what is due next lives here too, so a restarted daemon
// resumes where the last one stopped.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open stet database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating if needed) the database at path, checks that WAL mode
// took and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a commit survives power loss too, not only a killed process;
	// stet writes a few transactions a second at most, so the fsync is cheap.
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// init checks the journal mode and migrates, retrying while another
// process holds the lock: turning a new file into WAL takes an exclusive
// lock that SQLite does not wait for, so processes opening a new database
// at once would otherwise see SQLITE_BUSY.
func (s *Store) init(ctx context.Context) error {
	return retryBusy(ctx, 10*time.Second, func() error { return s.initOnce(ctx) })
}

func (s *Store) initOnce(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	return s.migrate(ctx)
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Tx runs fn in one IMMEDIATE transaction: everything fn writes commits
// together or not at all.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() // no-op after Commit
	if err := fn(&Tx{ctx: ctx, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is an open write transaction; see Store.Tx.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
}

// timeLayout is fixed-width so that stored times sort as text and stay
// readable to anyone opening the file with the sqlite3 shell.
const timeLayout = "2006-01-02T15:04:05.000Z"

func fmtTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// nullTime scans a nullable time column.
type nullTime struct{ t *time.Time }

func (n nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.t = time.Time{}
		return nil
	case string:
		t, err := time.Parse(timeLayout, x)
		if err != nil {
			return err
		}
		*n.t = t
		return nil
	case []byte:
		return nullTime{n.t}.Scan(string(x))
	}
	return fmt.Errorf("scan time: unexpected %T", v)
}

// nullString scans a nullable text column into a string ("" for NULL).
type nullString struct{ s *string }

func (n nullString) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.s = ""
	case string:
		*n.s = x
	case []byte:
		*n.s = string(x)
	default:
		return fmt.Errorf("scan string: unexpected %T", v)
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullInt scans a nullable integer column (0 for NULL).
type nullInt struct{ i *int64 }

func (n nullInt) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.i = 0
	case int64:
		*n.i = x
	default:
		return fmt.Errorf("scan int: unexpected %T", v)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns an error naming
// the first problem it finds.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
