package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/storage"
)

// job is one unit of work: a feed source's fetch or a page's check.
type job struct {
	sourceID int64     // listing source to read
	pageID   int64     // page to check
	host     string    // of the URL fetched first, for dispatch (hostKey)
	until    time.Time // when the job's claim in the database ends; zero: not claimed
}

func (j job) key() string {
	if j.pageID != 0 {
		return fmt.Sprintf("page:%d", j.pageID)
	}
	return fmt.Sprintf("source:%d", j.sourceID)
}

// enqueue queues j unless the same job is already queued or running, so a
// slow publisher never piles up duplicate work. It reports whether j was
// queued.
func (d *Daemon) enqueue(ctx context.Context, j job) bool {
	d.mu.Lock()
	if d.inFlight[j.key()] {
		d.mu.Unlock()
		return false
	}
	d.inFlight[j.key()] = true
	d.mu.Unlock()
	if ctx.Err() != nil {
		d.done(j)
		return false
	}
	if !d.queue.push(j) {
		d.done(j) // queue full: the job stays due in the database
		d.log.Warn("job queue full", "job", j.key())
		return false
	}
	return true
}

func (d *Daemon) done(j job) {
	d.mu.Lock()
	delete(d.inFlight, j.key())
	d.mu.Unlock()
}

func (d *Daemon) work(ctx context.Context) {
	for {
		j, ok := d.queue.take(ctx)
		if !ok {
			return
		}
		if d.lapsing(j, time.Now()) {
			d.giveBack(ctx, j) // lease.go
		} else if at, ok := d.runJob(ctx, j); ok {
			d.queue.requeue(j, at) // still queued: run when its host is ready
			continue
		}
		d.queue.finish(j.host)
		d.done(j)
		d.wantWork()
	}
}

// runJob runs j. A job whose host was not ready (its robots.txt was
// asked first, or a Crawl-delay is longer than the interval) is not run:
// runJob returns when the host may be asked, and true.
func (d *Daemon) runJob(ctx context.Context, j job) (time.Time, bool) {
	var r Result
	var err error
	ctx = fromQueue(ctx)
	if j.pageID != 0 {
		if !j.until.IsZero() {
			ctx = withClaim(ctx, j.until) // lease.go
		}
		if r, err = d.checkPageGrouped(ctx, j.pageID); errors.Is(err, errGrouped) {
			return time.Time{}, false // reported when its group commits (batch.go)
		}
	} else {
		r, err = d.crawlListing(ctx, j.sourceID)
	}
	if nr, ok := errors.AsType[*crawler.NotReadyError](err); ok && ctx.Err() == nil {
		return nr.Until, true
	}
	if err != nil && ctx.Err() == nil {
		d.log.Error("job failed", "job", j.key(), "err", err)
	}
	if d.after != nil {
		d.after(r)
	}
	return time.Time{}, false
}

type queuedKey struct{}

// fromQueue marks ctx as a queued job's. The first fetch of a queued job
// does not wait for its host's interval (crawler Request.NoWait): a worker
// given a host the dispatcher thought ready, but which is not, puts the
// job back and takes another host's rather than park.
func fromQueue(ctx context.Context) context.Context {
	return context.WithValue(ctx, queuedKey{}, true)
}

// queued reports whether ctx is a queued job's (fromQueue).
func queued(ctx context.Context) bool {
	q, _ := ctx.Value(queuedKey{}).(bool)
	return q
}

// tickDue queues due sources and pages: at every tick, and as soon as the
// workers run low on queued work, so due work is pulled as fast as they
// free up. The database holds the due times, so after a restart the same
// work is due again.
func (d *Daemon) tickDue(ctx context.Context) {
	t := time.NewTicker(d.cfg.Daemon.Tick.D())
	defer t.Stop()
	for {
		d.queueDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.pull:
		}
	}
}

// Claims: work is claimed in the database before it is queued (its due
// time moves a lease ahead, [daemon] lease), so processes sharing a
// database never take the same page or source, and a claim whose check
// never commits lapses. Only as much is kept as the workers can start
// well within the lease: at most hostDepth jobs of one host wait in
// the queue, the rest of a claim is given back at once, and a job whose
// claim is about to lapse before a worker takes it is given back rather
// than run (lease.go).

// releaseDeadWork makes the pages and sources claimed by dead processes of
// this host due now (a daemon killed with SIGKILL and restarted), rather
// than when their leases end.
func (d *Daemon) releaseDeadWork(ctx context.Context) {
	owners, err := d.store.WorkClaimOwners(ctx)
	if err != nil {
		d.log.Warn("list work claims", "err", err)
		return
	}
	for _, o := range owners {
		if !d.deadLocal(o) {
			continue
		}
		if n, err := d.store.ReleaseWorkOf(ctx, o, time.Now()); err != nil {
			d.log.Warn("release work of a dead process", "owner", o, "err", err)
		} else if n > 0 {
			d.log.Info("released due work claimed by a process that is gone", "owner", o, "rows", n)
		}
	}
}

// lowWater is how much queued work makes the workers ask for more.
func (d *Daemon) lowWater() int { return 8 * d.cfg.Daemon.Workers }

// wantWork wakes tickDue when the queue runs low.
func (d *Daemon) wantWork() {
	if d.queue.len() < d.lowWater() {
		d.askForWork()
	}
}

// askForWork wakes tickDue to claim due work now. Calls while it claims
// come to one more claim.
func (d *Daemon) askForWork() {
	select {
	case d.pull <- struct{}{}:
	default:
	}
}

// hostDepth bounds the jobs of one host waiting for a worker, and how
// many pages of one host a claim takes. A host starts a request per
// fetch.per_host_interval, so a job queued behind more than hostHorizon
// (or an eighth of the lease) of its host's work would only hold its
// claim, or see it lapse (lapsing: it must start within half the lease,
// and daemons sharing a host's politeness each get a share of its
// requests); the queue has room for other hosts' jobs instead, which
// keep the workers busy meanwhile. With the default interval (2s) that
// is 8 jobs; a host allowed a request a millisecond gets maxHostDepth,
// and claims come that much larger and fewer: each claim rewrites the
// database pages that hold its pages' rows.
func (d *Daemon) hostDepth() int {
	iv := d.cfg.Fetch.PerHostInterval.D()
	if iv <= 0 {
		return maxHostDepth
	}
	n := int(min(hostHorizon, d.lease()/8) / iv)
	return min(max(n, minHostDepth), maxHostDepth)
}

// maxClaim bounds the pages of one claim. A claim is one UPDATE, and
// SQLite keeps the original of every database page it rewrites (the
// statement journal, in memory: temp_store) until it ends: a claim of
// 4,096 pages among 100,000 held tens of MB. The queue asks for more
// whenever it runs low, so smaller claims only come more often.
const maxClaim = 1024

// claimRun is how many pages of one host a claim of limit pages takes
// together, when its hosts are deep enough (hostDepth) to serve more than
// minHostDepth: enough hosts for claimHostsPerWorker a worker, the rest
// in runs of one host's pages (storage ClaimDueRuns). Workers need only a
// few hosts with queued work to stay busy, and the queue holds several
// claims; a host's run of pages is claimed and its checks are committed
// with a fraction of the database pages rewritten that the same checks
// spread over every host cost (storage BenchmarkRecheckWrites).
func (d *Daemon) claimRun(limit, depth int) int {
	return min(depth, limit/(claimHostsPerWorker*max(d.cfg.Daemon.Workers, 1)))
}

// claimHostsPerWorker is how many hosts a claim of runs covers for each
// worker, at least: 8 at the default 4 workers (each host takes two of
// them at per_host_concurrency 2), and the queue holds four claims.
const claimHostsPerWorker = 2

const (
	hostHorizon  = 16 * time.Second
	minHostDepth = 8
	maxHostDepth = 1024
)

// queueDue claims due sources and pages as far as the queue has room and
// queues them, at most hostDepth of one host.
func (d *Daemon) queueDue(ctx context.Context) {
	room := d.queue.room()
	if room <= 0 {
		return
	}
	depth := d.hostDepth()
	now, lease := time.Now(), d.lease()
	srcs, err := d.store.ClaimDueSources(ctx, d.owner, listingKinds(), now, lease, room)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("claim due sources", "err", err)
		}
		return
	}
	var backSrcs, backPages []int64 // claimed but not queued: given back
	defer func() {
		if err := d.store.UnclaimWork(ctx, d.owner, backPages, backSrcs, time.Now()); err != nil && ctx.Err() == nil {
			d.log.Error("give back claims", "err", err)
		}
	}()
	for _, id := range srcs {
		s, ok := d.sources[id]
		if !ok {
			continue
		}
		j := job{sourceID: id, host: hostKey(s.src.URL), until: now.Add(lease)}
		if d.queue.hostLen(j.host) >= depth || !d.enqueue(ctx, j) {
			backSrcs = append(backSrcs, id)
		}
	}
	if room -= len(srcs); room <= 0 {
		return
	}
	limit := min(room, maxClaim)
	var pages []storage.Page
	if run := d.claimRun(limit, depth); run > minHostDepth {
		pages, err = d.store.ClaimDueRuns(ctx, d.owner, now, lease, limit, run)
	} else {
		pages, err = d.store.ClaimDuePagesPerHost(ctx, d.owner, now, lease, limit, depth)
	}
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("claim due pages", "err", err)
		}
		return
	}
	for _, p := range pages {
		j := job{pageID: p.ID, host: hostKey(p.URL), until: now.Add(lease)}
		if d.queue.hostLen(j.host) >= depth || !d.enqueue(ctx, j) {
			backPages = append(backPages, p.ID)
		}
	}
}
