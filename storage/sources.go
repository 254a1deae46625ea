package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Source kinds.
const (
	KindFeed  = "feed"  // an RSS/Atom/JSON feed whose items become pages
	KindPage  = "page"  // a single document from the config
	KindAdhoc = "adhoc" // URLs checked by hand with `stet check`
)

// Source is a configured feed or page, or the holder of ad-hoc pages.
type Source struct {
	ID                  int64
	Kind                string
	Name                string
	URL                 string
	Schedule            string
	CreatedAt           time.Time
	LastCheckedAt       time.Time
	LastClass           string
	LastReason          string
	ConsecutiveFailures int
	FailingSince        time.Time // first failure of the current run; zero when healthy
	Failing             bool
	BackoffUntil        time.Time
	ETag                string
	LastModified        string
	LastBodyHash        string
	// NextCheckAt is when the source is due to be read; zero for a source
	// never read (due at once) and for ad-hoc holders.
	NextCheckAt time.Time
}

const sourceColumns = `id, kind, name, url, schedule, created_at, last_checked_at, last_class, last_reason,
	consecutive_failures, failing, backoff_until, etag, last_modified, last_body_hash, failing_since, next_check_at`

func scanSource(sc interface{ Scan(...any) error }) (Source, error) {
	var s Source
	err := sc.Scan(&s.ID, &s.Kind, &s.Name, &s.URL, &s.Schedule, nullTime{&s.CreatedAt}, nullTime{&s.LastCheckedAt},
		&s.LastClass, &s.LastReason, &s.ConsecutiveFailures, &s.Failing, nullTime{&s.BackoffUntil},
		&s.ETag, &s.LastModified, &s.LastBodyHash, nullTime{&s.FailingSince}, nullTime{&s.NextCheckAt})
	return s, err
}

// EnsureSource creates the source (kind, url) or updates its name and
// schedule, and returns it with its stored state.
func (s *Store) EnsureSource(ctx context.Context, kind, name, rawURL, schedule string, now time.Time) (Source, error) {
	_, err := s.db.ExecContext(ctx, `INSERT INTO sources (kind, name, url, schedule, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, url) DO UPDATE SET name = excluded.name, schedule = excluded.schedule`,
		kind, name, rawURL, schedule, fmtTime(now))
	if err != nil {
		return Source{}, fmt.Errorf("ensure %s source %s: %w", kind, rawURL, err)
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE kind = ? AND url = ?`, kind, rawURL)
	src, err := scanSource(row)
	if err != nil {
		return Source{}, fmt.Errorf("read %s source %s: %w", kind, rawURL, err)
	}
	return src, nil
}

// Source returns the source with the given id.
func (s *Store) Source(ctx context.Context, id int64) (Source, error) {
	src, err := scanSource(s.db.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, fmt.Errorf("source %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Source{}, fmt.Errorf("read source %d: %w", id, err)
	}
	return src, nil
}

// Sources lists every source in creation order.
func (s *Store) Sources(ctx context.Context) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// UpdateSourceState writes the mutable check state of src.
func (t *Tx) UpdateSourceState(src Source) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE sources SET last_checked_at = ?, last_class = ?, last_reason = ?,
		consecutive_failures = ?, failing = ?, backoff_until = ?, etag = ?, last_modified = ?, last_body_hash = ?,
		failing_since = ?, next_check_at = ?, claimed_by = '' WHERE id = ?`,
		fmtTime(src.LastCheckedAt), src.LastClass, src.LastReason, src.ConsecutiveFailures, src.Failing,
		fmtTime(src.BackoffUntil), src.ETag, src.LastModified, src.LastBodyHash, fmtTime(src.FailingSince),
		fmtTime(src.NextCheckAt), src.ID)
	if err != nil {
		return fmt.Errorf("update source %d: %w", src.ID, err)
	}
	return nil
}

// ClaimDueSources is ClaimDuePages for sources of the given kinds: due (or
// never read) ones are taken until now+lease and their ids returned.
func (s *Store) ClaimDueSources(ctx context.Context, owner string, kinds []string, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := s.claimTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `UPDATE sources SET next_check_at = ?, claimed_by = ? WHERE id IN (SELECT id FROM sources
			WHERE kind IN (SELECT atom FROM json_each(?)) AND (next_check_at IS NULL OR next_check_at <= ?)
			ORDER BY next_check_at, id LIMIT ? /*SKIP LOCKED*/) RETURNING id`, fmtTime(now.Add(lease)), owner, jsonList(kinds), fmtTime(now), limit)
		if err != nil {
			return err
		}
		ids, err = scanIDs(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim due sources: %w", err)
	}
	return ids, nil
}

// WorkClaimOwners lists the processes holding claims on due pages or
// sources.
func (s *Store) WorkClaimOwners(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT claimed_by FROM pages WHERE claimed_by != ''
		UNION SELECT claimed_by FROM sources WHERE claimed_by != ''`)
	if err != nil {
		return nil, fmt.Errorf("list work claim owners: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("list work claim owners: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ReleaseWorkOf makes the pages and sources a dead process had claimed due
// at now, rather than when its leases end.
func (s *Store) ReleaseWorkOf(ctx context.Context, owner string, now time.Time) (int64, error) {
	var n int64
	err := s.claimTx(ctx, func(tx *Tx) error {
		for _, table := range []string{"pages", "sources"} {
			res, err := tx.tx.ExecContext(ctx, `UPDATE `+table+` SET next_check_at = ?, claimed_by = '' WHERE claimed_by = ?`,
				fmtTime(now), owner)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("release work of %s: %w", owner, err)
	}
	return n, nil
}

// UnclaimWork gives back claims owner could not act on (the work was
// already queued or running, or the queue was full): those pages and
// sources are due again at now.
func (s *Store) UnclaimWork(ctx context.Context, owner string, pageIDs, sourceIDs []int64, now time.Time) error {
	if len(pageIDs) == 0 && len(sourceIDs) == 0 {
		return nil
	}
	return s.claimTx(ctx, func(tx *Tx) error {
		for table, ids := range map[string][]int64{"pages": pageIDs, "sources": sourceIDs} {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE `+table+` SET next_check_at = ?, claimed_by = ''
				WHERE claimed_by = ? AND id IN (SELECT value FROM json_each(?))`, fmtTime(now), owner, jsonIDs(ids)); err != nil {
				return fmt.Errorf("unclaim %s: %w", table, err)
			}
		}
		return nil
	})
}
