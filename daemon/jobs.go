package daemon

import (
	"context"
	"fmt"
	"time"
)

// job is one unit of work: a feed source's fetch or a page's check.
type job struct {
	sourceID int64  // listing source to read
	pageID   int64  // page to check
	host     string // of the URL fetched first, for dispatch (hostKey)
}

func (j job) key() string {
	if j.pageID != 0 {
		return fmt.Sprintf("page:%d", j.pageID)
	}
	return fmt.Sprintf("source:%d", j.sourceID)
}

// enqueue queues j unless the same job is already queued or running, so a
// slow publisher never piles up duplicate work.
func (d *Daemon) enqueue(ctx context.Context, j job) {
	d.mu.Lock()
	if d.inFlight[j.key()] {
		d.mu.Unlock()
		return
	}
	d.inFlight[j.key()] = true
	d.mu.Unlock()
	if ctx.Err() != nil {
		d.done(j)
		return
	}
	if !d.queue.push(j) {
		d.done(j) // queue full: the job stays due in the database
		d.log.Warn("job queue full", "job", j.key())
	}
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
		d.runJob(ctx, j)
		d.queue.finish(j.host)
		d.done(j)
	}
}

func (d *Daemon) runJob(ctx context.Context, j job) {
	var r Result
	var err error
	if j.pageID != 0 {
		r, err = d.checkPage(ctx, j.pageID)
	} else {
		r, err = d.crawlListing(ctx, j.sourceID)
	}
	if err != nil && ctx.Err() == nil {
		d.log.Error("job failed", "job", j.key(), "err", err)
	}
	if d.after != nil {
		d.after(r)
	}
}

// tickDue queues pages whose next check time has come. The database holds
// the due times, so after a restart the same pages are due again.
func (d *Daemon) tickDue(ctx context.Context) {
	t := time.NewTicker(d.cfg.Daemon.Tick.D())
	defer t.Stop()
	for {
		d.queueDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (d *Daemon) queueDue(ctx context.Context) {
	srcs, err := d.store.DueSources(ctx, listingKinds(), time.Now(), 256)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("list due sources", "err", err)
		}
		return
	}
	for _, id := range srcs {
		if s, ok := d.sources[id]; ok {
			d.enqueue(ctx, job{sourceID: id, host: hostKey(s.src.URL)})
		}
	}
	pages, err := d.store.DuePages(ctx, time.Now(), 256)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("list due pages", "err", err)
		}
		return
	}
	for _, p := range pages {
		d.enqueue(ctx, job{pageID: p.ID, host: hostKey(p.URL)})
	}
}
