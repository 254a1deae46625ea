package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pass is one attempt of the generic extractor. The first is strict; when
// it yields almost nothing, a lenient one that trusts no class names and
// prunes nothing is tried, as readability does.
type pass struct {
	classes bool // remove furniture named by class, id or role
	prune   bool // drop link lists and negatively named blocks inside the article
}

// shortText is the weighted length below which the strict pass is deemed
// to have missed the article.
const shortText = 250

// generic finds the article body without a site rule: strip furniture,
// score containers, take the best one with its related siblings, and render
// it without the link lists and boxes left inside.
func (p page) generic(root *html.Node, a *Article) string {
	var m measurer
	text := extractPass(root, pass{classes: true, prune: true}, &m)
	l, _ := weigh(text)
	if l < shortText {
		lenient := extractPass(p.parse(), pass{}, &m)
		if l2, _ := weigh(lenient); l2 > 2*l {
			text = lenient
		}
	}
	return trimHead(trimTail(text), a.Title, a.Byline)
}

func extractPass(root *html.Node, ps pass, m *measurer) string {
	clean(root, ps.classes, m)
	st := m.measure(root)
	top := scoreTree(root, st)
	if top == nil {
		top = findBody(root)
	}
	top = expand(promote(top, st), st)
	parts := siblings(top, st)
	if first := firstItem(top, st); first != top {
		parts = []*html.Node{first} // the other posts are not this page's
	}
	var w textWriter
	for _, part := range parts {
		skip := func(n *html.Node) bool {
			return n != part && ps.prune && (pruned(n, st) || orphanHeading(n, part, st))
		}
		w.render(part, skip)
		w.brk(brkPara)
	}
	return w.String()
}

func findBody(root *html.Node) *html.Node {
	var body *html.Node
	walk(root, func(n *html.Node, _ int) bool {
		if n.DataAtom == atom.Body && n.Type == html.ElementNode {
			body = n
		}
		return body == nil
	})
	if body == nil {
		return root
	}
	return body
}

// promote climbs from the best container to an ancestor that scores even
// higher (the article split into sections), or past wrappers that hold
// nothing else.
func promote(top *html.Node, st stats) *html.Node {
	in := st[top]
	if in == nil || !in.scored {
		return top
	}
	last, threshold := in.score, in.score/3
	for p := top.Parent; p != nil && p.DataAtom != atom.Body && p.Type == html.ElementNode; p = p.Parent {
		pi := st[p]
		if pi == nil || !pi.scored {
			continue
		}
		if pi.score < threshold {
			break
		}
		if pi.score > last {
			top = p
			break
		}
		last = pi.score
	}
	for p := top.Parent; p != nil && p.Type == html.ElementNode && p.DataAtom != atom.Body && onlyElementChild(p, top); p = p.Parent {
		top = p
	}
	return top
}

// expand widens the chosen container to ancestors whose extra content is
// prose, not links: the lead paragraph, subheadings and intro that sit
// next to the body in the article's own wrapper, or the other sections of
// an article split into blocks (page builders, "paragraph" components),
// which may together outweigh the best one. Furniture left inside is
// pruned when rendering.
func expand(top *html.Node, st stats) *html.Node {
	for range 6 {
		p := top.Parent
		if p == nil || p.Type != html.ElementNode || p.DataAtom == atom.Body || p.DataAtom == atom.Html {
			break
		}
		ti, pi := st[top], st[p]
		if ti == nil || pi == nil {
			break
		}
		extra, links, prose := pi.text-ti.text, pi.link-ti.link, pi.prose-ti.prose
		if extra > 0 && (links*10 > extra*2 || (extra*2 > ti.text && prose*10 < extra*6)) {
			break
		}
		top = p
	}
	return top
}

// firstItem returns the first of a run of like items (same tag and
// class, each with a title and prose) that top belongs to, or top: on a
// blog page listing several posts, or a forum thread, whose posts were
// not joined as one text, the first is the page's own.
func firstItem(top *html.Node, st stats) *html.Node {
	x := top
	for range 10 {
		if x.Parent == nil || x.Parent.Type != html.ElementNode || x.Parent.DataAtom == atom.Body {
			break
		}
		if first := firstLike(x, st); first != nil {
			return first
		}
		x = x.Parent
	}
	return top
}

// firstLike returns the first sibling of x like it when x is one of at
// least three, or nil.
func firstLike(x *html.Node, st stats) *html.Node {
	in := st[x]
	if in == nil || in.prose < 100 {
		return nil
	}
	sig := attr(x, "class")
	var first *html.Node
	n := 0
	for s := x.Parent.FirstChild; s != nil; s = s.NextSibling {
		si := st[s]
		if s.Type != html.ElementNode || s.DataAtom != x.DataAtom || attr(s, "class") != sig || si == nil || si.prose < 100 {
			continue
		}
		n++
		if first == nil && si.prose >= 200 {
			first = s
		}
	}
	if n >= 3 && first != x && hasTitle(first) && hasTitle(x) {
		return first
	}
	return nil
}

// hasTitle reports whether n holds a heading: posts in a list each have
// one, the rows of one article's layout do not.
func hasTitle(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node, _ int) bool {
		if found || c.Type != html.ElementNode {
			return !found
		}
		if headingTags[c.DataAtom] {
			found = true
		}
		var tb [24]string
		var eb [8]int
		words, _ := classWords(c, tb[:0], eb[:0])
		for _, t := range words {
			found = found || titleWords[t]
		}
		return !found
	})
	return found
}

var titleWords = wordSet("title", "headline", "heading", "subject")

func onlyElementChild(p, c *html.Node) bool {
	for x := p.FirstChild; x != nil; x = x.NextSibling {
		if x != c && (x.Type == html.ElementNode || (x.Type == html.TextNode && strings.TrimSpace(x.Data) != "")) {
			return false
		}
	}
	return true
}

// siblings returns top with those of its siblings that look like more of
// the article: well-scored containers and prose paragraphs.
func siblings(top *html.Node, st stats) []*html.Node {
	in := st[top]
	if top.Parent == nil || in == nil {
		return []*html.Node{top}
	}
	threshold := max(10, in.score*0.2)
	class := attr(top, "class")
	var out []*html.Node
	for s := top.Parent.FirstChild; s != nil; s = s.NextSibling {
		if s == top {
			out = append(out, s)
			continue
		}
		si := st[s]
		if s.Type != html.ElementNode || si == nil {
			continue
		}
		bonus := 0.0
		if class != "" && attr(s, "class") == class {
			bonus = in.score * 0.2
		}
		if si.scored && si.score+bonus >= threshold {
			out = append(out, s)
			continue
		}
		if (s.DataAtom == atom.P || proseBlock(s, si)) && isProse(s, si) {
			out = append(out, s)
		}
	}
	return out
}

// proseBlock reports a sibling block that is mostly paragraphs: the next
// section of an article split by an ad slot or a page builder, as opposed
// to a form, a trackback line or a teaser box.
func proseBlock(n *html.Node, in *nodeInfo) bool {
	switch n.DataAtom {
	case atom.Div, atom.Section, atom.Blockquote:
		return in.text >= 150 && in.prose*10 >= in.text*7
	}
	return false
}

func isProse(n *html.Node, in *nodeInfo) bool {
	ld := in.linkDensity()
	if in.text > 80 && ld < 0.25 {
		return true
	}
	if in.text == 0 || ld > 0 {
		return false
	}
	t := strings.TrimSpace(textOf(n))
	return strings.HasSuffix(t, ".") || strings.HasSuffix(t, "。")
}

// pruned reports blocks inside the chosen container that are link lists or
// furniture rather than prose.
func pruned(n *html.Node, st stats) bool {
	if n.Type != html.ElementNode {
		return false
	}
	in := st[n]
	if in == nil || !blockTags[n.DataAtom] || in.text == 0 {
		return false
	}
	ld := in.linkDensity()
	switch {
	case ld > 0.5:
		return true
	case classWeight(n) < 0 && in.paras == 0 && in.text < 200:
		return true
	}
	return false
}

// orphanHeading reports a heading or short lead-in line ("Related
// articles", "Read more:") whose following block is a pruned link list, or
// that ends the article: a title with nothing to introduce.
func orphanHeading(n, part *html.Node, st stats) bool {
	in := st[n]
	if in == nil || n.Type != html.ElementNode || in.link > 0 {
		return false
	}
	heading := headingTags[n.DataAtom]
	if !heading && !((n.DataAtom == atom.P || n.DataAtom == atom.Div) && in.text < 40 && in.blocks == 0) {
		return false
	}
	next := nextBlock(n, part, st)
	if next == nil {
		return heading
	}
	return pruned(next, st)
}

// nextBlock is the element that follows n's subtree inside part.
func nextBlock(n, part *html.Node, st stats) *html.Node {
	for x := n; x != nil && x != part; x = x.Parent {
		for s := x.NextSibling; s != nil; s = s.NextSibling {
			if in := st[s]; in != nil && in.text > 0 {
				return s
			}
		}
	}
	return nil
}

// textOf is the raw text content of n.
func textOf(n *html.Node) string {
	var sb strings.Builder
	walk(n, func(c *html.Node, _ int) bool {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
		}
		return true
	})
	return sb.String()
}
