package scale

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/stet/stet/config"
)

// PoliteOptions configures RunPolite.
type PoliteOptions struct {
	Hosts   int // 0: 100
	PerHost int // articles per host, all in one feed; 0: 10
	Stet    Stet
	Dir     string
	Stall   time.Duration // 0: 2 minutes
	Logf    func(format string, args ...any)
}

// PoliteReport is what RunPolite measured.
type PoliteReport struct {
	Hosts, Articles int
	Interval        time.Duration // per_host_interval (the default)
	First           Phase
	// ActiveHosts is how many hosts served an article in each interval,
	// on average, from the first article to the last: the hosts the
	// scheduler kept busy.
	ActiveHosts float64
}

// Allowed is the rate politeness allows: one request per host per interval.
func (r *PoliteReport) Allowed() float64 { return float64(r.Hosts) / r.Interval.Seconds() }

// Rate is the first-fetch rate, each fetch counted as taking one interval
// of its host: Articles over the time from the first article request to
// the last plus one interval. A perfect scheduler that starts every host
// at once scores exactly Allowed.
func (r *PoliteReport) Rate() float64 {
	return float64(r.Articles) / (r.First.Daemon.Wall + r.Interval).Seconds()
}

// RunPolite measures stet's first fetches with every setting at its
// default (allow_private aside) over many hosts: what fraction of the rate
// politeness allows (per_host_interval, 2s) the scheduler achieves.
func RunPolite(ctx context.Context, o PoliteOptions) (*PoliteReport, error) {
	if o.Hosts <= 0 {
		o.Hosts = 100
	}
	if o.PerHost <= 0 {
		o.PerHost = 10
	}
	if o.Stall <= 0 {
		o.Stall = 2 * time.Minute
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if len(o.Stet.Argv) == 0 || o.Dir == "" {
		return nil, errors.New("scale: RunPolite needs Stet and Dir")
	}
	n, err := NewNewsroom(NewsroomOptions{Articles: o.Hosts * o.PerHost, Hosts: o.Hosts, ItemsPerFeed: o.PerHost})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	cfg := runConfig{db: filepath.Join(o.Dir, "stet.db")}
	for f := range n.Feeds() {
		cfg.feeds = append(cfg.feeds, n.FeedURL(f))
	}
	path := filepath.Join(o.Dir, "config.toml")
	if err := cfg.write(path); err != nil {
		return nil, err
	}
	r := &PoliteReport{Hosts: o.Hosts, Articles: o.Hosts * o.PerHost, Interval: config.Default().Fetch.PerHostInterval.D()}
	db, err := openDB(cfg.db) // connects at the first query, when stet has made the file
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p, err := o.Stet.Start(filepath.Join(o.Dir, "stet.log"), "run", "-config", path)
	if err != nil {
		return nil, err
	}
	active := make(chan float64, 1)
	wctx, stopCount := context.WithCancel(ctx)
	go func() { active <- activeHosts(wctx, n, r.Interval) }()
	r.First, _, err = watch(ctx, p, func() int64 { return n.Stet().ArticleOK }, int64(r.Articles), reaches(ctx, db, "versions", int64(r.Articles)), o.Stall)
	stopCount()
	r.ActiveHosts = <-active
	if err != nil {
		_ = p.Stop(time.Minute)
		return r, err
	}
	o.Logf("polite first fetches over %d hosts: %.1f/s of %.1f/s allowed (%.0f%%), %.1f hosts active per interval, stet %.2f cores, others %.2f",
		r.Hosts, r.Rate(), r.Allowed(), 100*r.Rate()/r.Allowed(), r.ActiveHosts, r.First.Cores(), r.First.OtherCores())
	return r, p.Stop(2 * time.Minute)
}

// activeHosts counts, every interval until ctx ends, the hosts that
// served the daemon an article since the last count, and returns the mean
// over the intervals from the first article on, the last (partial) one
// left out.
func activeHosts(ctx context.Context, n *Newsroom, interval time.Duration) float64 {
	tk := time.NewTicker(interval)
	defer tk.Stop()
	prev := n.HostArticles()
	var counts []int
	for {
		select {
		case <-ctx.Done():
			var sum int
			for _, c := range counts {
				sum += c
			}
			return float64(sum) / float64(max(len(counts), 1))
		case <-tk.C:
		}
		cur := n.HostArticles()
		active := 0
		for i := range cur {
			if cur[i] > prev[i] {
				active++
			}
		}
		if active > 0 || len(counts) > 0 {
			counts = append(counts, active)
		}
		prev = cur
	}
}
