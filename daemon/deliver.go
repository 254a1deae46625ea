package daemon

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/stet/stet/notify"
)

func (d *Daemon) wakeDelivery() {
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// deliverLoop sends the webhook outbox: at every interval, and at once after
// a check queued something.
func (d *Daemon) deliverLoop(ctx context.Context) {
	t := time.NewTicker(d.cfg.Daemon.DeliveryInterval.D())
	defer t.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("deliver webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.poke:
		}
	}
}

// DeliverDue sends every outbox row that is due and records the outcome:
// delivered, or retried later with exponential backoff, or given up after
// daemon.max_attempts. It returns how many were delivered.
func (d *Daemon) DeliverDue(ctx context.Context) (int, error) {
	hooks := map[string]*notify.Webhook{}
	for _, w := range d.cfg.Webhooks {
		hooks[w.URL] = &notify.Webhook{URL: w.URL, Secret: w.Secret, UserAgent: d.cfg.UserAgentString()}
	}
	sent := 0
	for {
		due, err := d.store.DueDeliveries(ctx, time.Now(), 64)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		progress := false
		for _, row := range due {
			hook := hooks[row.WebhookURL]
			if hook == nil {
				d.log.Warn("webhook no longer configured; delivery dropped", "event_id", row.EventID, "webhook", row.WebhookURL)
				if err := d.store.MarkFailed(ctx, row.ID, time.Time{}, "webhook no longer configured"); err != nil {
					return sent, err
				}
				continue
			}
			err := hook.Send(ctx, row.EventType, row.EventID, row.Payload)
			if ctx.Err() != nil {
				return sent, nil // shutting down: the row stays due
			}
			if err == nil {
				if err := d.store.MarkDelivered(ctx, row.ID, time.Now()); err != nil {
					return sent, err
				}
				sent++
				progress = true
				d.log.Info("webhook delivered", "event_id", row.EventID, "type", row.EventType, "webhook", row.WebhookURL)
				continue
			}
			next := d.retryAt(row.Attempts+1, err)
			d.log.Warn("webhook failed", "event_id", row.EventID, "webhook", row.WebhookURL, "attempt", row.Attempts+1,
				"err", err, "next_attempt", next)
			if err := d.store.MarkFailed(ctx, row.ID, next, err.Error()); err != nil {
				return sent, err
			}
		}
		if !progress {
			return sent, nil
		}
	}
}

// retryAt is when to try a failed delivery again (zero: give up).
func (d *Daemon) retryAt(attempts int, err error) time.Time {
	c := d.cfg.Daemon
	if attempts >= c.MaxAttempts {
		return time.Time{}
	}
	wait := notify.Backoff(attempts, c.RetryBase.D(), c.RetryMax.D())
	wait += time.Duration(rand.Int64N(int64(wait)/4 + 1)) // jitter spreads retries of many rows
	if se, ok := errors.AsType[*notify.StatusError](err); ok && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	return time.Now().Add(wait)
}
