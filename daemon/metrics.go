package daemon

import (
	"errors"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/metrics"
)

// recordFetch counts one fetch by kind, class and host-level outcome, with
// its duration. resp is never nil (the crawler always returns one).
func (d *Daemon) recordFetch(kind string, resp *crawler.Response, err error) {
	if d.metrics == nil || resp == nil {
		return
	}
	d.metrics.Fetch(kind, string(resp.Class), hostOutcome(resp, err), resp.Duration)
}

// hostOutcome says what happened between stet and the host, apart from
// what the answer meant for the page (its class): whether a request was
// sent at all, and whether anything answered.
func hostOutcome(resp *crawler.Response, err error) string {
	switch {
	case errors.Is(err, crawler.ErrHostBackedOff) && resp.Status == 0:
		return metrics.OutcomeDeferred
	case errors.Is(err, crawler.ErrHostBackedOff) || resp.RetryAfter > 0:
		return metrics.OutcomeBackedOff
	case errors.Is(err, crawler.ErrRobotsDisallowed) || errors.Is(err, crawler.ErrRobotsUnreachable):
		return metrics.OutcomeRobots
	case errors.Is(err, crawler.ErrPrivateAddress) || errors.Is(err, crawler.ErrUnsupportedScheme):
		return metrics.OutcomeRefused
	case resp.Status == 0 && err != nil:
		return metrics.OutcomeNoAnswer
	}
	return metrics.OutcomeAnswered
}
