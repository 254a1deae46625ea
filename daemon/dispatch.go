package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/stet/stet/storage"
)

// dispatcher hands jobs to workers host by host: a worker is given a job of
// a host that has a free request slot and whose minimum interval has
// passed, so it never parks inside the crawler's politeness wait for one
// host while other hosts have work ready. Within a host, jobs keep their
// order; hosts take turns. The crawler still enforces politeness itself:
// the dispatcher only keeps workers off hosts that would make them wait.
// When the crawler finds a host not ready all the same (its robots.txt
// was asked first, or a Crawl-delay is longer than the interval), the job
// comes back with the time the host may be asked (requeue).
type dispatcher struct {
	concurrency int           // requests in flight per host (fetch.per_host_concurrency)
	interval    time.Duration // between request starts to one host (fetch.per_host_interval)
	capacity    int           // jobs queued in all, beyond which enqueue refuses

	mu      sync.Mutex
	hosts   map[string]*hostQueue
	ring    []string // hosts with queued jobs, in turn order
	next    int      // where the next turn starts in ring
	queued  int
	changed chan struct{} // closed (and replaced) when a job is queued or finished
}

// hostQueue is one host's waiting jobs and politeness state.
type hostQueue struct {
	jobs      []job
	inFlight  int
	lastStart time.Time
	notBefore time.Time // the crawler said the host is not ready before then
}

func newDispatcher(concurrency int, interval time.Duration, capacity int) *dispatcher {
	return &dispatcher{concurrency: max(concurrency, 1), interval: interval, capacity: capacity,
		hosts: map[string]*hostQueue{}, changed: make(chan struct{})}
}

// push queues j for its host; false when the queue is full (the job stays
// due in the database and is queued again later).
func (q *dispatcher) push(j job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued >= q.capacity {
		return false
	}
	h := q.hosts[j.host]
	if h == nil {
		h = &hostQueue{}
		q.hosts[j.host] = h
	}
	if len(h.jobs) == 0 {
		q.ring = append(q.ring, j.host)
	}
	h.jobs = append(h.jobs, j)
	q.queued++
	q.broadcast()
	return true
}

// hostLen is how many jobs of host wait for a worker.
func (q *dispatcher) hostLen(host string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if h := q.hosts[host]; h != nil {
		return len(h.jobs)
	}
	return 0
}

// room is how many more jobs push would take.
func (q *dispatcher) room() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.capacity - q.queued
}

// len is how many jobs wait for a worker.
func (q *dispatcher) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued
}

// broadcast wakes every waiting worker; q.mu must be held.
func (q *dispatcher) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// take blocks until a job of a ready host is available, or ctx ends.
func (q *dispatcher) take(ctx context.Context) (job, bool) {
	for {
		j, wait, changed, ok := q.ready(time.Now())
		if ok {
			return j, true
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return job{}, false
		}
	}
}

// ready pops the next job of a host that may be asked now, or says how
// long until one may (0: nothing queued that time alone will free) and
// returns the channel that announces the next change.
func (q *dispatcher) ready(now time.Time) (job, time.Duration, <-chan struct{}, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var wait time.Duration
	for i := range q.ring {
		k := (q.next + i) % len(q.ring)
		host := q.ring[k]
		h := q.hosts[host]
		if h.inFlight >= q.concurrency {
			continue // a finished job will signal
		}
		if at := later(h.lastStart.Add(q.interval), h.notBefore); at.After(now) {
			if d := at.Sub(now); wait == 0 || d < wait {
				wait = d
			}
			continue
		}
		j := h.jobs[0]
		h.jobs = h.jobs[1:]
		h.inFlight++
		h.lastStart = now
		q.queued--
		if len(h.jobs) == 0 {
			q.ring = append(q.ring[:k], q.ring[k+1:]...)
			q.next = k
		} else {
			q.next = k + 1
		}
		if len(q.ring) > 0 {
			q.next %= len(q.ring)
		} else {
			q.next = 0
		}
		return j, 0, nil, true
	}
	return job{}, wait, q.changed, false
}

// requeue puts back j, whose host turned out not to be ready before at,
// first in its host's line, and frees the slot it held. It is not refused
// for capacity: the job was queued already.
func (q *dispatcher) requeue(j job, at time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h := q.hosts[j.host]
	if h == nil {
		h = &hostQueue{}
		q.hosts[j.host] = h
	}
	h.inFlight = max(h.inFlight-1, 0)
	// j did not start: the crawler's time replaces the interval counted
	// from when j was handed out.
	h.lastStart, h.notBefore = time.Time{}, later(h.notBefore, at)
	if len(h.jobs) == 0 {
		q.ring = append(q.ring, j.host)
	}
	h.jobs = append([]job{j}, h.jobs...)
	q.queued++
	q.broadcast()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// finish records that a job of host is done, freeing its slot.
func (q *dispatcher) finish(host string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if h := q.hosts[host]; h != nil {
		h.inFlight--
		if h.inFlight == 0 && len(h.jobs) == 0 {
			// Idle: forget the host (the crawler still spaces a request
			// that comes within the interval).
			delete(q.hosts, host)
		}
	}
	q.broadcast()
}

// hostKey names a URL's host as the crawler's politeness does: lower case,
// default port dropped.
func hostKey(raw string) string { return storage.HostKey(raw) }
