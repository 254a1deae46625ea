package newsroom

import (
	"fmt"
	"strings"
	"time"
)

// Languages of the pages, as written in <html lang>.
const (
	langEN = "en"
	langZH = "zh-CN"
)

// article is one page of the site: a news article or, with Document set, the
// stand-alone full-text document. The script edits it in place.
type article struct {
	Path      string
	Feed      string // path of the feed listing it; "" for the document
	Lang      string
	Section   string // breadcrumb and category
	Title     string // headline: <title>, og:title, <h1>, JSON-LD, feed entry
	Byline    string // "" means the agency's name in the page's language
	Published time.Time
	Paras     []string  // article body
	Sections  []section // document body
	Document  bool
	GBK       bool // served encoded as GBK instead of UTF-8
	Hidden    bool // not published yet: 404 and absent from its feed
	Deleted   bool // taken down: 404 and absent from its feed
}

// section is a headed part of the document.
type section struct {
	ID      string
	Heading string
	Paras   []string
}

// live reports whether the article is served and listed.
func (a *article) live() bool { return !a.Hidden && !a.Deleted }

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
