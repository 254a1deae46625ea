package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Change kinds.
const (
	ChangeChanged  = "changed"
	ChangeRemoved  = "removed"
	ChangeRestored = "restored"
)

// Change is a detected edit, removal or restoration of a page.
type Change struct {
	ID           int64
	PageID       int64
	Kind         string
	DetectedAt   time.Time
	OldVersionID int64 // 0 when none
	NewVersionID int64 // 0 for removals
	Title        string
	Summary      string
	Diff         string
	URL          string // the page's canonical URL (read only)
}

// InsertChange stores c and returns its id.
func (t *Tx) InsertChange(c Change) (int64, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO changes (page_id, kind, detected_at, old_version_id, new_version_id,
		title, summary, diff) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		c.PageID, c.Kind, fmtTime(c.DetectedAt), nullIfZero(c.OldVersionID), nullIfZero(c.NewVersionID),
		c.Title, c.Summary, c.Diff)
	if err != nil {
		return 0, fmt.Errorf("insert %s change of page %d: %w", c.Kind, c.PageID, err)
	}
	return res.LastInsertId()
}

// ChangeFilter selects changes; zero fields select everything.
type ChangeFilter struct {
	Since    time.Time // detected at or after
	PageID   int64
	AfterID  int64 // only ids greater than this (for following new changes)
	BeforeID int64 // only ids less than this (for paging back)
	Kind     string
	Limit    int // 0 means no limit
}

// Changes lists changes matching f, newest first.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "c.detected_at >= ?"), append(args, fmtTime(f.Since))
	}
	if f.PageID > 0 {
		where, args = append(where, "c.page_id = ?"), append(args, f.PageID)
	}
	if f.AfterID > 0 {
		where, args = append(where, "c.id > ?"), append(args, f.AfterID)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "c.id < ?"), append(args, f.BeforeID)
	}
	if f.Kind != "" {
		where, args = append(where, "c.kind = ?"), append(args, f.Kind)
	}
	q := `SELECT c.id, c.page_id, c.kind, c.detected_at, c.old_version_id, c.new_version_id, c.title, c.summary, c.diff, p.url
		FROM changes c JOIN pages p ON p.id = c.page_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, fmt.Errorf("list changes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Change returns one change by id.
func (s *Store) Change(ctx context.Context, id int64) (Change, error) {
	c, err := scanChange(s.db.QueryRowContext(ctx, `SELECT c.id, c.page_id, c.kind, c.detected_at, c.old_version_id,
		c.new_version_id, c.title, c.summary, c.diff, p.url FROM changes c JOIN pages p ON p.id = c.page_id WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Change{}, fmt.Errorf("change %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Change{}, fmt.Errorf("read change %d: %w", id, err)
	}
	return c, nil
}

func scanChange(sc interface{ Scan(...any) error }) (Change, error) {
	var c Change
	err := sc.Scan(&c.ID, &c.PageID, &c.Kind, nullTime{&c.DetectedAt}, nullInt{&c.OldVersionID}, nullInt{&c.NewVersionID},
		&c.Title, &c.Summary, &c.Diff, &c.URL)
	return c, err
}
