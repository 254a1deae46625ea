package extract

import (
	"math"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// minParagraph is the weighted length below which a block does not count as
// a paragraph when scoring containers.
const minParagraph = 25

var (
	positiveWords = wordSet("article", "body", "content", "entry", "hentry", "main",
		"page", "post", "text", "blog", "story", "artikel", "inhalt", "beitrag", "news",
		"detail", "single", "rte", "paragraph", "prose", "richtext")
	negativeWords = wordSet("hidden", "banner", "combx", "comment", "contact", "foot",
		"footer", "footnote", "masthead", "media", "meta", "outbrain", "promo",
		"related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor",
		"shopping", "tags", "tool", "widget", "teaser", "author", "byline", "caption",
		"credit", "date", "info", "nav", "menu", "header", "subscribe", "social")
)

var listItem = setOf(atom.Li, atom.Dd, atom.Dt, atom.Th)

// classWeight scores an element's class and id words: content-like names
// pull it towards being the article, furniture-like names away.
func classWeight(n *html.Node) float64 {
	w := 0.0
	var tb [24]string
	for _, key := range [...]string{"class", "id"} {
		toks := appendWords(tb[:0], attr(n, key))
		pos, neg := false, false
		for _, t := range toks {
			pos = pos || positiveWords[t]
			neg = neg || negativeWords[t]
		}
		if pos {
			w += 25
		}
		if neg {
			w -= 25
		}
	}
	return w
}

func tagWeight(n *html.Node) float64 {
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main:
		return 5
	case atom.Pre, atom.Td, atom.Blockquote:
		return 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		return -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		return -5
	}
	return 0
}

// scoreTree gives every container a readability-style score from the
// paragraphs below it and returns the best one, or nil.
func scoreTree(root *html.Node, st stats) *html.Node {
	var candidates []*html.Node
	walk(root, func(n *html.Node, depth int) bool {
		in := st[n]
		if n.Type != html.ElementNode || in == nil {
			return n.Type == html.DocumentNode
		}
		if in.own < minParagraph || headingTags[n.DataAtom] || inlineTags[n.DataAtom] {
			return true
		}
		s := 1 + float64(in.commas) + min(float64(in.own/100), 3)
		if listItem[n.DataAtom] {
			// Lists of references or links are comma-rich; their items
			// count as short paragraphs.
			s = 1 + min(float64(in.own/100), 3)
		}
		target := n.Parent
		if in.blocks > 0 {
			target = n // loose text between blocks: n is the container
		}
		for level := 0; target != nil && target.Type == html.ElementNode && level < 5; level++ {
			ti := st[target]
			if ti == nil {
				break
			}
			if !ti.scored {
				ti.scored = true
				ti.score = tagWeight(target) + classWeight(target)
				candidates = append(candidates, target)
			}
			ti.score += s / divider(level)
			target = target.Parent
		}
		return true
	})
	var best *html.Node
	bestScore := 0.0
	for _, c := range candidates {
		in := st[c]
		// Penalise links more than linearly: a long list of teasers or
		// forum replies, each with a short unlinked blurb, otherwise
		// outscores a short article.
		keep := 1 - in.linkDensity()
		in.score *= keep * math.Sqrt(keep)
		if best == nil || in.score > bestScore {
			best, bestScore = c, in.score
		}
	}
	return best
}

func divider(level int) float64 {
	switch level {
	case 0:
		return 1
	case 1:
		return 2
	}
	return float64(level * 3)
}
