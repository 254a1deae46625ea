package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL: the same Store on a server that any number of daemons share.
// The schema is created whole at the current version (pgSchema) rather
// than replayed from SQLite's migrations; a later migration adds its own
// PostgreSQL step to pgMigrations. Every write transaction takes one
// advisory lock first, so writes commit one at a time as they do in SQLite
// (the hash chain and the version sequence of a page depend on it), while
// fetching, extracting and diffing, which are most of the work, run in
// parallel in every daemon. Claims also use FOR UPDATE SKIP LOCKED.

// writeLockKey is the advisory lock every write transaction holds.
const writeLockKey = 0x73746574 // "stet"

// OpenPostgres opens the PostgreSQL database dsn names (a postgres:// URL
// or key=value pairs), creating stet's tables in it (in the first schema
// of its search_path) if they are not there yet.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	return openPostgres(ctx, dsn, false)
}

// OpenPostgresReadOnly opens dsn for reading: every transaction is
// read-only, and the schema must exist at this build's version.
func OpenPostgresReadOnly(ctx context.Context, dsn string) (*Store, error) {
	return openPostgres(ctx, dsn, true)
}

func openPostgres(ctx context.Context, dsn string, readOnly bool) (*Store, error) {
	name := RedactDSN(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", name, redactErr(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: &dbh{DB: db, pg: true}, path: name}
	if err := s.initPostgres(ctx, readOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, redactErr(err))
	}
	return s, nil
}

// RedactDSN is dsn without its password, for messages and logs.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		if u.User != nil {
			if _, ok := u.User.Password(); ok {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	var out []string
	for _, f := range strings.Fields(dsn) {
		if k, _, ok := strings.Cut(f, "="); ok && k == "password" {
			f = "password=xxxxx"
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// redactErr keeps pgx's parse errors, which may quote the DSN, from
// carrying a password into a message.
func redactErr(err error) error {
	if pe, ok := errors.AsType[*pgconn.ParseConfigError](err); ok {
		return fmt.Errorf("cannot parse the dsn: %v", pe.Unwrap())
	}
	return err
}

// IsPostgres reports whether the store is on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.db.pg }

func (s *Store) initPostgres(ctx context.Context, readOnly bool) error {
	// Only the connection's own schema counts: stet's tables in another
	// schema of the search_path (public, say) are another database's.
	here, err := schemaHere(ctx, s.db)
	switch {
	case err != nil:
		return err
	case !here && !readOnly:
		if err := s.createPostgresSchema(ctx); err != nil {
			return err
		}
	case !here:
		return fmt.Errorf("no stet schema here: %w: run \"stet run\" or \"stet check\" once with write access", ErrNeedsMigration)
	}
	var have int
	if err := s.db.QueryRowContext(ctx, `SELECT version FROM stet_schema`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this stet (%d)", have, len(migrations))
	}
	if have < len(migrations) {
		if readOnly {
			return fmt.Errorf("schema version %d is older than this stet's (%d): %w: "+
				"run \"stet run\" or \"stet check\" once with write access", have, len(migrations), ErrNeedsMigration)
		}
		return s.migratePostgres(ctx, have)
	}
	return nil
}

// schemaHere reports whether stet's tables are in the connection's current
// schema (the first of its search_path that exists).
func schemaHere(ctx context.Context, q rowQuerier) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name = 'stet_schema'`).Scan(&n); err != nil {
		return false, fmt.Errorf("look for the schema: %w", err)
	}
	return n > 0, nil
}

// createPostgresSchema creates the whole schema in one transaction; two
// daemons starting on an empty database at once serialise on the lock, and
// the second finds the tables there.
func (s *Store) createPostgresSchema(ctx context.Context) error {
	// pg_trgm serves search (search_words, search_grams); it is a trusted
	// extension, so the database's owner may create it.
	if _, err := s.db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm`); err != nil {
		var exists bool
		if s.db.QueryRowContext(ctx, `SELECT true FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&exists) != nil {
			return fmt.Errorf("create extension pg_trgm (search needs it; a superuser can run CREATE EXTENSION pg_trgm): %w", err)
		}
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if here, err := schemaHere(ctx, tx.tx); err != nil || here {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, pgSchema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO stet_schema (version) VALUES (?)`, pgSchemaVersion)
		return err
	})
}

// migratePostgres applies the PostgreSQL steps of the migrations after
// version have, each in its own transaction.
func (s *Store) migratePostgres(ctx context.Context, have int) error {
	for v := have; v < len(migrations); v++ {
		step, ok := pgMigrations[v+1]
		if !ok {
			return fmt.Errorf("migrate to schema version %d: no PostgreSQL step", v+1)
		}
		err := s.Tx(ctx, func(tx *Tx) error {
			var cur int
			if err := tx.tx.QueryRowContext(ctx, `SELECT version FROM stet_schema FOR UPDATE`).Scan(&cur); err != nil {
				return err
			}
			if cur != v {
				return nil // another daemon applied it
			}
			if _, err := tx.tx.ExecContext(ctx, step); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, `UPDATE stet_schema SET version = ?`, v+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", v+1, err)
		}
	}
	return nil
}

// snapshotLevel is the isolation of a read that must see one snapshot
// across statements: SQLite's transactions always do; PostgreSQL's do
// from REPEATABLE READ.
func (s *Store) snapshotLevel() sql.IsolationLevel {
	if s.db.pg {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

// sharedSnapshot begins a read-only transaction on another connection that
// sees exactly what tx (REPEATABLE READ, on PostgreSQL) sees.
func (s *Store) sharedSnapshot(ctx context.Context, tx *sqlTx) (*sqlTx, error) {
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
		return nil, fmt.Errorf("export snapshot: %w", err)
	}
	t, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	if _, err := t.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(id, "'", "")+`'`); err != nil {
		t.Rollback()
		return nil, fmt.Errorf("import snapshot: %w", err)
	}
	return t, nil
}

// lockWrites takes the write lock of a PostgreSQL transaction.
func lockWrites(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey)
	return err
}

// pgMigrations holds the PostgreSQL step of each migration after
// pgSchemaVersion, by the version it brings the schema to.
var pgMigrations = map[int]string{
	13: hostSlotsSchema,
	14: pgPageHosts,
	15: pgTextSchema,
	16: pgHeaderSetSchema,
}

// pgSchemaVersion is the migration pgSchema stands at.
const pgSchemaVersion = 12

// pgSchema is the schema at pgSchemaVersion: SQLite's tables with
// PostgreSQL's types (BIGINT ids from an identity, BYTEA for blobs; times
// stay fixed-width text, so they compare as they do in SQLite). The two
// full-text tables of SQLite become plain tables with trigram indexes
// (search.go builds LIKE patterns over the same folded text); bodies get a
// rowid, the insertion order SQLite gives them implicitly.
const pgSchema = `
CREATE TABLE stet_schema (version INTEGER NOT NULL);
CREATE TABLE sources (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	url TEXT NOT NULL,
	schedule TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	last_checked_at TEXT,
	last_class TEXT NOT NULL DEFAULT '',
	last_reason TEXT NOT NULL DEFAULT '',
	consecutive_failures BIGINT NOT NULL DEFAULT 0,
	failing BIGINT NOT NULL DEFAULT 0,
	backoff_until TEXT,
	etag TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	last_body_hash TEXT NOT NULL DEFAULT '',
	failing_since TEXT,
	next_check_at TEXT,
	reads BIGINT NOT NULL DEFAULT 0,
	claimed_by TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, url)
);
CREATE TABLE pages (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source_id BIGINT NOT NULL REFERENCES sources (id),
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
	gone_count BIGINT NOT NULL DEFAULT 0,
	removed BIGINT NOT NULL DEFAULT 0,
	consecutive_failures BIGINT NOT NULL DEFAULT 0,
	failing BIGINT NOT NULL DEFAULT 0,
	backoff_until TEXT,
	failing_since TEXT,
	flapping_since TEXT,
	flap_set TEXT NOT NULL DEFAULT '[]',
	unlisted BIGINT NOT NULL DEFAULT 0,
	claimed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pages_due ON pages (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE TABLE page_aliases (
	url TEXT PRIMARY KEY,
	page_id BIGINT NOT NULL REFERENCES pages (id)
);
CREATE TABLE bodies (
	hash TEXT PRIMARY KEY,
	encoding TEXT NOT NULL,
	size BIGINT NOT NULL,
	data BYTEA NOT NULL,
	host TEXT,
	dict_id BIGINT,
	rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE
);
CREATE TABLE captures (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	source_id BIGINT REFERENCES sources (id),
	page_id BIGINT REFERENCES pages (id),
	fetched_at TEXT NOT NULL,
	url TEXT NOT NULL,
	final_url TEXT NOT NULL DEFAULT '',
	redirects TEXT NOT NULL DEFAULT '',
	status BIGINT NOT NULL DEFAULT 0,
	class TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	etag TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	body_hash TEXT,
	bytes BIGINT NOT NULL DEFAULT 0,
	duration_ms BIGINT NOT NULL DEFAULT 0,
	charset TEXT NOT NULL DEFAULT '',
	extractor TEXT NOT NULL DEFAULT '',
	fallback BIGINT NOT NULL DEFAULT 0,
	headers TEXT NOT NULL DEFAULT '',
	request_headers TEXT NOT NULL DEFAULT '',
	remote_ip TEXT NOT NULL DEFAULT '',
	tls_version TEXT NOT NULL DEFAULT '',
	cert_sha256 TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT ''
);
CREATE INDEX captures_page ON captures (page_id, id);
CREATE INDEX captures_source ON captures (source_id, id);
CREATE TABLE versions (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	page_id BIGINT NOT NULL REFERENCES pages (id),
	capture_id BIGINT NOT NULL REFERENCES captures (id),
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
CREATE INDEX versions_hash ON versions (page_id, text_hash);
CREATE INDEX versions_recent ON versions (page_id, created_at, text_hash);
CREATE INDEX versions_capture ON versions (capture_id);
CREATE TABLE deliveries (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	subscriber TEXT NOT NULL,
	payload BYTEA NOT NULL,
	created_at TEXT NOT NULL,
	attempts BIGINT NOT NULL DEFAULT 0,
	next_attempt_at TEXT,
	delivered_at TEXT,
	last_error TEXT NOT NULL DEFAULT '',
	claimed_by TEXT NOT NULL DEFAULT '',
	claim_until TEXT,
	UNIQUE (event_id, subscriber)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_claimed ON deliveries (claimed_by) WHERE claimed_by != '';
CREATE INDEX deliveries_given_up ON deliveries (id) WHERE delivered_at IS NULL AND next_attempt_at IS NULL;
CREATE TABLE changes (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	page_id BIGINT NOT NULL REFERENCES pages (id),
	kind TEXT NOT NULL,
	detected_at TEXT NOT NULL,
	old_version_id BIGINT REFERENCES versions (id),
	new_version_id BIGINT REFERENCES versions (id),
	title TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	diff TEXT NOT NULL DEFAULT '',
	blocks TEXT,
	classes TEXT NOT NULL DEFAULT '[]',
	reverts_to BIGINT REFERENCES versions (id),
	suppressed BIGINT NOT NULL DEFAULT 0,
	versions TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX changes_detected ON changes (detected_at);
CREATE INDEX changes_page ON changes (page_id, id);
CREATE INDEX changes_newest ON changes (suppressed, id);
CREATE INDEX changes_kind ON changes (kind, suppressed, id);
CREATE INDEX sources_due ON sources (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX pages_source ON pages (source_id);
CREATE TABLE listings (
	source_id BIGINT NOT NULL REFERENCES sources (id),
	page_id BIGINT NOT NULL REFERENCES pages (id),
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	item_date TEXT,
	missing BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (source_id, page_id)
);
CREATE INDEX listings_page ON listings (page_id);
CREATE INDEX pages_claimed ON pages (claimed_by) WHERE claimed_by != '';
CREATE INDEX sources_claimed ON sources (claimed_by) WHERE claimed_by != '';
CREATE TABLE search_texts (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	hash BYTEA NOT NULL UNIQUE,
	text TEXT NOT NULL
);
CREATE TABLE search_spans (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	text_id BIGINT NOT NULL REFERENCES search_texts (id),
	page_id BIGINT NOT NULL REFERENCES pages (id),
	field BIGINT NOT NULL,
	first_version_id BIGINT NOT NULL REFERENCES versions (id),
	last_version_id BIGINT NOT NULL REFERENCES versions (id),
	gone_version_id BIGINT REFERENCES versions (id)
);
CREATE INDEX search_spans_text ON search_spans (text_id, page_id, field);
CREATE INDEX search_spans_page ON search_spans (page_id, text_id);
CREATE INDEX search_spans_open ON search_spans (page_id) WHERE gone_version_id IS NULL;
CREATE TABLE search_words (
	rowid BIGINT PRIMARY KEY REFERENCES search_texts (id),
	text TEXT NOT NULL -- folded words, one space apart
);
CREATE INDEX search_words_trgm ON search_words USING gin ((' ' || text || ' ') gin_trgm_ops);
CREATE TABLE search_grams (
	rowid BIGINT PRIMARY KEY REFERENCES search_texts (id),
	text TEXT NOT NULL -- folded text of unspaced scripts
);
CREATE INDEX search_grams_trgm ON search_grams USING gin (text gin_trgm_ops);
CREATE TABLE daemons (
	owner TEXT PRIMARY KEY,
	host TEXT NOT NULL,
	pid BIGINT NOT NULL,
	version TEXT NOT NULL DEFAULT '',
	started_at TEXT NOT NULL,
	heartbeat_at TEXT NOT NULL,
	interval_ms BIGINT NOT NULL,
	state TEXT NOT NULL,
	stopped_at TEXT,
	workers BIGINT NOT NULL DEFAULT 0,
	workers_busy BIGINT NOT NULL DEFAULT 0,
	queued BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX pages_health ON pages (source_id, failing, id, removed, unlisted, backoff_until);
CREATE INDEX pages_failing ON pages (id) WHERE failing = 1;
CREATE TABLE body_dicts (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	host TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	bodies BIGINT NOT NULL,
	data BYTEA
);
CREATE INDEX bodies_host ON bodies (host, rowid) WHERE host IS NOT NULL;
CREATE TABLE chain_summaries (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	first_id BIGINT NOT NULL,
	last_id BIGINT NOT NULL,
	count BIGINT NOT NULL,
	prev_link TEXT NOT NULL,
	last_link TEXT NOT NULL,
	digest TEXT NOT NULL,
	links BYTEA NOT NULL,
	first_fetched_at TEXT NOT NULL,
	last_fetched_at TEXT NOT NULL,
	pruned_at TEXT NOT NULL,
	after_id BIGINT NOT NULL,
	seal TEXT NOT NULL
);
CREATE UNIQUE INDEX chain_summaries_range ON chain_summaries (first_id);
CREATE INDEX chain_summaries_seal ON chain_summaries (after_id, id);
CREATE TABLE capture_gaps (
	before_id BIGINT PRIMARY KEY,
	after_id BIGINT NOT NULL,
	page_id BIGINT,
	source_id BIGINT,
	captures BIGINT NOT NULL,
	first_fetched_at TEXT NOT NULL,
	last_fetched_at TEXT NOT NULL,
	classes TEXT NOT NULL
);
CREATE INDEX capture_gaps_page ON capture_gaps (page_id, before_id) WHERE page_id IS NOT NULL;
`
