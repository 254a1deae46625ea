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
// A reservation is for the moment it was asked for: one that took the
// database long to grant (a busy SQLite file) would start the request
// late, too close to the next daemon's, so the slot is let go and the
// next one waited for, a few times at most. A page check whose claim
// would end before its request could (mustStartBy) gets errClaimEnding
// rather than waiting on.
func (d *Daemon) hostGate(ctx context.Context, host string, interval time.Duration) error {
	startBy := d.mustStartBy(ctx)
	for failures, late := 0, 0; ; {
		asked := time.Now()
		if !startBy.IsZero() && asked.After(startBy) {
			return errClaimEnding
		}
		wait, err := d.store.ReserveHost(ctx, host, interval, asked)
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
		case wait == 0 && (took <= gateLate(interval) || late == gateTries):
			return nil
		case wait == 0:
			late++
			wait = interval - took // the slot taken ends then
		}
		if !startBy.IsZero() && time.Now().Add(wait).After(startBy) {
			return errClaimEnding
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

// gateLate is how long a reservation may take before its slot is let go:
// a quarter of the interval, at least 5ms. Requests to a host thus start
// at least three quarters of the interval apart even when the database is
// slow to answer, and the interval apart when it is quick.
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
