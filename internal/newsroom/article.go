package newsroom

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Languages of the pages, as written in <html lang>.
const (
	langEN = "en"
	langZH = "zh-CN"
)

// article is one page of the site: a news article or, with Document set, a
// full-text document (an HTML page or, with PDF set, a PDF file). The
// script edits it in place.
type article struct {
	Path      string
	Listing   string // path of the feed, sitemap or index page listing it; "" for none
	Lang      string
	Section   string // breadcrumb and category
	Title     string // headline: <title>, og:title, <h1>, JSON-LD, feed entry
	Byline    string // "" means the agency's name in the page's language
	Published time.Time
	Modified  time.Time // zero means Published: never modified
	Paras     []string  // article body
	Sections  []section // document body
	Document  bool
	PDF       bool // served as a PDF file made from Sections; implies Document
	GBK       bool // served encoded as GBK instead of UTF-8
	Hidden    bool // not published yet: 404 and absent from its listing
	Deleted   bool // taken down: 404 and absent from its listing
	Unlisted  bool // dropped from its listing while still served
}

// section is a headed part of the document.
type section struct {
	ID      string
	Heading string
	Paras   []string
}

// live reports whether the article is served.
func (a *article) live() bool { return !a.Hidden && !a.Deleted }

// listed reports whether the article is served and its listing shows it.
func (a *article) listed() bool { return a.live() && !a.Unlisted }

// text returns all body paragraphs in order.
func (a *article) text() []string {
	ps := append([]string(nil), a.Paras...)
	for _, s := range a.Sections {
		ps = append(ps, s.Paras...)
	}
	return ps
}

// description is the first paragraph, for meta tags and feeds, as many
// publishers fill them.
func (a *article) description() string {
	if ps := a.text(); len(ps) > 0 {
		return ps[0]
	}
	return a.Title
}

// modified is the modification date the page states.
func (a *article) modified() time.Time {
	if a.Modified.IsZero() {
		return a.Published
	}
	return a.Modified
}

// replace substitutes new for old in every body paragraph. The script is a
// fixed table, so a missing fragment is a programming error caught by tests.
func (a *article) replace(old, new string) {
	n := 0
	edit := func(ps []string) {
		for i, p := range ps {
			if strings.Contains(p, old) {
				ps[i] = strings.ReplaceAll(p, old, new)
				n++
			}
		}
	}
	edit(a.Paras)
	for _, s := range a.Sections {
		edit(s.Paras)
	}
	if n == 0 {
		panic(fmt.Sprintf("newsroom: script edit of %s: %q not found", a.Path, old))
	}
}

// index returns the position of the body paragraph that starts with
// prefix. As with replace, a missing paragraph is a programming error.
func (a *article) index(prefix string) int {
	for i, p := range a.Paras {
		if strings.HasPrefix(p, prefix) {
			return i
		}
	}
	panic(fmt.Sprintf("newsroom: script edit of %s: no paragraph starts with %q", a.Path, prefix))
}

// move puts the paragraph starting with prefix at position to.
func (a *article) move(prefix string, to int) {
	i := a.index(prefix)
	p := a.Paras[i]
	a.Paras = slices.Insert(slices.Delete(a.Paras, i, i+1), to, p)
}

// remove deletes the paragraph starting with prefix and returns it with
// its position, for putting it back.
func (a *article) remove(prefix string) (string, int) {
	i := a.index(prefix)
	p := a.Paras[i]
	a.Paras = slices.Delete(a.Paras, i, i+1)
	return p, i
}

// insert puts p back at position i, where remove took it from.
func (a *article) insert(i int, p string) { a.Paras = slices.Insert(a.Paras, i, p) }
