// Package config reads stet's TOML configuration. Decoding is strict: an
// unknown key, a bad value or a cross-field conflict is an error that names
// file:line:col and the key path.
package config

import (
	"time"

	"github.com/robfig/cron/v3"
)

// Config is the whole configuration. The zero value of any optional field is
// replaced by its default in Load/Parse; after a successful Load every field
// the daemon reads holds a usable value.
type Config struct {
	Storage  Storage   `toml:"storage"`
	Fetch    Fetch     `toml:"fetch"`
	Recheck  Recheck   `toml:"recheck"`
	Daemon   Daemon    `toml:"daemon"`
	Web      Web       `toml:"web"`
	Changes  Changes   `toml:"changes"`
	Feeds    []Feed    `toml:"feed"`
	Pages    []Page    `toml:"page"`
	Sitemaps []Sitemap `toml:"sitemap"`
	Indexes  []Index   `toml:"index"`
	Webhooks []Webhook `toml:"webhook"`
	Sites    []Site    `toml:"site"`

	// File is the path the configuration was read from ("" for built-in defaults).
	File string `toml:"-"`
}

// Storage says where the database lives: an SQLite file (the default) or
// a PostgreSQL database that any number of daemons may share.
type Storage struct {
	// Driver is "sqlite" (default) or "postgres".
	Driver string `toml:"driver"`
	Path   string `toml:"path"` // SQLite: default "stet.db"; relative paths are relative to the config file's folder
	// DSN is the PostgreSQL connection string (postgres://user:pass@host/db
	// or key=value form); it may hold a password, so it prints hidden.
	DSN Secret `toml:"dsn"`
	// KeepBodies says which raw bodies are kept: "versions" (default: the
	// bodies that made a version, and feeds that announced new pages) or
	// "all" (every body fetched, stored once per hash; churn makes most
	// of them unique).
	KeepBodies string `toml:"keep_bodies"`
	// KeepCaptures is how long a capture that changed nothing is kept:
	// "forever" (default) or at least MinKeepCaptures, such as "90d".
	// Older ones are pruned by the daemon (hourly) and `stet gc`, leaving
	// a summary in the hash chain.
	KeepCaptures Retention `toml:"keep_captures"`
}

// The storage drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Fetch holds the crawler's limits and manners.
type Fetch struct {
	UserAgent          string   `toml:"user_agent"`           // default "stet/<version> (+https://github.com/stet/stet)"
	Contact            string   `toml:"contact"`              // URL or mail appended to the User-Agent as "(+contact)"
	Timeout            Duration `toml:"timeout"`              // total per fetch, default 30s
	ConnectTimeout     Duration `toml:"connect_timeout"`      // default 10s
	HeaderTimeout      Duration `toml:"header_timeout"`       // default 15s
	MaxBody            ByteSize `toml:"max_body"`             // decompressed bytes, default 10MiB, at most MaxBodyLimit
	MaxFeedItems       int      `toml:"max_feed_items"`       // items read from one feed body, default 1000, 1..100000
	MaxRedirects       int      `toml:"max_redirects"`        // default 10
	PerHostInterval    Duration `toml:"per_host_interval"`    // minimum gap between requests to one host, default 2s
	PerHostConcurrency int      `toml:"per_host_concurrency"` // requests in flight per host, default 2
	AllowPrivate       bool     `toml:"allow_private"`        // default false
	Robots             bool     `toml:"robots"`               // honour robots.txt, default true
	RobotsTTL          Duration `toml:"robots_ttl"`           // default 24h
	GoneAfter          int      `toml:"gone_after"`           // K consecutive gone checks before "removed", default 2
	FailingAfter       int      `toml:"failing_after"`        // N consecutive failures before source.failing, default 3
	// UnlistedAfter is how many consecutive reads of every listing source
	// that announced an article must miss it before it is reported
	// unlisted (while it still answers), default 3.
	UnlistedAfter int `toml:"unlisted_after"`
	// MaxSitemapDepth bounds how deep sitemap indexes are followed
	// (1: the sitemap itself only), default 2.
	MaxSitemapDepth int `toml:"max_sitemap_depth"`
}

// Recheck is the policy for articles discovered in feeds: check often while
// they are young, less often as they age, stop after StopAfter.
type Recheck struct {
	Steps     []RecheckStep `toml:"steps"`      // default: until 6h every 15m; until 48h every 1h; until 14d every 6h
	StopAfter Duration      `toml:"stop_after"` // default 30d; 0 after defaults is impossible
}

// RecheckStep: while an article is younger than Until, re-check it Every.
type RecheckStep struct {
	Until Duration `toml:"until"`
	Every Duration `toml:"every"`
}

// Daemon holds process-level knobs.
type Daemon struct {
	Workers          int      `toml:"workers"`           // fetch workers, default 4
	DeliveryInterval Duration `toml:"delivery_interval"` // how often the webhook outbox is polled, default 5s
	MaxAttempts      int      `toml:"max_attempts"`      // webhook delivery attempts before giving up, default 20
	RetryBase        Duration `toml:"retry_base"`        // first webhook retry delay, doubling, default 10s
	RetryMax         Duration `toml:"retry_max"`         // cap on the retry delay, default 1h
	Tick             Duration `toml:"tick"`              // how often due article re-checks are looked for, default 5s
	// Lease is how long a daemon's claim on due work (a page, a source)
	// lasts: a daemon that dies leaves its claims to the others once their
	// lease ends. Default 10m, at least MinLease and twice fetch.timeout.
	Lease Duration `toml:"lease"`
	// SharedPoliteness keeps fetch.per_host_interval between request starts
	// to a host across every daemon on the database, through a reservation
	// in the database taken before each request: SharedOn, SharedOff or
	// SharedAuto (default: on with PostgreSQL, off with SQLite).
	SharedPoliteness string `toml:"shared_politeness"`
}

// MinLease is the shortest [daemon] lease.
const MinLease = Duration(5 * time.Second)

// The values of [daemon] shared_politeness.
const (
	SharedAuto = "auto"
	SharedOn   = "on"
	SharedOff  = "off"
)

// SharePoliteness reports whether per-host politeness is kept across
// daemons in the database: [daemon] shared_politeness, where "auto" means
// on for PostgreSQL (daemons on many machines) and off for SQLite.
func (c *Config) SharePoliteness() bool {
	switch c.Daemon.SharedPoliteness {
	case SharedOn:
		return true
	case SharedOff:
		return false
	}
	return c.Storage.Driver == DriverPostgres
}

// Web is the browser UI and JSON API served by `stet run` and `stet serve`,
// and who may use it (see web.go).
type Web struct {
	Listen string `toml:"listen"` // "host:port"; "" (default) serves nothing
	// Auth is AuthNone (default), AuthToken or AuthUsers. AuthNone is
	// refused on an address other than loopback unless
	// AllowUnauthenticated is set.
	Auth string `toml:"auth"`
	// Token is the bearer token of AuthToken, at least MinTokenLength
	// characters; with AuthUsers it is optional and lets API clients and
	// feed readers in without a login.
	Token Secret `toml:"token"`
	// TokenFile holds the token instead (first line; a trailing newline is
	// dropped), relative to the config file's folder.
	TokenFile string    `toml:"token_file"`
	Users     []WebUser `toml:"user"` // [[web.user]] entries of AuthUsers
	// Hosts are the names the server answers to in the Host header, besides
	// IP addresses and localhost, which are always accepted: a request for
	// any other name is refused, so a DNS-rebinding page cannot reach the UI.
	Hosts []string `toml:"hosts"`
	// AllowUnauthenticated lets AuthNone serve a non-loopback address, for
	// a UI behind an authenticating proxy.
	AllowUnauthenticated bool     `toml:"allow_unauthenticated"`
	SessionTTL           Duration `toml:"session_ttl"` // how long a login lasts, default 12h

	fileToken Secret // read from TokenFile by validate
}

// Feed is an RSS, Atom or JSON feed whose items are tracked as articles.
type Feed struct {
	Name     string   `toml:"name"`     // default: the URL's host
	URL      string   `toml:"url"`      // required, absolute http(s)
	Schedule Schedule `toml:"schedule"` // default "@every 15m"
	Robots   *bool    `toml:"robots"`   // per-source override of fetch.robots
}

// Page is a single document watched as a whole.
type Page struct {
	Name     string   `toml:"name"`
	URL      string   `toml:"url"`      // required
	Schedule Schedule `toml:"schedule"` // default "@every 1h"
	Robots   *bool    `toml:"robots"`
}

// Webhook receives a signed JSON POST for every event it subscribes to.
// Two entries with the same URL and different secrets are different
// subscribers; the same URL with the same secret is a duplicate.
type Webhook struct {
	URL    string   `toml:"url"`    // required, absolute http(s); kept as written (see LogURL before logging it)
	Secret string   `toml:"secret"` // HMAC-SHA256 key; may be "" (then unsigned)
	Events []string `toml:"events"` // default all; entries are exact types or "prefix.*"
	// Classes narrows change.* events to changes carrying at least one of
	// these classes (see ChangeClasses); empty means every change.
	Classes []string `toml:"classes"`
	// Name identifies the entry in the outbox and in logs; unique across
	// entries. Default "": Subscriber derives one.
	Name string `toml:"name"`
	// AllowPrivate lets deliveries reach loopback, private and link-local
	// addresses, for a receiver on a private network. Default false.
	AllowPrivate bool `toml:"allow_private"`
}

// Site is an operator's extraction rule for one host.
type Site struct {
	Host   string   `toml:"host"`   // exact host, or "*.example.com"
	Body   string   `toml:"body"`   // CSS selector of the article body
	Title  string   `toml:"title"`  // CSS selector of the title
	Remove []string `toml:"remove"` // CSS selectors dropped before extraction
}

// Schedule is a cron spec ("*/5 * * * *", "@every 10m", "@hourly") parsed by
// robfig/cron/v3, optionally after a "CRON_TZ=Zone " prefix. A valid schedule
// runs: "@every" takes a whole number of seconds no shorter than
// MinScheduleInterval (1s), and a spec that never fires, such as
// "0 0 30 2 *", is rejected. February 29 ("0 0 29 2 *") fires in leap years
// and is valid.
type Schedule struct {
	Spec string
	cron.Schedule
}

// Duration is a Go duration string ("20s", "10ms"); "d" (days) is also accepted.
type Duration time.Duration

// ByteSize is a size like "10MiB", "512KB", "1GB" or a plain number of bytes.
type ByteSize int64

// MaxBodyLimit is the largest fetch.max_body accepted, in bytes (64 MiB).
// Bodies are held in memory after decompression; a larger limit lets one
// compressed response (a gzip bomb) take gigabytes.
const MaxBodyLimit = 64 << 20

// DefaultUserAgent identifies stet to the sites it crawls.
const DefaultUserAgent = "stet/0.1 (+https://github.com/stet/stet)"

// Default schedules of sources that do not set one.
const (
	DefaultFeedSchedule = "@every 15m"
	DefaultPageSchedule = "@every 1h"
)

// Default returns the built-in configuration: every setting at its default
// and no feeds, pages, webhooks or site rules.
func Default() *Config {
	return &Config{
		Storage: Storage{Driver: DriverSQLite, Path: "stet.db", KeepBodies: "versions"},
		Fetch: Fetch{
			UserAgent:          DefaultUserAgent,
			Timeout:            Duration(30 * time.Second),
			ConnectTimeout:     Duration(10 * time.Second),
			HeaderTimeout:      Duration(15 * time.Second),
			MaxBody:            10 << 20,
			MaxFeedItems:       1000,
			MaxRedirects:       10,
			PerHostInterval:    Duration(2 * time.Second),
			PerHostConcurrency: 2,
			Robots:             true,
			RobotsTTL:          Duration(24 * time.Hour),
			GoneAfter:          2,
			FailingAfter:       3,
			UnlistedAfter:      3,
			MaxSitemapDepth:    2,
		},
		Recheck: Recheck{
			Steps: []RecheckStep{
				{Until: Duration(6 * time.Hour), Every: Duration(15 * time.Minute)},
				{Until: Duration(48 * time.Hour), Every: Duration(time.Hour)},
				{Until: Duration(14 * day), Every: Duration(6 * time.Hour)},
			},
			StopAfter: Duration(30 * day),
		},
		Changes: Changes{FlapAfter: 2, FlapWindow: Duration(24 * time.Hour)},
		Web:     Web{Auth: AuthNone, SessionTTL: DefaultSessionTTL},
		Daemon: Daemon{
			Workers:          4,
			DeliveryInterval: Duration(5 * time.Second),
			MaxAttempts:      20,
			RetryBase:        Duration(10 * time.Second),
			RetryMax:         Duration(time.Hour),
			Tick:             Duration(5 * time.Second),
			Lease:            Duration(10 * time.Minute),
			SharedPoliteness: SharedAuto,
		},
	}
}
