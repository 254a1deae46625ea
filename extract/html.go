package extract

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// HTML extracts the main text and metadata of an article page. It reads r to
// EOF (at most MaxInputBytes) and does not close it. The body text drops page
// chrome (navigation, headers, footers, sidebars, share bars, related links,
// counters, clocks) so that two fetches of an unedited article give the same
// Text. HTML never panics on hostile input; nodes nested deeper than
// maxDepth are ignored.
func HTML(r io.Reader, o Options) (*Article, error) {
	b, err := readInput(r)
	if err != nil {
		return nil, err
	}
	text, cs, err := decode(b, o.ContentType)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("extract: parse html: %w", err)
	}
	a := &Article{Charset: cs}
	readMeta(root, o.BaseURL, a)
	p := page{text: text, rule: o.Rule}
	p.removeRuled(root)
	a.Text = p.body(root, a)
	return a, nil
}

// page is one document being extracted. The generic extractor mutates the
// tree, so a second attempt parses text again.
type page struct {
	text []byte // UTF-8
	rule *Rule
}

// parse returns a fresh tree with the rule's Remove selectors applied. The
// text already parsed once, so parsing cannot fail here.
func (p page) parse() *html.Node {
	root, err := html.Parse(bytes.NewReader(p.text))
	if err != nil {
		root = &html.Node{Type: html.DocumentNode}
	}
	p.removeRuled(root)
	return root
}

func (p page) removeRuled(root *html.Node) {
	if p.rule == nil {
		return
	}
	doc := goquery.NewDocumentFromNode(root)
	for _, sel := range p.rule.Remove {
		if m, ok := compile(sel); ok {
			doc.FindMatcher(m).Remove()
		}
	}
}

// body returns the article text, honouring the operator's Rule if any.
func (p page) body(root *html.Node, a *Article) string {
	if p.rule == nil {
		return p.generic(root, a)
	}
	doc := goquery.NewDocumentFromNode(root)
	if m, ok := compile(p.rule.Title); ok {
		if t := collapse(doc.FindMatcher(m).First().Text()); t != "" {
			a.Title = t
		}
	}
	if m, ok := compile(p.rule.Body); ok {
		if nodes := doc.FindMatcher(m).Nodes; len(nodes) > 0 {
			var w textWriter
			for _, n := range nodes {
				w.render(n, nil)
				w.brk(brkPara)
			}
			return w.String()
		}
	}
	a.Fallback = true
	return p.generic(root, a)
}

// compile parses a CSS selector; an empty or invalid one is skipped (config
// validation is the place to report those).
func compile(sel string) (goquery.Matcher, bool) {
	if strings.TrimSpace(sel) == "" {
		return nil, false
	}
	m, err := cascadia.Compile(sel)
	if err != nil {
		return nil, false
	}
	return m, true
}
