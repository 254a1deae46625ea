package daemon

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/storage"
)

// commit writes the capture, any new version, change and outbox rows, and
// the page's next due time in one transaction.
func (c *pageCheck) commit(ctx context.Context) error {
	queued := false
	err := c.d.store.Tx(ctx, func(tx *storage.Tx) error {
		// The transaction holds the write lock: if the latest version is
		// still the one judged against, nobody can slip one in before commit.
		latest, err := tx.LatestVersionID(c.page.ID)
		if err != nil {
			return err
		}
		if prev := c.prevID(); latest != prev {
			return errStale
		}
		if c.body != nil {
			if err := tx.PutEncodedBody(c.encoded); err != nil {
				return err
			}
		}
		capID, err := tx.InsertCapture(c.capture)
		if err != nil {
			return err
		}
		if c.version != nil {
			c.version.CaptureID = capID
			insert := tx.InsertVersion
			if c.text.Zstd != nil {
				insert = func(v storage.Version) (int64, error) { return tx.InsertEncodedVersion(v, c.text) }
			}
			if c.version.ID, err = insert(*c.version); err != nil {
				return err
			}
			c.res.VersionID = c.version.ID
		}
		if c.change != nil {
			if c.change.Kind != storage.ChangeRemoved {
				c.change.NewVersionID = c.res.VersionID
			}
			if c.change.ID, err = tx.InsertChange(*c.change); err != nil {
				return err
			}
			c.res.ChangeID = c.change.ID
			if !c.change.Suppressed { // a flapping page's alternations raise no webhook
				c.events = append(c.events, changeEvent(*c.change, c.src.Name, c.res.Summary))
			}
		}
		if queued, err = c.d.queueEvents(tx, c.events); err != nil {
			return err
		}
		if err := c.moveIfPermanent(tx); err != nil {
			return err
		}
		return tx.UpdatePageState(c.page)
	})
	if err == nil && queued {
		c.d.wakeDelivery()
	}
	if err == nil && c.change != nil {
		c.d.metrics.ChangeStored(c.change.Classes)
	}
	return err
}

func (c *pageCheck) prevID() int64 {
	if c.prev == nil {
		return 0
	}
	return c.prev.ID
}

// moveIfPermanent follows a permanent redirect: the page's canonical URL
// becomes the new one, the old stays as an alias, history is kept.
func (c *pageCheck) moveIfPermanent(tx *storage.Tx) error {
	r := c.resp
	if !r.Permanent || r.Class != crawler.ClassOK || r.FinalURL == "" || r.FinalURL == c.page.URL {
		return nil
	}
	moved, err := tx.MovePage(c.page.ID, c.page.URL, r.FinalURL)
	if moved {
		c.d.log.Info("page moved", "url", c.page.URL, "to", r.FinalURL)
		c.page.URL = r.FinalURL
	}
	return err
}

// failed records a failed check; see Daemon.failed.
func (c *pageCheck) failed(reason string) {
	c.res.Status = StatusError
	if c.res.Reason == "" {
		c.res.Reason = reason
	}
	c.events = append(c.events, c.d.failed(c.health(), c.subject(), string(c.res.Class), reason, c.now)...)
}

// succeeded records a check that reached the page; see Daemon.succeeded.
func (c *pageCheck) succeeded() {
	c.events = append(c.events, c.d.succeeded(c.health(), c.subject(), string(c.resp.Class), c.now)...)
}

func (c *pageCheck) health() health {
	return health{&c.page.ConsecutiveFailures, &c.page.FailingSince, &c.page.Failing, &c.page.BackoffUntil}
}

func (c *pageCheck) subject() subject { return subject{c.src.Name, c.page.URL, c.page.Title} }

func (c *pageCheck) log() {
	r := c.res
	log := c.d.log.With("url", r.URL, "page_id", r.PageID)
	switch r.Status {
	case StatusUnchanged:
		log.Debug("page unchanged", "class", r.Class)
	case StatusError:
		log.Warn("check failed", "class", r.Class, "reason", r.Reason, "failures", c.page.ConsecutiveFailures,
			"next_check", c.page.NextCheckAt)
	case StatusGone:
		log.Info("page gone", "gone_count", c.page.GoneCount)
	case StatusNew:
		log.Info("version stored", "version_id", r.VersionID, "title", r.Title)
	default:
		log.Info("change detected", "kind", r.Status, "change_id", r.ChangeID, "version_id", r.VersionID,
			"summary", r.Summary)
	}
}

// nextCheck is when the page is due again: [[page]] sources follow their
// cron schedule; articles follow the re-check policy by age since they
// were discovered (publishers' dates can be wrong), and stop when too old.
//
// An article is due exactly one step after its check, with no spread: it
// keeps the place in the schedule its first check gave it, after the pages
// checked before it. The pages of a host thus come due in the order they
// were last checked, their rows and index entries neighbours, and a claim
// or a group commit of them rewrites few database pages; each re-check's
// due time lands at the end of the due index. (A spread of a tenth of the
// step, at random and then by page id, was added at every check and so
// reordered the pages every cycle.) Pages found together are not checked
// in lockstep: their host's politeness spaces their first checks, and so
// every later one.
func (d *Daemon) nextCheck(p storage.Page, src storage.Source, now time.Time) time.Time {
	if src.Kind == storage.KindPage {
		if s := d.scheduleOf(src.ID); s != nil {
			return s.Next(now).Add(spread(src.URL, s))
		}
	}
	every, ok := d.cfg.Recheck.Interval(now.Sub(p.DiscoveredAt))
	if !ok {
		return time.Time{}
	}
	if n := p.ConsecutiveFailures; n > 1 {
		// A page that keeps failing is asked less often (doubling, at most
		// a day apart), never dropped: it may come back.
		every = min(every<<min(n-1, 10), max(every, 24*time.Hour))
	}
	return now.Add(every)
}

func (d *Daemon) scheduleOf(sourceID int64) cron.Schedule { return d.sources[sourceID].schedule }

func (d *Daemon) robotsFor(sourceID int64) *bool { return d.sources[sourceID].robots }
