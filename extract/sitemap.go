package extract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// ErrNotSitemap is returned when a body is not a sitemap: it has no root
// element, or the root is neither <urlset> nor <sitemapindex>.
var ErrNotSitemap = errors.New("extract: not a sitemap")

// The sitemap protocol (sitemaps.org) allows at most 50,000 URLs and 50 MiB
// uncompressed per file; these are SitemapOptions' defaults.
const (
	DefaultSitemapMaxBytes = 50 << 20
	DefaultSitemapMaxItems = 50_000
)

// SitemapOptions tunes one Sitemap call. The zero value is valid.
type SitemapOptions struct {
	BaseURL  *url.URL // the sitemap's own URL: resolves relative locs; may be nil
	MaxBytes int64    // cap on the body after gunzip; 0 means DefaultSitemapMaxBytes
	MaxItems int      // cap on len(Items)+len(Sitemaps); 0 means DefaultSitemapMaxItems
}

func (o SitemapOptions) withDefaults() SitemapOptions {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultSitemapMaxBytes
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultSitemapMaxItems
	}
	return o
}

// SitemapResult is what one sitemap file lists. A <urlset> fills Items, a
// <sitemapindex> fills Sitemaps; the other stays nil.
type SitemapResult struct {
	// Items are the <url> entries in document order, one per URL (the first
	// wins). GUID and URL are the loc, Updated is <lastmod>; a Google News
	// entry also sets Title (<news:title>) and Published
	// (<news:publication_date>).
	Items    []Item
	Sitemaps []SitemapRef // the <sitemap> entries of a sitemap index, in document order, one per URL
	Excess   int          // acceptable entries dropped because MaxItems were already kept
	Rejected int          // entries whose loc is missing or not an absolute http(s) URL, or a field over 4 KiB
}

// SitemapRef is one child sitemap named by a sitemap index.
type SitemapRef struct {
	URL     string
	LastMod time.Time // zero when absent or unparsable
}

// Sitemap reads a sitemap: a <urlset> (plain or Google News) or a
// <sitemapindex>. It reads r until the root element ends and does not close
// it. A body starting with the gzip magic is gunzipped. The body, after
// gunzip, may be at most o.MaxBytes long, else the error is a
// *TooLargeError (errors.Is ErrTooLarge); so is a single text node over
// 1 MiB. Sitemap decodes token by token: memory is bounded by o.MaxItems,
// not by the body. Entries past o.MaxItems are counted in Excess, not
// kept. Relative locs are resolved against o.BaseURL; only absolute http
// and https URLs are kept, without fragment, and the rest are counted in
// Rejected. Element names are matched without regard to namespace or
// prefix. A body that is not a sitemap gives an error wrapping
// ErrNotSitemap ("extract: not a sitemap: root element <html>"); a body
// cut short gives an XML syntax error, never a partial result.
func Sitemap(r io.Reader, o SitemapOptions) (*SitemapResult, error) {
	o = o.withDefaults()
	in, err := xmlInput(r, o.MaxBytes)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(in)
	d.Strict = false          // tolerate bare '&' in URLs and unclosed tags
	d.Entity = xml.HTMLEntity // &nbsp; and friends in news titles
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) {
		return r, nil // xmlInput decoded to UTF-8 already
	}
	root, err := sitemapRoot(d)
	if err != nil {
		return nil, err
	}
	s := sitemapReader{d: d, o: o, index: root == "sitemapindex", seen: map[string]bool{}}
	if err := s.entries(); err != nil {
		return nil, sitemapError(err)
	}
	return &s.res, nil
}

// sitemapError names a decoding failure; size limits keep their own words.
func sitemapError(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return err
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("extract: sitemap: %w", err)
}

func isSyntaxError(err error) bool {
	_, ok := errors.AsType[*xml.SyntaxError](err)
	return ok
}

// sitemapRoot reads up to the root element and returns its local name.
func sitemapRoot(d *xml.Decoder) (string, error) {
	for {
		t, err := d.Token()
		switch {
		case err == io.EOF:
			return "", fmt.Errorf("%w: no root element", ErrNotSitemap)
		case isSyntaxError(err):
			return "", fmt.Errorf("%w: %w", ErrNotSitemap, err)
		case err != nil:
			return "", sitemapError(err) // a read, gunzip or size error says nothing of the kind of body
		}
		switch t := t.(type) {
		case xml.StartElement:
			if name := t.Name.Local; name == "urlset" || name == "sitemapindex" {
				return name, nil
			}
			return "", fmt.Errorf("%w: root element <%s>", ErrNotSitemap, clip(t.Name.Local, 64))
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return "", fmt.Errorf("%w: text before the root element", ErrNotSitemap)
			}
		}
	}
}

// sitemapReader holds the state of one Sitemap call after the root.
type sitemapReader struct {
	d     *xml.Decoder
	o     SitemapOptions
	index bool            // <sitemapindex>: entries are <sitemap>, not <url>
	seen  map[string]bool // URLs kept, at most o.MaxItems
	res   SitemapResult
}

// sitemapEntry is the raw text of one <url> or <sitemap>.
type sitemapEntry struct {
	loc, lastmod, title, published string
	long                           bool // a field was over maxFieldBytes
}

// entries reads the root's children up to its end tag.
func (s *sitemapReader) entries() error {
	want := "url"
	if s.index {
		want = "sitemap"
	}
	return s.children(func(name string) error {
		if name != want {
			return s.d.Skip()
		}
		var e sitemapEntry
		if err := s.children(e.field(s)); err != nil {
			return err
		}
		s.add(e)
		return nil
	})
}

// field returns the visitor of an entry's children: <loc>, <lastmod> and
// <news:news>. Other extensions (image:, video:, xhtml:link) are skipped.
func (e *sitemapEntry) field(s *sitemapReader) func(string) error {
	return func(name string) error {
		switch name {
		case "loc":
			return s.text(e, &e.loc)
		case "lastmod":
			return s.text(e, &e.lastmod)
		case "news":
			return s.children(func(name string) error {
				switch name {
				case "title":
					return s.text(e, &e.title)
				case "publication_date":
					return s.text(e, &e.published)
				}
				return s.d.Skip()
			})
		}
		return s.d.Skip()
	}
}

// children calls visit with the local name of each child of the element
// just started; visit must consume the child (text, children or Skip).
// children returns after the element's end tag.
func (s *sitemapReader) children(visit func(name string) error) error {
	for {
		t, err := s.d.Token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if err := visit(t.Name.Local); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text stores in dst the character data of the element just started,
// nested elements included, trimmed. A field over maxFieldBytes marks the
// entry too long instead: it is never kept cut short.
func (s *sitemapReader) text(e *sitemapEntry, dst *string) error {
	var b []byte
	for depth := 1; depth > 0; {
		t, err := s.d.Token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			b = append(b, t[:min(len(t), maxFieldBytes+1-len(b))]...)
		}
	}
	if len(b) > maxFieldBytes {
		e.long = true
	}
	*dst = string(bytes.TrimSpace(b))
	return nil
}

// add keeps, counts or drops one entry.
func (s *sitemapReader) add(e sitemapEntry) {
	u, _ := absHTTP(e.loc, s.o.BaseURL)
	switch {
	case u == "" || e.long:
		s.res.Rejected++
		return
	case s.seen[u]:
		return
	case len(s.seen) >= s.o.MaxItems:
		s.res.Excess++
		return
	}
	s.seen[u] = true
	if s.index {
		s.res.Sitemaps = append(s.res.Sitemaps, SitemapRef{URL: u, LastMod: w3cDate(e.lastmod)})
		return
	}
	s.res.Items = append(s.res.Items, Item{GUID: u, URL: u, Title: collapse(e.title),
		Published: w3cDate(e.published), Updated: w3cDate(e.lastmod)})
}

// w3cDate reads a W3C Datetime ("2024", "2024-01", "2024-01-23",
// "2024-01-23T10:30+08:00", "2024-01-23T10:30:00.5Z") or any form
// parseDate knows; zero when none fits.
func w3cDate(s string) time.Time {
	if t := parseDate(s); !t.IsZero() {
		return t
	}
	for _, l := range [...]string{"2006-01", "2006"} {
		if t, err := time.Parse(l, s); err == nil && plausible(t) {
			return t
		}
	}
	return time.Time{}
}

// clip cuts s to at most n bytes on a rune boundary, for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
