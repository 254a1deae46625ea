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
}

// Daemon runs the pipeline. Create it with New.
type Daemon struct {
	cfg     *config.Config
	store   *storage.Store
	log     *slog.Logger
	fetch   fetcher
	after   func(Result)
	sources []configured
	owner   string // this process, in outbox claims

	hookGuarded, hookOpen *http.Transport // webhook transports; see hookTransport

	mu       sync.Mutex
	inFlight map[string]bool // job keys queued or running
	jobs     chan job
	poke     chan struct{} // wakes the delivery loop after an outbox write
}

// configured pairs a stored source with its config schedule.
type configured struct {
	src      storage.Source
	schedule cron.Schedule
	robots   *bool
	pageID   int64 // the page row of a [[page]] source
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
		inFlight: map[string]bool{},
		jobs:     make(chan job, 4096),
		poke:     make(chan struct{}, 1),
		owner:    newOwner(),
	}
	d.hookGuarded, d.hookOpen = newHookTransports(o.Config)
	if d.fetch == nil {
		client := crawler.New(CrawlerOptions(o.Config, log))
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
	add := func(kind, name, u string, s config.Schedule, robots *bool) error {
		if name == "" {
			name = hostOf(u)
		}
		src, err := d.store.EnsureSource(ctx, kind, name, u, s.Spec, now)
		if err != nil {
			return err
		}
		c := configured{src: src, schedule: s.Schedule, robots: robots}
		if kind == storage.KindPage {
			// A [[page]] source watches one page row; create it, due at once.
			err := d.store.Tx(ctx, func(tx *storage.Tx) error {
				p, _, err := tx.EnsurePage(src.ID, u, "", now, time.Time{}, now)
				c.pageID = p.ID
				return err
			})
			if err != nil {
				return err
			}
		}
		d.sources = append(d.sources, c)
		return nil
	}
	for _, f := range d.cfg.Feeds {
		if err := add(storage.KindFeed, f.Name, f.URL, f.Schedule, f.Robots); err != nil {
			return fmt.Errorf("register feed %s: %w", f.URL, err)
		}
	}
	for _, p := range d.cfg.Pages {
		if err := add(storage.KindPage, p.Name, p.URL, p.Schedule, p.Robots); err != nil {
			return fmt.Errorf("register page %s: %w", p.URL, err)
		}
	}
	return nil
}

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
	var wg sync.WaitGroup
	for range d.cfg.Daemon.Workers {
		wg.Go(func() { d.work(ctx) })
	}
	wg.Go(func() { d.tickDue(ctx) })
	wg.Go(func() { d.deliverLoop(ctx) })

	c := cron.New(cron.WithChain(cron.Recover(cronLogger{d.log})))
	for _, s := range d.sources {
		if s.src.Kind == storage.KindPage {
			// A [[page]] is due by the time stored with it (nextCheck
			// follows its schedule): a cron job as well would check it twice
			// per cycle.
			continue
		}
		j := job{sourceID: s.src.ID}
		delay := spread(s.src.URL, s.schedule)
		c.Schedule(s.schedule, cron.FuncJob(func() {
			// Sources sharing a schedule would all fire at the top of the
			// minute; a fixed per-source delay spreads them out.
			time.AfterFunc(delay, func() { d.enqueue(ctx, j) })
		}))
		d.enqueue(ctx, j) // a fresh start looks at feeds at once
	}
	c.Start()
	d.log.Info("daemon started", "sources", len(d.sources), "workers", d.cfg.Daemon.Workers,
		"webhooks", len(d.cfg.Webhooks))
	<-ctx.Done()
	<-c.Stop().Done()
	wg.Wait()
	d.log.Info("daemon stopped")
	return nil
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
