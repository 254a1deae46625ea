package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Retention is how long something is kept: "forever" (the zero value) or a
// duration such as "90d". It is a struct so that a bare TOML number is a
// type error rather than a count of nanoseconds.
type Retention struct {
	Age Duration // 0 means forever
}

// MinKeepCaptures is the shortest [storage] keep_captures: the daemon prunes
// once an hour, and a day of captures is what an editor asks about first
// ("was it changed this morning?").
const MinKeepCaptures = Duration(day)

// UnmarshalText reads "forever" or a duration above 0 (ParseDuration).
func (r *Retention) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "forever" {
		*r = Retention{}
		return nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%w, or \"forever\"", err)
	}
	if d <= 0 {
		return errors.New(`want a duration above 0, such as "90d", or "forever"`)
	}
	r.Age = d
	return nil
}

// MarshalText returns the String form, which UnmarshalText reads back.
func (r Retention) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// String is "forever" or the duration ("90d").
func (r Retention) String() string {
	if r.Forever() {
		return "forever"
	}
	return r.Age.String()
}

// Forever reports whether nothing is ever pruned.
func (r Retention) Forever() bool { return r.Age == 0 }

// Cutoff is the time before which things are pruned at now; the zero time
// when kept forever.
func (r Retention) Cutoff(now time.Time) time.Time {
	if r.Forever() {
		return time.Time{}
	}
	return now.Add(-r.Age.D())
}
