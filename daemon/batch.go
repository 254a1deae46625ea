package daemon

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/stet/stet/storage"
)

// Group commits. Most scheduled checks change nothing: a 304, or the same
// body or text as before. Their capture and the page's next due time are
// worth keeping, but not worth a transaction (and an fsync) each. Such
// quiet checks are committed together, in one transaction, when
// groupMaxItems have gathered or groupMaxWait after the first, and when
// the daemon stops. A check that stores a version, a change, a body or an
// event, or that moves the page's health (a failure, a recovery, a
// removal), still commits alone, at once.
//
// Until its group commits, a quiet check is not stored anywhere: a
// process killed then loses it as if it had never run. Its page is still
// claimed (its due time is the claim's lease), so the page is checked
// again when the lease ends, or at once after a restart on the same host
// (releaseDeadWork). A crash can repeat a check; it cannot lose a version
// or an event, since those never wait in a group.
//
// A group writes its captures, and rewrites the database pages that hold
// its pages' rows and their index entries once however many checks share
// them: at 1,000 re-checks a second, groups of up to 1,024 checks or 1 s
// write 12 KB a check where groups of 256 or 200 ms wrote 15 KB
// (internal/scale, 1,000 articles).
const (
	groupMaxItems = 1024
	groupMaxWait  = time.Second
)

// errGrouped means a check is waiting in a group commit; its result is
// reported (AfterCheck) when the group commits.
var errGrouped = errors.New("check waits for its group commit")

// groupCommit gathers quiet checks.
type groupCommit struct {
	d     *Daemon
	mu    sync.Mutex
	items []quietCheck
	first chan struct{} // a group has its first item (capacity 1)
}

// quietCheck is what a quiet check writes, and what it reports once
// written.
type quietCheck struct {
	capture storage.Capture
	page    storage.Page // its state after the check
	checked time.Time    // last_checked_at as read before the check
	due     time.Time    // next_check_at as read before the check: the claim's lease
	prevID  int64        // the latest version it was judged against
	res     Result
}

func newGroupCommit(d *Daemon) *groupCommit {
	return &groupCommit{d: d, first: make(chan struct{}, 1)}
}

// quiet reports whether the check changes nothing but the page's check
// times and validators, compared with was, the page as read before it.
func (c *pageCheck) quiet(was storage.Page) bool {
	if c.version != nil || c.change != nil || len(c.events) > 0 || c.body != nil || c.res.Status != StatusUnchanged {
		return false
	}
	if r := c.resp; r.Permanent && r.FinalURL != "" && r.FinalURL != c.page.URL {
		return false // a move
	}
	p := c.page
	return p.ConsecutiveFailures == was.ConsecutiveFailures && p.Failing == was.Failing &&
		p.FailingSince.Equal(was.FailingSince) && p.BackoffUntil.Equal(was.BackoffUntil) &&
		p.GoneCount == was.GoneCount && p.Removed == was.Removed &&
		p.FlappingSince.Equal(was.FlappingSince) && slices.Equal(p.FlapSet, was.FlapSet)
}

// add queues a quiet check. The check that fills a group commits it, in
// its own goroutine, so memory stays bounded however slow the disk is.
func (g *groupCommit) add(ctx context.Context, c *pageCheck, was storage.Page) {
	res := c.res
	if res.Response != nil { // the body is not needed to report the check
		r := *res.Response
		r.Body = nil
		res.Response = &r
	}
	q := quietCheck{capture: c.capture, page: c.page, checked: was.LastCheckedAt, due: was.NextCheckAt,
		prevID: c.prevID(), res: res}
	g.mu.Lock()
	g.items = append(g.items, q)
	n := len(g.items)
	g.mu.Unlock()
	switch {
	case n >= groupMaxItems:
		g.flush(context.WithoutCancel(ctx))
	case n == 1:
		select {
		case g.first <- struct{}{}:
		default:
		}
	}
}

// run commits each group at most groupMaxWait after its first item, until
// ctx ends; Run then commits what is left with flush.
func (g *groupCommit) run(ctx context.Context) {
	t := time.NewTimer(0)
	<-t.C
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.first:
		}
		t.Reset(groupMaxWait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		g.flush(context.WithoutCancel(ctx))
	}
}

// flush commits the checks gathered so far in one transaction, then
// reports them. If that transaction fails, each is committed on its own,
// so one bad check cannot take the others with it.
func (g *groupCommit) flush(ctx context.Context) {
	g.mu.Lock()
	items := g.items
	g.items = nil
	g.mu.Unlock()
	if len(items) == 0 {
		return
	}
	err := g.d.store.Tx(ctx, func(tx *storage.Tx) error {
		for i := range items {
			if err := items[i].write(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		g.d.log.Warn("group commit failed; committing its checks one by one", "checks", len(items), "err", err)
		for i := range items {
			if err := g.d.store.Tx(ctx, items[i].write); err != nil {
				items[i].res = items[i].res.uncommitted(err)
			}
		}
	}
	for _, q := range items {
		g.d.reportQuiet(q.res)
	}
}

// write records the check's capture and, unless the page was checked, got
// a version or was made due meanwhile (a "check now", another process, a
// sitemap's lastmod), its state.
// The capture's chain link is computed here, inside the transaction, in
// the order the group commits.
func (q *quietCheck) write(tx *storage.Tx) error {
	cur, err := tx.PageByID(q.page.ID)
	if err != nil {
		return err
	}
	latest, err := tx.LatestVersionID(q.page.ID)
	if err != nil {
		return err
	}
	if _, err := tx.InsertCapture(q.capture); err != nil {
		return err
	}
	if !cur.LastCheckedAt.Equal(q.checked) || !cur.NextCheckAt.Equal(q.due) || latest != q.prevID {
		return nil // newer state is stored: keep it
	}
	return tx.UpdatePageChecked(q.page) // quiet: its health is as it was
}

// reportQuiet logs and reports a grouped check once it is committed (or
// failed to be).
func (d *Daemon) reportQuiet(r Result) {
	if r.Status == StatusError {
		d.log.Warn("check not stored", "url", r.URL, "page_id", r.PageID, "reason", r.Reason)
	} else {
		d.log.Debug("page unchanged", "url", r.URL, "page_id", r.PageID, "class", r.Class)
	}
	if d.after != nil {
		d.after(r)
	}
}
