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
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver (pure Go, no cgo)
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrDamaged is wrapped by the error Open and OpenReadOnly return when the
// file fails SQLite's quick check or is not an SQLite database at all.
var ErrDamaged = errors.New("database is damaged")

// ErrNeedsMigration is wrapped by the error OpenReadOnly returns for a
// database whose schema is older than this build's: only Open migrates.
var ErrNeedsMigration = errors.New("database needs migrating")

// quickCheckTimeout bounds the quick check Open runs. A check still running
// then is abandoned, not failed: a database that large takes that long to
// read, which is no sign of damage.
const quickCheckTimeout = 30 * time.Second

// readOnlyQuickCheckTimeout bounds the quick check of OpenReadOnly, which
// serves the operator's commands: reading the whole file (2.2 s at
// 100,000 pages and a million captures) would be most of what each of
// them costs. A small database is still checked whole, and the daemon
// (Open) checks a large one at every start.
const readOnlyQuickCheckTimeout = 250 * time.Millisecond

// Store is an open stet database. It is safe for concurrent use.
type Store struct {
	db     *dbh
	path   string
	bodies bodyCodec     // zstd encoders, decoders and dictionaries (bodies.go)
	writer chan struct{} // SQLite: held by the Tx writing (capacity 1), see Tx
}

// Open opens the database at path, creating it (mode 0600, and SQLite gives
// its -wal and -shm files the same mode) if it does not exist. It checks that
// WAL mode took, runs SQLite's quick check (an error wrapping ErrDamaged
// names the first problem) and applies pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("create database %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a commit survives power loss too, not only a killed process;
	// stet writes a few transactions a second at most, so the fsync is cheap.
	q.Add("_pragma", "synchronous(FULL)")
	// Temporary data in memory: above all the statement journal a
	// statement that writes many rows inside a transaction keeps (a claim
	// of due pages), which SQLite spills to a temporary file past 64 KiB,
	// about 4.5 KB written per unchanged re-check (internal/scale). VACUUM
	// and gc's index build, whose temporary data grows with the database,
	// use files (withTempFiles, gc.go).
	q.Add("_pragma", "temp_store(MEMORY)")
	// Checkpoints every 16,384 WAL pages (64 MiB) rather than SQLite's
	// 1,000: a checkpoint writes each database page once however many
	// commits rewrote it since the last, and the commits of a re-check
	// cycle rewrite the same pages (a host's rows, the tail of the
	// captures, the due-time indexes) again and again. Bytes written per
	// unchanged re-check: 6.3 KB before, 5.1 KB after, first fetch 435 KB
	// before, 335 KB after (internal/scale, 10,000 articles). The WAL file
	// stays at about that size; journal_size_limit truncates it back once
	// a checkpoint that readers held up has run.
	q.Add("_pragma", "wal_autocheckpoint(16384)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	q.Set("_txlock", "immediate")
	s, err := openDSN(path, q)
	if err != nil {
		return nil, err
	}
	if err := s.init(ctx); err != nil {
		s.db.Close()
		return nil, s.openError(err)
	}
	return s, nil
}

// OpenReadOnly opens the existing database at path for reading. It never
// creates the file (a missing one is an error wrapping fs.ErrNotExist) and
// never migrates (an older schema is an error wrapping ErrNeedsMigration);
// it runs the same quick check as Open. In a folder it may not write to, a
// database without a -wal file is opened as immutable, since SQLite could
// not create the -shm file it otherwise needs; in a writable folder SQLite
// may leave empty -wal and -shm files behind, as any reader does.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notExistError{path}
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	s, err := openReadOnly(ctx, path, false)
	if sqliteCode(err) == sqlite3.SQLITE_READONLY_DIRECTORY && !exists(path+"-wal") {
		// No -wal: everything committed is in the main file, and the
		// folder is not ours to write, so nobody we could race is writing.
		s, err = openReadOnly(ctx, path, true)
	}
	return s, err
}

func openReadOnly(ctx context.Context, path string, immutable bool) (*Store, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	s, err := openDSN(path, q)
	if err != nil {
		return nil, err
	}
	if err := s.initReadOnly(ctx); err != nil {
		s.db.Close()
		return nil, s.openError(err)
	}
	return s, nil
}

// openDSN prepares (but does not yet touch) the database at path. The path
// is escaped, so a "?" or "#" in it is part of the file name.
func openDSN(path string, q url.Values) (*Store, error) {
	name := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", "file:"+name+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Connections stay open between uses (database/sql keeps 2 idle by
	// default and closes the others): each holds its statements prepared
	// (stmtCache) and its page cache, which a new connection would build
	// again.
	db.SetMaxIdleConns(maxIdleConns)
	return &Store{db: &dbh{DB: db}, path: path, writer: make(chan struct{}, 1)}, nil
}

// maxIdleConns is how many idle SQLite connections a Store keeps: the
// daemon's workers (4 by default), its dispatcher, delivery and web
// server at once.
const maxIdleConns = 8

// createPrivate creates an empty file at path, readable by its owner only,
// unless something is there already. SQLite takes an empty file for an
// empty database, and creates -wal and -shm files with the main file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// init checks the journal mode and the file, and migrates, retrying while
// another process holds the lock: turning a new file into WAL takes an
// exclusive lock that SQLite does not wait for, so processes opening a new
// database at once would otherwise see SQLITE_BUSY.
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
	if err := s.quickCheck(ctx, quickCheckTimeout); err != nil {
		return err
	}
	return s.migrate(ctx)
}

func (s *Store) initReadOnly(ctx context.Context) error {
	var have int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if err := s.quickCheck(ctx, readOnlyQuickCheckTimeout); err != nil {
		return err
	}
	switch want := len(migrations); {
	case have < want:
		return fmt.Errorf("schema version %d is older than this stet's (%d): %w: "+
			"run \"stet run\" or \"stet check\" once with write access", have, want, ErrNeedsMigration)
	case have > want:
		return fmt.Errorf("schema version %d is newer than this stet (%d)", have, want)
	}
	return nil
}

// quickCheck runs PRAGMA quick_check over each ordinary table (and its
// indexes), giving up (without error) after limit: the driver
// interrupts SQLite when the context ends. The full-text search tables are
// virtual: SQLite's whole-file quick_check also runs FTS5's integrity check
// of the search index, which reads all of it (12 s at a million
// paragraphs), while checking each ordinary table covers the search
// index's storage tables too, as pages (1.8 s at that size). What the
// table-by-table check skips is the free-page accounting of the file.
func (s *Store) quickCheck(ctx context.Context, limit time.Duration) error {
	checkCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	res, err := s.quickCheckTables(checkCtx)
	switch {
	case err != nil && ctx.Err() == nil && errors.Is(checkCtx.Err(), context.DeadlineExceeded):
		return nil
	case err != nil:
		return fmt.Errorf("quick check: %w", err)
	case res != "ok":
		return &damagedError{path: s.path, detail: firstProblem(res)}
	}
	return nil
}

// quickCheckTables returns "ok" or the first problem quick_check reports
// in an ordinary table.
func (s *Store) quickCheckTables(ctx context.Context) (string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	if err != nil {
		return "", err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(tables) == 0 {
		// A new or foreign file: the whole-file check names what is wrong.
		tables = append(tables, "")
	}
	for _, t := range tables {
		q := "PRAGMA quick_check(1)"
		if t != "" {
			q = `PRAGMA quick_check("` + strings.ReplaceAll(t, `"`, `""`) + `")`
		}
		var res string
		if err := s.db.QueryRowContext(ctx, q).Scan(&res); err != nil {
			return "", err
		}
		if res != "ok" {
			return res, nil
		}
	}
	return "ok", nil
}

// firstProblem is the first line of a quick_check report, past the
// "*** in database main ***" heading SQLite puts before it.
func firstProblem(report string) string {
	for line := range strings.Lines(report) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "*** ") {
			return line
		}
	}
	return strings.TrimSpace(report)
}

// openError turns what SQLite says about a damaged or foreign file into an
// error naming the path and what to do; other errors get the path only.
func (s *Store) openError(err error) error {
	if _, ok := errors.AsType[*damagedError](err); ok {
		return err
	}
	switch sqliteCode(err) & 0xff {
	case sqlite3.SQLITE_CORRUPT:
		return &damagedError{path: s.path, detail: "database disk image is malformed", err: err}
	case sqlite3.SQLITE_NOTADB:
		return &damagedError{path: s.path, notDB: true, err: err}
	}
	return fmt.Errorf("open database %s: %w", s.path, err)
}

// damagedError is a database that fails the quick check or is not one.
type damagedError struct {
	path, detail string
	notDB        bool
	err          error // SQLite's error, if it gave one
}

func (e *damagedError) Error() string {
	if e.notDB {
		return fmt.Sprintf("database %s is not an SQLite database (file is not a database): "+
			"check the path, or restore the file from a backup", e.path)
	}
	return fmt.Sprintf("database %s is damaged: %s; restore it from a backup, "+
		"or salvage what is readable with: sqlite3 %s .recover | sqlite3 recovered.db", e.path, e.detail, e.path)
}

func (e *damagedError) Unwrap() []error {
	if e.err == nil {
		return []error{ErrDamaged}
	}
	return []error{ErrDamaged, e.err}
}

// notExistError is OpenReadOnly's error for a missing file.
type notExistError struct{ path string }

func (e notExistError) Error() string { return "database " + e.path + " does not exist" }
func (e notExistError) Unwrap() error { return fs.ErrNotExist }

// sqliteCode is the (extended) result code of an SQLite error, 0 if err is
// not one.
func sqliteCode(err error) int {
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return se.Code()
	}
	return 0
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ChangeKinds lists every change kind (see the Change* constants), for
// callers that validate a kind before asking for changes of it.
func ChangeKinds() []string {
	return []string{ChangeChanged, ChangeRemoved, ChangeRestored, ChangeFlapping, ChangeSettled, ChangeUnlisted, ChangeRelisted}
}

// Path is the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.bodies.close()
	return s.db.Close()
}

// Tx runs fn in one IMMEDIATE transaction: everything fn writes commits
// together or not at all.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.tx(ctx, true, fn)
}

// claimTx is Tx for claiming and giving back work (due pages and sources,
// deliveries): on PostgreSQL it does not take the write lock, which only
// the writes of what stet has seen need (the hash chain, versions),
// because a claim is one UPDATE whose rows PostgreSQL locks (and passes
// over when another claim holds them, SKIP LOCKED) and whose due
// condition it checks again on each row, so two daemons never claim one
// row. Claims thus never wait behind a daemon's version being written.
// On SQLite it is Tx.
func (s *Store) claimTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.tx(ctx, false, fn)
}

// tx runs fn in one transaction, after this process's other writers
// (SQLite) and, with writeLock, after PostgreSQL's write lock.
func (s *Store) tx(ctx context.Context, writeLock bool, fn func(tx *Tx) error) error {
	release, err := s.lockWriter(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer release()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqlTx.Rollback() // no-op after Commit
	if s.db.pg && writeLock {
		if err := lockWrites(ctx, sqlTx.Tx); err != nil {
			return fmt.Errorf("begin: take the write lock: %w", err)
		}
	}
	if err := fn(&Tx{ctx: ctx, tx: sqlTx, st: s}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// writerWait is how long Tx waits for another Tx of this process to end
// before it begins anyway: SQLite's busy_timeout then decides, as it
// does for writers in other processes.
const writerWait = 10 * time.Second

// lockWriter waits until no other Tx of this Store is writing (SQLite).
// SQLite has one writer at a time, and a BEGIN IMMEDIATE that finds the
// file locked polls for it in its busy handler, sleeping up to 100 ms
// between tries, so a writer often slept on after the lock was free.
// Waiting here hands the lock from one Tx to the next at once. Another
// process sharing the file is still kept out by SQLite's lock, and its
// wait by busy_timeout.
func (s *Store) lockWriter(ctx context.Context) (release func(), err error) {
	if s.writer == nil {
		return func() {}, nil
	}
	select {
	case s.writer <- struct{}{}:
		return s.unlockWriter, nil
	default:
	}
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case s.writer <- struct{}{}:
		return s.unlockWriter, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return func() {}, nil // perhaps a Tx within a Tx: let SQLite decide
	}
}

func (s *Store) unlockWriter() { <-s.writer }

// Tx is an open write transaction; see Store.Tx.
type Tx struct {
	ctx context.Context
	tx  *sqlTx
	st  *Store
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
	if s.db.pg {
		return nil // the server keeps its own checksums; stet verify checks stet's data
	}
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
