package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stet/stet/metrics"
	"github.com/stet/stet/storage"
)

// storeMetrics is the registry of a process serving st: the Go runtime and
// process series and the database's (see metrics.NewStoreCollector). The
// daemon adds its pipeline to it; `stet serve` has only these.
func storeMetrics(st *storage.Store, log *slog.Logger) *prometheus.Registry {
	reg := metrics.NewRegistry()
	reg.MustRegister(metrics.NewStoreCollector(st, metrics.StoreOptions{Logger: log}))
	return reg
}

// metricsHandler serves reg at the web UI's GET /metrics.
func metricsHandler(reg *prometheus.Registry) http.Handler { return metrics.Handler(reg) }
