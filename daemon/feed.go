package daemon

import (
	"bytes"
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
	now := time.Now()
	res.Response, res.Class, res.Reason, res.Err = resp, resp.Class, resp.Reason, ferr
	capture := captureOf(resp, ferr, now)
	capture.SourceID = src.ID
	src.LastCheckedAt, src.LastClass, src.LastReason = now, string(resp.Class), capture.Reason

	var items []extract.Item
	var body []byte
	failure := ""
	switch {
	case ferr != nil || resp.Class != crawler.ClassOK && resp.Class != crawler.ClassNotModified:
		failure = reasonOf(resp, ferr)
		if failure == "" {
			failure = string(resp.Class)
		}
	case resp.Class == crawler.ClassOK:
		body = resp.Body
		capture.BodyHash = storage.HashBody(body)
		src.ETag, src.LastModified = resp.ETag, resp.LastModified
		if capture.BodyHash == src.LastBodyHash {
			break // same bytes as last time: nothing new to read
		}
		ch, err := extract.Feed(bytes.NewReader(body), extract.Options{BaseURL: parseURL(resp.FinalURL), ContentType: resp.ContentType})
		if err != nil {
			failure = fmt.Sprintf("parse feed: %v", err)
			capture.Class, capture.Reason = string(crawler.ClassError), failure
			src.LastClass, src.LastReason = capture.Class, failure
			break
		}
		src.LastBodyHash = capture.BodyHash
		items = ch.Items
	}
	var events []notify.Event
	h, subj := health{&src.ConsecutiveFailures, &src.Failing, &src.BackoffUntil}, subject{src.Name, src.URL, ""}
	if failure != "" {
		res.Status, res.Reason = StatusError, failure
		events = d.failed(h, subj, capture.Class, failure, now)
		if resp.RetryAfter > 0 {
			src.BackoffUntil = now.Add(resp.RetryAfter)
		}
	} else {
		events = d.succeeded(h, subj, capture.Class, now)
	}

	queued := false
	err = d.store.Tx(ctx, func(tx *storage.Tx) error {
		for _, it := range items {
			_, created, err := tx.EnsurePage(src.ID, canonical(it.URL), it.Title, now, it.Published, now)
			if err != nil {
				return err
			}
			if created {
				res.NewPages++
			}
		}
		if res.NewPages > 0 { // keep the feed that announced new pages
			if _, err := tx.PutBody(body); err != nil {
				return err
			}
		}
		if _, err := tx.InsertCapture(capture); err != nil {
			return err
		}
		for _, ev := range events {
			q, err := d.queueEvent(tx, ev)
			if err != nil {
				return err
			}
			queued = queued || q
		}
		return tx.UpdateSourceState(src)
	})
	if err != nil {
		return res, fmt.Errorf("store feed %s: %w", src.URL, err)
	}
	if queued {
		d.wakeDelivery()
	}
	log := d.log.With("source", src.Name, "url", src.URL)
	if failure != "" {
		log.Warn("feed failed", "class", capture.Class, "reason", failure, "failures", src.ConsecutiveFailures)
	} else {
		log.Debug("feed read", "class", resp.Class, "items", len(items), "new_pages", res.NewPages)
		if res.NewPages > 0 {
			log.Info("new articles", "count", res.NewPages)
			d.queueDue(ctx)
		}
	}
	return res, nil
}

func parseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return u
}

// canonical drops the fragment, which never names a different document.
func canonical(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Fragment = ""
	return u.String()
}
