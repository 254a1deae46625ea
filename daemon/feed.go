package daemon

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/extract"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// crawlFeed fetches one feed and tracks every item it links as a page,
// due for its first check at once.
func (d *Daemon) crawlFeed(ctx context.Context, sourceID int64) (Result, error) {
	src, err := d.store.Source(ctx, sourceID)
	if err != nil {
		return Result{SourceID: sourceID, Status: StatusError, Reason: err.Error()}, err
	}
	res := Result{URL: src.URL, SourceID: src.ID, Status: StatusFeed}
	if time.Now().Before(src.BackoffUntil) {
		d.log.Debug("feed backed off", "url", src.URL, "until", src.BackoffUntil)
		res.Status, res.Reason = StatusError, "backed off until "+src.BackoffUntil.Format(time.RFC3339)
		return res, nil
	}
	resp, ferr := d.fetch.Fetch(ctx, crawler.Request{URL: src.URL, ETag: src.ETag, LastModified: src.LastModified,
		Robots: d.robotsFor(src.ID)})
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if errors.Is(ferr, crawler.ErrHostBackedOff) && resp.Status == 0 {
		res.Status, res.Reason = StatusError, resp.Reason
		return res, nil // the host asked to be left alone; the feed did not fail
	}
	f := &feedCheck{d: d, src: src, resp: resp, now: time.Now()}
	res.Response, res.Class, res.Reason, res.Err = resp, resp.Class, resp.Reason, ferr
	f.res = res
	f.capture = captureOf(resp, ferr, f.now)
	f.capture.SourceID = src.ID
	f.read(ferr)
	f.judge()
	if err := f.commit(ctx); err != nil {
		err = fmt.Errorf("store feed %s: %w", src.URL, err)
		return f.res.uncommitted(err), err
	}
	f.log(ctx)
	return f.res, nil
}

// feedCheck carries one fetch of a feed from response to commit.
type feedCheck struct {
	d       *Daemon
	src     storage.Source // updated in place, then written
	resp    *crawler.Response
	capture storage.Capture
	items   []extract.Item // items of a feed that changed since the last read
	links   feedLinks      // what reading the items kept and dropped
	failure string         // why the fetch failed, "" if it did not
	events  []notify.Event
	res     Result
	now     time.Time
}

// read parses a new feed body, or says why there is none to read.
func (f *feedCheck) read(ferr error) {
	src, resp := &f.src, f.resp
	src.LastCheckedAt, src.LastClass, src.LastReason = f.now, string(resp.Class), f.capture.Reason
	switch {
	case ferr != nil || resp.Class != crawler.ClassOK && resp.Class != crawler.ClassNotModified:
		f.failure = cmp.Or(reasonOf(resp, ferr), string(resp.Class))
	case resp.Class == crawler.ClassOK:
		f.capture.BodyHash = storage.HashBody(resp.Body)
		src.ETag, src.LastModified = resp.ETag, resp.LastModified
		if f.capture.BodyHash == src.LastBodyHash {
			return // same bytes as last time: nothing new to read
		}
		ch, err := extract.Feed(bytes.NewReader(resp.Body), extract.Options{BaseURL: parseURL(resp.FinalURL), ContentType: resp.ContentType})
		if err != nil {
			f.failure = fmt.Sprintf("parse feed: %v", err)
			f.capture.Class, f.capture.Reason = string(crawler.ClassError), f.failure
			src.LastClass, src.LastReason = f.capture.Class, f.failure
			return
		}
		src.LastBodyHash = f.capture.BodyHash
		f.links = readFeedLinks(ch.Items, f.d.cfg.Fetch.MaxFeedItems)
		f.items = f.links.items
		if f.links.excess > 0 {
			f.capture.Reason = fmt.Sprintf("read the first %d of %d items (fetch.max_feed_items)",
				len(f.items), len(f.items)+f.links.excess)
			src.LastReason = f.capture.Reason
		}
	}
}

// judge counts the fetch towards the source's health.
func (f *feedCheck) judge() {
	src := &f.src
	h, subj := health{&src.ConsecutiveFailures, &src.FailingSince, &src.Failing, &src.BackoffUntil}, subject{src.Name, src.URL, ""}
	if f.failure == "" {
		f.events = f.d.succeeded(h, subj, f.capture.Class, f.now)
		return
	}
	f.res.Status, f.res.Reason = StatusError, f.failure
	f.events = f.d.failed(h, subj, f.capture.Class, f.failure, f.now)
	if f.resp.RetryAfter > 0 {
		src.BackoffUntil = f.now.Add(f.resp.RetryAfter)
	}
}

// pagesPerTx bounds the pages one transaction adds, so that a huge feed
// never holds the write lock for long.
const pagesPerTx = 250

// commit stores the new pages, then the capture and the source's state.
// Pages go in bounded transactions first; the last one also records the
// capture and the source, so a crash in between only means the next read
// finds the same items and adds what is missing (EnsurePage is idempotent).
func (f *feedCheck) commit(ctx context.Context) error {
	items := f.items
	for len(items) > pagesPerTx {
		if err := f.d.store.Tx(ctx, func(tx *storage.Tx) error { return f.addPages(tx, items[:pagesPerTx]) }); err != nil {
			return err
		}
		items = items[pagesPerTx:]
	}
	queued := false
	err := f.d.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := f.addPages(tx, items); err != nil {
			return err
		}
		if f.resp.Body != nil && (f.res.NewPages > 0 || f.d.cfg.Storage.KeepBodies == "all") {
			if _, err := tx.PutBody(f.resp.Body); err != nil {
				return err
			}
		}
		if _, err := tx.InsertCapture(f.capture); err != nil {
			return err
		}
		var err error
		if queued, err = f.d.queueEvents(tx, f.events); err != nil {
			return err
		}
		return tx.UpdateSourceState(f.src)
	})
	if err == nil && queued {
		f.d.wakeDelivery()
	}
	return err
}

// addPages tracks the items' links, counting the pages that are new.
func (f *feedCheck) addPages(tx *storage.Tx, items []extract.Item) error {
	for _, it := range items {
		_, created, err := tx.EnsurePage(f.src.ID, it.URL, it.Title, f.now, it.Published, f.now)
		if err != nil {
			return err
		}
		if created {
			f.res.NewPages++
		}
	}
	return nil
}

func (f *feedCheck) log(ctx context.Context) {
	log := f.d.log.With("source", f.src.Name, "url", f.src.URL)
	if l := f.links; l.rejected > 0 || l.excess > 0 {
		// Once per new feed body, not once per link.
		log.Warn("feed items not tracked", "not_http", l.rejected, "example", l.sample,
			"over_max_feed_items", l.excess, "max_feed_items", f.d.cfg.Fetch.MaxFeedItems)
	}
	if f.failure != "" {
		log.Warn("feed failed", "class", f.capture.Class, "reason", f.failure, "failures", f.src.ConsecutiveFailures)
		return
	}
	log.Debug("feed read", "class", f.resp.Class, "items", len(f.items), "new_pages", f.res.NewPages)
	if f.res.NewPages > 0 {
		log.Info("new articles", "count", f.res.NewPages)
		f.d.queueDue(ctx)
	}
}

func parseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return u
}
