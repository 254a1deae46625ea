package daemon_test

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/internal/hostile"
)

func hostileLimits(cfg *config.Config) {
	cfg.Fetch.Timeout = config.Duration(2 * time.Second)
	cfg.Fetch.HeaderTimeout = config.Duration(time.Second)
}

// TestHostilePublisher checks every case of the hostile publisher at once,
// as the daemon's workers would: each ends in its expected class, and the
// database stays sound.
func TestHostilePublisher(t *testing.T) {
	srv := httptest.NewServer(hostile.New())
	defer srv.Close()
	c := newChecker(t, "", hostileLimits)
	var wg sync.WaitGroup
	for _, tc := range hostile.Cases() {
		wg.Go(func() {
			r := c.check(srv.URL + tc.Path)
			if string(r.Class) != tc.Class {
				t.Errorf("%s (%s): class %q (%s), want %q", tc.Path, tc.About, r.Class, r.Reason, tc.Class)
			}
			if tc.Path == "/lying-charset" && !strings.Contains(r.Text, "长江大桥今日通车") {
				t.Errorf("GBK page declared UTF-8 decoded as %q", r.Text)
			}
		})
	}
	wg.Wait()
	if err := c.st.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkHostileRound is one check of every hostile case in parallel;
// peak-heap-MB is the largest live heap seen while it ran (sampled), the
// figure that bounds the daemon's memory against such publishers.
func BenchmarkHostileRound(b *testing.B) {
	srv := httptest.NewServer(hostile.New())
	defer srv.Close()
	c := newBenchChecker(b, hostileLimits)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, tc := range hostile.Cases() {
			wg.Go(func() { c.d.Check(b.Context(), srv.URL+tc.Path) })
		}
		wg.Wait()
	}
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
