package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stet/stet/storage"
)

// addChange stores a change of page with classes and returns its id.
func addChange(t *testing.T, s *storage.Store, pageID int64, kind string, classes ...string) int64 {
	t.Helper()
	var id int64
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		var err error
		id, err = tx.InsertChange(storage.Change{PageID: pageID, Kind: kind, DetectedAt: t0, Classes: classes})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTallySince(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	empty, err := s.TallySince(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Versions != 0 || empty.Changes != 0 || empty.LastVersion != 0 || empty.LastChange != 0 {
		t.Errorf("TallySince of an empty database = %+v, want zeros", empty)
	}
	_, page, vid := seed(t, s)
	addChange(t, s, page.ID, storage.ChangeChanged, "number", "stealth")
	last := addChange(t, s, page.ID, storage.ChangeRemoved, "removed")

	all, err := s.TallySince(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := storage.Tally{Versions: 1, Changes: 2, LastVersion: vid, LastChange: last,
		ChangesByKind: map[string]int64{"changed": 1, "removed": 1}}
	if d := cmp.Diff(want, all); d != "" {
		t.Errorf("TallySince(0, 0) (-want +got):\n%s", d)
	}

	// From the marks: nothing new, then only what was added.
	none, err := s.TallySince(ctx, all.LastVersion, all.LastChange)
	if err != nil {
		t.Fatal(err)
	}
	if none.Versions != 0 || none.Changes != 0 || len(none.ChangesByKind) != 0 || none.LastChange != last || none.LastVersion != vid {
		t.Errorf("TallySince(marks) with nothing added = %+v, want zeros and the same marks", none)
	}
	next := addChange(t, s, page.ID, storage.ChangeRestored, "number")
	more, err := s.TallySince(ctx, all.LastVersion, all.LastChange)
	if err != nil {
		t.Fatal(err)
	}
	want = storage.Tally{Changes: 1, LastVersion: vid, LastChange: next,
		ChangesByKind: map[string]int64{"restored": 1}}
	if d := cmp.Diff(want, more); d != "" {
		t.Errorf("TallySince(marks) after one change (-want +got):\n%s", d)
	}
}

func TestBacklog(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	seed(t, s) // a feed source never read (due since t0) and a page due at t0+1m
	tests := []struct {
		name         string
		now          time.Time
		due, overdue int64
		oldest       time.Time
	}{
		{"before anything", t0.Add(-time.Second), 0, 0, time.Time{}},
		{"the source due", t0.Add(30 * time.Second), 1, 0, t0},
		{"both due", t0.Add(90 * time.Second), 2, 1, t0},
		{"both overdue", t0.Add(5 * time.Minute), 2, 2, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := s.Backlog(ctx, tt.now, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if b.ChecksDue != tt.due || b.ChecksOverdue != tt.overdue || !b.OldestDue.Equal(tt.oldest) {
				t.Errorf("Backlog(%v) = due %d, overdue %d, oldest %v; want %d, %d, %v",
					tt.now, b.ChecksDue, b.ChecksOverdue, b.OldestDue, tt.due, tt.overdue, tt.oldest)
			}
		})
	}

	b, err := s.Backlog(ctx, t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if b.OutboxDepth != 0 || b.DatabaseBytes < 4096 {
		t.Errorf("Backlog: outbox %d, database %d bytes; want 0 and at least a page", b.OutboxDepth, b.DatabaseBytes)
	}
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		for _, id := range []string{"evt-1", "evt-2"} {
			d := storage.Delivery{EventID: id, EventType: "change.changed", Subscriber: "desk", Payload: []byte("{}"), CreatedAt: t0, NextAttemptAt: t0}
			if err := tx.InsertDelivery(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := s.ClaimDeliveries(ctx, "me", t0, time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimDeliveries = %d rows, %v", len(claimed), err)
	}
	if b, err = s.Backlog(ctx, t0, time.Minute); err != nil || b.OutboxDepth != 2 {
		t.Errorf("outbox depth with two rows waiting, one claimed = %d, %v; want 2", b.OutboxDepth, err)
	}
	if err := s.MarkDelivered(ctx, claimed[0].ID, "me", t0); err != nil {
		t.Fatal(err)
	}
	if b, err = s.Backlog(ctx, t0, time.Minute); err != nil || b.OutboxDepth != 1 {
		t.Errorf("outbox depth after one delivery = %d, %v; want 1", b.OutboxDepth, err)
	}
}
