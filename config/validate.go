package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/andybalholm/cascadia"
)

// problems collects validation failures under their indexed key paths.
type problems struct {
	errs []*Error
	name string    // the file, for positions in messages
	ix   *keyIndex // nil for a Config built in code
}

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, &Error{Key: key, Err: fmt.Errorf(format, args...)})
}

// at returns " at file:line:col" for the key, for messages that name a
// second place, or "" when the position is unknown.
func (p *problems) at(key string) string {
	if p.ix == nil {
		return ""
	}
	line, col := p.ix.findNearest(key)
	if line == 0 {
		return ""
	}
	return fmt.Sprintf(" at %s:%d:%d", p.name, line, col)
}

// Validate checks the values and the rules between them. Load and Parse call
// it; call it again after changing a Config in code. Errors name the key
// path, such as "feed[2].url".
func (c *Config) Validate() error {
	name := c.File
	if name == "" {
		name = "config"
	}
	return c.validate(name, nil)
}

// validate returns every problem joined, each positioned with ix when the
// key can be found in the document.
func (c *Config) validate(name string, ix *keyIndex) error {
	p := problems{name: name, ix: ix}
	c.validateSettings(&p)
	c.Recheck.validate(&p)
	c.Changes.validate(&p)
	c.Web.validate(&p)
	c.validateSources(&p)
	c.validateWebhooks(&p)
	c.validateSites(&p)
	if len(p.errs) == 0 {
		return nil
	}
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		e.File = name
		if ix != nil {
			e.Line, e.Column = ix.findNearest(e.Key)
		}
		errs[i] = e
	}
	return errors.Join(errs...)
}

func (c *Config) validateSettings(p *problems) {
	switch c.Storage.Driver {
	case DriverSQLite:
		if c.Storage.Path == "" {
			p.add("storage.path", "must not be empty")
		}
		if c.Storage.DSN != "" {
			p.add("storage.dsn", "is for driver = \"postgres\"; the SQLite file is storage.path")
		}
	case DriverPostgres:
		if c.Storage.DSN == "" {
			p.add("storage.dsn", "must be set for driver = \"postgres\" (postgres://user@host:5432/db)")
		}
	default:
		p.add("storage.driver", "want \"sqlite\" or \"postgres\", got %q", c.Storage.Driver)
	}
	if k := c.Storage.KeepBodies; k != "versions" && k != "all" {
		p.add("storage.keep_bodies", "want \"versions\" or \"all\", got %q", k)
	}
	if k := c.Storage.KeepCaptures; !k.Forever() && k.Age < MinKeepCaptures {
		p.add("storage.keep_captures", "%s is below the minimum of %s (or \"forever\")", k, MinKeepCaptures)
	}
	if c.Fetch.UserAgent == "" {
		p.add("fetch.user_agent", "must not be empty")
	}
	positive(p, "fetch.timeout", c.Fetch.Timeout)
	positive(p, "fetch.connect_timeout", c.Fetch.ConnectTimeout)
	positive(p, "fetch.header_timeout", c.Fetch.HeaderTimeout)
	positive(p, "fetch.per_host_interval", c.Fetch.PerHostInterval)
	positive(p, "fetch.robots_ttl", c.Fetch.RobotsTTL)
	if c.Fetch.MaxBody <= 0 {
		p.add("fetch.max_body", "must be above 0, got %d", c.Fetch.MaxBody)
	} else if c.Fetch.MaxBody > MaxBodyLimit {
		p.add("fetch.max_body", "%s is above the limit of %s", c.Fetch.MaxBody, ByteSize(MaxBodyLimit))
	}
	inRange(p, "fetch.max_feed_items", c.Fetch.MaxFeedItems, 1, 100_000)
	inRange(p, "fetch.max_redirects", c.Fetch.MaxRedirects, 0, 100)
	inRange(p, "fetch.per_host_concurrency", c.Fetch.PerHostConcurrency, 1, 64)
	inRange(p, "fetch.gone_after", c.Fetch.GoneAfter, 1, 1000)
	inRange(p, "fetch.failing_after", c.Fetch.FailingAfter, 1, 1000)
	inRange(p, "fetch.unlisted_after", c.Fetch.UnlistedAfter, 1, 1000)
	inRange(p, "fetch.max_sitemap_depth", c.Fetch.MaxSitemapDepth, 1, 5)

	inRange(p, "daemon.workers", c.Daemon.Workers, 1, 64)
	inRange(p, "daemon.max_attempts", c.Daemon.MaxAttempts, 1, 1000)
	positive(p, "daemon.delivery_interval", c.Daemon.DeliveryInterval)
	positive(p, "daemon.retry_base", c.Daemon.RetryBase)
	positive(p, "daemon.retry_max", c.Daemon.RetryMax)
	positive(p, "daemon.tick", c.Daemon.Tick)
	if c.Daemon.RetryMax > 0 && c.Daemon.RetryMax < c.Daemon.RetryBase {
		p.add("daemon.retry_max", "%s is below daemon.retry_base (%s)", c.Daemon.RetryMax, c.Daemon.RetryBase)
	}
	switch l := c.Daemon.Lease; {
	case l < MinLease:
		p.add("daemon.lease", "%s is below the minimum of %s", l, MinLease)
	case c.Fetch.Timeout > 0 && l < 2*c.Fetch.Timeout:
		p.add("daemon.lease", "%s is below twice fetch.timeout (%s): a check must end well within its claim", l, c.Fetch.Timeout)
	}
	if s := c.Daemon.SharedPoliteness; s != SharedAuto && s != SharedOn && s != SharedOff {
		p.add("daemon.shared_politeness", "want \"auto\", \"on\" or \"off\", got %q", s)
	}
}

func (r Recheck) validate(p *problems) {
	positive(p, "recheck.stop_after", r.StopAfter)
	if len(r.Steps) == 0 {
		p.add("recheck.steps", "needs at least one step")
	}
	for i, s := range r.Steps {
		key := fmt.Sprintf("recheck.steps[%d]", i)
		positive(p, key+".until", s.Until)
		positive(p, key+".every", s.Every)
		if i > 0 && s.Until <= r.Steps[i-1].Until {
			p.add(key+".until", "%s is not above the previous step's until (%s)", s.Until, r.Steps[i-1].Until)
		}
	}
}

// validateSources checks feed and page URLs and schedules. One URL may be
// watched once, as a feed or as a page: two URLs are the same when their
// URLKey is, so spellings differing in scheme or host case, default port,
// trailing slash or fragment are duplicates.
func (c *Config) validateSources(p *problems) {
	seen := make(map[string]string, len(c.Feeds)+len(c.Pages)) // URL key -> key path that first named it
	check := func(key, raw string) {
		if raw == "" {
			p.add(key, "required")
			return
		}
		n, err := NormalizeURL(raw)
		if err != nil {
			p.add(key, "%w", err)
			return
		}
		k := URLKey(n)
		if first, dup := seen[k]; dup {
			p.add(key, "duplicate of %s%s", first, p.at(first))
			return
		}
		seen[k] = key
	}
	for i, f := range c.Feeds {
		check(fmt.Sprintf("feed[%d].url", i), f.URL)
		schedule(p, fmt.Sprintf("feed[%d].schedule", i), f.Schedule)
	}
	for i, pg := range c.Pages {
		check(fmt.Sprintf("page[%d].url", i), pg.URL)
		schedule(p, fmt.Sprintf("page[%d].schedule", i), pg.Schedule)
	}
	c.validateListings(p, check)
}

// schedule checks a schedule set in code; one decoded from a file was
// checked by ParseSchedule already. An unset one gets its default in Parse.
func schedule(p *problems, key string, s Schedule) {
	if s.IsZero() {
		return
	}
	if err := checkSchedule(s.Schedule); err != nil {
		p.add(key, "invalid cron schedule %q: %w", s.Spec, err)
	}
}

func (c *Config) validateSites(p *problems) {
	seen := map[string]string{}
	for i, s := range c.Sites {
		key := fmt.Sprintf("site[%d]", i)
		host := strings.ToLower(s.Host)
		switch {
		case strings.TrimPrefix(host, "*.") == "":
			p.add(key+".host", "must not be empty")
		case strings.ContainsAny(strings.TrimPrefix(host, "*."), "/:*@ "):
			p.add(key+".host", "%q is not a host name (want \"example.com\" or \"*.example.com\")", s.Host)
		case seen[host] != "":
			p.add(key+".host", "duplicate of %s", seen[host])
		default:
			seen[host] = key + ".host"
		}
		if s.Body == "" && s.Title == "" && len(s.Remove) == 0 {
			p.add(key, "needs at least one of body, title or remove")
		}
		selector(p, key+".body", s.Body)
		selector(p, key+".title", s.Title)
		for j, r := range s.Remove {
			selector(p, fmt.Sprintf("%s.remove[%d]", key, j), r)
		}
	}
}

// selector checks a CSS selector the way the extractor will compile it.
func selector(p *problems, key, sel string) {
	if sel == "" {
		return
	}
	if _, err := cascadia.Compile(sel); err != nil {
		p.add(key, "invalid CSS selector %q: %w", sel, err)
	}
}

func positive(p *problems, key string, d Duration) {
	if d <= 0 {
		p.add(key, "must be above 0, got %s", d)
	}
}

func inRange(p *problems, key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.add(key, "%d is out of range %d..%d", v, lo, hi)
	}
}
