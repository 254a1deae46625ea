package notify

import (
	"math"
	"strings"
	"time"
)

// Matches reports whether eventType is selected by patterns. An empty list
// and "*" select everything; a pattern ending in ".*" selects that prefix
// ("change.*" selects "change.removed"); any other pattern must equal the
// type.
func Matches(patterns []string, eventType string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if p == "*" || p == eventType {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(eventType, prefix) {
			return true
		}
	}
	return false
}

// Backoff returns the delay before retry number attempt (1 for the first
// retry): base doubled attempt-1 times, capped at max (no cap when max <= 0).
// It adds no jitter, so it is deterministic; callers that retry many
// deliveries at once should add their own.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if base <= 0 {
		return 0
	}
	d := base
	for i := 1; i < attempt; i++ {
		if d > math.MaxInt64/2 {
			d = math.MaxInt64
			break
		}
		d *= 2
		if max > 0 && d >= max {
			break
		}
	}
	if max > 0 && d > max {
		d = max
	}
	return d
}
