// Package extract turns fetched bytes into values: feed items (via gofeed)
// and article text and metadata (via goquery). It is pure: bytes in, values
// out, no I/O, no clock. The same bytes always give the same result.
package extract

import (
	"net/url"
	"time"
)

// Version identifies the extractor's behaviour. It is stored with every
// version so that a change of extractor can be told apart from a publisher's
// edit. Bump it whenever output for the same input may change.
const Version = "3"

// Options tunes one extraction. The zero value is valid.
type Options struct {
	BaseURL     *url.URL // resolves relative links; may be nil
	ContentType string   // HTTP Content-Type header, used as a charset hint; may be ""
	Rule        *Rule    // operator's per-site rule; nil for the generic extractor
}

// Rule is an operator's per-site extraction rule (config [[site]]).
type Rule struct {
	Body   string   // CSS selector of the article body
	Title  string   // CSS selector of the title
	Remove []string // CSS selectors removed before extraction
}

// Article is what the extractor found on a page.
type Article struct {
	Title     string    `json:"title"`
	Byline    string    `json:"byline"`
	Published time.Time `json:"published"` // zero when unknown
	Modified  time.Time `json:"modified"`  // zero when unknown
	Lang      string    `json:"lang"`
	Canonical string    `json:"canonical"`
	Text      string    `json:"text"`     // body paragraphs separated by a blank line ("\n\n")
	Charset   string    `json:"charset"`  // charset the bytes were decoded from, e.g. "utf-8", "gbk"
	Fallback  bool      `json:"fallback"` // a Rule was given but its Body matched nothing; generic extractor used
}

// Channel is a parsed feed.
type Channel struct {
	Title string
	Link  string
	Items []Item
}

// Item is one feed entry.
type Item struct {
	GUID      string
	URL       string // absolute article link
	Title     string
	Published time.Time // zero when unknown
	Updated   time.Time
}
