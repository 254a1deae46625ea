package daemon

import (
	"time"

	"github.com/stet/stet/notify"
)

// health is the failure state that sources and pages share: consecutive
// failures, whether source.failing was raised, and a stored backoff.
type health struct {
	failures *int
	since    *time.Time // first failure of the current run
	failing  *bool
	backoff  *time.Time
}

// subject names what a failure event is about.
type subject struct{ source, url, title string }

// failed counts one failure and returns the source.failing event when the
// count first reaches fetch.failing_after. Nothing is ever disabled: the
// event tells the operator, and checks go on.
func (d *Daemon) failed(h health, s subject, class, reason string, now time.Time) []notify.Event {
	*h.failures++
	if *h.failures == 1 || h.since.IsZero() {
		*h.since = now
	}
	if *h.failures < d.cfg.Fetch.FailingAfter || *h.failing {
		return nil
	}
	*h.failing = true
	return []notify.Event{failureEvent(eventFailing, s, *h.failures, class, reason, *h.since)}
}

// succeeded resets the failure count and returns source.recovered if a
// failing event had been raised.
func (d *Daemon) succeeded(h health, s subject, class string, now time.Time) []notify.Event {
	var evs []notify.Event
	if *h.failing {
		ev := failureEvent(eventRecovered, s, 0, class, "", *h.since)
		ev.CreatedAt = now
		evs = append(evs, ev)
	}
	*h.failing, *h.failures, *h.backoff, *h.since = false, 0, time.Time{}, time.Time{}
	return evs
}
