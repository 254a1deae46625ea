package daemon

import (
	"bytes"
	"errors"

	"github.com/stet/stet/config"
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/extract"
)

// A listing source (a feed, a sitemap, an index page) is read like any
// other fetch (fetchOnce, captureOf, the shared health accounting); its
// kind only says how to read a body into links. Adding a kind means a
// reader here and its config entry.
type listingReader func(l *listingCheck, resp *crawler.Response) (links, error)

// listingReaders is the table of listing kinds.
var listingReaders = map[string]listingReader{
	config.KindFeed:    readFeed,
	config.KindSitemap: readSitemap,
	config.KindIndex:   readIndex,
}

// links is what one listing document says.
type links struct {
	items []extract.Item
	more  []string // further documents of the same listing: child sitemaps, next pages
	// dropped counts the entries the reader left out: not http(s), off
	// the allowed hosts, or past its cap.
	dropped int
}

// listingKinds lists the kinds that are read as listings.
func listingKinds() []string {
	out := make([]string, 0, len(listingReaders))
	for k := range listingReaders {
		out = append(out, k)
	}
	return out
}

// readFeed reads an RSS, Atom or JSON feed.
func readFeed(_ *listingCheck, resp *crawler.Response) (links, error) {
	ch, err := extract.Feed(bytes.NewReader(resp.Body), extract.Options{BaseURL: parseURL(resp.FinalURL), ContentType: resp.ContentType})
	if err != nil {
		return links{}, err
	}
	return links{items: ch.Items}, nil
}

// readSitemap reads a sitemap index, URL set or news sitemap.
func readSitemap(l *listingCheck, resp *crawler.Response) (links, error) {
	sm, err := extract.Sitemap(bytes.NewReader(resp.Body), extract.SitemapOptions{BaseURL: parseURL(resp.FinalURL),
		MaxBytes: l.d.cfg.Fetch.MaxBody.Int64(), MaxItems: l.d.cfg.Fetch.MaxFeedItems})
	if err != nil {
		return links{}, err
	}
	lk := links{items: sm.Items, dropped: sm.Rejected + sm.Excess}
	for _, c := range sm.Sitemaps {
		lk.more = append(lk.more, c.URL)
	}
	return lk, nil
}

// readIndex reads an HTML index page with the source's selectors.
func readIndex(l *listingCheck, resp *crawler.Response) (links, error) {
	x := l.d.indexOf(l.src.ID)
	if x == nil {
		return links{}, errors.New("index page no longer configured")
	}
	r, err := extract.IndexLinks(bytes.NewReader(resp.Body), extract.IndexOptions{BaseURL: parseURL(resp.FinalURL),
		ContentType: resp.ContentType, Links: x.Links, Follow: x.Follow, Hosts: x.Hosts, MaxItems: l.d.cfg.Fetch.MaxFeedItems,
		MaxBytes: l.d.cfg.Fetch.MaxBody.Int64()})
	if err != nil {
		return links{}, err
	}
	return links{items: r.Items, more: r.Next, dropped: r.Rejected + r.Offsite + r.Excess}, nil
}
