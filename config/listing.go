package config

import (
	"fmt"
	"strings"
)

// Sitemap is a sitemap (an index of sitemaps, a URL set or a Google News
// sitemap, plain or gzipped) whose URLs are tracked as articles.
type Sitemap struct {
	Name     string   `toml:"name"`     // default: the URL's host and path
	URL      string   `toml:"url"`      // required, absolute http(s)
	Schedule Schedule `toml:"schedule"` // default "@every 1h"
	Robots   *bool    `toml:"robots"`
}

// Index is an HTML page listing articles, for sites without feeds.
type Index struct {
	Name     string   `toml:"name"`
	URL      string   `toml:"url"`      // required
	Schedule Schedule `toml:"schedule"` // default "@every 30m"
	Robots   *bool    `toml:"robots"`
	// Links is the CSS selector of the article links (or of elements
	// holding them); required.
	Links string `toml:"links"`
	// Hosts widens the hosts links may point to; by default only the
	// index page's own host ("example.com" or "*.example.com").
	Hosts []string `toml:"hosts"`
	// Follow is the CSS selector of the next-page link; pagination is
	// not followed unless it is set, and then for at most MaxPages pages.
	Follow   string `toml:"follow"`
	MaxPages int    `toml:"max_pages"` // default 1, or 5 when Follow is set; at most 100
}

// Default schedules of sitemaps and index pages.
const (
	DefaultSitemapSchedule = "@every 1h"
	DefaultIndexSchedule   = "@every 30m"
)

// Source kinds, as the daemon and the database name them.
const (
	KindFeed    = "feed"
	KindPage    = "page"
	KindSitemap = "sitemap"
	KindIndex   = "index"
)

// SourceSpec is any configured source, whatever its kind: what the daemon
// registers and schedules.
type SourceSpec struct {
	Kind     string
	Name     string
	URL      string
	Schedule Schedule
	Robots   *bool
	Index    *Index // the index page's own settings, for KindIndex
}

// Sources lists every configured source in file order by kind.
func (c *Config) Sources() []SourceSpec {
	var out []SourceSpec
	for _, f := range c.Feeds {
		out = append(out, SourceSpec{KindFeed, f.Name, f.URL, f.Schedule, f.Robots, nil})
	}
	for _, p := range c.Pages {
		out = append(out, SourceSpec{KindPage, p.Name, p.URL, p.Schedule, p.Robots, nil})
	}
	for _, s := range c.Sitemaps {
		out = append(out, SourceSpec{KindSitemap, s.Name, s.URL, s.Schedule, s.Robots, nil})
	}
	for i := range c.Indexes {
		x := &c.Indexes[i]
		out = append(out, SourceSpec{KindIndex, x.Name, x.URL, x.Schedule, x.Robots, x})
	}
	return out
}

// fillListingDefaults completes sitemap and index entries.
func (c *Config) fillListingDefaults() {
	for i := range c.Sitemaps {
		s := &c.Sitemaps[i]
		fillSource(&s.URL, &s.Name, &s.Schedule, DefaultSitemapSchedule)
	}
	for i := range c.Indexes {
		x := &c.Indexes[i]
		fillSource(&x.URL, &x.Name, &x.Schedule, DefaultIndexSchedule)
		if x.MaxPages == 0 {
			x.MaxPages = 1
			if x.Follow != "" {
				x.MaxPages = 5
			}
		}
	}
}

func fillSource(u, name *string, s *Schedule, def string) {
	if n, err := NormalizeURL(*u); err == nil {
		*u = n
	}
	if s.IsZero() {
		*s, _ = ParseSchedule(def)
	}
	if *name == "" {
		*name = defaultName(*u, true)
	}
}

// validateListings checks sitemap and index entries; check is the URL and
// duplicate check shared with feeds and pages.
func (c *Config) validateListings(p *problems, check func(key, raw string)) {
	for i, s := range c.Sitemaps {
		check(fmt.Sprintf("sitemap[%d].url", i), s.URL)
		schedule(p, fmt.Sprintf("sitemap[%d].schedule", i), s.Schedule)
	}
	for i, x := range c.Indexes {
		key := fmt.Sprintf("index[%d]", i)
		check(key+".url", x.URL)
		schedule(p, key+".schedule", x.Schedule)
		if x.Links == "" {
			p.add(key+".links", "required: the CSS selector of the article links")
		}
		selector(p, key+".links", x.Links)
		selector(p, key+".follow", x.Follow)
		inRange(p, key+".max_pages", x.MaxPages, 1, 100)
		for j, h := range x.Hosts {
			if t := strings.TrimPrefix(strings.ToLower(h), "*."); t == "" || strings.ContainsAny(t, "/:*@ ") {
				p.add(fmt.Sprintf("%s.hosts[%d]", key, j), "%q is not a host name (want \"example.com\" or \"*.example.com\")", h)
			}
		}
	}
}
