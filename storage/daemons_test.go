package storage_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// daemonFixture is a store with due pages, a listing source and due
// deliveries, for daemons to claim.
func daemonFixture(t *testing.T) *storage.Store {
	t.Helper()
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, err := s.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1h", t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		for i := range 6 {
			if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("http://news.test/%d", i), "", t0, t0, t0.Add(-time.Minute)); err != nil {
				return err
			}
			d := storage.Delivery{EventID: fmt.Sprintf("evt_%d", i), EventType: "change.changed", Subscriber: "desk",
				Payload: []byte("{}"), CreatedAt: t0, NextAttemptAt: t0.Add(-time.Minute)}
			if err := tx.InsertDelivery(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func daemon(owner string, started time.Time) storage.Daemon {
	return storage.Daemon{Owner: owner, Host: "desk-1", PID: 100, Version: "v1", StartedAt: started,
		HeartbeatAt: started, Interval: 10 * time.Second, Workers: 4}
}

func TestDaemonsStatus(t *testing.T) {
	s := daemonFixture(t)
	ctx := t.Context()
	// a: alive, heartbeating; b: died at t0 (no heartbeat since) holding
	// claims; c: stopped cleanly; "old/1/x": claims but no row.
	for _, d := range []storage.Daemon{daemon("a", t0), daemon("b", t0.Add(-time.Hour)), daemon("c", t0.Add(-2*time.Hour))} {
		if err := s.RegisterDaemon(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(5 * time.Minute)
	if err := s.HeartbeatDaemon(ctx, "a", storage.DaemonBeat{At: now.Add(-5 * time.Second), State: storage.DaemonRunning,
		WorkersBusy: 3, Queued: 7}); err != nil {
		t.Fatal(err)
	}
	if err := s.StopDaemon(ctx, "c", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	claim := func(owner string, pages, deliveries int, lease time.Duration) {
		t.Helper()
		if ps, err := s.ClaimDuePages(ctx, owner, t0, lease, pages); err != nil || len(ps) != pages {
			t.Fatalf("claim %d pages for %s: %d, %v", pages, owner, len(ps), err)
		}
		if ds, err := s.ClaimDeliveries(ctx, owner, t0, lease, deliveries); err != nil || len(ds) != deliveries {
			t.Fatalf("claim %d deliveries for %s: %d, %v", deliveries, owner, len(ds), err)
		}
	}
	claim("a", 2, 1, 10*time.Minute)
	claim("b", 3, 2, 8*time.Minute)
	claim("old/1/x", 1, 1, 2*time.Minute) // lapsed by now
	if ids, err := s.ClaimDueSources(ctx, "a", []string{storage.KindFeed}, t0, 10*time.Minute, 5); err != nil || len(ids) != 1 {
		t.Fatalf("claim sources: %v, %v", ids, err)
	}

	st, err := s.Status(ctx, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		owner                      string
		registered, alive, dead    bool
		state                      string
		pages, sources, deliveries int
		lapsed, busy, queued       int
		nextExpiry, lastExpiry     time.Time
	}
	var got []row
	for _, d := range st.Daemons {
		got = append(got, row{d.Owner, d.Registered, d.Alive, d.Dead(), d.State, d.Claims.Pages, d.Claims.Sources,
			d.Claims.Deliveries, d.Claims.Lapsed, d.WorkersBusy, d.Queued, d.Claims.NextExpiry, d.Claims.LastExpiry})
	}
	want := []row{
		{"a", true, true, false, storage.DaemonRunning, 2, 1, 1, 0, 3, 7, t0.Add(10 * time.Minute), t0.Add(10 * time.Minute)},
		{"b", true, false, true, storage.DaemonRunning, 3, 0, 2, 0, 0, 0, t0.Add(8 * time.Minute), t0.Add(8 * time.Minute)},
		{"c", true, false, false, storage.DaemonStopped, 0, 0, 0, 0, 0, 0, time.Time{}, time.Time{}},
		{"old/1/x", false, false, false, "", 0, 0, 0, 2, 0, 0, time.Time{}, time.Time{}},
	}
	if len(got) != len(want) {
		t.Fatalf("daemons:\n%+v\nwant\n%+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("daemon %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	q := st.Queue
	if q.Claims.Held() != 9 || q.Claims.Lapsed != 2 || q.ClaimsOfDead.Held() != 5 || !q.ClaimsOfDead.LastExpiry.Equal(t0.Add(8*time.Minute)) {
		t.Errorf("queue claims %+v, of dead %+v; want 9 held, 2 lapsed, 5 held by the dead until t0+8m", q.Claims, q.ClaimsOfDead)
	}
	// Claimed pages are not due until their lease ends: old/1/x's ended at
	// t0+2m, so that page is due, and overdue.
	if q.ChecksDue != 1 || q.ChecksOverdue != 1 || q.OutboxDepth != 6 {
		t.Errorf("queue %+v: want 1 check due (overdue), 6 deliveries waiting", q)
	}
	if n, err := s.DaemonsAlive(ctx, now); err != nil || n != 1 {
		t.Errorf("DaemonsAlive = %d, %v; want 1", n, err)
	}
	// Three missed heartbeats later, a is dead too.
	if n, err := s.DaemonsAlive(ctx, now.Add(26*time.Second)); err != nil || n != 0 {
		t.Errorf("DaemonsAlive 31 s after the last heartbeat = %d, %v; want 0", n, err)
	}
}

func TestDaemonsGivenUp(t *testing.T) {
	s := daemonFixture(t)
	ctx := t.Context()
	ds, err := s.ClaimDeliveries(ctx, "a", t0, time.Minute, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, ds[0].ID, "a", time.Time{}, "status 500"); err != nil { // given up
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, ds[1].ID, "a", t0); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx, t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if st.Queue.DeliveriesGivenUp != 1 || st.Queue.OutboxDepth != 4 {
		t.Errorf("given up %d, outbox %d; want 1 and 4", st.Queue.DeliveriesGivenUp, st.Queue.OutboxDepth)
	}
}

func TestDaemonsRegistry(t *testing.T) {
	s := daemonFixture(t)
	ctx := t.Context()
	if err := s.HeartbeatDaemon(ctx, "nobody", storage.DaemonBeat{At: t0}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("heartbeat of an unregistered daemon: %v, want ErrNotFound", err)
	}
	if err := s.RegisterDaemon(ctx, daemon("old", t0.Add(-48*time.Hour))); err != nil {
		t.Fatal(err)
	}
	// Registering again (a restart with the same owner) replaces the row
	// and its stopped state.
	if err := s.RegisterDaemon(ctx, daemon("a", t0.Add(-time.Hour))); err != nil {
		t.Fatal(err)
	}
	if err := s.StopDaemon(ctx, "a", t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.RegisterDaemon(ctx, daemon("a", t0)); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx, t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	// "old" has been silent for two days: pruned when a registered.
	if len(st.Daemons) != 1 || st.Daemons[0].Owner != "a" || st.Daemons[0].State != storage.DaemonRunning ||
		!st.Daemons[0].StartedAt.Equal(t0) || !st.Daemons[0].StoppedAt.IsZero() || !st.Daemons[0].Alive {
		t.Errorf("daemons %+v; want a alone, running since t0", st.Daemons)
	}
	d := st.Daemons[0]
	if d.Host != "desk-1" || d.PID != 100 || d.Version != "v1" || d.Interval != 10*time.Second || d.Workers != 4 {
		t.Errorf("daemon read back as %+v", d.Daemon)
	}
}
