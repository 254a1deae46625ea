package extract

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// Feed parses an RSS, Atom or JSON Feed document. It reads r to EOF (at most
// MaxInputBytes) and does not close it. Item links are made absolute against
// the feed's own link, itself resolved against o.BaseURL (the feed's URL);
// items without a link are skipped, and an item without a GUID is keyed by
// its link. Encodings declared in the XML prolog are honoured.
func Feed(r io.Reader, o Options) (*Channel, error) {
	b, err := readInput(r)
	if err != nil {
		return nil, err
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("extract: parse feed: %w", err)
	}
	site := resolve(f.Link, o.BaseURL)
	base := o.BaseURL
	if u, err := url.Parse(site); err == nil && u.IsAbs() {
		base = u
	}
	ch := &Channel{Title: collapse(f.Title), Link: site}
	for _, it := range f.Items {
		if item, ok := feedItem(it, base); ok {
			ch.Items = append(ch.Items, item)
		}
	}
	return ch, nil
}

func feedItem(it *gofeed.Item, base *url.URL) (Item, bool) {
	if it == nil {
		return Item{}, false
	}
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	link = resolve(link, base)
	if link == "" {
		return Item{}, false
	}
	guid := strings.TrimSpace(it.GUID)
	if guid == "" {
		guid = link
	}
	return Item{
		GUID:      guid,
		URL:       link,
		Title:     collapse(it.Title),
		Published: utc(it.PublishedParsed),
		Updated:   utc(it.UpdatedParsed),
	}, true
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
