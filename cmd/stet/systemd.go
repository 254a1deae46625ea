package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
)

// notifySystemd tells systemd, when it started this process under a unit
// of Type=notify ($NOTIFY_SOCKET set; an abstract socket "@name" too), that
// the service is ready, with status as its one-line status; then, while
// ctx lasts, it pings the watchdog at half the unit's WatchdogSec if one is
// set, and sends STOPPING=1 when ctx ends. Outside systemd it does
// nothing. The returned channel is closed when it has sent its last
// message.
func notifySystemd(ctx context.Context, log *slog.Logger, status string) <-chan struct{} {
	done := make(chan struct{})
	if os.Getenv("NOTIFY_SOCKET") == "" {
		close(done)
		return done
	}
	send := func(state string) {
		if _, err := sd.SdNotify(false, state); err != nil {
			log.Warn("notify systemd", "state", state, "err", err)
		}
	}
	send(sd.SdNotifyReady + "\nSTATUS=" + status)
	every, err := sd.SdWatchdogEnabled(false)
	if err != nil {
		log.Warn("systemd watchdog settings", "err", err)
	}
	go func() {
		defer close(done)
		var tick <-chan time.Time
		if every > 0 {
			t := time.NewTicker(every / 2)
			defer t.Stop()
			tick = t.C
		}
		for {
			select {
			case <-ctx.Done():
				send(sd.SdNotifyStopping)
				return
			case <-tick:
				send(sd.SdNotifyWatchdog)
			}
		}
	}()
	return done
}
