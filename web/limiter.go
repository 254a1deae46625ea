package web

import (
	"sync"
	"time"
)

// limiter is a token bucket per key (a client address) for login attempts
// and wrong credentials: burst attempts at once, then one per every. It
// remembers at most max keys; when full it forgets the buckets that have
// refilled, and failing that an arbitrary one, so its memory stays bounded
// whatever the number of addresses.
type limiter struct {
	burst float64
	every time.Duration
	max   int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was counted
}

func newLimiter(burst int, every time.Duration, max int) *limiter {
	return &limiter{burst: float64(burst), every: every, max: max, now: time.Now, buckets: map[string]*bucket{}}
}

// take spends one attempt of key. It reports false, and how long to wait
// for the next one, when none is left.
func (l *limiter) take(key string) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key)
	if b.tokens < 1 {
		return false, l.wait(b)
	}
	b.tokens--
	return true, 0
}

// blocked reports whether key has no attempt left, without spending one.
func (l *limiter) blocked(key string) (wait time.Duration, limited bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0, false
	}
	l.refill(b)
	if b.tokens >= 1 {
		return 0, false
	}
	return l.wait(b), true
}

func (l *limiter) wait(b *bucket) time.Duration {
	return time.Duration((1 - b.tokens) * float64(l.every))
}

// bucket returns key's bucket, refilled to now, creating it if needed.
func (l *limiter) bucket(key string) *bucket {
	if b, ok := l.buckets[key]; ok {
		l.refill(b)
		return b
	}
	if len(l.buckets) >= l.max {
		l.prune()
	}
	b := &bucket{tokens: l.burst, at: l.now()}
	l.buckets[key] = b
	return b
}

func (l *limiter) refill(b *bucket) {
	now := l.now()
	b.tokens = min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
}

// prune drops the buckets that are full again; if none is, one arbitrary
// bucket, which only lets its client start afresh.
func (l *limiter) prune() {
	for k, b := range l.buckets {
		l.refill(b)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max {
			break
		}
		delete(l.buckets, k)
	}
}
