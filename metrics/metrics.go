// Package metrics holds stet's Prometheus series: the events of the
// pipeline, which the daemon records as they happen (Pipeline), and the
// counts that live in the database, read at scrape time (NewStoreCollector).
// Every collector is registered in a registry made per process by
// NewRegistry, never in the client library's global default registry, so
// two daemons in one test binary never share a counter.
//
// Label values come from closed sets (fetch kinds, classes and outcomes,
// delivery results, the change class vocabulary) or from configuration
// (webhook entry names), so the number of series stays bounded whatever
// is crawled: no URL, host or page text ever becomes a label.
package metrics

import (
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "stet"

// Delivery results, the values of stet_deliveries_total's result label.
const (
	Delivered = "delivered" // the receiver answered 2xx
	Failed    = "failed"    // an attempt failed; the event will be sent again
	GaveUp    = "gave_up"   // an attempt failed and was the last (daemon.max_attempts, or a permanent 4xx)
	Dropped   = "dropped"   // the row's webhook entry is no longer configured
)

// Host-level outcomes of a fetch, the values of stet_fetches_total's
// outcome label: what happened between stet and the host, whatever the
// page's class.
const (
	OutcomeAnswered  = "answered"   // the host sent an HTTP response
	OutcomeBackedOff = "backed_off" // the host answered and asked to be left alone (429/503 with Retry-After)
	OutcomeDeferred  = "deferred"   // not sent: the host is backed off from an earlier answer
	OutcomeRobots    = "robots"     // not sent: robots.txt disallows it or could not be read
	OutcomeRefused   = "refused"    // not sent: a private address or an unsupported scheme
	OutcomeNoAnswer  = "no_answer"  // sent, but no response: DNS, connection, TLS, timeout, reset
)

// NewRegistry returns an empty registry holding the Go runtime and process
// collectors; add the store's series with NewStoreCollector and the
// daemon's with NewPipeline.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves reg in the Prometheus text (or negotiated) format. A
// collector that fails (the database unreadable) leaves its series out
// and the rest are still served; the failure is in the handler's own
// promhttp_metric_handler_errors_total.
func Handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            reg,
		MaxRequestsInFlight: 4,
		Timeout:             20 * time.Second,
	})
}

// Pipeline records what the daemon does. A nil *Pipeline records nothing,
// so code and tests that run a daemon without metrics need no checks.
type Pipeline struct {
	fetches    *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
	fallbacks  prometheus.Counter
	classes    *prometheus.CounterVec
}

// NewPipeline creates the daemon's series and registers them in reg.
func NewPipeline(reg prometheus.Registerer) (*Pipeline, error) {
	p := &Pipeline{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "fetches_total",
			Help: "Fetches by the kind of what was fetched (page, feed, sitemap, index), the fetch's class (ok, not_modified, gone, blocked, error, too_large) and the host-level outcome.",
		}, []string{"kind", "class", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "fetch_duration_seconds",
			Help:    "Time of the fetches sent to a host (redirects and body included), by the kind of what was fetched.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60},
		}, []string{"kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "deliveries_total",
			Help: "Webhook delivery attempts by the [[webhook]] entry's name and result (delivered, failed, gave_up, dropped).",
		}, []string{"subscriber", "result"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "extractor_fallbacks_total",
			Help: "Pages whose [[site]] rule matched nothing, extracted by the generic extractor instead (the site's layout changed).",
		}),
		classes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "change_classes_total",
			Help: "Classes of the changes this process stored since it started (a change counts once per class it carries).",
		}, []string{"class"}),
	}
	for _, c := range []prometheus.Collector{p.fetches, p.duration, p.deliveries, p.fallbacks, p.classes} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register pipeline metrics: %w", err)
		}
	}
	return p, nil
}

// Fetch records one fetch. took is observed in the duration histogram
// unless the fetch never reached the host (outcomes deferred, robots and
// refused).
func (p *Pipeline) Fetch(kind, class, outcome string, took time.Duration) {
	if p == nil {
		return
	}
	p.fetches.WithLabelValues(kind, class, outcome).Inc()
	switch outcome {
	case OutcomeDeferred, OutcomeRobots, OutcomeRefused:
	default:
		p.duration.WithLabelValues(kind).Observe(took.Seconds())
	}
}

// Delivery records one delivery attempt's result for a subscriber.
func (p *Pipeline) Delivery(subscriber, result string) {
	if p == nil {
		return
	}
	p.deliveries.WithLabelValues(subscriber, result).Inc()
}

// ExtractorFallback records one page extracted without its site rule.
func (p *Pipeline) ExtractorFallback() {
	if p == nil {
		return
	}
	p.fallbacks.Inc()
}

// ChangeStored records the classes of one stored change.
func (p *Pipeline) ChangeStored(classes []string) {
	if p == nil {
		return
	}
	for _, c := range classes {
		p.classes.WithLabelValues(c).Inc()
	}
}
