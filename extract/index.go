package extract

import (
	"bytes"
	"fmt"
	"io"
	"net/url"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DefaultIndexMaxItems is IndexOptions.MaxItems' default: far more links
// than an index page lists, far fewer than a hostile page could.
const DefaultIndexMaxItems = 1000

// IndexOptions tunes one IndexLinks call. The zero value is valid: every
// link on the page to the page's own host.
type IndexOptions struct {
	BaseURL     *url.URL // the page's URL: resolves relative links and names the page's host; nil allows only Hosts
	ContentType string   // HTTP Content-Type header, a charset hint; may be ""
	Links       string   // CSS selector of article links, or of containers of them ("ul.news-list", "h3 a"); "" means every link
	Follow      string   // CSS selector of the next-page link(s), or of containers of them; "" means none
	Hosts       []string // hosts allowed besides the page's own: "example.com" exactly, "*.example.com" any host under it
	MaxItems    int      // cap on len(Items), and separately on len(Next); 0 means DefaultIndexMaxItems
	MaxBytes    int64    // cap on the body; 0 means MaxInputBytes
}

func (o IndexOptions) withDefaults() IndexOptions {
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultIndexMaxItems
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = MaxInputBytes
	}
	return o
}

// IndexResult is what an index page links to.
type IndexResult struct {
	Items    []Item   // article links in page order, one per URL; GUID and URL are the link, Title its text
	Next     []string // next-page URLs in page order, one per URL; never the page itself
	Charset  string   // charset the page was decoded from, e.g. "utf-8", "gbk"
	Excess   int      // distinct allowed links dropped because MaxItems were already kept (Items and Next)
	Rejected int      // matched links that are not http(s) URLs: javascript:, mailto:, "#", unparsable, over 4 KiB
	Offsite  int      // matched links to a host neither the page's nor in Hosts
}

// IndexLinks reads an HTML page that lists articles and returns the links
// its selectors match. It reads r to EOF (at most o.MaxBytes, else a
// *TooLargeError) and does not close it. The charset is found as HTML
// finds it. An element matched by o.Links or o.Follow that is not an
// <a href> stands for the links inside it. Links resolve against the
// page's <base href> or o.BaseURL; only absolute http(s) links to an
// allowed host are kept, without fragment. A URL found by o.Follow is
// not also an item, and links to the page itself are dropped, so a "next"
// link on the last page does not loop. An item's title is the link's
// text, else its title attribute, else the alt of an image in it; a later
// link to the same URL fills a title still empty (thumbnail, then
// headline). An invalid selector or host pattern is an error before r is
// read.
func IndexLinks(r io.Reader, o IndexOptions) (*IndexResult, error) {
	o = o.withDefaults()
	links, follow, err := indexSelectors(o)
	if err != nil {
		return nil, err
	}
	hosts, err := newHostSet(o.BaseURL, o.Hosts)
	if err != nil {
		return nil, err
	}
	b, err := readCapped(r, "index page", o.MaxBytes)
	if err != nil {
		return nil, err
	}
	text, cs, err := decode(b, o.ContentType)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("extract: index: parse html: %w", err)
	}
	c := newIndexCollector(o, hosts, documentBase(root, o.BaseURL))
	c.res.Charset = cs
	if follow != nil {
		for _, a := range anchors(root, follow) {
			c.addNext(a)
		}
	}
	for _, a := range anchors(root, links) {
		c.addItem(a)
	}
	return &c.res, nil
}

// indexSelectors compiles o.Links (default: every link) and o.Follow (nil
// when empty).
func indexSelectors(o IndexOptions) (links, follow goquery.Matcher, err error) {
	sel := o.Links
	if sel == "" {
		sel = "a[href]"
	}
	if links, err = cascadia.Compile(sel); err != nil {
		return nil, nil, fmt.Errorf("extract: index: links selector %q: %w", o.Links, err)
	}
	if o.Follow == "" {
		return links, nil, nil
	}
	if follow, err = cascadia.Compile(o.Follow); err != nil {
		return nil, nil, fmt.Errorf("extract: index: follow selector %q: %w", o.Follow, err)
	}
	return links, follow, nil
}

// documentBase is the URL relative links resolve against: the first
// <base href>, resolved against the page URL, if it is absolute http(s);
// else the page URL.
func documentBase(root *html.Node, page *url.URL) *url.URL {
	var href string
	var found bool
	walk(root, func(n *html.Node, _ int) bool {
		if !found && n.Type == html.ElementNode && n.DataAtom == atom.Base {
			href, found = lookupAttr(n, "href")
		}
		return !found
	})
	if _, u := absHTTP(href, page); found && u != nil {
		return u
	}
	return page
}

// anchors returns the <a href> elements m matches, and those inside other
// elements m matches, in page order. A match inside an already expanded
// match is skipped, so nested containers cost one walk, not one each.
func anchors(root *html.Node, m goquery.Matcher) []*html.Node {
	var out []*html.Node
	expanded := map[*html.Node]bool{}
	for _, n := range goquery.NewDocumentFromNode(root).FindMatcher(m).Nodes {
		if within(n, expanded) {
			continue
		}
		if isLink(n) {
			out = append(out, n)
			continue
		}
		expanded[n] = true
		walk(n, func(c *html.Node, _ int) bool {
			if isLink(c) {
				out = append(out, c)
			}
			return true
		})
	}
	return out
}

func isLink(n *html.Node) bool {
	return n.Type == html.ElementNode && n.DataAtom == atom.A && hasAttr(n, "href")
}

// within reports whether an ancestor of n is in set.
func within(n *html.Node, set map[*html.Node]bool) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if set[p] {
			return true
		}
	}
	return false
}
