package daemon_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/metrics"
	"github.com/stet/stet/storage"
)

// metricsDaemon is a daemon recording metrics, and a real HTTP server
// serving them at /metrics.
type metricsDaemon struct {
	d   *daemon.Daemon
	st  *storage.Store
	url string // of /metrics
}

func newMetricsDaemon(t *testing.T, extra string) *metricsDaemon {
	t.Helper()
	path := dbPath(t)
	cfg := testConfig(t, path, extra)
	st := openStore(t, path)
	reg := metrics.NewRegistry()
	reg.MustRegister(metrics.NewStoreCollector(st, metrics.StoreOptions{CacheFor: -1, Logger: quietLog()}))
	pipe, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Logger: quietLog(), Metrics: pipe})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(reg))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &metricsDaemon{d: d, st: st, url: srv.URL + "/metrics"}
}

// exposition is one scrape, parsed.
type exposition map[string]*dto.MetricFamily

// scrape GETs /metrics and parses the text exposition format.
func (m *metricsDaemon) scrape(t *testing.T) exposition {
	t.Helper()
	resp, err := http.Get(m.url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: %s, %s\n%s", resp.Status, resp.Header.Get("Content-Type"), b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return mfs
}

// value is the value of a series (a histogram's count), 0 when absent.
// labels are "name=value" pairs sorted by name, joined by commas; the
// series must carry exactly these.
func (e exposition) value(name, labels string) float64 {
	mf := e[name]
	if mf == nil {
		return 0
	}
	for _, m := range mf.Metric {
		var ls []string
		for _, lp := range m.Label {
			ls = append(ls, lp.GetName()+"="+lp.GetValue())
		}
		if strings.Join(ls, ",") != labels {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return 0
}

// TestMetricsMoveWhenACheckRuns scrapes /metrics over HTTP around checks
// of a loopback publisher's page: first seen, edited (12 -> 13), gone.
func TestMetricsMoveWhenACheckRuns(t *testing.T) {
	s := newSite(t)
	s.set("/story", article("Budget", paras...))
	m := newMetricsDaemon(t, "")
	u := s.URL + "/story"
	type series struct{ name, labels string } // labels: "name=value,…", sorted
	var (
		fetchesOK   = series{"stet_fetches_total", "class=ok,kind=page,outcome=answered"}
		fetchesGone = series{"stet_fetches_total", "class=gone,kind=page,outcome=answered"}
		duration    = series{"stet_fetch_duration_seconds", "kind=page"}
		versions    = series{"stet_versions_total", ""}
		changed     = series{"stet_changes_total", "kind=changed"}
		number      = series{"stet_change_classes_total", "class=number"}
		due         = series{"stet_checks_due", ""}
		dbBytes     = series{"stet_database_bytes", ""}
	)
	steps := []struct {
		name  string
		edit  func()
		check bool
		want  map[series]float64
	}{
		{"before any check", nil, false, map[series]float64{fetchesOK: 0, duration: 0, versions: 0, changed: 0, number: 0}},
		{"first check", nil, true, map[series]float64{fetchesOK: 1, duration: 1, versions: 1, changed: 0, number: 0, due: 0}},
		{"an edit", func() {
			s.set("/story", article("Budget", strings.Replace(paras[0], "12 new", "13 new", 1), paras[1], paras[2]))
		}, true, map[series]float64{fetchesOK: 2, duration: 2, versions: 2, changed: 1, number: 1}},
		{"gone", func() { s.set("/story", status(http.StatusNotFound, "not here")) }, true,
			map[series]float64{fetchesOK: 2, fetchesGone: 1, duration: 3, versions: 2, changed: 1}},
	}
	for _, st := range steps {
		if st.edit != nil {
			st.edit()
		}
		if st.check {
			if _, err := m.d.Check(t.Context(), u); err != nil {
				t.Fatalf("%s: Check: %v", st.name, err)
			}
		}
		e := m.scrape(t)
		for s, want := range st.want {
			if got := e.value(s.name, s.labels); got != want {
				t.Errorf("%s: %s{%s} = %v, want %v", st.name, s.name, s.labels, got, want)
			}
		}
		if got := e.value(dbBytes.name, ""); got <= 0 {
			t.Errorf("%s: stet_database_bytes = %v, want the file's size", st.name, got)
		}
		for _, name := range []string{"stet_outbox_depth", "stet_checks_overdue", "stet_queue_lag_seconds", "go_goroutines"} {
			if e[name] == nil {
				t.Errorf("%s: no %s in the exposition", st.name, name)
			}
		}
	}
}

// standardReceiver verifies every delivery with the Standard Webhooks
// reference library and answers 503 to the first n.
type standardReceiver struct {
	wh   *standardwebhooks.Webhook
	mu   sync.Mutex
	fail int
	ids  []string // webhook-id of every verified attempt
	bad  []error
}

func (s *standardReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.wh.Verify(body, r.Header); err != nil {
		s.bad = append(s.bad, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	s.ids = append(s.ids, r.Header.Get(standardwebhooks.HeaderWebhookID))
	if r.Header.Get("X-Stet-Delivery") != r.Header.Get(standardwebhooks.HeaderWebhookID) {
		s.bad = append(s.bad, errors.New("webhook-id is not X-Stet-Delivery"))
	}
	if s.fail > 0 {
		s.fail--
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}
}

// TestDeliveriesFollowStandardWebhooks: a daemon's deliveries verify with
// the reference library, every attempt of one event carries the same
// webhook-id, and stet_deliveries_total and stet_outbox_depth follow.
func TestDeliveriesFollowStandardWebhooks(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rcv := &standardReceiver{wh: wh, fail: 1}
	hooks := httptest.NewServer(rcv)
	t.Cleanup(hooks.Close)
	s := newSite(t)
	s.set("/story", article("Budget", paras...))
	m := newMetricsDaemon(t, fmt.Sprintf("\n[[webhook]]\nname = \"desk\"\nurl = %q\nsecret = %q\nallow_private = true\nevents = [\"change.*\"]\n", hooks.URL, secret))
	u := s.URL + "/story"
	if _, err := m.d.Check(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	s.set("/story", article("Budget", paras[0], paras[1]))
	if _, err := m.d.Check(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	if got := m.scrape(t).value("stet_outbox_depth", ""); got != 1 {
		t.Errorf("stet_outbox_depth with one change queued = %v, want 1", got)
	}
	sent, err := m.d.DeliverDue(t.Context()) // answered 503: retried later
	if err != nil || sent != 0 {
		t.Fatalf("first DeliverDue = %d, %v; want 0 sent (the receiver is busy)", sent, err)
	}
	e := m.scrape(t)
	if got := e.value("stet_deliveries_total", "result=failed,subscriber=desk"); got != 1 {
		t.Errorf("stet_deliveries_total{failed} = %v, want 1", got)
	}
	// Due again at once: retry_base is 50ms.
	retryDue(t, m)
	e = m.scrape(t)
	if got := e.value("stet_deliveries_total", "result=delivered,subscriber=desk"); got != 1 {
		t.Errorf("stet_deliveries_total{delivered} = %v, want 1", got)
	}
	if got := e.value("stet_outbox_depth", ""); got != 0 {
		t.Errorf("stet_outbox_depth after delivery = %v, want 0", got)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bad) > 0 {
		t.Errorf("deliveries the reference library rejected: %v", rcv.bad)
	}
	if len(rcv.ids) != 2 || rcv.ids[0] != rcv.ids[1] || !strings.HasPrefix(rcv.ids[0], "evt_") {
		t.Errorf("webhook-id of the two attempts = %q, want one event id twice", rcv.ids)
	}
}

// retryDue delivers until the outbox is sent, within a bound.
func retryDue(t *testing.T, m *metricsDaemon) {
	t.Helper()
	for range 100 {
		sent, err := m.d.DeliverDue(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if sent > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond) // retry_base is 50ms, plus jitter
	}
	t.Fatal("the retry was never sent")
}
