package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Change kinds.
const (
	ChangeChanged  = "changed"
	ChangeRemoved  = "removed"
	ChangeRestored = "restored"
	// ChangeFlapping reports once that a page alternates among texts it
	// has shown before; ChangeSettled that it has held one text since.
	ChangeFlapping = "flapping"
	ChangeSettled  = "settled"
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
	Diff         string // readable text; for changes stored before schema 4 the only form
	// Blocks is the JSON of the structured diff every view renders; empty
	// for changes stored before schema 4.
	Blocks    []byte
	Classes   []string // from the documented vocabulary (see diff.Classes)
	RevertsTo int64    // the earlier version whose text this change brings back, 0 if none
	// Suppressed marks a change of a flapping page inside its set of
	// texts: stored and listed, but raising no webhook.
	Suppressed bool
	Versions   []int64 // for flapping: the versions the page alternates among
	URL        string  // the page's canonical URL (read only)
}

// InsertChange stores c and returns its id.
func (t *Tx) InsertChange(c Change) (int64, error) {
	if !slices.Contains(ChangeKinds(), c.Kind) {
		return 0, fmt.Errorf("insert change of page %d: unknown kind %q", c.PageID, c.Kind)
	}
	var id int64
	err := t.tx.QueryRowContext(t.ctx, `INSERT INTO changes (page_id, kind, detected_at, old_version_id, new_version_id,
		title, summary, diff, blocks, classes, reverts_to, suppressed, versions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.PageID, c.Kind, fmtTime(c.DetectedAt), nullIfZero(c.OldVersionID), nullIfZero(c.NewVersionID),
		c.Title, c.Summary, c.Diff, nullIfEmpty(string(c.Blocks)), jsonList(c.Classes), nullIfZero(c.RevertsTo),
		c.Suppressed, jsonList(c.Versions)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert %s change of page %d: %w", c.Kind, c.PageID, err)
	}
	return id, nil
}

// ChangeFilter selects changes; zero fields select everything.
type ChangeFilter struct {
	Since    time.Time // detected at or after
	PageID   int64
	SourceID int64 // only changes of the pages this source tracks (pages.source_id)
	AfterID  int64 // only ids greater than this (for following new changes)
	BeforeID int64 // only ids less than this (for paging back)
	Kind     string
	Class    string // only changes carrying this class
	// WithSuppressed includes the changes of flapping pages that raised no
	// webhook; they are left out by default.
	WithSuppressed bool
	Limit          int // 0 means no limit
}

// Changes lists changes matching f, newest first.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	where, args := changeWhere(f)
	q := `SELECT ` + changeColumns + ` FROM changes c JOIN pages p ON p.id = c.page_id`
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
	c, err := scanChange(s.db.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM changes c JOIN pages p ON p.id = c.page_id
		WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Change{}, fmt.Errorf("change %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Change{}, fmt.Errorf("read change %d: %w", id, err)
	}
	return c, nil
}

const changeColumns = `c.id, c.page_id, c.kind, c.detected_at, c.old_version_id, c.new_version_id, c.title, c.summary,
	c.diff, c.blocks, c.classes, c.reverts_to, c.suppressed, c.versions, p.url`

func scanChange(sc interface{ Scan(...any) error }) (Change, error) {
	var c Change
	var blocks string
	err := sc.Scan(&c.ID, &c.PageID, &c.Kind, nullTime{&c.DetectedAt}, nullInt{&c.OldVersionID}, nullInt{&c.NewVersionID},
		&c.Title, &c.Summary, &c.Diff, nullString{&blocks}, jsonStrings{&c.Classes}, nullInt{&c.RevertsTo}, &c.Suppressed,
		jsonInts{&c.Versions}, &c.URL)
	if blocks != "" {
		c.Blocks = []byte(blocks)
	}
	return c, err
}

// jsonList encodes a list column ("[]" for none).
func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonStrings scans a JSON array column of strings.
type jsonStrings struct{ v *[]string }

func (j jsonStrings) Scan(src any) error { return scanJSON(src, j.v) }

// jsonInts scans a JSON array column of integers.
type jsonInts struct{ v *[]int64 }

func (j jsonInts) Scan(src any) error { return scanJSON(src, j.v) }

func scanJSON[T any](src any, v *[]T) error {
	var s string
	if err := (nullString{&s}).Scan(src); err != nil {
		return err
	}
	*v = nil
	if s == "" || s == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
