package daemon

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stet/stet/crawler"
	"github.com/stet/stet/metrics"
)

func TestHostOutcome(t *testing.T) {
	fe := func(status int, err error) error {
		return &crawler.FetchError{URL: "https://news.test/a", Reason: "r", Status: status, Err: err}
	}
	tests := []struct {
		name string
		resp crawler.Response
		err  error
		want string
	}{
		{"200", crawler.Response{Status: 200, Class: crawler.ClassOK}, nil, metrics.OutcomeAnswered},
		{"404", crawler.Response{Status: 404, Class: crawler.ClassGone}, nil, metrics.OutcomeAnswered},
		{"500", crawler.Response{Status: 500, Class: crawler.ClassError}, fe(500, errors.New("status 500")), metrics.OutcomeAnswered},
		{"429 with Retry-After", crawler.Response{Status: 429, Class: crawler.ClassError, RetryAfter: time.Minute},
			fe(429, fmt.Errorf("%w until later", crawler.ErrHostBackedOff)), metrics.OutcomeBackedOff},
		{"not sent: host backed off", crawler.Response{Class: crawler.ClassError}, fe(0, crawler.ErrHostBackedOff), metrics.OutcomeDeferred},
		{"robots.txt disallows", crawler.Response{Class: crawler.ClassBlocked}, fe(0, crawler.ErrRobotsDisallowed), metrics.OutcomeRobots},
		{"robots.txt unreachable", crawler.Response{Class: crawler.ClassBlocked}, fe(0, crawler.ErrRobotsUnreachable), metrics.OutcomeRobots},
		{"private address", crawler.Response{Class: crawler.ClassBlocked}, fe(0, crawler.ErrPrivateAddress), metrics.OutcomeRefused},
		{"connection refused", crawler.Response{Class: crawler.ClassError}, fe(0, errors.New("connection refused")), metrics.OutcomeNoAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hostOutcome(&tt.resp, tt.err); got != tt.want {
				t.Errorf("hostOutcome = %q, want %q", got, tt.want)
			}
		})
	}
}
