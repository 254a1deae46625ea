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

// TestSpreadByID checks that pages with consecutive ids come due in their
// order, spread over at most a tenth of the step, and never all at once.
func TestSpreadByID(t *testing.T) {
	every := 15 * time.Minute
	prev := time.Duration(-1)
	for id := int64(2048); id < 2048+1024; id++ {
		d := spreadByID(id, every)
		if d <= prev || d < 0 || d >= every/10 {
			t.Fatalf("page %d: spread %s after %s; want more, and under %s", id, d, prev, every/10)
		}
		prev = d
	}
	if d := spreadByID(7, 0); d != 0 {
		t.Errorf("no step: spread %s", d)
	}
}
