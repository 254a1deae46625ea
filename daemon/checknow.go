package daemon

import (
	"context"
	"errors"

	"github.com/stet/stet/storage"
)

// ErrCheckRunning means the page is already queued or being checked by
// this daemon; its result will be stored shortly.
var ErrCheckRunning = errors.New("a check of this page is already queued or running")

// CheckPage checks one tracked page now, on the same path as `stet check`
// and the scheduled checks: fetch, extract, compare, one transaction. It
// is for the web UI's "check now". While it runs, the scheduler does not
// queue the same page, and a page already queued or running is not
// fetched twice (ErrCheckRunning). A page that does not exist is
// storage.ErrNotFound.
func (d *Daemon) CheckPage(ctx context.Context, pageID int64) (Result, error) {
	j := job{pageID: pageID}
	d.mu.Lock()
	if d.inFlight[j.key()] {
		d.mu.Unlock()
		return Result{PageID: pageID}, ErrCheckRunning
	}
	d.inFlight[j.key()] = true
	d.mu.Unlock()
	defer d.done(j)
	r, err := d.checkPage(ctx, pageID)
	if d.after != nil && !errors.Is(err, storage.ErrNotFound) {
		d.after(r) // as for a scheduled check
	}
	return r, err
}
