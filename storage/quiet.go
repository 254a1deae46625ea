package storage

import "fmt"

// UpdatePageChecked records a check that changed nothing of p but its
// check state: its times, validators, last class and title, and frees its
// claim. Unlike UpdatePageState it leaves the health columns (failures,
// backoff, removal, flapping) as they are, so that the pages_health index
// is not rewritten: a page row update rewrites the entry of every index
// over a column it sets, changed or not. The daemon's grouped quiet checks
// (daemon/batch.go) use it.
func (t *Tx) UpdatePageChecked(p Page) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE pages SET title = ?, published_at = ?, next_check_at = ?, last_checked_at = ?,
		last_class = ?, last_reason = ?, etag = ?, last_modified = ?, last_body_hash = ?, claimed_by = '' WHERE id = ?`,
		p.Title, fmtTime(p.PublishedAt), fmtTime(p.NextCheckAt), fmtTime(p.LastCheckedAt), p.LastClass, p.LastReason,
		p.ETag, p.LastModified, p.LastBodyHash, p.ID)
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	return nil
}
