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
func (d *Daemon) hostGate(ctx context.Context, host string, interval time.Duration) error {
	for failures := 0; ; {
		wait, err := d.store.ReserveHost(ctx, host, interval, time.Now())
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			if failures++; failures == gateTries {
				return fmt.Errorf("reserve a request slot on %s: %w", host, err)
			}
			d.log.Warn("reserve a request slot; trying again", "host", host, "err", err)
			wait = time.Second
		case wait == 0:
			return nil
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}

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
