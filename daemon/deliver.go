package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/metrics"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// Outbox claims: a process leases up to claimBatch rows at a time, for long
// enough to send each of them once at the webhook timeout. A process that
// dies mid-batch leaves its rows to whoever claims them after the lease.
const (
	claimBatch = 8
	claimSlack = 20 * time.Second
)

func claimLease() time.Duration { return claimBatch*notify.DefaultTimeout + claimSlack }

// newOwner names this process in outbox claims: host, pid and a random
// part, so that a restarted process with a reused pid is someone else.
func newOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])
}

// releaseDeadClaims frees the outbox rows claimed by processes of this host
// that no longer run (a daemon killed with SIGKILL and restarted), so
// their events go out now rather than when the leases lapse. A claim of
// another host, or of a pid that is alive (perhaps reused), waits for its
// lease.
func (d *Daemon) releaseDeadClaims(ctx context.Context) {
	owners, err := d.store.ClaimOwners(ctx)
	if err != nil {
		d.log.Warn("list outbox claims", "err", err)
		return
	}
	for _, o := range owners {
		if !d.deadLocal(o) {
			continue
		}
		if n, err := d.store.ReleaseClaimsOf(ctx, o); err != nil {
			d.log.Warn("release claims of a dead process", "owner", o, "err", err)
		} else if n > 0 {
			d.log.Info("released outbox claims of a process that is gone", "owner", o, "rows", n)
		}
	}
}

// deadLocal reports whether a claim owner (see newOwner) is a process of
// this host that no longer runs.
func (d *Daemon) deadLocal(owner string) bool {
	host, _ := os.Hostname()
	h, rest, _ := strings.Cut(owner, "/")
	pidText, _, _ := strings.Cut(rest, "/")
	pid, err := strconv.Atoi(pidText)
	return owner != d.owner && h == host && err == nil && !processAlive(pid)
}

// processAlive reports whether pid may still run; only a definite "no such
// process" counts as dead.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}

func (d *Daemon) wakeDelivery() {
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// deliverLoop sends the webhook outbox: at every interval, and at once after
// a check queued something.
func (d *Daemon) deliverLoop(ctx context.Context) {
	d.releaseDeadClaims(ctx)
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

// subscriber is one configured [[webhook]] entry ready to send.
type subscriber struct {
	name string // config.Webhook.Subscriber(): what outbox rows and logs name
	hook *notify.Webhook
}

// subscribers maps every name an outbox row may carry to its entry: the
// entry's own name, and the legacy name of rows queued by a stet that kept
// webhook URLs (when exactly one entry has that URL).
func (d *Daemon) subscribers() map[string]subscriber {
	out := map[string]subscriber{}
	legacy := map[string]int{}
	for _, w := range d.cfg.Webhooks {
		s := subscriber{name: w.Subscriber(), hook: d.webhookClient(w)}
		out[s.name] = s
		legacy[storage.LegacySubscriber(w.URL)]++
	}
	for _, w := range d.cfg.Webhooks {
		if key := storage.LegacySubscriber(w.URL); legacy[key] == 1 {
			out[key] = out[w.Subscriber()]
		}
	}
	return out
}

// webhookClient builds the sender of one entry; see Options.WebhookClient.
func (d *Daemon) webhookClient(w config.Webhook) *notify.Webhook {
	return &notify.Webhook{URL: w.URL, Secret: w.Secret, UserAgent: d.cfg.UserAgentString(), Transport: d.hookTransport(w)}
}

// DeliverDue sends every outbox row that is due and records the outcome:
// delivered, or retried later with exponential backoff, or given up after
// daemon.max_attempts. Rows are claimed before they are sent, so processes
// sharing the database never send one attempt twice. It returns how many
// were delivered.
func (d *Daemon) DeliverDue(ctx context.Context) (int, error) {
	subs := d.subscribers()
	batch, lease := d.deliveryClaim() // lease.go
	sent := 0
	for {
		due, err := d.store.ClaimDeliveries(ctx, d.owner, time.Now(), lease, batch)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		for i, row := range due {
			ok, err := d.deliver(ctx, subs, row)
			if ctx.Err() != nil {
				d.release(due[i:])
				return sent, nil // shutting down: unsent rows stay due
			}
			if err != nil {
				d.release(due[i+1:])
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
}

// deliver sends one claimed row and records the outcome.
func (d *Daemon) deliver(ctx context.Context, subs map[string]subscriber, row storage.Delivery) (bool, error) {
	sub, ok := subs[row.Subscriber]
	log := d.log.With("event_id", row.EventID, "type", row.EventType, "webhook", row.Subscriber)
	if !ok {
		log.Warn("webhook no longer configured; delivery dropped")
		d.metrics.Delivery(row.Subscriber, metrics.Dropped)
		return false, d.mark(d.store.MarkFailed(ctx, row.ID, d.owner, time.Time{}, "webhook no longer configured"), log)
	}
	log = log.With("webhook", sub.name)
	err := sub.hook.Send(ctx, row.EventType, row.EventID, row.Payload)
	if ctx.Err() != nil {
		return false, nil
	}
	if err == nil {
		log.Info("webhook delivered")
		d.metrics.Delivery(sub.name, metrics.Delivered)
		return true, d.mark(d.store.MarkDelivered(ctx, row.ID, d.owner, time.Now()), log)
	}
	next := d.retryAt(row.Attempts+1, err)
	d.metrics.Delivery(sub.name, deliveryResult(next))
	log.Warn("webhook failed", "attempt", row.Attempts+1, "err", err, "next_attempt", next)
	return false, d.mark(d.store.MarkFailed(ctx, row.ID, d.owner, next, err.Error()), log)
}

// deliveryResult is the metrics result of a failed attempt: retried at
// next, or given up when next is zero.
func deliveryResult(next time.Time) string {
	if next.IsZero() {
		return metrics.GaveUp
	}
	return metrics.Failed
}

// mark passes on a failure to record an outcome, except a lost claim: then
// this process was too slow and the row's new owner decides.
func (d *Daemon) mark(err error, log interface{ Warn(string, ...any) }) error {
	if errors.Is(err, storage.ErrClaimLost) {
		log.Warn("delivery claim lapsed before its outcome was recorded; the row stays with its new claimant")
		return nil
	}
	return err
}

// release gives back claimed rows this process will not send now, so
// another process need not wait for the lease to lapse.
func (d *Daemon) release(rows []storage.Delivery) {
	if len(rows) == 0 {
		return
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.ReleaseDeliveries(ctx, d.owner, ids); err != nil {
		d.log.Warn("release delivery claims", "err", err)
	}
}

// retryAt is when to try a failed delivery again (zero: give up).
func (d *Daemon) retryAt(attempts int, err error) time.Time {
	c := d.cfg.Daemon
	if attempts >= c.MaxAttempts {
		return time.Time{}
	}
	wait := notify.Backoff(attempts, c.RetryBase.D(), c.RetryMax.D())
	wait += time.Duration(mrand.Int64N(int64(wait)/4 + 1)) // jitter spreads retries of many rows
	if se, ok := errors.AsType[*notify.StatusError](err); ok && se.RetryAfter > wait {
		wait = se.RetryAfter
	}
	return time.Now().Add(wait)
}

// hookTransport is the transport of one webhook entry: the crawler's
// dial-time guard, so a webhook URL (or its DNS) can no more reach a
// private address than a crawled link, unless the entry allows it.
func (d *Daemon) hookTransport(w config.Webhook) http.RoundTripper {
	if w.AllowPrivate {
		return d.hookOpen
	}
	return d.hookGuarded
}

// newHookTransports builds the two webhook transports once, so deliveries
// reuse connections.
func newHookTransports(cfg *config.Config) (guarded, open *http.Transport) {
	o := crawler.Options{ConnectTimeout: cfg.Fetch.ConnectTimeout.D(), HeaderTimeout: cfg.Fetch.HeaderTimeout.D()}
	guarded = crawler.NewTransport(o)
	o.AllowPrivate = true
	return guarded, crawler.NewTransport(o)
}
