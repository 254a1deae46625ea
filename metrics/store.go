package metrics

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stet/stet/storage"
)

// StoreOptions configures NewStoreCollector. The zero value is valid.
type StoreOptions struct {
	// CacheFor is how long one reading of the database serves scrapes, so
	// a storm of scrapes costs one reading per period. 0 means 5s; a
	// negative value reads at every scrape (tests).
	CacheFor time.Duration
	// OverdueAfter is how long past its due time a check counts as
	// overdue. 0 means one minute.
	OverdueAfter time.Duration
	// Timeout bounds one reading. 0 means 10s.
	Timeout time.Duration
	Logger  *slog.Logger // nil means slog.Default()
}

func (o StoreOptions) withDefaults() StoreOptions {
	if o.CacheFor == 0 {
		o.CacheFor = 5 * time.Second
	}
	if o.OverdueAfter <= 0 {
		o.OverdueAfter = time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// storeCollector reports what the database holds. Versions and changes by
// kind are running totals: the first scrape counts the tables through
// their smallest indexes, every later one adds the rows stored since (see
// storage.TallySince). The gauges are read whole each time, from indexes
// whose size follows what is waiting, not what is stored.
type storeCollector struct {
	st   *storage.Store
	opts StoreOptions

	versions, changes, outbox, due, overdue, lag, size, alive *prometheus.Desc

	mu      sync.Mutex // guards what follows; held during a reading, so concurrent scrapes wait for one
	read    time.Time  // when the cached values were read; zero before the first reading
	err     error      // the last reading's failure, served until the next reading
	totals  storage.Tally
	backlog storage.Backlog
	daemons int       // daemons whose heartbeat is fresh
	now     time.Time // the clock of the last reading, for the lag
}

// NewStoreCollector returns a collector of the database series of st:
// stet_versions_total, stet_changes_total{kind}, stet_outbox_depth,
// stet_checks_due, stet_checks_overdue, stet_queue_lag_seconds,
// stet_database_bytes and stet_daemons_alive. It only reads, so it serves `stet serve` on a
// read-only database as well as the daemon.
func NewStoreCollector(st *storage.Store, o StoreOptions) prometheus.Collector {
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	return &storeCollector{
		st:       st,
		opts:     o.withDefaults(),
		versions: desc("versions_total", "Versions stored in the database."),
		changes:  desc("changes_total", "Changes stored in the database, by kind (changed, removed, restored, flapping, settled, unlisted, relisted); suppressed ones included.", "kind"),
		outbox:   desc("outbox_depth", "Webhook deliveries waiting to be sent or retried."),
		due:      desc("checks_due", "Pages and listing sources whose next check time has passed (work claimed by a running daemon is not due)."),
		overdue:  desc("checks_overdue", "Checks due for longer than the overdue threshold (one minute by default)."),
		lag:      desc("queue_lag_seconds", "How long the check waiting longest has been due; 0 when none is."),
		size:     desc("database_bytes", "Size of the SQLite database (page count times page size, WAL included)."),
		alive:    desc("daemons_alive", "Daemons (stet run) on this database whose heartbeat is fresh: within three heartbeat intervals."),
		totals:   storage.Tally{ChangesByKind: map[string]int64{}},
	}
}

// Describe sends the descriptors of every series.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.versions, c.changes, c.outbox, c.due, c.overdue, c.lag, c.size, c.alive} {
		ch <- d
	}
}

// Collect sends the series, reading the database when the cached values
// are older than CacheFor. A failed reading is reported as an invalid
// metric (the scrape shows the error) and is not retried before CacheFor.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.read.IsZero() || time.Since(c.read) >= c.opts.CacheFor {
		c.err = c.refresh()
		c.read = time.Now()
	}
	if c.err != nil {
		ch <- prometheus.NewInvalidMetric(c.versions, c.err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.versions, prometheus.CounterValue, float64(c.totals.Versions))
	kinds := maps.Clone(c.totals.ChangesByKind)
	for _, k := range storage.ChangeKinds() {
		kinds[k] += 0 // every kind has a series, 0 until one is stored
	}
	for kind, n := range kinds {
		ch <- prometheus.MustNewConstMetric(c.changes, prometheus.CounterValue, float64(n), kind)
	}
	b := c.backlog
	var lag float64
	if !b.OldestDue.IsZero() && b.ChecksDue > 0 {
		lag = max(c.now.Sub(b.OldestDue).Seconds(), 0)
	}
	for _, g := range []struct {
		d *prometheus.Desc
		v float64
	}{
		{c.outbox, float64(b.OutboxDepth)},
		{c.due, float64(b.ChecksDue)},
		{c.overdue, float64(b.ChecksOverdue)},
		{c.lag, lag},
		{c.size, float64(b.DatabaseBytes)},
		{c.alive, float64(c.daemons)},
	} {
		ch <- prometheus.MustNewConstMetric(g.d, prometheus.GaugeValue, g.v)
	}
}

// refresh adds what was stored since the last reading to the totals and
// reads the backlog. The totals only move once a whole reading succeeded.
func (c *storeCollector) refresh() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	start := time.Now()
	t, err := c.st.TallySince(ctx, c.totals.LastVersion, c.totals.LastChange)
	if err != nil {
		c.opts.Logger.Warn("metrics: read database counts", "err", err)
		return err
	}
	b, err := c.st.Backlog(ctx, start, c.opts.OverdueAfter)
	if err != nil {
		c.opts.Logger.Warn("metrics: read database backlog", "err", err)
		return err
	}
	alive, err := c.st.DaemonsAlive(ctx, start)
	if err != nil {
		c.opts.Logger.Warn("metrics: read daemons", "err", err)
		return err
	}
	kinds := maps.Clone(c.totals.ChangesByKind)
	for k, n := range t.ChangesByKind {
		kinds[k] += n
	}
	c.totals = storage.Tally{Versions: c.totals.Versions + t.Versions, Changes: c.totals.Changes + t.Changes,
		ChangesByKind: kinds, LastVersion: t.LastVersion, LastChange: t.LastChange}
	c.backlog, c.now, c.daemons = b, start, alive
	c.opts.Logger.Debug("metrics: database read", "took", time.Since(start))
	return nil
}
