package storage_test

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReserveHost walks one host's slot through the cases ReserveHost
// decides between: a new host, a slot not yet come, a slot come, another
// host beside it, and a slot so far ahead that another clock must have
// booked it.
func TestReserveHost(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	const gap = 2 * time.Second
	steps := []struct {
		name     string
		host     string
		at       time.Duration // after t0
		interval time.Duration
		wait     time.Duration
	}{
		{"new host", "a.example", 0, gap, 0},
		{"too soon", "a.example", 500 * time.Millisecond, gap, 1500 * time.Millisecond},
		{"still too soon", "a.example", 1999 * time.Millisecond, gap, time.Millisecond},
		{"another host", "b.example:8080", 1999 * time.Millisecond, gap, 0},
		{"come", "a.example", gap, gap, 0},
		{"next one too soon", "a.example", 3 * time.Second, gap, time.Second},
		{"a longer interval (Crawl-delay)", "a.example", 4 * time.Second, 10 * time.Second, 0},
		{"waits out the longer interval", "a.example", 5 * time.Second, gap, 9 * time.Second},
		{"booked by a clock an hour ahead", "b.example:8080", time.Hour + 5*time.Second, gap, 0},
		{"so this clock takes it", "b.example:8080", 10 * time.Second, gap, 0},
		{"and keeps its own pace", "b.example:8080", 11 * time.Second, gap, time.Second},
	}
	for _, st := range steps {
		wait, err := s.ReserveHost(t.Context(), st.host, st.interval, t0.Add(st.at))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if wait != st.wait {
			t.Errorf("%s: ReserveHost(%s, %s, t0+%s) = %s, want %s", st.name, st.host, st.interval, st.at, wait, st.wait)
		}
	}
}

// TestReserveHostConcurrent has many goroutines, on two stores over one
// database as two daemons would be, race for one host's slots at one
// instant: exactly one takes it, and every other is told to wait the
// whole interval.
func TestReserveHostConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stet.db")
	a, b := mustOpen(t, path), mustOpen(t, path)
	var took, waited atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			wait, err := s.ReserveHost(t.Context(), "news.example", time.Second, t0)
			switch {
			case err != nil:
				t.Error(err)
			case wait == 0:
				took.Add(1)
			case wait == time.Second:
				waited.Add(1)
			default:
				t.Errorf("wait = %s, want 0 or 1s", wait)
			}
		})
	}
	wg.Wait()
	if took.Load() != 1 || waited.Load() != 15 {
		t.Errorf("%d took the slot and %d were told to wait, want 1 and 15", took.Load(), waited.Load())
	}
}
