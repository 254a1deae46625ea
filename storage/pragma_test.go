package storage

import (
	"path/filepath"
	"testing"
)

// Every connection of a Store on SQLite checkpoints its WAL only past
// 64 MiB (so that a checkpoint writes a page that many commits rewrote
// once), and keeps the WAL file within that once checkpointed.
func TestOpenPragmas(t *testing.T) {
	SQLiteOnly(t)
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct {
		pragma string
		want   int64
	}{
		{"wal_autocheckpoint", 16384},
		{"journal_size_limit", 64 << 20},
		{"synchronous", 2}, // FULL
		{"temp_store", 2},  // MEMORY
	} {
		err := s.Tx(t.Context(), func(tx *Tx) error {
			var got int64
			if err := tx.tx.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				return err
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %d, want %d", tt.pragma, got, tt.want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
