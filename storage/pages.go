package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Page is one tracked document, keyed by its canonical URL.
type Page struct {
	ID                  int64
	SourceID            int64
	URL                 string
	Title               string
	DiscoveredAt        time.Time
	PublishedAt         time.Time
	NextCheckAt         time.Time // zero: no longer re-checked
	LastCheckedAt       time.Time
	LastClass           string
	LastReason          string
	ETag                string
	LastModified        string
	LastBodyHash        string
	GoneCount           int
	Removed             bool
	ConsecutiveFailures int
	FailingSince        time.Time // first failure of the current run; zero when healthy
	Failing             bool
	BackoffUntil        time.Time
	// FlappingSince is when the page was reported flapping (zero when it
	// is not); FlapSet holds the text hashes it alternates among.
	FlappingSince time.Time
	FlapSet       []string
}

const pageColumns = `id, source_id, url, title, discovered_at, published_at, next_check_at, last_checked_at,
	last_class, last_reason, etag, last_modified, last_body_hash, gone_count, removed,
	consecutive_failures, failing, backoff_until, failing_since, flapping_since, flap_set`

// pageByURL finds a page by its canonical URL or a URL it moved from; it
// takes the URL twice.
const pageByURL = `SELECT ` + pageColumns + ` FROM pages
	WHERE url = ? OR id = (SELECT page_id FROM page_aliases WHERE url = ?) LIMIT 1`

func scanPage(sc interface{ Scan(...any) error }) (Page, error) {
	var p Page
	err := sc.Scan(&p.ID, &p.SourceID, &p.URL, &p.Title, nullTime{&p.DiscoveredAt}, nullTime{&p.PublishedAt},
		nullTime{&p.NextCheckAt}, nullTime{&p.LastCheckedAt}, &p.LastClass, &p.LastReason, &p.ETag,
		&p.LastModified, &p.LastBodyHash, &p.GoneCount, &p.Removed, &p.ConsecutiveFailures, &p.Failing,
		nullTime{&p.BackoffUntil}, nullTime{&p.FailingSince}, nullTime{&p.FlappingSince}, jsonStrings{&p.FlapSet})
	return p, err
}

func (s *Store) queryPages(ctx context.Context, what, query string, args ...any) ([]Page, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+pageColumns+` FROM pages `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// Page returns the page with the given id.
func (s *Store) Page(ctx context.Context, id int64) (Page, error) {
	p, err := scanPage(s.db.QueryRowContext(ctx, `SELECT `+pageColumns+` FROM pages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Page{}, fmt.Errorf("page %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Page{}, fmt.Errorf("read page %d: %w", id, err)
	}
	return p, nil
}

// PageByURL finds a page by its canonical URL or by a URL it was moved from.
func (s *Store) PageByURL(ctx context.Context, u string) (Page, error) {
	p, err := scanPage(s.db.QueryRowContext(ctx, pageByURL, u, u))
	if errors.Is(err, sql.ErrNoRows) {
		return Page{}, fmt.Errorf("page %s: %w", u, ErrNotFound)
	}
	if err != nil {
		return Page{}, fmt.Errorf("read page %s: %w", u, err)
	}
	return p, nil
}

// Pages lists every page, optionally only those of one source (sourceID > 0).
func (s *Store) Pages(ctx context.Context, sourceID int64) ([]Page, error) {
	if sourceID > 0 {
		return s.queryPages(ctx, "list pages", `WHERE source_id = ? ORDER BY id`, sourceID)
	}
	return s.queryPages(ctx, "list pages", `ORDER BY id`)
}

// DuePages returns up to limit pages whose next check is at or before now,
// the most overdue first.
func (s *Store) DuePages(ctx context.Context, now time.Time, limit int) ([]Page, error) {
	return s.queryPages(ctx, "list due pages",
		`WHERE next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at, id LIMIT ?`, fmtTime(now), limit)
}

// EnsurePage returns the page for url (or a URL it moved from), creating it
// for source sourceID when it does not exist yet. created says which.
func (t *Tx) EnsurePage(sourceID int64, u, title string, discovered, published, nextCheck time.Time) (Page, bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO pages (source_id, url, host, title, discovered_at, published_at, next_check_at)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM page_aliases WHERE url = ?)
		ON CONFLICT (url) DO NOTHING`,
		sourceID, u, HostKey(u), title, fmtTime(discovered), fmtTime(published), fmtTime(nextCheck), u)
	if err != nil {
		return Page{}, false, fmt.Errorf("ensure page %s: %w", u, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Page{}, false, fmt.Errorf("ensure page %s: %w", u, err)
	}
	p, err := scanPage(t.tx.QueryRowContext(t.ctx, pageByURL, u, u))
	if err != nil {
		return Page{}, false, fmt.Errorf("read page %s: %w", u, err)
	}
	return p, n > 0, nil
}

// UpdatePageState writes the mutable check state of p (not its URL).
func (t *Tx) UpdatePageState(p Page) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET title = ?, published_at = ?, next_check_at = ?, last_checked_at = ?,
		last_class = ?, last_reason = ?, etag = ?, last_modified = ?, last_body_hash = ?, gone_count = ?,
		removed = ?, consecutive_failures = ?, failing = ?, backoff_until = ?, failing_since = ?, flapping_since = ?,
		flap_set = ?, claimed_by = '' WHERE id = ?`,
		p.Title, fmtTime(p.PublishedAt), fmtTime(p.NextCheckAt), fmtTime(p.LastCheckedAt), p.LastClass, p.LastReason,
		p.ETag, p.LastModified, p.LastBodyHash, p.GoneCount, p.Removed, p.ConsecutiveFailures, p.Failing,
		fmtTime(p.BackoffUntil), fmtTime(p.FailingSince), fmtTime(p.FlappingSince), jsonList(p.FlapSet), p.ID)
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	return nil
}

// MovePage makes newURL the canonical URL of page id after a permanent
// redirect, keeping the old URL as an alias so its history stays reachable.
// If newURL already belongs to another page, nothing is moved.
func (t *Tx) MovePage(id int64, oldURL, newURL string) (bool, error) {
	var other int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT id FROM pages WHERE url = ?`, newURL).Scan(&other)
	if err == nil && other != id {
		return false, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("move page %d: %w", id, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO page_aliases (url, page_id) VALUES (?, ?)
		ON CONFLICT (url) DO UPDATE SET page_id = excluded.page_id`, oldURL, id); err != nil {
		return false, fmt.Errorf("move page %d: alias %s: %w", id, oldURL, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM page_aliases WHERE url = ?`, newURL); err != nil {
		return false, fmt.Errorf("move page %d: %w", id, err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET url = ?, host = ? WHERE id = ?`, newURL, HostKey(newURL), id); err != nil {
		return false, fmt.Errorf("move page %d to %s: %w", id, newURL, err)
	}
	return true, nil
}

// Backoff is a URL whose host asked stet to wait (429/503 Retry-After).
type Backoff struct {
	URL   string
	Until time.Time
}

// Backoffs lists sources and pages still backed off at now, so a restarted
// daemon keeps honouring them.
func (s *Store) Backoffs(ctx context.Context, now time.Time) ([]Backoff, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT url, backoff_until FROM sources WHERE backoff_until > ?1
		UNION ALL SELECT url, backoff_until FROM pages WHERE backoff_until > ?1`, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("list backoffs: %w", err)
	}
	defer rows.Close()
	var out []Backoff
	for rows.Next() {
		var b Backoff
		if err := rows.Scan(&b.URL, nullTime{&b.Until}); err != nil {
			return nil, fmt.Errorf("list backoffs: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
