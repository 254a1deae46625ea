package storage_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

func queue(t *testing.T, s *storage.Store, n int) {
	t.Helper()
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		for i := range n {
			d := storage.Delivery{EventID: fmt.Sprintf("evt_%d", i), EventType: "change.changed", Subscriber: "desk",
				Payload: []byte("{}"), CreatedAt: t0, NextAttemptAt: t0}
			if err := tx.InsertDelivery(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two stores on one file stand for two processes: each due row is claimed
// by exactly one of them, however they interleave.
func TestClaimDeliveriesGivesEachRowToOneClaimant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	a, b := mustOpen(t, path), mustOpen(t, path)
	queue(t, a, 200)
	claimed := map[int64]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range []struct {
		s     *storage.Store
		owner string
	}{{a, "a"}, {b, "b"}, {a, "a2"}, {b, "b2"}} {
		wg.Go(func() {
			for {
				rows, err := c.s.ClaimDeliveries(t.Context(), c.owner, t0, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rows {
					if prev, ok := claimed[r.ID]; ok {
						t.Errorf("row %d claimed by %s and %s", r.ID, prev, c.owner)
					}
					claimed[r.ID] = c.owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != 200 {
		t.Errorf("claimed %d rows, want 200", len(claimed))
	}
}

func TestClaimLapsesAndOnlyTheOwnerMarks(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	queue(t, s, 1)
	first, err := s.ClaimDeliveries(ctx, "dead", t0, time.Minute, 10)
	if err != nil || len(first) != 1 {
		t.Fatalf("first claim = %d rows, %v", len(first), err)
	}
	if rows, _ := s.ClaimDeliveries(ctx, "other", t0.Add(59*time.Second), time.Minute, 10); len(rows) != 0 {
		t.Fatalf("a claimed row was claimed again inside its lease: %+v", rows)
	}
	again, err := s.ClaimDeliveries(ctx, "other", t0.Add(time.Minute), time.Minute, 10)
	if err != nil || len(again) != 1 || again[0].ClaimedBy != "other" {
		t.Fatalf("claim after the lease lapsed = %+v, %v", again, err)
	}
	if err := s.MarkDelivered(ctx, first[0].ID, "dead", t0.Add(time.Minute)); !errors.Is(err, storage.ErrClaimLost) {
		t.Errorf("MarkDelivered by the lapsed owner = %v, want ErrClaimLost", err)
	}
	if err := s.MarkFailed(ctx, first[0].ID, "dead", time.Time{}, "x"); !errors.Is(err, storage.ErrClaimLost) {
		t.Errorf("MarkFailed by the lapsed owner = %v, want ErrClaimLost", err)
	}
	if err := s.MarkDelivered(ctx, again[0].ID, "other", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if rows, _ := s.ClaimDeliveries(ctx, "third", t0.Add(time.Hour), time.Minute, 10); len(rows) != 0 {
		t.Errorf("a delivered row was claimed again: %+v", rows)
	}
}

func TestInsertDeliveryNeedsSubscriber(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	err := s.Tx(t.Context(), func(tx *storage.Tx) error {
		return tx.InsertDelivery(storage.Delivery{EventID: "e", EventType: "x", Payload: []byte("{}"), CreatedAt: t0})
	})
	if err == nil {
		t.Error("a delivery without a subscriber was queued")
	}
}

// Processes that open a new database at the same time must not both try to
// create its tables (the schema version was read outside the migration's
// transaction).
func TestConcurrentOpenOfNewDatabase(t *testing.T) {
	for trial := range 10 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new-%d.db", trial))
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				s, err := storage.Open(t.Context(), path)
				if err != nil {
					errs <- err
					return
				}
				s.Close()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("trial %d: %v", trial, err)
		}
	}
}

// A database whose outbox held webhook URLs (schema version 2) keeps its
// rows, loses the URLs, and names a subscriber the daemon can match.
func TestMigrationDropsWebhookURLs(t *testing.T) {
	storage.SQLiteOnly(t)
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	hook := "https://user:pa55word@hooks.example.org/services/T0/SECRETTOKEN"
	for _, q := range []string{storage.MigrationSQLForTest(0), storage.MigrationSQLForTest(1),
		`INSERT INTO deliveries (event_id, event_type, webhook_url, payload, created_at, next_attempt_at, last_error)
		 VALUES ('evt_1', 'change.changed', '` + hook + `', '{}', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z',
		 'webhook https://user:xxxxx@hooks.example.org/services/T0/SECRETTOKEN: status 500')`,
		`PRAGMA user_version = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	s := mustOpen(t, path)
	due, err := s.DueDeliveries(t.Context(), t0, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueDeliveries after migration = %+v, %v", due, err)
	}
	if got, want := due[0].Subscriber, storage.LegacySubscriber(hook); got != want {
		t.Errorf("subscriber = %q, want %q", got, want)
	}
	if strings.Contains(due[0].LastError, "SECRETTOKEN") || strings.Contains(due[0].LastError, "user") {
		t.Errorf("last_error still holds the URL: %q", due[0].LastError)
	}
	st := mustOpenRaw(t, path)
	var n int
	if err := st.QueryRow(`SELECT count(*) FROM pragma_table_info('deliveries') WHERE name = 'webhook_url'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("deliveries.webhook_url still exists (%d, %v)", n, err)
	}
}

func mustOpenRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestReleaseClaimsOfDeadOwner(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	queue(t, s, 3)
	if rows, err := s.ClaimDeliveries(ctx, "host/42/ab", t0, time.Hour, 2); err != nil || len(rows) != 2 {
		t.Fatalf("claim = %d, %v", len(rows), err)
	}
	owners, err := s.ClaimOwners(ctx)
	if err != nil || len(owners) != 1 || owners[0] != "host/42/ab" {
		t.Fatalf("ClaimOwners = %v, %v", owners, err)
	}
	if n, err := s.ReleaseClaimsOf(ctx, "host/42/ab"); err != nil || n != 2 {
		t.Fatalf("ReleaseClaimsOf = %d, %v; want 2", n, err)
	}
	if rows, _ := s.ClaimDeliveries(ctx, "next", t0, time.Hour, 10); len(rows) != 3 {
		t.Errorf("after release %d rows claimable, want 3", len(rows))
	}
}
