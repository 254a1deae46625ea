package daemon

import (
	"fmt"
	"testing"
	"time"
)

// The dispatcher gives a worker a job of a host that may be asked now:
// a host at its concurrency or inside its interval is passed over while
// other hosts have work, and hosts take turns.
func TestDispatcherServesReadyHosts(t *testing.T) {
	q := newDispatcher(1, time.Second, 100)
	for i := range 5 {
		q.push(job{pageID: int64(i + 1), host: "a.example"})
	}
	for i := range 2 {
		q.push(job{pageID: int64(100 + i), host: "b.example"})
	}
	q.push(job{pageID: 200, host: "c.example"})
	t0 := time.Unix(1000, 0)
	var got []string
	for {
		j, _, _, ok := q.ready(t0)
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s/%d", j.host, j.pageID))
	}
	if want := "[a.example/1 b.example/100 c.example/200]"; fmt.Sprint(got) != want {
		t.Fatalf("first round = %v, want %s (one job per host: each is now at its concurrency)", got, want)
	}
	q.finish("a.example")
	if _, wait, _, ok := q.ready(t0.Add(500 * time.Millisecond)); ok || wait != 500*time.Millisecond {
		t.Errorf("a.example inside its interval: ok %v, wait %v; want to wait 500ms", ok, wait)
	}
	if j, _, _, ok := q.ready(t0.Add(time.Second)); !ok || j.host != "a.example" || j.pageID != 2 {
		t.Errorf("after the interval: %+v %v, want a.example's next job", j, ok)
	}
	if _, _, _, ok := q.ready(t0.Add(2 * time.Second)); ok {
		t.Error("a job handed out for a host already at its concurrency")
	}
}

func TestDispatcherCapacity(t *testing.T) {
	q := newDispatcher(2, 0, 3)
	for i := range 3 {
		if !q.push(job{pageID: int64(i), host: "h"}) {
			t.Fatalf("push %d refused below capacity", i)
		}
	}
	if q.push(job{pageID: 9, host: "h"}) {
		t.Error("push accepted beyond capacity")
	}
}

func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"http://A.Example:80/x":   "a.example",
		"https://a.example:443/":  "a.example",
		"http://a.example:8080/x": "a.example:8080",
		"https://a.example:80/":   "a.example:80",
	} {
		if got := hostKey(in); got != want {
			t.Errorf("hostKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A job put back because its host was not ready is handed out again first
// of its host's, and not before the time the crawler gave, even when that
// is later than the interval; its slot is free meanwhile.
func TestDispatcherRequeue(t *testing.T) {
	q := newDispatcher(1, time.Second, 100)
	q.push(job{pageID: 1, host: "a.example"})
	q.push(job{pageID: 2, host: "a.example"})
	t0 := time.Unix(1000, 0)
	j, _, _, ok := q.ready(t0)
	if !ok || j.pageID != 1 {
		t.Fatalf("first job = %+v %v, want page 1", j, ok)
	}
	q.requeue(j, t0.Add(3*time.Second)) // a Crawl-delay of 3s
	if q.len() != 2 {
		t.Errorf("queued = %d after requeue, want 2", q.len())
	}
	if _, wait, _, ok := q.ready(t0.Add(time.Second)); ok || wait != 2*time.Second {
		t.Errorf("after the interval, before the host is ready: ok %v, wait %v; want to wait 2s", ok, wait)
	}
	if j, _, _, ok := q.ready(t0.Add(3 * time.Second)); !ok || j.pageID != 1 {
		t.Errorf("when the host is ready: %+v %v, want page 1 again", j, ok)
	}

	// Not ready for a few milliseconds more, by the crawler's count from
	// the start of the host's last request (a little after its job was
	// handed out): handed out again then, not an interval after this take.
	t1 := t0.Add(3 * time.Second)
	q.requeue(job{pageID: 1, host: "a.example"}, t1.Add(5*time.Millisecond))
	if j, _, _, ok := q.ready(t1.Add(5 * time.Millisecond)); !ok || j.pageID != 1 {
		t.Errorf("when the crawler said: %+v %v, want page 1 again", j, ok)
	}
}
