package daemon_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// stuckFetcher holds every fetch until release is closed, whatever its
// context says: a check still in flight when the daemon is told to stop.
type stuckFetcher struct{ release chan struct{} }

func (f stuckFetcher) Fetch(context.Context, crawler.Request) (*crawler.Response, error) {
	<-f.release
	return nil, errors.New("released")
}

// A running daemon is in the daemons table with its claims, heartbeats,
// says it is stopping while it finishes a check after being told to stop,
// and marks itself stopped when Run returns.
func TestStatusRegistersAndHeartbeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := dbPath(t)
		cfg := testConfig(t, path, "\n[[page]]\nurl = \"https://slow.example/a\"\nschedule = \"@every 1h\"\n")
		cfg.Daemon.Tick = seconds(1)
		st := openStore(t, path)
		f := stuckFetcher{release: make(chan struct{})}
		dm, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Fetcher: f, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { dm.Run(ctx); close(done) }()
		started := time.Now()

		time.Sleep(25 * time.Second)
		synctest.Wait()
		d := onlyDaemon(t, st)
		host, _ := os.Hostname()
		if !d.Registered || !d.Alive || d.State != storage.DaemonRunning || d.Host != host || d.PID != os.Getpid() ||
			d.Workers != 4 || d.WorkersBusy != 1 || !d.StartedAt.Equal(started.UTC().Truncate(time.Millisecond)) {
			t.Errorf("after 25 s: %+v; want alive, running, this host and pid, 4 workers of which 1 busy", d)
		}
		if age := time.Since(d.HeartbeatAt); age > 10*time.Second {
			t.Errorf("last heartbeat %v ago, want within the 10 s interval", age)
		}
		if d.Claims.Pages != 1 {
			t.Errorf("claims %+v, want the page in flight claimed by the registered daemon", d.Claims)
		}

		cancel()
		synctest.Wait()
		if d := onlyDaemon(t, st); d.State != storage.DaemonStopping || !d.Alive {
			t.Errorf("told to stop with a check in flight: %+v, want alive and stopping", d)
		}
		time.Sleep(time.Minute) // the check is still held: heartbeats go on
		synctest.Wait()
		if d := onlyDaemon(t, st); !d.Alive {
			t.Errorf("a minute into stopping: %+v, want alive", d)
		}
		close(f.release)
		<-done
		if d := onlyDaemon(t, st); d.State != storage.DaemonStopped || d.Alive || d.Dead() || d.StoppedAt.IsZero() {
			t.Errorf("after Run returned: %+v, want stopped, neither alive nor dead", d)
		}
	})
}

func onlyDaemon(t *testing.T, st *storage.Store) storage.DaemonStatus {
	t.Helper()
	s, err := st.Status(t.Context(), time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Daemons) != 1 {
		t.Fatalf("daemons %+v, want one", s.Daemons)
	}
	return s.Daemons[0]
}
