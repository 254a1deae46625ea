package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stet/stet/metrics"
	"github.com/stet/stet/web"
)

// TestMetricsRoute: GET /metrics serves Options.Metrics, here the store's
// series; without it there is no such page.
func TestMetricsRoute(t *testing.T) {
	f := seed(t)
	reg := metrics.NewRegistry()
	reg.MustRegister(metrics.NewStoreCollector(f.st, metrics.StoreOptions{CacheFor: -1}))
	r := get(t, web.Handler(f.st, web.Options{Metrics: metrics.Handler(reg)}), "/metrics")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics = %d %s", r.status, r.header.Get("Content-Type"))
	}
	mustContain(t, "/metrics", r.body, "\nstet_versions_total 3\n", `stet_changes_total{kind="removed"} 1`,
		"# TYPE stet_checks_due gauge", "# TYPE stet_database_bytes gauge")
	if r := get(t, web.Handler(f.st, web.Options{}), "/metrics"); r.status != http.StatusNotFound {
		t.Errorf("GET /metrics without Options.Metrics = %d, want 404", r.status)
	}
}
