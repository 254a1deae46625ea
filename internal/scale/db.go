package scale

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver stet uses
)

// The harness reads the database stet wrote with a few plain queries on
// the oldest columns of its schema (pages.url and next_check_at, versions,
// changes.kind and detected_at), so it keeps working as the schema grows.

// timeLayout is how stet stores times (storage.timeLayout).
const timeLayout = "2006-01-02T15:04:05.000Z"

func openDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// maxID is the largest id in table: rows are never deleted from versions
// or captures, so it counts them cheaply.
func maxID(ctx context.Context, db *sql.DB, table string) (int64, error) {
	var n sql.NullInt64
	if err := db.QueryRowContext(ctx, "SELECT max(id) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("max id of %s: %w", table, err)
	}
	return n.Int64, nil
}

// reaches is a watch condition: table's max id is at least want.
func reaches(ctx context.Context, db *sql.DB, table string, want int64) func() (bool, error) {
	return func() (bool, error) {
		n, err := maxID(ctx, db, table)
		return n >= want, err
	}
}

// rechecked is a watch condition: n captures answered 304 have been stored
// after capture id base.
func rechecked(ctx context.Context, db *sql.DB, base, n int64) func() (bool, error) {
	return func() (bool, error) {
		if m, err := maxID(ctx, db, "captures"); err != nil || m < base+n {
			return false, err // cheap, and usually enough to say no
		}
		var got int64
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM captures WHERE id > ? AND class = 'not_modified'", base).Scan(&got)
		if err != nil {
			return false, fmt.Errorf("count re-checks: %w", err)
		}
		return got >= n, nil
	}
}

func countRows(ctx context.Context, db *sql.DB, table string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// makeAllDue makes every scheduled page due by now: every due time moves
// back by the same amount, so the latest is now and the pages keep the
// order (and the spread over hosts) stet's schedule gave them. It is a
// whole re-check cycle arriving at once, to measure re-checks in one
// burst. stet must not be running.
func makeAllDue(ctx context.Context, db *sql.DB, now time.Time) (int64, error) {
	var latest sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT max(next_check_at) FROM pages").Scan(&latest); err != nil {
		return 0, fmt.Errorf("latest due time: %w", err)
	}
	t, err := time.Parse(timeLayout, latest.String)
	if err != nil {
		return 0, fmt.Errorf("latest due time %q: %w", latest.String, err)
	}
	days := t.Sub(now).Hours() / 24
	res, err := db.ExecContext(ctx, `UPDATE pages SET next_check_at = strftime('%Y-%m-%dT%H:%M:%fZ', julianday(next_check_at) - ?)
		WHERE next_check_at IS NOT NULL`, days)
	if err != nil {
		return 0, fmt.Errorf("make pages due: %w", err)
	}
	return res.RowsAffected()
}

// detections is when each page's first "changed" change was detected, by URL.
func detections(ctx context.Context, db *sql.DB) (map[string]time.Time, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.url, min(c.detected_at) FROM changes c JOIN pages p ON p.id = c.page_id
		WHERE c.kind = 'changed' GROUP BY p.url`)
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var u, at string
		if err := rows.Scan(&u, &at); err != nil {
			return nil, err
		}
		t, err := time.Parse(timeLayout, at)
		if err != nil {
			return nil, fmt.Errorf("change of %s: %w", u, err)
		}
		out[u] = t
	}
	return out, rows.Err()
}

// fileBytes is the size of the database with its WAL and shared memory
// files, those that exist.
func fileBytes(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// TableSize is the bytes one table or index takes in the database file.
type TableSize struct {
	Name  string
	Bytes int64
}

// tableSizes reads SQLite's dbstat table, largest first; nil when this
// SQLite lacks it.
func tableSizes(ctx context.Context, db *sql.DB) ([]TableSize, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil
		}
		return nil, fmt.Errorf("read dbstat: %w", err)
	}
	defer rows.Close()
	var out []TableSize
	for rows.Next() {
		var t TableSize
		if err := rows.Scan(&t.Name, &t.Bytes); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// checkpoint copies every frame of the database's write-ahead log into
// the database file and returns the bytes this process wrote doing so
// (write_bytes and wchar). SQLite checkpoints by itself once the log
// holds about 4 MB, so a phase's last frames would otherwise reach the
// file after the phase, uncounted, and frames the harness wrote before a
// phase would be counted in it.
func checkpoint(ctx context.Context, db *sql.DB) (writeBytes, wchar int64, err error) {
	before, err := ReadSample(0)
	if err != nil {
		return 0, 0, err
	}
	var busy, frames, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 || done < frames {
		return 0, 0, fmt.Errorf("checkpoint: %d of %d frames copied (busy %d)", done, frames, busy)
	}
	after, err := ReadSample(0)
	if err != nil {
		return 0, 0, err
	}
	d := after.Sub(before)
	return d.WriteBytes, d.WChar, nil
}
