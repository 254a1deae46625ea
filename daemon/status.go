package daemon

import (
	"context"
	"errors"
	"os"
	"runtime/debug"
	"time"

	"github.com/stet/stet/storage"
)

// heartbeatInterval is how often a running daemon records in the database
// that it is alive and what it is doing (storage.Daemon), for `stet
// status` and the stet_daemons_alive metric; a daemon silent for three
// intervals is shown as dead.
const heartbeatInterval = 10 * time.Second

// heartbeatPhase puts the heartbeats between the instants at which the
// daemon's ticks (whole multiples of 100 ms after its start) and cron
// schedules (whole seconds) fire, so that the heartbeat's write seldom
// waits on, or holds up, the write that claims due work.
const heartbeatPhase = 517 * time.Millisecond

// stopTimeout bounds the write that marks the daemon stopped, which runs
// after Run's context has ended.
const stopTimeout = 5 * time.Second

// reportStatus registers the daemon in the database and heartbeats until
// the returned function is called, which waits for the heartbeat to end
// and marks the daemon stopped. Run calls it first and stops it last, so
// the daemon shows as alive (then "stopping", once ctx ends) for as long
// as it finishes the checks in flight. Failing writes are logged, never
// fatal: the registry only reports.
func (d *Daemon) reportStatus(ctx context.Context) (stop func()) {
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	now := time.Now()
	host, _ := os.Hostname()
	reg := storage.Daemon{Owner: d.owner, Host: host, PID: os.Getpid(), Version: buildVersion(), StartedAt: now,
		HeartbeatAt: now, Interval: heartbeatInterval, Workers: d.cfg.Daemon.Workers}
	if err := d.store.RegisterDaemon(bg, reg); err != nil {
		d.log.Warn("register in the daemons table", "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.heartbeat(ctx, bg, reg)
	}()
	return func() {
		cancel()
		<-done
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		if err := d.store.StopDaemon(sctx, d.owner, time.Now()); err != nil {
			d.log.Warn("mark the daemon stopped", "err", err)
		}
	}
}

// heartbeat records the daemon alive every heartbeatInterval until bg
// ends; once run ends (the daemon is stopping) it says so at once. A
// failure is logged once, and its end once.
func (d *Daemon) heartbeat(run, bg context.Context, reg storage.Daemon) {
	t := time.NewTimer(heartbeatInterval + heartbeatPhase)
	defer t.Stop()
	stopping := run.Done()
	failing := false
	for {
		select {
		case <-bg.Done():
			return
		case <-t.C:
			t.Reset(heartbeatInterval)
		case <-stopping:
			stopping = nil // once
		}
		beat := storage.DaemonBeat{At: time.Now(), State: storage.DaemonRunning, WorkersBusy: d.queue.busy(), Queued: d.queue.len()}
		if run.Err() != nil {
			beat.State = storage.DaemonStopping
		}
		err := d.store.HeartbeatDaemon(bg, d.owner, beat)
		if errors.Is(err, storage.ErrNotFound) {
			// Pruned while this process was silent (a host asleep for a
			// day): register again.
			reg.HeartbeatAt = beat.At
			err = d.store.RegisterDaemon(bg, reg)
		}
		switch {
		case err != nil && bg.Err() == nil && !failing:
			d.log.Warn("heartbeat in the daemons table", "err", err)
			failing = true
		case err == nil && failing:
			d.log.Info("heartbeat in the daemons table recovered")
			failing = false
		}
	}
}

// busy is how many jobs workers are running now.
func (q *dispatcher) busy() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, h := range q.hosts {
		n += h.inFlight
	}
	return n
}

// buildVersion names the code this process runs, from its build
// information: the module version (a release tag, or since Go 1.24 a
// pseudo-version naming the commit), else the VCS revision the build
// recorded, else "(devel)".
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev == "" {
		return "(devel)"
	}
	return rev[:min(len(rev), 12)] + modified
}
