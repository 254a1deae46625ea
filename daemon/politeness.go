package daemon

import (
	"context"
	"fmt"
	"time"
)

// gateTries is how many times hostGate asks a failing database before the
// fetch fails.
const gateTries = 3

// hostGate is the crawler's HostGate when politeness is shared across the
// daemons on the database ([daemon] shared_politeness): before each
// request it reserves the host's next start in the database (storage
// ReserveHost), and while another daemon holds the slot it waits and asks
// again. The crawler has already spaced the request from this process's
// own requests to the host, so alone on a database it does not wait.
//
// A reservation holds the host for the interval and a grace of
// gateLate(interval) from the moment it was asked for, and the request
// must start within that grace: so the next daemon's request, which can
// start only when the reservation ends, starts at least the interval after
// this one, whatever the database's latency. A reservation the database
// took longer than the grace to grant is let go and the next one waited
// for. A page check whose claim would end before its request could
// (mustStartBy) gets errClaimEnding rather than waiting on.
func (d *Daemon) hostGate(ctx context.Context, host string, interval time.Duration) error {
	startBy := d.mustStartBy(ctx)
	grace := gateLate(interval)
	for failures := 0; ; {
		asked := time.Now()
		if !startBy.IsZero() && asked.After(startBy) {
			return errClaimEnding
		}
		wait, err := d.store.ReserveHost(ctx, host, interval+grace, asked)
		took := time.Since(asked)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			if failures++; failures == gateTries {
				return fmt.Errorf("reserve a request slot on %s: %w", host, err)
			}
			d.log.Warn("reserve a request slot; trying again", "host", host, "err", err)
			wait = time.Second
		case wait == 0 && took <= grace:
			return nil
		case wait == 0:
			wait = interval + grace - took // the slot let go ends then
		}
		if !startBy.IsZero() && time.Now().Add(wait).After(startBy) {
			return errClaimEnding
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

// gateLate is how long a reservation may take before its slot is let go,
// and how much longer than the interval a reservation holds the host: a
// quarter of the interval, at least 5ms. Requests to a host thus start at
// least the interval apart across daemons, and at most every 1.25
// intervals while several daemons compete for one host.
func gateLate(interval time.Duration) time.Duration { return max(interval/4, 5*time.Millisecond) }

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
