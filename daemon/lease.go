package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/stet/stet/notify"
)

// lease is how long a claim on due work lasts ([daemon] lease): a daemon
// that dies leaves its claims to the others when their leases end.
func (d *Daemon) lease() time.Duration { return d.cfg.Daemon.Lease.D() }

// lapsing reports whether j's claim has less than half its lease left
// before a worker starts it. Such a job waited in the queue too long; run
// now, its check could still be running when the lease ends and another
// daemon claims the page, so it is given back instead.
func (d *Daemon) lapsing(j job, now time.Time) bool {
	return !j.until.IsZero() && j.until.Sub(now) < d.lease()/2
}

// giveBack returns the claim of a job that will not be run, so the work is
// due again at once (for this daemon or another) instead of at the end of
// the lease.
func (d *Daemon) giveBack(ctx context.Context, j job) {
	var pages, sources []int64
	if j.pageID != 0 {
		pages = append(pages, j.pageID)
	} else {
		sources = append(sources, j.sourceID)
	}
	d.log.Debug("claim near its end before a worker was free; given back", "job", j.key(), "claim_until", j.until)
	if err := d.store.UnclaimWork(ctx, d.owner, pages, sources, time.Now()); err != nil && ctx.Err() == nil {
		d.log.Warn("give back a claim", "job", j.key(), "err", err)
	}
}

// deliveryClaim is how many outbox rows are claimed at a time, and for how
// long: claimBatch rows for claimLease, enough to send each once at the
// webhook timeout; under a shorter [daemon] lease, only as many as fit in
// it, and at least one row for one timeout plus claimSlack.
func (d *Daemon) deliveryClaim() (int, time.Duration) {
	lease := min(claimLease(), max(d.lease(), notify.DefaultTimeout+claimSlack))
	n := int((lease - claimSlack) / notify.DefaultTimeout)
	return min(max(n, 1), claimBatch), lease
}

// errClaimEnding: a page check's request could not start early enough to
// end within the check's claim, so the check gives the page back instead
// (see hostGate).
var errClaimEnding = errors.New("the claim would end before the request could finish")

type claimKey struct{}

// withClaim tells the fetch of a claimed page check when its claim ends.
func withClaim(ctx context.Context, until time.Time) context.Context {
	return context.WithValue(ctx, claimKey{}, until)
}

// claimEnd is when the claim of the check running in ctx ends; zero if
// the check holds no claim.
func claimEnd(ctx context.Context) time.Time {
	t, _ := ctx.Value(claimKey{}).(time.Time)
	return t
}

// mustStartBy is the latest start of a request of the check in ctx that
// still ends, at fetch.timeout, before its claim does; zero: no limit.
func (d *Daemon) mustStartBy(ctx context.Context) time.Time {
	end := claimEnd(ctx)
	if end.IsZero() {
		return end
	}
	return end.Add(-d.cfg.Fetch.Timeout.D())
}
