package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// statusDB is a database where one daemon is alive with claims, one died
// holding claims, one stopped, a page has waited five minutes and the
// feed, never read, is due.
func statusDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx, now := t.Context(), time.Now()
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1h", now)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		for i := range 4 {
			if _, _, err := tx.EnsurePage(src.ID, fmt.Sprintf("http://news.test/%d", i), "", now, now, now.Add(-5*time.Minute)); err != nil {
				return err
			}
		}
		return tx.InsertDelivery(storage.Delivery{EventID: "evt_1", EventType: "change.changed", Subscriber: "desk",
			Payload: []byte("{}"), CreatedAt: now, NextAttemptAt: now.Add(-time.Minute)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []storage.Daemon{
		{Owner: "desk-1/100/aa", Host: "desk-1", PID: 100, Version: "v9", StartedAt: now.Add(-time.Hour), Interval: 10 * time.Second, Workers: 4},
		{Owner: "desk-2/200/bb", Host: "desk-2", PID: 200, Version: "v9", StartedAt: now.Add(-2 * time.Hour), Interval: 10 * time.Second, Workers: 4},
		{Owner: "desk-1/50/cc", Host: "desk-1", PID: 50, Version: "v8", StartedAt: now.Add(-3 * time.Hour), Interval: 10 * time.Second, Workers: 2},
	} {
		d.HeartbeatAt = d.StartedAt
		if err := st.RegisterDaemon(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.HeartbeatDaemon(ctx, "desk-1/100/aa", storage.DaemonBeat{At: now.Add(-2 * time.Second),
		State: storage.DaemonRunning, WorkersBusy: 2, Queued: 5}); err != nil {
		t.Fatal(err)
	}
	if err := st.StopDaemon(ctx, "desk-1/50/cc", now.Add(-150*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The oldest due page is claimed by the alive daemon, the next two by
	// the dead one; the last waits.
	if ps, err := st.ClaimDuePages(ctx, "desk-1/100/aa", now, 10*time.Minute, 1); err != nil || len(ps) != 1 {
		t.Fatalf("claim: %v, %v", ps, err)
	}
	if ps, err := st.ClaimDuePages(ctx, "desk-2/200/bb", now, 7*time.Minute, 2); err != nil || len(ps) != 2 {
		t.Fatalf("claim: %v, %v", ps, err)
	}
	if ds, err := st.ClaimDeliveries(ctx, "desk-2/200/bb", now, 100*time.Second, 1); err != nil || len(ds) != 1 {
		t.Fatalf("claim deliveries: %v, %v", ds, err)
	}
	return path
}

func TestStatusJSON(t *testing.T) {
	path := statusDB(t)
	code, stdout, stderr := run(t, "status", "-json", "-db", path)
	if code != 0 {
		t.Fatalf("stet status -json: %d, %s", code, stderr)
	}
	var got statusJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %s: %v", stdout, err)
	}
	var states []string
	for _, d := range got.Daemons {
		states = append(states, d.Owner+" "+d.State)
	}
	if want := "desk-1/100/aa alive, desk-2/200/bb dead, desk-1/50/cc stopped"; strings.Join(states, ", ") != want {
		t.Errorf("daemons %q, want %q", strings.Join(states, ", "), want)
	}
	if got.DaemonsAlive != 1 || got.DaemonsDead != 1 {
		t.Errorf("alive %d, dead %d; want 1 and 1", got.DaemonsAlive, got.DaemonsDead)
	}
	alive, dead := got.Daemons[0], got.Daemons[1]
	if alive.WorkersBusy != 2 || alive.Queued != 5 || alive.Workers != 4 || alive.Claims.Pages != 1 || alive.Version != "v9" ||
		alive.HeartbeatInterval != 10 {
		t.Errorf("alive daemon %+v", alive)
	}
	if dead.Claims.Pages != 2 || dead.Claims.Deliveries != 1 || dead.Claims.LastExpiry == nil ||
		time.Until(*dead.Claims.LastExpiry) < 6*time.Minute {
		t.Errorf("dead daemon's claims %+v: want 2 pages and a delivery, held about 7 minutes more", dead.Claims)
	}
	q := got.Queue
	if q.ChecksDue != 2 || q.ChecksOverdue != 1 || q.LagSeconds < 299 || q.LagSeconds > 400 || q.OldestDueAt == nil {
		t.Errorf("queue %+v: want the unclaimed page due and overdue, lagging 5 minutes, and the feed never read due", q)
	}
	if q.ClaimsHeld != 4 || q.ClaimsOfDead != 3 || q.OutboxDepth != 1 || q.DeliveriesGivenUp != 0 || q.DatabaseBytes == 0 {
		t.Errorf("queue %+v: want 4 claims held, 3 of them by the dead daemon, 1 delivery waiting", q)
	}
}

func TestStatusText(t *testing.T) {
	path := statusDB(t)
	code, stdout, stderr := run(t, "status", "-db", path)
	if code != 0 {
		t.Fatalf("stet status: %d, %s", code, stderr)
	}
	for _, want := range []string{
		"daemons: 1 alive, 1 dead",
		"alive        desk-1 pid 100, v9",
		"workers 2/4 busy, 5 queued; claims 1 page, lease ends",
		"DEAD         desk-2 pid 200",
		"still holds 2 pages, 1 delivery until",
		"stopped      desk-1 pid 50, v8",
		"checks due           2 (1 overdue by more than 1m0s)",
		"queue lag            5m0s (due since",
		"claims held          4, next lease ends",
		"3 held by dead daemons until",
		"outbox depth         1",
		"deliveries given up  0",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestStatusEmptyAndUsage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, stdout, _ := run(t, "status", "-db", path)
	if code != 0 || !strings.Contains(stdout, "daemons: 0 alive, 0 dead") || !strings.Contains(stdout, "none has run") ||
		!strings.Contains(stdout, "queue lag            0s (nothing is waiting)") {
		t.Errorf("empty database: %d\n%s", code, stdout)
	}
	for _, args := range [][]string{{"status", "-db", path, "extra"}, {"status", "-db", path, "-limit", "3"}} {
		if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "usage: stet status") {
			t.Errorf("stet %v: %d, %q; want a usage error (2)", args, code, stderr)
		}
	}
}
