package storage

import "fmt"

// SetUserVersionForTest lets tests fake a database written by a newer stet.
func (t *Tx) SetUserVersionForTest(v int) error {
	_, err := t.tx.ExecContext(t.ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}
