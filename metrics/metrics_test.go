package metrics_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stet/stet/metrics"
	"github.com/stet/stet/storage"
)

func TestNilPipelineRecordsNothing(t *testing.T) {
	var p *metrics.Pipeline
	p.Fetch("page", "ok", metrics.OutcomeAnswered, time.Second)
	p.Delivery("desk", metrics.Delivered)
	p.ExtractorFallback()
	p.ChangeStored([]string{"number"})
}

func TestPipeline(t *testing.T) {
	reg := metrics.NewRegistry()
	p, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	p.Fetch("page", "ok", metrics.OutcomeAnswered, 300*time.Millisecond)
	p.Fetch("page", "ok", metrics.OutcomeAnswered, 2*time.Second)
	p.Fetch("feed", "error", metrics.OutcomeDeferred, 0) // never reached the host: no duration
	p.Delivery("desk", metrics.Delivered)
	p.Delivery("desk", metrics.Failed)
	p.Delivery("desk", metrics.Failed)
	p.ExtractorFallback()
	p.ChangeStored([]string{"number", "stealth"})
	p.ChangeStored([]string{"number"})
	for name, want := range map[string]float64{
		`stet_change_classes_total{class="number"}`:                        2,
		`stet_change_classes_total{class="stealth"}`:                       1,
		`stet_deliveries_total{result="delivered",subscriber="desk"}`:      1,
		`stet_deliveries_total{result="failed",subscriber="desk"}`:         2,
		"stet_extractor_fallbacks_total":                                   1,
		`stet_fetches_total{class="ok",kind="page",outcome="answered"}`:    2,
		`stet_fetches_total{class="error",kind="feed",outcome="deferred"}`: 1,
	} {
		if got := value(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	histogram := false
	for _, mf := range mfs {
		switch mf.GetName() {
		case "stet_fetch_duration_seconds":
			histogram = true
			if len(mf.Metric) != 1 || mf.Metric[0].Histogram.GetSampleCount() != 2 || mf.Metric[0].Histogram.GetSampleSum() != 2.3 {
				t.Errorf("stet_fetch_duration_seconds = %v, want one series (page) of 2 fetches, 2.3 s", mf.Metric)
			}
		case "stet_fetches_total":
			if len(mf.Metric) != 2 {
				t.Errorf("stet_fetches_total has %d series, want 2 (page ok answered, feed error deferred)", len(mf.Metric))
			}
		}
	}
	if !histogram {
		t.Error("no stet_fetch_duration_seconds")
	}

	// A second registry is a second set of series: nothing is global.
	if _, err := metrics.NewPipeline(metrics.NewRegistry()); err != nil {
		t.Errorf("a second pipeline in its own registry: %v", err)
	}
	if _, err := metrics.NewPipeline(reg); err == nil {
		t.Error("a second pipeline in the same registry was accepted")
	}
}

func TestStoreCollector(t *testing.T) {
	st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fresh := metrics.NewRegistry()
	fresh.MustRegister(metrics.NewStoreCollector(st, metrics.StoreOptions{CacheFor: -1}))
	cached := metrics.NewRegistry()
	cached.MustRegister(metrics.NewStoreCollector(st, metrics.StoreOptions{CacheFor: time.Hour}))

	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	src, err := st.EnsureSource(t.Context(), storage.KindPage, "paper", "https://example.test/paper", "@every 1h", base)
	if err != nil {
		t.Fatal(err)
	}
	addVersion := func(n int) {
		t.Helper()
		err := st.Tx(t.Context(), func(tx *storage.Tx) error {
			p, _, err := tx.EnsurePage(src.ID, "https://example.test/paper", "", base, time.Time{}, base)
			if err != nil {
				return err
			}
			cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: base, URL: p.URL, Status: 200, Class: "ok"})
			if err != nil {
				return err
			}
			vid, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: base, Text: "t", TextHash: string(rune('a' + n)), Extractor: "1"})
			if err != nil || n == 0 {
				return err
			}
			_, err = tx.InsertChange(storage.Change{PageID: p.ID, Kind: storage.ChangeChanged, DetectedAt: base, NewVersionID: vid})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	addVersion(0) // the [[page]]: one version, due since base
	if got := value(t, fresh, "stet_versions_total"); got != 1 {
		t.Errorf("stet_versions_total = %v, want 1", got)
	}
	if got := value(t, cached, "stet_versions_total"); got != 1 {
		t.Errorf("stet_versions_total (cached) = %v, want 1", got)
	}
	addVersion(1)
	addVersion(2)
	for name, want := range map[string]float64{
		"stet_versions_total":                3,
		`stet_changes_total{kind="changed"}`: 2,
		`stet_changes_total{kind="removed"}`: 0,
		"stet_checks_due":                    1,
		"stet_checks_overdue":                1,
		"stet_outbox_depth":                  0,
	} {
		if got := value(t, fresh, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := value(t, fresh, "stet_queue_lag_seconds"); got < 600 || got > 700 {
		t.Errorf("stet_queue_lag_seconds = %v, want about 600 (due 10 minutes ago)", got)
	}
	if got := value(t, fresh, "stet_database_bytes"); got < 4096 {
		t.Errorf("stet_database_bytes = %v, want at least one page", got)
	}
	if got := value(t, fresh, "stet_daemons_alive"); got != 0 {
		t.Errorf("stet_daemons_alive = %v before any daemon ran, want 0", got)
	}
	now := time.Now()
	for _, owner := range []string{"a/1/x", "b/2/y"} {
		d := storage.Daemon{Owner: owner, StartedAt: now, HeartbeatAt: now, Interval: 10 * time.Second}
		if err := st.RegisterDaemon(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if got := value(t, fresh, "stet_daemons_alive"); got != 2 {
		t.Errorf("stet_daemons_alive = %v with two daemons heartbeating, want 2", got)
	}
	if err := st.StopDaemon(t.Context(), "b/2/y", now); err != nil {
		t.Fatal(err)
	}
	if got := value(t, fresh, "stet_daemons_alive"); got != 1 {
		t.Errorf("stet_daemons_alive = %v after one stopped, want 1", got)
	}
	// A scrape within CacheFor is served from the last reading.
	if got := value(t, cached, "stet_versions_total"); got != 1 {
		t.Errorf("stet_versions_total within the cache period = %v, want the cached 1", got)
	}
}

// value gathers reg and returns the value of the series named like
// `name` or `name{label="value"}`; it fails the test if there is none.
func value(t *testing.T, reg *prometheus.Registry, series string) float64 {
	t.Helper()
	name, labels, _ := strings.Cut(strings.TrimSuffix(series, "}"), "{")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			var ls []string
			for _, lp := range m.Label {
				ls = append(ls, lp.GetName()+`="`+lp.GetValue()+`"`)
			}
			if strings.Join(ls, ",") != labels {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	t.Fatalf("no series %s", series)
	return 0
}
