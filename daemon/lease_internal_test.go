package daemon

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

func leaseDaemon(lease time.Duration) *Daemon {
	cfg := config.Default()
	cfg.Daemon.Lease = config.Duration(lease)
	return &Daemon{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// TestDeliveryClaim checks that outbox rows are claimed for no longer than
// the lease allows, and never for less than one send.
func TestDeliveryClaim(t *testing.T) {
	tests := []struct {
		lease      time.Duration
		rows       int
		claimedFor time.Duration
	}{
		{10 * time.Minute, 8, 100 * time.Second}, // the default: 8 sends at the 10s timeout, plus 20s
		{100 * time.Second, 8, 100 * time.Second},
		{60 * time.Second, 4, 60 * time.Second},
		{30 * time.Second, 1, 30 * time.Second},
		{5 * time.Second, 1, 30 * time.Second}, // one send still needs its timeout
	}
	for _, tt := range tests {
		rows, lease := leaseDaemon(tt.lease).deliveryClaim()
		if rows != tt.rows || lease != tt.claimedFor {
			t.Errorf("lease %s: claim %d rows for %s, want %d for %s", tt.lease, rows, lease, tt.rows, tt.claimedFor)
		}
	}
}

// TestLapsing checks that a queued job is run only while at least half of
// its claim's lease is left.
func TestLapsing(t *testing.T) {
	d := leaseDaemon(10 * time.Second)
	now := time.Unix(1000, 0)
	tests := []struct {
		name  string
		until time.Time
		want  bool
	}{
		{"not claimed", time.Time{}, false},
		{"just claimed", now.Add(10 * time.Second), false},
		{"half left", now.Add(5 * time.Second), false},
		{"less than half left", now.Add(4999 * time.Millisecond), true},
		{"lapsed", now.Add(-time.Second), true},
	}
	for _, tt := range tests {
		if got := d.lapsing(job{pageID: 1, until: tt.until}, now); got != tt.want {
			t.Errorf("%s: lapsing = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestHostGateWaitsForAnotherDaemon has another daemon hold a host's slot
// in the database: the gate waits until it has passed, and the next
// request waits a whole interval after that.
func TestHostGateWaitsForAnotherDaemon(t *testing.T) {
	st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := leaseDaemon(10 * time.Minute)
	d.store = st
	const gap = 300 * time.Millisecond
	start := time.Now()
	if wait, err := st.ReserveHost(t.Context(), "news.example", gap, start); err != nil || wait != 0 {
		t.Fatalf("the other daemon's reservation: wait %s, %v", wait, err)
	}
	for i := 1; i <= 2; i++ {
		if err := d.hostGate(t.Context(), "news.example", gap); err != nil {
			t.Fatal(err)
		}
		if got, want := time.Since(start), time.Duration(i)*gap; got < want-5*time.Millisecond || got > want+200*time.Millisecond {
			t.Errorf("request %d passed the gate %s after the other daemon's, want about %s", i, got, want)
		}
	}
	if err := d.hostGate(t.Context(), "other.example", gap); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(start); got > 3*gap {
		t.Errorf("another host waited: %s", got)
	}
}

// TestHostDepth checks that a host's queue and claims hold what it serves
// in hostHorizon (or an eighth of the lease), at least minHostDepth and
// at most maxHostDepth.
func TestHostDepth(t *testing.T) {
	tests := []struct {
		interval, lease time.Duration
		want            int
	}{
		{2 * time.Second, 10 * time.Minute, 8}, // the defaults
		{time.Second, 10 * time.Minute, 16},
		{200 * time.Millisecond, 10 * time.Minute, 80},
		{200 * time.Millisecond, 30 * time.Second, 18}, // an eighth of the lease: 3.75s
		{time.Millisecond, 10 * time.Minute, maxHostDepth},
		{0, 10 * time.Minute, maxHostDepth},
		{10 * time.Second, 10 * time.Minute, minHostDepth},
	}
	for _, tt := range tests {
		d := leaseDaemon(tt.lease)
		d.cfg.Fetch.PerHostInterval = config.Duration(tt.interval)
		if got := d.hostDepth(); got != tt.want {
			t.Errorf("interval %s, lease %s: depth %d, want %d", tt.interval, tt.lease, got, tt.want)
		}
	}
}

// TestClaimRun checks that claims keep runs of one host's pages together
// only where hosts are deep, and leave enough hosts for the workers.
func TestClaimRun(t *testing.T) {
	tests := []struct {
		workers, limit, depth, want int
	}{
		{4, 1024, maxHostDepth, 128}, // 8 hosts for 4 workers
		{4, 1024, 32, 32},            // no more than a host's depth
		{4, 1024, minHostDepth, minHostDepth},
		{64, 1024, maxHostDepth, 8}, // 128 hosts: not above minHostDepth, pages spread over hosts
		{4, 40, maxHostDepth, 5},
	}
	for _, tt := range tests {
		d := leaseDaemon(10 * time.Minute)
		d.cfg.Daemon.Workers = tt.workers
		if got := d.claimRun(tt.limit, tt.depth); got != tt.want {
			t.Errorf("%d workers, claim of %d, depth %d: run %d, want %d", tt.workers, tt.limit, tt.depth, got, tt.want)
		}
	}
}

// TestNextCheckKeepsOrder checks that an article is due one step after its
// check, whatever its id, so a host's pages come due in the order they
// were checked.
func TestNextCheckKeepsOrder(t *testing.T) {
	d := leaseDaemon(10 * time.Minute)
	found := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	every, ok := d.cfg.Recheck.Interval(time.Hour)
	if !ok {
		t.Fatal("no re-check step for an article an hour old")
	}
	var prev time.Time
	for i, id := range []int64{1023, 7, 1024, 2, 5000} { // checked in this order
		now := found.Add(time.Hour + time.Duration(i)*time.Millisecond)
		got := d.nextCheck(storage.Page{ID: id, DiscoveredAt: found}, storage.Source{Kind: storage.KindFeed}, now)
		if !got.Equal(now.Add(every)) {
			t.Errorf("page %d checked at %s: due %s, want %s", id, now, got, now.Add(every))
		}
		if !got.After(prev) {
			t.Errorf("page %d, checked after the one before it, is due at %s, not after %s", id, got, prev)
		}
		prev = got
	}
}
