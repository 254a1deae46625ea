package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/extract"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// crawlListing reads one listing source, and the documents it leads to
// within their bounds, and tracks every article it links as a page.
func (d *Daemon) crawlListing(ctx context.Context, sourceID int64) (Result, error) {
	src, err := d.store.Source(ctx, sourceID)
	if err != nil {
		return Result{SourceID: sourceID, Status: StatusError, Reason: err.Error()}, err
	}
	read := listingReaders[src.Kind]
	if read == nil {
		err := fmt.Errorf("source %d: %q is not a listing kind", src.ID, src.Kind)
		return Result{SourceID: sourceID, Status: StatusError, Reason: err.Error()}, err
	}
	res := Result{URL: src.URL, SourceID: src.ID, Status: StatusFeed}
	if time.Now().Before(src.BackoffUntil) {
		d.log.Debug("source backed off", "url", src.URL, "until", src.BackoffUntil)
		res.Status, res.Reason = StatusError, "backed off until "+src.BackoffUntil.Format(time.RFC3339)
		return res, d.postpone(ctx, src, src.BackoffUntil)
	}
	etag, lastMod := src.ETag, src.LastModified
	if src.Kind == config.KindSitemap {
		// An unchanged sitemap index may name child sitemaps that did
		// change: read and parse it every time, then its children.
		etag, lastMod = "", ""
	}
	resp, deferred, ferr := d.fetchOnce(ctx, src.Kind, crawler.Request{URL: src.URL, ETag: etag, LastModified: lastMod,
		Robots: d.robotsFor(src.ID), NoWait: queued(ctx)})
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if _, ok := errors.AsType[*crawler.NotReadyError](ferr); ok {
		return res, ferr // not asked yet: the job is queued again (jobs.go)
	}
	if deferred {
		res.Status, res.Reason = StatusError, resp.Reason
		return res, d.postpone(ctx, src, time.Now().Add(time.Minute)) // the host asked to be left alone
	}
	l := &listingCheck{d: d, src: src, resp: resp, now: time.Now(), read: read, complete: true}
	res.Response, res.Class, res.Reason, res.Err = resp, resp.Class, resp.Reason, ferr
	l.res = res
	l.capture = captureOf(resp, ferr, l.now)
	l.capture.SourceID = src.ID
	l.readMain(ferr)
	l.follow(ctx)
	l.judge()
	if err := l.commit(ctx); err != nil {
		err = fmt.Errorf("store %s %s: %w", src.Kind, src.URL, err)
		return l.res.uncommitted(err), err
	}
	l.log()
	return l.res, nil
}

// postpone makes a source due again at until. Its stored due time is the
// claim's lease, not a schedule, so until replaces it.
func (d *Daemon) postpone(ctx context.Context, src storage.Source, until time.Time) error {
	src.NextCheckAt = until
	return d.store.Tx(ctx, func(tx *storage.Tx) error { return tx.UpdateSourceState(src) })
}

// listingCheck carries one read of a listing source from response to commit.
type listingCheck struct {
	d        *Daemon
	src      storage.Source // updated in place, then written
	resp     *crawler.Response
	read     listingReader
	capture  storage.Capture
	extra    []storage.Capture // captures of the documents the listing led to
	items    []extract.Item    // articles listed, when the listing changed since the last read
	more     []string          // documents still to read
	same     bool              // the listing is unchanged since the last read
	complete bool              // every document of the listing was read: misses may be counted
	links    feedLinks         // what reading the items kept and dropped
	dropped  int               // entries the kind\'s reader left out
	failure  string            // why the fetch failed, "" if it did not
	events   []notify.Event
	res      Result
	now      time.Time
}

// readMain reads the source's own document, or says why there is none.
func (l *listingCheck) readMain(ferr error) {
	src, resp := &l.src, l.resp
	src.LastCheckedAt, src.LastClass, src.LastReason = l.now, string(resp.Class), l.capture.Reason
	switch {
	case ferr != nil || resp.Class != crawler.ClassOK && resp.Class != crawler.ClassNotModified:
		l.failure = cmp.Or(reasonOf(resp, ferr), string(resp.Class))
		l.complete = false
	case resp.Class == crawler.ClassNotModified:
		l.same = true
	case resp.Class == crawler.ClassOK:
		l.capture.BodyHash = storage.HashBody(resp.Body)
		src.ETag, src.LastModified = resp.ETag, resp.LastModified
		if l.capture.BodyHash == src.LastBodyHash && src.Kind != config.KindSitemap {
			l.same = true // same bytes as last time: nothing new to read
			return
		}
		lk, err := l.read(l, resp)
		if err != nil {
			l.failure = fmt.Sprintf("read %s: %v", src.Kind, err)
			l.capture.Class, l.capture.Reason = string(crawler.ClassError), l.failure
			src.LastClass, src.LastReason = l.capture.Class, l.failure
			l.complete = false
			return
		}
		src.LastBodyHash = l.capture.BodyHash
		l.items, l.more, l.dropped = lk.items, lk.more, lk.dropped
	}
}

// follow reads the documents the listing leads to (child sitemaps, next
// index pages), breadth first, within the kind's bounds. A document that
// fails leaves the read incomplete: its articles are not counted missing.
func (l *listingCheck) follow(ctx context.Context) {
	if l.same || l.failure != "" {
		return
	}
	maxDepth, maxDocs := l.bounds()
	type doc struct {
		url   string
		depth int
	}
	var queue []doc
	for _, u := range l.more {
		queue = append(queue, doc{u, 1})
	}
	seen := map[string]bool{l.src.URL: true}
	for docs := 1; len(queue) > 0 && ctx.Err() == nil; {
		next := queue[0]
		queue = queue[1:]
		if seen[next.url] || next.depth >= maxDepth {
			continue
		}
		if docs >= maxDocs {
			l.complete = false
			l.d.log.Warn("listing has more documents than read", "source", l.src.Name, "read", docs)
			break
		}
		seen[next.url] = true
		docs++
		resp, _, ferr := l.d.fetchOnce(ctx, l.src.Kind, crawler.Request{URL: next.url, Robots: l.d.robotsFor(l.src.ID)})
		c := captureOf(resp, ferr, time.Now())
		c.SourceID = l.src.ID
		if ferr != nil || resp.Class != crawler.ClassOK {
			l.complete = false
			l.extra = append(l.extra, c)
			continue
		}
		c.BodyHash = storage.HashBody(resp.Body)
		lk, err := l.read(l, resp)
		if err != nil {
			c.Class, c.Reason = string(crawler.ClassError), err.Error()
			l.complete = false
		}
		l.extra = append(l.extra, c)
		l.items, l.dropped = append(l.items, lk.items...), l.dropped+lk.dropped
		for _, u := range lk.more {
			queue = append(queue, doc{u, next.depth + 1})
		}
	}
}

// bounds is how deep and how many documents a listing of this kind reads.
func (l *listingCheck) bounds() (depth, docs int) {
	switch l.src.Kind {
	case config.KindSitemap:
		return l.d.cfg.Fetch.MaxSitemapDepth, 1 + maxChildSitemaps
	case config.KindIndex:
		if x := l.d.indexOf(l.src.ID); x != nil {
			return x.MaxPages, x.MaxPages
		}
	}
	return 1, 1
}

// maxChildSitemaps bounds the child sitemaps one read follows.
const maxChildSitemaps = 50

// judge counts the read towards the source's health and sets when it is
// due next.
func (l *listingCheck) judge() {
	src := &l.src
	h, subj := health{&src.ConsecutiveFailures, &src.FailingSince, &src.Failing, &src.BackoffUntil}, subject{src.Name, src.URL, ""}
	if l.failure == "" {
		l.events = l.d.succeeded(h, subj, l.capture.Class, l.now)
	} else {
		l.res.Status, l.res.Reason = StatusError, l.failure
		l.events = l.d.failed(h, subj, l.capture.Class, l.failure, l.now)
		if l.resp.RetryAfter > 0 {
			src.BackoffUntil = l.now.Add(l.resp.RetryAfter)
		}
	}
	src.NextCheckAt = l.d.nextRead(src.ID, l.now)
	if src.NextCheckAt.Before(src.BackoffUntil) {
		src.NextCheckAt = src.BackoffUntil
	}
}

// nextRead is when a listing source is due again: its schedule, plus its
// fixed spread delay.
func (d *Daemon) nextRead(sourceID int64, now time.Time) time.Time {
	if s, ok := d.sources[sourceID]; ok {
		return s.schedule.Next(now).Add(spread(s.src.URL, s.schedule))
	}
	return now.Add(time.Hour) // a source no longer configured: read rarely; see registerSources
}

// pagesPerTx bounds the pages one transaction adds, so that a huge listing
// never holds the write lock for long.
const pagesPerTx = 250

// commit stores the new pages, then the captures, the listing and the
// source's state. Pages go in bounded transactions first; the last one
// also records the rest, so a crash in between only means the next read
// finds the same items and adds what is missing (EnsurePage is idempotent).
func (l *listingCheck) commit(ctx context.Context) error {
	l.links = readFeedLinks(l.items, l.d.cfg.Fetch.MaxFeedItems)
	if l.links.excess > 0 {
		l.capture.Reason = fmt.Sprintf("read the first %d of %d items (fetch.max_feed_items)",
			len(l.links.items), len(l.links.items)+l.links.excess)
		l.src.LastReason = l.capture.Reason
	}
	items := l.links.items
	var listed []storage.Listed
	for len(items) > pagesPerTx {
		err := l.d.store.Tx(ctx, func(tx *storage.Tx) error {
			ls, err := l.addPages(tx, items[:pagesPerTx])
			listed = append(listed, ls...)
			return err
		})
		if err != nil {
			return err
		}
		items = items[pagesPerTx:]
	}
	queued := false
	err := l.d.store.Tx(ctx, func(tx *storage.Tx) error {
		ls, err := l.addPages(tx, items)
		if err != nil {
			return err
		}
		if l.resp.Body != nil && (l.res.NewPages > 0 || l.d.cfg.Storage.KeepBodies == "all") {
			if _, err := tx.PutBody(l.resp.Body); err != nil {
				return err
			}
		}
		for _, c := range append([]storage.Capture{l.capture}, l.extra...) {
			if _, err := tx.InsertCapture(c); err != nil {
				return err
			}
		}
		if err := l.recordListing(tx, append(listed, ls...)); err != nil {
			return err
		}
		if queued, err = l.d.queueEvents(tx, l.events); err != nil {
			return err
		}
		return tx.UpdateSourceState(l.src)
	})
	if err == nil && queued {
		l.d.wakeDelivery()
	}
	return err
}

// addPages tracks the items' links, counting the pages that are new, and
// returns them as listed. An item whose listing says it changed after the
// page was last checked (a sitemap's lastmod) makes the page due now.
func (l *listingCheck) addPages(tx *storage.Tx, items []extract.Item) ([]storage.Listed, error) {
	listed := make([]storage.Listed, 0, len(items))
	for _, it := range items {
		p, created, err := tx.EnsurePage(l.src.ID, it.URL, it.Title, l.now, it.Published, l.now)
		if err != nil {
			return nil, err
		}
		if created {
			l.res.NewPages++
		} else if !it.Updated.IsZero() && it.Updated.After(p.LastCheckedAt) && !p.LastCheckedAt.IsZero() {
			if err := tx.CheckSoon(p.ID, l.now); err != nil {
				return nil, err
			}
		}
		listed = append(listed, storage.Listed{PageID: p.ID, Date: cmp.Or(it.Published, it.Updated)})
	}
	return listed, nil
}

// recordListing counts this read towards "unlisted" when it was complete,
// and reports the pages it makes unlisted or relisted.
func (l *listingCheck) recordListing(tx *storage.Tx, listed []storage.Listed) error {
	if !l.complete {
		return nil
	}
	if l.same {
		var err error
		if listed, err = tx.ListedPages(l.src.ID); err != nil {
			return err
		}
	}
	r, err := tx.RecordListing(l.src.ID, listed, l.now, l.d.cfg.Fetch.UnlistedAfter)
	if err != nil {
		return err
	}
	for _, id := range r.Unlisted {
		if err := l.listingChange(tx, id, storage.ChangeUnlisted); err != nil {
			return err
		}
	}
	for _, id := range r.Relisted {
		if err := l.listingChange(tx, id, storage.ChangeRelisted); err != nil {
			return err
		}
	}
	return nil
}

// listingChange reports that a page left every listing while still online
// (unlisted), or came back to one (relisted). A page that no longer
// answers is not unlisted: it is gone, which its own checks report.
func (l *listingCheck) listingChange(tx *storage.Tx, pageID int64, kind string) error {
	p, err := tx.PageByID(pageID)
	if err != nil {
		return err
	}
	live := !p.Removed && (p.LastClass == string(crawler.ClassOK) || p.LastClass == string(crawler.ClassNotModified))
	if kind == storage.ChangeUnlisted && !live {
		return nil
	}
	if err := tx.SetUnlisted(pageID, kind == storage.ChangeUnlisted); err != nil {
		return err
	}
	v, err := tx.LatestVersionID(pageID)
	if err != nil {
		return err
	}
	summary := "no longer listed by any source that announced it, still online"
	if kind == storage.ChangeRelisted {
		summary = "listed again by " + l.src.Name
	}
	ch := storage.Change{PageID: pageID, Kind: kind, DetectedAt: l.now, OldVersionID: v, NewVersionID: v,
		Title: p.Title, Summary: summary, Classes: []string{}, URL: p.URL}
	if ch.ID, err = tx.InsertChange(ch); err != nil {
		return err
	}
	l.events = append(l.events, changeEvent(ch, l.src.Name, summary))
	l.d.log.Info("listing change", "kind", kind, "url", p.URL, "source", l.src.Name)
	return nil
}

func (l *listingCheck) log() {
	log := l.d.log.With("source", l.src.Name, "url", l.src.URL, "kind", l.src.Kind)
	if l.failure != "" {
		log.Warn("source failed", "class", l.capture.Class, "reason", l.failure, "failures", l.src.ConsecutiveFailures)
		return
	}
	if lk := l.links; lk.rejected > 0 || lk.excess > 0 || l.dropped > 0 {
		// Once per new listing body, not once per link.
		log.Warn("listed items not tracked", "not_http", lk.rejected, "example", lk.sample,
			"over_max_feed_items", lk.excess, "max_feed_items", l.d.cfg.Fetch.MaxFeedItems,
			"dropped_by_reader", l.dropped)
	}
	log.Debug("source read", "class", l.resp.Class, "items", len(l.items), "new_pages", l.res.NewPages,
		"documents", 1+len(l.extra), "complete", l.complete)
	if l.res.NewPages > 0 {
		log.Info("new articles", "count", l.res.NewPages)
		l.d.askForWork() // the new pages are due now
	}
}

func parseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return u
}
