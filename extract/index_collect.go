package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// indexCollector applies IndexLinks' rules to one link at a time.
type indexCollector struct {
	max   int
	hosts hostSet
	base  *url.URL
	self  string         // the page's own URL, never returned
	seen  map[string]int // URL → index in res.Items, or -1 for a next page or a dropped excess link
	weak  map[int]bool   // items whose title is not link text but a title or alt attribute
	res   IndexResult
}

func newIndexCollector(o IndexOptions, hosts hostSet, base *url.URL) *indexCollector {
	c := &indexCollector{max: o.MaxItems, hosts: hosts, base: base, seen: map[string]int{}, weak: map[int]bool{}}
	if o.BaseURL != nil {
		c.self, _ = absHTTP(o.BaseURL.String(), nil)
	}
	return c
}

// allowed resolves a's href and counts it if it is not a link to keep.
// It returns "" for a link to drop.
func (c *indexCollector) allowed(a *html.Node) string {
	href, _ := lookupAttr(a, "href")
	s, u := absHTTP(href, c.base)
	switch {
	case u == nil:
		c.res.Rejected++
		return ""
	case !c.hosts.allow(u):
		c.res.Offsite++
		return ""
	case s == c.self:
		return ""
	}
	return s
}

func (c *indexCollector) addNext(a *html.Node) {
	s := c.allowed(a)
	if _, dup := c.seen[s]; s == "" || dup {
		return
	}
	c.seen[s] = -1
	if len(c.res.Next) >= c.max {
		c.res.Excess++
		return
	}
	c.res.Next = append(c.res.Next, s)
}

func (c *indexCollector) addItem(a *html.Node) {
	s := c.allowed(a)
	if s == "" {
		return
	}
	i, dup := c.seen[s]
	switch {
	case dup && i >= 0:
		c.retitle(i, a)
	case dup:
	case len(c.res.Items) >= c.max:
		c.seen[s] = -1
		c.res.Excess++
	default:
		title, weak := linkTitle(a)
		c.seen[s], c.weak[len(c.res.Items)] = len(c.res.Items), weak
		c.res.Items = append(c.res.Items, Item{GUID: s, URL: s, Title: title})
	}
}

// retitle gives item i the title of a later link to the same URL if the
// item has none, or only an attribute's and the link has text: a teaser's
// image link comes before its headline.
func (c *indexCollector) retitle(i int, a *html.Node) {
	if !c.weak[i] && c.res.Items[i].Title != "" {
		return
	}
	if title, weak := linkTitle(a); title != "" && (!weak || c.res.Items[i].Title == "") {
		c.res.Items[i].Title, c.weak[i] = title, weak
	}
}

// linkTitle is the link's text, else its title attribute, else the alt
// text of the first image inside it; weak tells the last two.
func linkTitle(a *html.Node) (title string, weak bool) {
	var w textWriter
	w.render(a, nil)
	if t := collapse(w.String()); t != "" {
		return t, false
	}
	if t, _ := lookupAttr(a, "title"); strings.TrimSpace(t) != "" {
		return collapse(t), true
	}
	var alt string
	walk(a, func(n *html.Node, _ int) bool {
		if alt == "" && n.Type == html.ElementNode && n.DataAtom == atom.Img {
			alt, _ = lookupAttr(n, "alt")
			alt = collapse(alt)
		}
		return alt == ""
	})
	return alt, true
}
