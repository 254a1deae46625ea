package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// migrations is append-only: PRAGMA user_version holds how many have been
// applied, and each runs in its own transaction.
var migrations = []migration{
	{sql: `CREATE TABLE sources (
		id INTEGER PRIMARY KEY,
		kind TEXT NOT NULL CHECK (kind IN ('feed', 'page', 'adhoc')),
		name TEXT NOT NULL,
		url TEXT NOT NULL,
		schedule TEXT NOT NULL DEFAULT '',
		created_at TEXT NOT NULL,
		last_checked_at TEXT,
		last_class TEXT NOT NULL DEFAULT '',
		last_reason TEXT NOT NULL DEFAULT '',
		consecutive_failures INTEGER NOT NULL DEFAULT 0,
		failing INTEGER NOT NULL DEFAULT 0,
		backoff_until TEXT,
		etag TEXT NOT NULL DEFAULT '',
		last_modified TEXT NOT NULL DEFAULT '',
		last_body_hash TEXT NOT NULL DEFAULT '',
		UNIQUE (kind, url)
	);
	CREATE TABLE pages (
		id INTEGER PRIMARY KEY,
		source_id INTEGER NOT NULL REFERENCES sources (id),
		url TEXT NOT NULL UNIQUE,
		title TEXT NOT NULL DEFAULT '',
		discovered_at TEXT NOT NULL,
		published_at TEXT,
		next_check_at TEXT,
		last_checked_at TEXT,
		last_class TEXT NOT NULL DEFAULT '',
		last_reason TEXT NOT NULL DEFAULT '',
		etag TEXT NOT NULL DEFAULT '',
		last_modified TEXT NOT NULL DEFAULT '',
		last_body_hash TEXT NOT NULL DEFAULT '',
		gone_count INTEGER NOT NULL DEFAULT 0,
		removed INTEGER NOT NULL DEFAULT 0,
		consecutive_failures INTEGER NOT NULL DEFAULT 0,
		failing INTEGER NOT NULL DEFAULT 0,
		backoff_until TEXT
	);
	CREATE INDEX pages_due ON pages (next_check_at) WHERE next_check_at IS NOT NULL;
	CREATE TABLE page_aliases (
		url TEXT PRIMARY KEY,
		page_id INTEGER NOT NULL REFERENCES pages (id)
	);
	CREATE TABLE bodies (
		hash TEXT PRIMARY KEY,
		encoding TEXT NOT NULL,
		size INTEGER NOT NULL,
		data BLOB NOT NULL
	);
	CREATE TABLE captures (
		id INTEGER PRIMARY KEY,
		source_id INTEGER REFERENCES sources (id),
		page_id INTEGER REFERENCES pages (id),
		fetched_at TEXT NOT NULL,
		url TEXT NOT NULL,
		final_url TEXT NOT NULL DEFAULT '',
		redirects TEXT NOT NULL DEFAULT '',
		status INTEGER NOT NULL DEFAULT 0,
		class TEXT NOT NULL,
		reason TEXT NOT NULL DEFAULT '',
		etag TEXT NOT NULL DEFAULT '',
		last_modified TEXT NOT NULL DEFAULT '',
		body_hash TEXT, -- the body itself is kept in bodies only for captures that made a version
		bytes INTEGER NOT NULL DEFAULT 0,
		duration_ms INTEGER NOT NULL DEFAULT 0,
		charset TEXT NOT NULL DEFAULT '',
		extractor TEXT NOT NULL DEFAULT '',
		fallback INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX captures_page ON captures (page_id, id);
	CREATE INDEX captures_source ON captures (source_id, id);
	CREATE TABLE versions (
		id INTEGER PRIMARY KEY,
		page_id INTEGER NOT NULL REFERENCES pages (id),
		capture_id INTEGER NOT NULL REFERENCES captures (id),
		created_at TEXT NOT NULL,
		title TEXT NOT NULL DEFAULT '',
		byline TEXT NOT NULL DEFAULT '',
		published TEXT,
		modified TEXT,
		lang TEXT NOT NULL DEFAULT '',
		canonical TEXT NOT NULL DEFAULT '',
		text TEXT NOT NULL,
		text_hash TEXT NOT NULL,
		extractor TEXT NOT NULL
	);
	CREATE INDEX versions_page ON versions (page_id, id);
	CREATE TABLE changes (
		id INTEGER PRIMARY KEY,
		page_id INTEGER NOT NULL REFERENCES pages (id),
		kind TEXT NOT NULL CHECK (kind IN ('changed', 'removed', 'restored')),
		detected_at TEXT NOT NULL,
		old_version_id INTEGER REFERENCES versions (id),
		new_version_id INTEGER REFERENCES versions (id),
		title TEXT NOT NULL DEFAULT '',
		summary TEXT NOT NULL DEFAULT '',
		diff TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX changes_detected ON changes (detected_at);
	CREATE TABLE deliveries (
		id INTEGER PRIMARY KEY,
		event_id TEXT NOT NULL,
		event_type TEXT NOT NULL,
		webhook_url TEXT NOT NULL,
		payload BLOB NOT NULL,
		created_at TEXT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		next_attempt_at TEXT,
		delivered_at TEXT,
		last_error TEXT NOT NULL DEFAULT '',
		UNIQUE (event_id, webhook_url)
	);
	CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;`},
	// 2: when the current run of failures began, for source.* events.
	{sql: `ALTER TABLE sources ADD COLUMN failing_since TEXT;
	ALTER TABLE pages ADD COLUMN failing_since TEXT;`},
	// 3: the outbox names its subscriber, not the webhook URL (which can
	// carry credentials), and rows are claimed with a lease before sending.
	{fn: migrateDeliveriesToSubscribers},
	// 4: a change keeps its structured diff (blocks), classes, the version
	// it reverts to, whether it was suppressed (a flapping page) and the
	// versions a flapping report names; kinds are no longer a CHECK, so a
	// new kind needs no migration. Pages remember their flapping state.
	{sql: `CREATE TABLE changes_v4 (
		id INTEGER PRIMARY KEY,
		page_id INTEGER NOT NULL REFERENCES pages (id),
		kind TEXT NOT NULL,
		detected_at TEXT NOT NULL,
		old_version_id INTEGER REFERENCES versions (id),
		new_version_id INTEGER REFERENCES versions (id),
		title TEXT NOT NULL DEFAULT '',
		summary TEXT NOT NULL DEFAULT '',
		diff TEXT NOT NULL DEFAULT '', -- readable text; the only form of changes stored before schema 4
		blocks TEXT,                   -- JSON of the structured diff; NULL before schema 4
		classes TEXT NOT NULL DEFAULT '[]',
		reverts_to INTEGER REFERENCES versions (id),
		suppressed INTEGER NOT NULL DEFAULT 0,
		versions TEXT NOT NULL DEFAULT '[]'
	);
	INSERT INTO changes_v4 (id, page_id, kind, detected_at, old_version_id, new_version_id, title, summary, diff)
		SELECT id, page_id, kind, detected_at, old_version_id, new_version_id, title, summary, diff FROM changes;
	DROP TABLE changes;
	ALTER TABLE changes_v4 RENAME TO changes;
	CREATE INDEX changes_detected ON changes (detected_at);
	CREATE INDEX changes_page ON changes (page_id, id);
	CREATE INDEX versions_hash ON versions (page_id, text_hash);
	CREATE INDEX versions_recent ON versions (page_id, created_at, text_hash);
	ALTER TABLE pages ADD COLUMN flapping_since TEXT;
	ALTER TABLE pages ADD COLUMN flap_set TEXT NOT NULL DEFAULT '[]';`},
	// 5: captures keep their response and request headers, the peer's IP
	// address, TLS version and certificate fingerprint, and form a hash
	// chain (chain.go); captures already stored are linked in id order.
	{fn: migrateCaptureLinks},
	// 6: source kinds are data (the CHECK on sources.kind goes), sources
	// are due by a stored time like pages, and listings remember which
	// listing source announced which page, for "unlisted" and "relisted".
	{fn: migrateListings},
	// 7: due pages and sources record who claimed them, so a restarted
	// daemon can free the claims of its dead predecessor at once.
	{sql: `ALTER TABLE pages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
	ALTER TABLE sources ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
	CREATE INDEX pages_claimed ON pages (claimed_by) WHERE claimed_by != '';
	CREATE INDEX sources_claimed ON sources (claimed_by) WHERE claimed_by != '';`},
	// 8: every change filter the UI, API and CLI offer is served by an
	// index: by kind, and newest first without scanning the table.
	{sql: `CREATE INDEX changes_kind ON changes (kind, id);
	CREATE INDEX changes_newest ON changes (suppressed, id);`},
	// 9: full-text search over every version ever stored (search_index.go):
	// each distinct passage once, and the spans of versions holding it;
	// the versions already stored are indexed here, in batches.
	{fn: migrateSearch},
	// 10: the daemons registry (daemons.go), and indexes for the
	// operator's lists (measured by BenchmarkOperator): change lists read
	// classes from the index rather than from after the diff, and a kind
	// filter no longer loses to the newest-first index; the health counts
	// of /sources and `stet sources` read an index, not every page; the
	// failing pages and the deliveries given up each have their own.
	{sql: `CREATE TABLE daemons (
		owner TEXT PRIMARY KEY,  -- as in claimed_by: host/pid/random
		host TEXT NOT NULL,
		pid INTEGER NOT NULL,
		version TEXT NOT NULL DEFAULT '',
		started_at TEXT NOT NULL,
		heartbeat_at TEXT NOT NULL,
		interval_ms INTEGER NOT NULL, -- how often it promised to heartbeat
		state TEXT NOT NULL,          -- running, stopping, stopped
		stopped_at TEXT,
		workers INTEGER NOT NULL DEFAULT 0,
		workers_busy INTEGER NOT NULL DEFAULT 0,
		queued INTEGER NOT NULL DEFAULT 0
	);
	DROP INDEX changes_newest;
	CREATE INDEX changes_newest ON changes (suppressed, id, classes);
	DROP INDEX changes_kind;
	CREATE INDEX changes_kind ON changes (kind, suppressed, id, classes);
	CREATE INDEX pages_health ON pages (source_id, failing, id, removed, unlisted, backoff_until);
	CREATE INDEX pages_failing ON pages (id) WHERE failing = 1;
	CREATE INDEX deliveries_given_up ON deliveries (id) WHERE delivered_at IS NULL AND next_attempt_at IS NULL;`},
	// 11: bodies may be zstd frames, compressed with a dictionary per host
	// (bodies.go); a body remembers the host it came from (to train that
	// host's dictionary) and the dictionary it needs. dict_id is checked
	// by the code, not by a foreign key, so a downgrade can drop it.
	{sql: `CREATE TABLE body_dicts (
		id INTEGER PRIMARY KEY,
		host TEXT NOT NULL UNIQUE,
		created_at TEXT NOT NULL,
		bodies INTEGER NOT NULL, -- bodies the host had when it was trained
		data BLOB                -- a zstd dictionary; empty or NULL: it did not pay
	);
	ALTER TABLE bodies ADD COLUMN host TEXT;
	ALTER TABLE bodies ADD COLUMN dict_id INTEGER;
	CREATE INDEX bodies_host ON bodies (host) WHERE host IS NOT NULL;`},
	// 12: retention (gc.go): captures that changed nothing may be pruned,
	// each pruned run leaving a summary in the hash chain (chain.go) and
	// each page a count of what it lost between the captures it kept.
	{sql: gcSchema},
	// 13: per-host politeness across daemons (hosts.go): each host's
	// earliest next request start, reserved before every request.
	{sql: hostSlotsSchema},
	// 14: pages know their host, the politeness key, so due pages are
	// claimed fairly across hosts (claim.go); filled in for the pages
	// already stored.
	{fn: migratePageHosts},
	// 15: a version's text is stored compressed (versions.text_zstd, with
	// its sizes), and a search passage that is a slice of a version's
	// text as that slice (texts.go); rows stored before keep their text.
	{sql: textSchema},
	// 16: the request headers shared by a capture's requests are stored
	// once, in header_sets (headersets.go).
	{sql: headerSetSchema},
}

// migration is one schema step: SQL, or Go for steps SQL cannot express.
type migration struct {
	sql string
	fn  func(ctx context.Context, tx *sqlTx) error
}

func (m migration) apply(ctx context.Context, tx *sqlTx) error {
	if m.fn != nil {
		return m.fn(ctx, tx)
	}
	_, err := tx.ExecContext(ctx, m.sql)
	return err
}

// migrate applies pending migrations one transaction each. The schema
// version is read inside the IMMEDIATE transaction that applies the step,
// so two processes opening a new database at once serialise: the second
// finds the step done and moves on.
func (s *Store) migrate(ctx context.Context) error {
	var have int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have == len(migrations) {
		return nil // the common case, without taking the write lock
	}
	for {
		done := false
		err := s.Tx(ctx, func(tx *Tx) error {
			var have int
			if err := tx.tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			if have > len(migrations) {
				return fmt.Errorf("schema version %d is newer than this stet (%d)", have, len(migrations))
			}
			if have == len(migrations) {
				done = true
				return nil
			}
			if err := migrations[have].apply(ctx, tx.tx); err != nil {
				return fmt.Errorf("migrate to schema version %d: %w", have+1, err)
			}
			_, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", have+1))
			return err
		})
		if err != nil || done {
			return err
		}
	}
}

// retryBusy runs fn until it returns something other than SQLITE_BUSY or
// SQLITE_LOCKED, for at most limit.
func retryBusy(ctx context.Context, limit time.Duration, fn func() error) error {
	deadline := time.Now().Add(limit)
	wait := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's "database is locked" or "table is
// locked" (primary codes 5 and 6, with any extended code).
func isBusy(err error) bool {
	var ce interface{ Code() int }
	if errors.As(err, &ce) {
		c := ce.Code() & 0xff
		return c == 5 || c == 6
	}
	return false
}
