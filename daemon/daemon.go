// Package daemon is the one package that connects the others: cron schedules
// decide when, the database decides what is due, a bounded pool of workers
// fetches (crawler), extracts (extract), compares (diff) and commits a
// version, its change and its webhook outbox rows in one transaction
// (storage); a delivery loop then sends the outbox (notify).
package daemon

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/metrics"
	"github.com/stet/stet/storage"
)

// fetcher is what the daemon needs of *crawler.Client; tests may fake it.
type fetcher interface {
	Fetch(ctx context.Context, r crawler.Request) (*crawler.Response, error)
}

// Options configures a Daemon.
type Options struct {
	Config *config.Config
	Store  *storage.Store
	Logger *slog.Logger // nil means slog.Default()
	// Fetcher replaces the crawler built from Config.Fetch (tests only).
	Fetcher fetcher
	// AfterCheck, if set, is called after every check's transaction commits
	// (or after a check fails to commit). It must not block for long.
	AfterCheck func(Result)
	// Metrics records fetches, deliveries, extractor fallbacks and the
	// classes of stored changes; nil records nothing.
	Metrics *metrics.Pipeline
}

// Daemon runs the pipeline. Create it with New.
type Daemon struct {
	cfg     *config.Config
	store   *storage.Store
	log     *slog.Logger
	fetch   fetcher
	after   func(Result)
	metrics *metrics.Pipeline    // nil-safe
	sources map[int64]configured // by source id
	owner   string               // this process, in outbox claims

	hookGuarded, hookOpen *http.Transport // webhook transports; see hookTransport

	mu       sync.Mutex
	inFlight map[string]bool // job keys queued or running
	queue    *dispatcher     // jobs waiting for a worker, by host
	pull     chan struct{}   // the workers want more work
	poke     chan struct{}   // wakes the delivery loop after an outbox write
	group    *groupCommit    // quiet checks waiting to commit together (batch.go)
}

// configured pairs a stored source with its config schedule.
type configured struct {
	src      storage.Source
	schedule cron.Schedule
	robots   *bool
	pageID   int64         // the page row of a [[page]] source
	index    *config.Index // the settings of an [[index]] source
}

// New records the configured sources in the store and returns a Daemon
// ready to Run, or to Check single URLs.
func New(ctx context.Context, o Options) (*Daemon, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	d := &Daemon{
		cfg:      o.Config,
		store:    o.Store,
		log:      log,
		fetch:    o.Fetcher,
		after:    o.AfterCheck,
		metrics:  o.Metrics,
		inFlight: map[string]bool{},
		sources:  map[int64]configured{},
		queue:    newDispatcher(o.Config.Fetch.PerHostConcurrency, o.Config.Fetch.PerHostInterval.D(), 4096),
		poke:     make(chan struct{}, 1),
		pull:     make(chan struct{}, 1),
		owner:    newOwner(),
	}
	d.group = newGroupCommit(d)
	d.hookGuarded, d.hookOpen = newHookTransports(o.Config)
	if d.fetch == nil {
		co := CrawlerOptions(o.Config, log)
		if o.Config.SharePoliteness() {
			co.HostGate = d.hostGate // politeness.go
		}
		client := crawler.New(co)
		if err := restoreBackoffs(ctx, o.Store, client); err != nil {
			return nil, err
		}
		d.fetch = client
	}
	if err := d.registerSources(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// restoreBackoffs tells a new crawler which hosts asked to be left alone
// (Retry-After) before the last restart.
func restoreBackoffs(ctx context.Context, st *storage.Store, c *crawler.Client) error {
	bs, err := st.Backoffs(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, b := range bs {
		if u, err := url.Parse(b.URL); err == nil && b.Until.After(c.HostBackoff(u.Host)) {
			c.SetHostBackoff(u.Host, b.Until)
		}
	}
	return nil
}

// CrawlerOptions converts the [fetch] config into crawler options.
func CrawlerOptions(c *config.Config, log *slog.Logger) crawler.Options {
	f := c.Fetch
	return crawler.Options{
		UserAgent:          c.UserAgentString(),
		Timeout:            f.Timeout.D(),
		ConnectTimeout:     f.ConnectTimeout.D(),
		HeaderTimeout:      f.HeaderTimeout.D(),
		MaxBodyBytes:       f.MaxBody.Int64(),
		MaxRedirects:       f.MaxRedirects,
		PerHostInterval:    f.PerHostInterval.D(),
		PerHostConcurrency: f.PerHostConcurrency,
		AllowPrivate:       f.AllowPrivate,
		Robots:             f.Robots,
		RobotsTTL:          f.RobotsTTL.D(),
		Logger:             log,
	}
}

func (d *Daemon) registerSources(ctx context.Context) error {
	now := time.Now()
	for _, spec := range d.cfg.Sources() {
		name := spec.Name
		if name == "" {
			name = hostOf(spec.URL)
		}
		src, err := d.store.EnsureSource(ctx, spec.Kind, name, spec.URL, spec.Schedule.Spec, now)
		if err != nil {
			return fmt.Errorf("register %s %s: %w", spec.Kind, spec.URL, err)
		}
		c := configured{src: src, schedule: spec.Schedule.Schedule, robots: spec.Robots, index: spec.Index}
		if spec.Kind == storage.KindPage {
			// A [[page]] source watches one page row; create it, due at once.
			err := d.store.Tx(ctx, func(tx *storage.Tx) error {
				p, _, err := tx.EnsurePage(src.ID, spec.URL, "", now, time.Time{}, now)
				c.pageID = p.ID
				return err
			})
			if err != nil {
				return fmt.Errorf("register page %s: %w", spec.URL, err)
			}
		}
		d.sources[src.ID] = c
	}
	return nil
}

// indexOf is the settings of a configured index page source, nil if none.
func (d *Daemon) indexOf(sourceID int64) *config.Index { return d.sources[sourceID].index }

// spread is a stable delay for one source: up to a tenth of its schedule's
// period, at most a minute.
func spread(key string, s cron.Schedule) time.Duration {
	t := s.Next(time.Now())
	period := s.Next(t).Sub(t)
	window := min(period/10, time.Minute)
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return time.Duration(h.Sum64() % uint64(window))
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

// Run schedules every source, re-checks due pages and delivers webhooks
// until ctx is cancelled, then waits for running work to finish.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.reportStatus(ctx)() // status.go: registered and heartbeating until the last check ends
	d.releaseDeadWork(ctx)
	var wg sync.WaitGroup
	for range d.cfg.Daemon.Workers {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Go(func() { d.tickDue(ctx) })
	wg.Go(func() { d.deliverLoop(ctx) })
	wg.Go(func() { d.group.run(ctx) })
	wg.Go(func() { d.gcLoop(ctx) }) // gc.go: prunes captures that changed nothing, with [storage] keep_captures

	// Every source and page is due by a time stored with it, so after a
	// restart nothing is read before its time, and nothing is read twice.
	d.log.Info("daemon started", "sources", len(d.sources), "workers", d.cfg.Daemon.Workers,
		"webhooks", len(d.cfg.Webhooks), "lease", d.lease(), "shared_politeness", d.cfg.SharePoliteness())
	<-ctx.Done()
	wg.Wait()
	d.group.flush(context.WithoutCancel(ctx)) // the quiet checks of the last moments
	d.log.Info("daemon stopped")
	return nil
}
