package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Change kinds of listings: an article that every listing source which
// announced it stopped listing while it still answers, and one that came
// back to a listing.
const (
	ChangeUnlisted = "unlisted"
	ChangeRelisted = "relisted"
)

// migrateListings is migration 6. Dropping a CHECK constraint needs no
// table rebuild: SQLite documents editing the stored schema text for it
// (https://sqlite.org/lang_altertable.html#otheralter), which keeps the
// foreign keys that point at sources intact.
func migrateListings(ctx context.Context, tx *sqlTx) error {
	var schema string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'sources'`).Scan(&schema); err != nil {
		return err
	}
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return err
	}
	var steps []string
	if check := "CHECK (kind IN ('feed', 'page', 'adhoc'))"; strings.Contains(schema, check) {
		steps = append(steps, `PRAGMA writable_schema = ON`,
			fmt.Sprintf(`UPDATE sqlite_schema SET sql = %s WHERE type = 'table' AND name = 'sources'`,
				quote(strings.Replace(schema, check, "", 1))),
			fmt.Sprintf(`PRAGMA schema_version = %d`, version+1),
			`PRAGMA writable_schema = OFF`)
	}
	for _, q := range append(steps,
		`ALTER TABLE sources ADD COLUMN next_check_at TEXT`,
		`ALTER TABLE sources ADD COLUMN reads INTEGER NOT NULL DEFAULT 0`,
		`CREATE INDEX sources_due ON sources (next_check_at) WHERE next_check_at IS NOT NULL`,
		`CREATE INDEX pages_source ON pages (source_id)`,
		`ALTER TABLE pages ADD COLUMN unlisted INTEGER NOT NULL DEFAULT 0`,
		`CREATE TABLE listings (
			source_id INTEGER NOT NULL REFERENCES sources (id),
			page_id INTEGER NOT NULL REFERENCES pages (id),
			first_seen TEXT NOT NULL,
			last_seen TEXT NOT NULL,
			item_date TEXT,             -- the date the listing gave the item, else when it was first seen
			missing INTEGER NOT NULL DEFAULT 0, -- consecutive complete reads without it; -1: pushed out by newer items
			PRIMARY KEY (source_id, page_id)
		)`,
		`CREATE INDEX listings_page ON listings (page_id)`,
	) {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Listed is one page a listing source lists now.
type Listed struct {
	PageID int64
	Date   time.Time // the item's date in the listing (published, or updated); zero when it gives none
}

// ListingResult is what one complete read of a listing source means for
// the pages it announced before.
type ListingResult struct {
	Unlisted []int64 // pages that every listing source has now stopped listing, confirmed
	Relisted []int64 // pages listed again after being reported unlisted
}

// RecordListing records a complete read of listing source sourceID that
// listed the given pages. A page it listed before and no longer lists
// counts one more miss, unless it is older than every page still listed
// (pushed out by newer items, as feeds showing their latest N items do),
// which is final. A page whose every listing source has missed it on
// unlistedAfter consecutive reads (pushed-out sources aside, and at least
// one real miss) is returned as unlisted, once; a page listed again after
// that, as relisted.
func (t *Tx) RecordListing(sourceID int64, listed []Listed, now time.Time, unlistedAfter int) (ListingResult, error) {
	var res ListingResult
	ids := make([]int64, len(listed))
	oldest := time.Time{}
	for i, l := range listed {
		ids[i] = l.PageID
		d := l.Date
		if d.IsZero() {
			d = now
		}
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO listings (source_id, page_id, first_seen, last_seen, item_date)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_id, page_id) DO UPDATE SET last_seen = excluded.last_seen,
			missing = 0, item_date = coalesce(?, listings.item_date)`,
			sourceID, l.PageID, fmtTime(now), fmtTime(now), fmtTime(d), fmtTime(l.Date)); err != nil {
			return res, fmt.Errorf("record listing of page %d: %w", l.PageID, err)
		}
	}
	// The oldest date still listed: stored dates, so items without one
	// count from when they were first seen.
	if len(ids) > 0 {
		var o sql.NullString
		if err := t.tx.QueryRowContext(t.ctx, `SELECT min(item_date) FROM listings WHERE source_id = ?
			AND page_id IN (SELECT value FROM json_each(?))`, sourceID, jsonIDs(ids)).Scan(&o); err != nil {
			return res, fmt.Errorf("read listing dates: %w", err)
		}
		if o.Valid {
			oldest, _ = time.Parse(timeLayout, o.String)
		}
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE listings SET missing = CASE
			WHEN ? != '' AND item_date < ? THEN -1 ELSE missing + 1 END
		WHERE source_id = ? AND missing >= 0 AND page_id NOT IN (SELECT value FROM json_each(?))`,
		fmtTimeText(oldest), fmtTimeText(oldest), sourceID, jsonIDs(ids)); err != nil {
		return res, fmt.Errorf("count listing misses: %w", err)
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT l.page_id FROM listings l JOIN pages p ON p.id = l.page_id
		WHERE l.source_id = ? AND l.missing = ? AND p.unlisted = 0
		AND NOT EXISTS (SELECT 1 FROM listings o WHERE o.page_id = l.page_id AND o.missing BETWEEN 0 AND ?)`,
		sourceID, unlistedAfter, unlistedAfter-1)
	if err != nil {
		return res, fmt.Errorf("find unlisted pages: %w", err)
	}
	res.Unlisted, err = scanIDs(rows)
	if err != nil {
		return res, err
	}
	if len(ids) > 0 {
		rows, err := t.tx.QueryContext(t.ctx, `SELECT id FROM pages WHERE unlisted = 1
			AND id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
		if err != nil {
			return res, fmt.Errorf("find relisted pages: %w", err)
		}
		if res.Relisted, err = scanIDs(rows); err != nil {
			return res, err
		}
	}
	return res, nil
}

// SetUnlisted records whether a page is reported unlisted.
func (t *Tx) SetUnlisted(pageID int64, unlisted bool) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET unlisted = ? WHERE id = ?`, unlisted, pageID)
	if err != nil {
		return fmt.Errorf("mark page %d unlisted=%v: %w", pageID, unlisted, err)
	}
	return nil
}

func jsonIDs(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func fmtTimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ListedPages returns the pages sourceID lists as of its last complete
// read, for a read that found the listing unchanged.
func (t *Tx) ListedPages(sourceID int64) ([]Listed, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT page_id, item_date FROM listings WHERE source_id = ? AND missing = 0`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("list listed pages of source %d: %w", sourceID, err)
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		if err := rows.Scan(&l.PageID, nullTime{&l.Date}); err != nil {
			return nil, fmt.Errorf("list listed pages of source %d: %w", sourceID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// PageByID reads a page inside the transaction.
func (t *Tx) PageByID(id int64) (Page, error) {
	p, err := scanPage(t.tx.QueryRowContext(t.ctx, `SELECT `+pageColumns+` FROM pages WHERE id = ?`, id))
	if err != nil {
		return Page{}, fmt.Errorf("read page %d: %w", id, err)
	}
	return p, nil
}

// CheckSoon makes a page due at when, if it was due later (a sitemap's
// lastmod says it changed).
func (t *Tx) CheckSoon(pageID int64, when time.Time) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET next_check_at = ? WHERE id = ? AND next_check_at > ?`,
		fmtTime(when), pageID, fmtTime(when))
	if err != nil {
		return fmt.Errorf("make page %d due: %w", pageID, err)
	}
	return nil
}
