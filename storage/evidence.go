package storage

import (
	"context"
	"fmt"
	"time"
)

// The ids of what an evidence export covers, oldest first. Only ids are
// listed, so that a page with a long history costs a few bytes a row here;
// the caller reads each row when it writes it.

// VersionIDs lists the versions of a page made from captures up to
// upToCapture (0: all) and created at or after since (zero: all).
func (s *Store) VersionIDs(ctx context.Context, pageID, upToCapture int64, since time.Time) ([]int64, error) {
	return s.ids(ctx, `SELECT id FROM versions WHERE page_id = ? AND (? = 0 OR capture_id <= ?) AND created_at >= ? ORDER BY id`,
		pageID, upToCapture, upToCapture, sinceText(since))
}

// ChangeIDs lists the changes of a page up to and including change id
// upTo (0: all), detected at or after since (zero: all).
func (s *Store) ChangeIDs(ctx context.Context, pageID, upTo int64, since time.Time) ([]int64, error) {
	return s.ids(ctx, `SELECT id FROM changes WHERE page_id = ? AND (? = 0 OR id <= ?) AND detected_at >= ? ORDER BY id`,
		pageID, upTo, upTo, sinceText(since))
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// sinceText is a lower bound on a time column: "" (before every stored
// time) for the zero time.
func sinceText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}
