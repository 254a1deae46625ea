package scale

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stet/stet/config"
)

// Options configures Run.
type Options struct {
	Articles     int // required
	Hosts        int // 0: Articles/100, at least 2 and at most 100
	ItemsPerFeed int // 0: 100
	// Step is the re-check step of the edit phase ([recheck] steps =
	// [{every = Step}]); 0: Articles/200 seconds, at least 20s, so stet has
	// at most 200 re-checks a second to keep up with.
	Step  time.Duration
	Edits int // articles edited during the edit phase; 0: Articles/50, 5 to 200; below 0: no edit phase
	// PerHostInterval is [fetch] per_host_interval in every phase; 0: 1ms,
	// so the throughput phases measure the machine, not politeness (see
	// RunPolite for that).
	PerHostInterval time.Duration
	Tick            time.Duration // [daemon] tick; 0: stet's default (5s)
	Stet            Stet
	Dir             string // the run's files: config.toml, stet.db, stet.log
	Operator        bool   // time `stet sources`, `stet changes` and `stet serve` pages on the result
	// Stall fails a phase whose count stands still this long; 0: 2 minutes.
	Stall time.Duration
	Logf  func(format string, args ...any) // progress; nil: none
}

func (o Options) withDefaults() Options {
	if o.Hosts <= 0 {
		o.Hosts = min(max(o.Articles/100, 2), 100)
	}
	if o.ItemsPerFeed <= 0 {
		o.ItemsPerFeed = 100
	}
	if o.Step <= 0 {
		o.Step = max(20*time.Second, time.Duration(o.Articles)*time.Second/200)
	}
	if o.Edits == 0 {
		o.Edits = min(max(o.Articles/50, 5), 200)
	}
	o.Edits = min(o.Edits, o.Articles)
	if o.PerHostInterval <= 0 {
		o.PerHostInterval = time.Millisecond
	}
	if o.Stall <= 0 {
		o.Stall = 2 * time.Minute
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}

// Report is what Run measured.
type Report struct {
	Articles, Hosts, Feeds, Workers int

	Trivial, TrivialAfter float64 // trivial fetches per second before and after stet's run
	First                 Phase   // first fetches of every article
	Restart               time.Duration
	Recheck               Phase // one unchanged (304) re-check of every article, all due at once
	Steady                Phase // the edit phase: re-checks as the schedule makes them due
	PeakRSS               int64 // the largest VmHWM of the stet processes

	DBBytes, Versions, RawHTML int64       // database files; versions stored; article HTML stet received
	Tables                     []TableSize // the database by table and index, largest first

	Step               time.Duration
	Edits, Reported    int             // edits made; edits whose change.changed webhook arrived
	Detected, Notified []time.Duration // edit to changes.detected_at; edit to webhook arrival

	Operator []Timing // command or page, slowest of two runs
}

// Timing is how long one operator command or page took.
type Timing struct {
	Name string
	D    time.Duration
}

// FirstVsTrivial is stet's first-fetch rate over the trivial fetcher's
// (the mean of its two runs).
func (r *Report) FirstVsTrivial() float64 {
	return r.First.Rate() / ((r.Trivial + r.TrivialAfter) / 2)
}

// StoredVsRaw is the database's size over the article HTML stet received.
func (r *Report) StoredVsRaw() float64 { return float64(r.DBBytes) / float64(max(r.RawHTML, 1)) }

type runner struct {
	o       Options
	n       *Newsroom
	rcv     *receiver
	r       *Report
	cfg     runConfig
	cfgPath string
	log     string
	workers int
	procs   []*Proc
}

// Run measures stet against a newsroom of o.Articles articles, in phases:
//
//  1. the trivial fetcher GETs every article (the baseline);
//  2. stet starts on an empty database, reads the feeds and fetches every
//     article once (first fetches), then stops;
//  3. every page is made due at once and stet restarts: every article is
//     re-checked once, each answered 304 (re-checks);
//  4. stet runs on with [recheck] every = Step while o.Edits articles are
//     edited at random times over one Step; each edit is timed to its
//     change row and to its webhook (edit phase);
//  5. stet stops; the database is measured, the trivial fetcher runs again,
//     and the operator's commands and pages are timed on the result.
//
// Settings are stet's defaults except allow_private, per_host_interval
// (o.PerHostInterval), the one recheck step and, if set, tick.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	if o.Articles <= 0 || len(o.Stet.Argv) == 0 || o.Dir == "" {
		return nil, errors.New("scale: Run needs Articles, Stet and Dir")
	}
	n, err := NewNewsroom(NewsroomOptions{Articles: o.Articles, Hosts: o.Hosts, ItemsPerFeed: o.ItemsPerFeed})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	rcv, err := newReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.close()
	x := &runner{o: o, n: n, rcv: rcv, workers: config.Default().Daemon.Workers,
		cfgPath: filepath.Join(o.Dir, "config.toml"), log: filepath.Join(o.Dir, "stet.log")}
	x.r = &Report{Articles: o.Articles, Hosts: n.Hosts(), Feeds: n.Feeds(), Workers: x.workers, Step: o.Step}
	x.cfg = runConfig{db: filepath.Join(o.Dir, "stet.db"), perHostInterval: o.PerHostInterval, tick: o.Tick, webhook: rcv.url}
	for f := range n.Feeds() {
		x.cfg.feeds = append(x.cfg.feeds, n.FeedURL(f))
	}
	defer func() { // on failure, no stet is left running
		for _, p := range x.procs {
			_ = p.Stop(10 * time.Second)
		}
	}()
	for _, step := range []func(context.Context) error{x.trivial, x.firstFetches, x.rechecks, x.edits, x.storage, x.trivialAgain, x.operator} {
		if err := step(ctx); err != nil {
			return x.r, err
		}
	}
	return x.r, nil
}

func (x *runner) urls() []string {
	urls := make([]string, x.o.Articles)
	for i := range urls {
		urls[i] = x.n.ArticleURL(i)
	}
	return urls
}

func (x *runner) trivial(ctx context.Context) (err error) {
	x.r.Trivial, err = trivialFetch(ctx, x.urls(), x.workers)
	x.o.Logf("trivial fetcher: %.0f/s with %d workers", x.r.Trivial, x.workers)
	return err
}

func (x *runner) trivialAgain(ctx context.Context) (err error) {
	x.r.TrivialAfter, err = trivialFetch(ctx, x.urls(), x.workers)
	x.o.Logf("trivial fetcher again: %.0f/s", x.r.TrivialAfter)
	return err
}

// start writes the config and starts `stet run`.
func (x *runner) start() (*Proc, error) {
	if err := x.cfg.write(x.cfgPath); err != nil {
		return nil, err
	}
	p, err := x.o.Stet.Start(x.log, "run", "-config", x.cfgPath)
	if err == nil {
		x.procs = append(x.procs, p)
	}
	return p, err
}

// stop samples p's peak memory and stops it.
func (x *runner) stop(p *Proc) error {
	s, err := p.Sample()
	if err != nil {
		return err
	}
	x.r.PeakRSS = max(x.r.PeakRSS, s.HWM)
	x.procs = slices.DeleteFunc(x.procs, func(q *Proc) bool { return q == p })
	return p.Stop(2 * time.Minute)
}

func (x *runner) firstFetches(ctx context.Context) error {
	x.cfg.step = 24 * time.Hour // no re-check falls among the first fetches
	db, err := openDB(x.cfg.db) // connects at the first query, when stet has made the file
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := x.start()
	if err != nil {
		return err
	}
	n := int64(x.o.Articles)
	ph, _, err := watch(ctx, p, func() int64 { return x.n.Stet().ArticleOK }, n, reaches(ctx, db, "versions", n), x.o.Stall)
	if err != nil {
		return fmt.Errorf("first fetches: %w", err)
	}
	x.r.First = ph
	x.o.Logf("first fetches: %.1f/s, %.2f ms CPU and %.0f bytes written each, stet %.2f cores, newsroom %.2f, others %.2f; peak RSS %.0f MB",
		ph.Rate(), ms(ph.CPUPer()), ph.WriteBytesPer(), ph.Cores(), ph.SelfCores(), ph.OtherCores(), mb(ph.HWM))
	return x.stop(p)
}

func (x *runner) rechecks(ctx context.Context) error {
	db, err := openDB(x.cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	n := int64(x.o.Articles)
	due, err := makeAllDue(ctx, db, time.Now())
	if err == nil && due != n {
		err = fmt.Errorf("%d pages scheduled, want %d", due, n)
	}
	if err == nil {
		_, _, err = checkpoint(ctx, db) // makeAllDue's frames are not the re-checks'
	}
	if err != nil {
		return err
	}
	base, err := maxID(ctx, db, "captures")
	if err != nil {
		return err
	}
	x.cfg.step = x.o.Step
	began := time.Now()
	p, err := x.start()
	if err != nil {
		return err
	}
	ph, first, err := watch(ctx, p, func() int64 { return x.n.Stet().ArticleNotModified }, n, rechecked(ctx, db, base, n), x.o.Stall)
	if err != nil {
		return fmt.Errorf("re-checks: %w", err)
	}
	// The phase's bytes include moving its last frames into the database
	// file, as stet's own checkpoints moved the others.
	wb, wc, err := checkpoint(ctx, db)
	if err != nil {
		return fmt.Errorf("re-checks: %w", err)
	}
	ph.Daemon.WriteBytes, ph.Daemon.WChar = ph.Daemon.WriteBytes+wb, ph.Daemon.WChar+wc
	x.r.Recheck, x.r.Restart = ph, first.Sub(began)
	x.o.Logf("restart to first re-check: %s; re-checks: %.0f/s, %.2f ms CPU and %.0f bytes written (%.0f wchar in %.1f write calls) each, stet %.2f cores, newsroom %.2f, others %.2f; peak RSS %.0f MB",
		x.r.Restart.Round(time.Millisecond), ph.Rate(), ms(ph.CPUPer()), ph.WriteBytesPer(), ph.WCharPer(), ph.WritesPer(), ph.Cores(), ph.SelfCores(), ph.OtherCores(), mb(ph.HWM))
	return nil
}

func (x *runner) withDB(ctx context.Context, f func(*sql.DB) error) error {
	db, err := openDB(x.cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

// edits edits o.Edits articles at uniformly random times over one step
// while stet runs on, and waits for their webhooks.
func (x *runner) edits(ctx context.Context) error {
	p := x.procs[0]
	if x.o.Edits < 0 {
		return x.stop(p)
	}
	rng := rand.New(rand.NewPCG(uint64(x.o.Articles), 0xed17))
	ids := rng.Perm(x.o.Articles)[:x.o.Edits]
	at := make([]time.Duration, len(ids))
	for i := range at {
		at[i] = time.Duration(rng.Int64N(int64(x.o.Step)))
	}
	slices.Sort(at)
	before := x.n.Stet()
	s0, self0, err := sampleBoth(p)
	if err != nil {
		return err
	}
	made := make([]Edit, 0, len(ids))
	for i, id := range ids {
		if err := sleepUntil(ctx, s0.At.Add(at[i])); err != nil {
			return err
		}
		made = append(made, x.n.Edit(id))
	}
	// The last edit is due within one step and its 10% jitter, plus a tick.
	deadline := s0.At.Add(2*x.o.Step + x.o.Step/5 + 30*time.Second)
	for x.rcv.count() < len(made) && time.Now().Before(deadline) {
		if err := sleepUntil(ctx, time.Now().Add(100*time.Millisecond)); err != nil {
			return err
		}
	}
	s1, self1, err := sampleBoth(p)
	if err != nil {
		return err
	}
	after := x.n.Stet()
	x.r.Steady = Phase{Count: after.ArticleOK + after.ArticleNotModified - before.ArticleOK - before.ArticleNotModified,
		Daemon: s1.Sub(s0), Self: self1.Sub(self0), HWM: s1.HWM}
	if err := x.latencies(ctx, made); err != nil {
		return err
	}
	if err := x.stop(p); err != nil {
		return err
	}
	x.o.Logf("edits: %d of %d reported; edit to report p50 %s p90 %s (step %s); steady: %.1f checks/s, stet %.2f cores; peak RSS %.0f MB",
		x.r.Reported, x.r.Edits, Quantile(x.r.Notified, .5).Round(time.Millisecond), Quantile(x.r.Notified, .9).Round(time.Millisecond),
		x.o.Step, x.r.Steady.Rate(), x.r.Steady.Cores(), mb(x.r.Steady.HWM))
	if x.r.Reported < x.r.Edits {
		return fmt.Errorf("edits: %d of %d reported by webhook within %s", x.r.Reported, x.r.Edits, deadline.Sub(s0.At).Round(time.Second))
	}
	return nil
}

func (x *runner) latencies(ctx context.Context, made []Edit) error {
	x.r.Edits = len(made)
	var det map[string]time.Time
	err := x.withDB(ctx, func(db *sql.DB) (err error) {
		det, err = detections(ctx, db)
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range made {
		u := x.n.ArticleURL(e.ID)
		if t, ok := det[u]; ok {
			x.r.Detected = append(x.r.Detected, t.Sub(e.At))
		}
		if t, ok := x.rcv.at(u); ok {
			x.r.Notified = append(x.r.Notified, t.Sub(e.At))
			x.r.Reported++
		}
	}
	return nil
}

func (x *runner) storage(ctx context.Context) error {
	x.r.DBBytes = fileBytes(x.cfg.db)
	x.r.RawHTML = x.n.Stet().ArticleBytes
	err := x.withDB(ctx, func(db *sql.DB) (err error) {
		if x.r.Versions, err = countRows(ctx, db, "versions"); err != nil {
			return err
		}
		x.r.Tables, err = tableSizes(ctx, db)
		return err
	})
	x.o.Logf("database: %d bytes, %d versions, %.0f bytes/article, %.3f of the raw HTML (%d bytes)",
		x.r.DBBytes, x.r.Versions, float64(x.r.DBBytes)/float64(x.o.Articles), x.r.StoredVsRaw(), x.r.RawHTML)
	var top []string
	for _, t := range x.r.Tables[:min(len(x.r.Tables), 10)] {
		top = append(top, fmt.Sprintf("%s %.0f", t.Name, float64(t.Bytes)/float64(x.o.Articles)))
	}
	x.o.Logf("bytes per article by table: %s", strings.Join(top, ", "))
	return err
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
