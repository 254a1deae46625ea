package extract

import (
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// boilerWords in a class or id mark page furniture: navigation, sharing,
// related and recommended links, comments, newsletters, cookie notices.
var boilerWords = wordSet(
	"comment", "comments", "commentlist", "disqus", "related", "relatedposts",
	"sidebar", "share", "sharing", "sharebar", "shares", "social", "socials",
	"newsletter", "subscribe", "subscription", "cookie", "cookies", "consent",
	"gdpr", "breadcrumb", "breadcrumbs", "footer", "promo", "promotion", "advert",
	"advertisement", "advertising", "ads", "ad", "adsbygoogle", "sponsor",
	"sponsored", "recommended", "recommendations", "recommendation", "outbrain",
	"taboola", "trending", "navbar", "navigation", "nav", "menu", "pagination",
	"pager", "toolbar", "popup", "modal", "signup", "login",
	"tagcloud", "masthead", "skip", "mostread", "mostpopular", "readmore", "sitefooter",
	"seealso", "alsoread", "banner", "tags", "keywords", "viewcount", "pageviews",
	"authorbox", "authorbio", "authorinfo", "authordescription", "aboutauthor",
	"authorcontainer", "authorprofile", "postmetadata", "postmeta", "entrymeta",
	"articlemeta", "taglinks", "sociable", "nextpost", "prevpost", "nextstory",
	"postnavigation", "postnav", "affiliate", "kommentar", "kommentare", "newsletters",
	"paywall", "donation", "donate", "rating", "ratings", "postratings",
	"dialog", "lightbox", "overlay",
)

// interactiveWords name furniture that can outweigh a short article
// (a long comment thread, a login dialog with its legal text), so they
// are removed even when they hold most of the page's prose.
var interactiveWords = wordSet(
	"comment", "comments", "commentlist", "disqus", "login", "signup", "popup",
	"modal", "dialog", "overlay", "lightbox", "cookie", "cookies", "consent", "gdpr",
	"newsletter", "newsletters", "subscribe", "subscription",
)

// smallBoilerWords mark furniture only on small elements: a "views" or
// "clock" span is a counter, but Drupal wraps whole articles in "views".
var smallBoilerWords = wordSet(
	"views", "counter", "count", "clock", "time", "date", "timestamp",
	"hits", "visits", "reads", "print", "fontsize", "livetime",
	"caption", "credit", "credits", "copyright", "bildunterschrift", "bilduntertitel",
	"imagecaption", "wpcaption", "photo", "foto", "byline", "author", "meta",
)

// modifierWords introduce a word that describes the layout around an
// element, not the element: "with-sidebar", "has-ads", "no-comments".
var modifierWords = wordSet("with", "has", "no", "without", "is", "show", "hide", "hidden")

// boilerRoles are ARIA landmarks that are not the article.
var boilerRoles = wordSet(
	"navigation", "banner", "contentinfo", "complementary", "search", "menu",
	"menubar", "dialog", "alertdialog", "toolbar",
)

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// furniture says how sure an element is page furniture.
type furniture int

const (
	notFurniture   furniture = iota
	smallFurniture           // furniture if it holds little text
	isFurniture
	alwaysFurniture // furniture even when it holds most of the page's prose
)

// classify judges an element by its tag, role, visibility and class names.
func classify(n *html.Node) furniture {
	if chromeTags[n.DataAtom] || (n.DataAtom == atom.Header && !inArticle(n)) {
		return isFurniture
	}
	if len(n.Attr) > 0 && (isHidden(n) || boilerRoles[strings.ToLower(attr(n, "role"))]) {
		return isFurniture
	}
	if n.DataAtom == atom.Figure || n.DataAtom == atom.Figcaption {
		return smallFurniture // captions and credits, unless it holds real text
	}
	if len(n.Attr) == 0 {
		return notFurniture // no class or id to judge
	}
	f, content := notFurniture, false
	var tb [24]string
	var eb [8]int
	words, ends := classWords(n, tb[:0], eb[:0])
	start := 0
	for _, end := range ends {
		toks := words[start:end]
		start = end
		g := nameFurniture(toks)
		if g == notFurniture && slices.ContainsFunc(toks, func(t string) bool { return articleWords[t] }) {
			content = true
		}
		f = max(f, g)
	}
	if f >= isFurniture && content {
		// "ad-container article-content": the names describe both the
		// article and what sits around it; only its size can tell.
		return smallFurniture
	}
	return f
}

// nameFurniture judges one class name, split into words.
func nameFurniture(toks []string) furniture {
	f := notFurniture
	prev := wordKind(0) // kind of toks[i-1]
	for i, t := range toks {
		k := wordKinds[t]
		if i > 0 && prev&modifierWord != 0 {
			prev = k
			continue
		}
		prev = k
		if k&interactiveWord != 0 {
			return alwaysFurniture
		}
		if k&boilerWord != 0 || (i > 0 && wordKinds[toks[i-1]+t]&boilerWord != 0) {
			return isFurniture
		}
		if k&smallBoilerWord != 0 {
			f = smallFurniture
		}
	}
	return f
}

// wordKind says which of the word sets above hold a word.
type wordKind uint8

const (
	boilerWord wordKind = 1 << iota
	interactiveWord
	smallBoilerWord
	modifierWord
)

// wordKinds joins the word sets, so that judging a word takes one lookup.
var wordKinds = func() map[string]wordKind {
	m := make(map[string]wordKind)
	for k, set := range map[wordKind]map[string]bool{boilerWord: boilerWords,
		interactiveWord: interactiveWords, smallBoilerWord: smallBoilerWords, modifierWord: modifierWords} {
		for w := range set {
			m[w] |= k
		}
	}
	return m
}()

// inArticle reports whether a <header> belongs to the article (title,
// lead, byline) rather than to the site: it sits in an <article> or <main>,
// or its class says so.
func inArticle(n *html.Node) bool {
	var tb [24]string
	var eb [8]int
	words, _ := classWords(n, tb[:0], eb[:0])
	for _, t := range words {
		if articleWords[t] {
			return true
		}
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article || p.DataAtom == atom.Main {
			return true
		}
	}
	return false
}

var articleWords = wordSet("article", "entry", "post", "story", "content", "intro", "single", "artikel", "beitrag")

// classWords appends the words of each class name and of the id to
// words, and where each name's words end in words to ends (a name without
// words has no entry): name i is words[ends[i-1]:ends[i]]. A BEM modifier
// ("layout--sidebar-left") describes state, so only the part before "--"
// counts. Callers pass stack buffers, so judging an element allocates
// nothing.
func classWords(n *html.Node, words []string, ends []int) ([]string, []int) {
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		// The names are a.Val split as strings.Fields splits.
		s, start := a.Val, -1
		for i := 0; i <= len(s); {
			space, width := true, 1 // the end of s ends the last name
			if i < len(s) {
				space, width = spaceAt(s, i)
			}
			switch {
			case !space:
				if start < 0 {
					start = i
				}
			case start >= 0:
				name, _, _ := strings.Cut(s[start:i], "--")
				before := len(words)
				if words = appendWords(words, name); len(words) > before {
					ends = append(ends, len(words))
				}
				start = -1
			}
			i += width
		}
	}
	return words, ends
}

// isHidden reports elements a browser would not show.
func isHidden(n *html.Node) bool {
	if hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	style := strings.ToLower(attr(n, "style"))
	if style == "" {
		return false
	}
	style = strings.ReplaceAll(style, " ", "")
	return strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden")
}

// smallText is the most text a "small" furniture element may hold.
func smallText(n *html.Node) int {
	return 300
}

// neverRemoved are containers too large to be judged by their class: a
// body with class "has-sidebar" is still the page.
var neverRemoved = setOf(atom.Html, atom.Body, atom.Main, atom.Article)

// clean removes comments, non-text elements and page furniture from the
// tree. A furniture element that holds most of the page's text is kept: its
// class described the layout ("page-with-sidebar"), not its content.
func clean(root *html.Node, classes bool, m *measurer) {
	st := m.measure(root)
	total := st[root].prose
	var doomed []*html.Node
	walk(root, func(n *html.Node, depth int) bool {
		switch n.Type {
		case html.CommentNode, html.DoctypeNode:
			doomed = append(doomed, n)
			return false
		case html.ElementNode:
		default:
			return true
		}
		if droppedTags[n.DataAtom] {
			doomed = append(doomed, n)
			return false
		}
		if neverRemoved[n.DataAtom] {
			return true
		}
		in := st[n]
		kind := classify(n)
		if !classes && kind >= isFurniture && !chromeTags[n.DataAtom] && !isHidden(n) {
			kind = notFurniture
		}
		switch kind {
		case notFurniture:
			return true
		case smallFurniture:
			if in.text > smallText(n) || in.paras > 0 {
				return true
			}
		case isFurniture:
			if total > 0 && in.prose*10 >= total*4 {
				return true
			}
		case alwaysFurniture:
			if holdsMain(n) {
				return true
			}
		}
		doomed = append(doomed, n)
		return false
	})
	for _, n := range doomed {
		if n.Parent == nil {
			continue
		}
		// A space keeps the words on either side apart, as the removed
		// element did on screen ("Read<span class=ad>Ad</span>on").
		if n.Type == html.ElementNode && !droppedTags[n.DataAtom] {
			n.Parent.InsertBefore(&html.Node{Type: html.TextNode, Data: " "}, n)
		}
		n.Parent.RemoveChild(n)
	}
}

// holdsMain reports a layout wrapper: an element whose furniture-like
// class ("dialog-off-canvas-main-canvas") wraps the page's <main> or
// <article>.
func holdsMain(n *html.Node) bool {
	found := false
	walk(n, func(c *html.Node, _ int) bool {
		if c != n && c.Type == html.ElementNode && (c.DataAtom == atom.Main || c.DataAtom == atom.Article) {
			found = true
		}
		return !found
	})
	return found
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
