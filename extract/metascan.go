package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// metaNodes are the elements the metadata readers look at, found in one
// walk of the tree instead of one selector query each. Each field is the
// first element in document order that the CSS selector in its comment
// would match, or nil; the slices hold every match in order.
type metaNodes struct {
	metas  []*html.Node // meta
	ldJSON []*html.Node // script[type="application/ld+json"]
	html   *html.Node   // html
	h1     *html.Node   // h1
	title  *html.Node   // title
	canon  *html.Node   // link[rel~="canonical"]
	// authors, in byline's order of preference: [rel="author"],
	// [itemprop="author"] [itemprop="name"], [itemprop="author"],
	// .byline, .author
	authors   [5]*html.Node
	published *html.Node // [itemprop="datePublished"]
	modified  *html.Node // [itemprop="dateModified"]
	pubdate   *html.Node // time[pubdate][datetime]
	artTime   *html.Node // article time[datetime]
}

// scanMeta walks every element below root, as goquery's Find does (no
// depth bound, the root itself excluded).
func scanMeta(root *html.Node) *metaNodes {
	m := &metaNodes{}
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		m.scan(c, false, false)
	}
	return m
}

// scan visits n and its subtree; inAuthor and inArticle say whether an
// ancestor of n has itemprop="author" or is an <article>.
func (m *metaNodes) scan(n *html.Node, inAuthor, inArticle bool) {
	if n.Type != html.ElementNode {
		return // only elements have element descendants
	}
	m.matchTag(n, inArticle)
	isAuthor := m.matchAttrs(n, inAuthor)
	inAuthor = inAuthor || isAuthor
	inArticle = inArticle || n.Data == "article"
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		m.scan(c, inAuthor, inArticle)
	}
}

// matchTag records n under the selectors that name its tag.
func (m *metaNodes) matchTag(n *html.Node, inArticle bool) {
	switch n.Data {
	case "meta":
		m.metas = append(m.metas, n)
	case "script":
		if attrIs(n, "type", "application/ld+json") {
			m.ldJSON = append(m.ldJSON, n)
		}
	case "html":
		setFirst(&m.html, n)
	case "h1":
		setFirst(&m.h1, n)
	case "title":
		setFirst(&m.title, n)
	case "link":
		if m.canon == nil && attrHasWord(n, "rel", "canonical") {
			m.canon = n
		}
	case "time":
		if m.pubdate == nil && hasAttr(n, "pubdate") && hasAttr(n, "datetime") {
			m.pubdate = n
		}
		if m.artTime == nil && inArticle && hasAttr(n, "datetime") {
			m.artTime = n
		}
	}
}

// matchAttrs records n under the attribute selectors it satisfies and
// reports whether it has itemprop="author".
func (m *metaNodes) matchAttrs(n *html.Node, inAuthor bool) (isAuthor bool) {
	for _, a := range n.Attr {
		switch a.Key {
		case "rel":
			if a.Val == "author" {
				setFirst(&m.authors[0], n)
			}
		case "itemprop":
			switch a.Val {
			case "name":
				if inAuthor {
					setFirst(&m.authors[1], n)
				}
			case "author":
				setFirst(&m.authors[2], n)
				isAuthor = true
			case "datePublished":
				setFirst(&m.published, n)
			case "dateModified":
				setFirst(&m.modified, n)
			}
		case "class":
			if strings.Contains(a.Val, "byline") && hasWord(a.Val, "byline") {
				setFirst(&m.authors[3], n)
			}
			if strings.Contains(a.Val, "author") && hasWord(a.Val, "author") {
				setFirst(&m.authors[4], n)
			}
		}
	}
	return isAuthor
}

func setFirst(dst **html.Node, n *html.Node) {
	if *dst == nil {
		*dst = n
	}
}

// attrIs reports an attribute key="val" ([key="val"]); like cascadia, any
// of duplicate attributes may match.
func attrIs(n *html.Node, key, val string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Val == val {
			return true
		}
	}
	return false
}

// attrHasWord reports an attribute whose whitespace-separated words
// include word ([key~="word"]).
func attrHasWord(n *html.Node, key, word string) bool {
	for _, a := range n.Attr {
		if a.Key == key && hasWord(a.Val, word) {
			return true
		}
	}
	return false
}

// hasWord reports word among the words of s split at HTML white space, as
// cascadia matches [attr~=word] and .class.
func hasWord(s, word string) bool {
	for s != "" {
		i := strings.IndexAny(s, " \t\r\n\f")
		if i == -1 {
			return s == word
		}
		if s[:i] == word {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// lookupAttr is the value of n's first attribute named key, as goquery's
// Attr gives it; a nil n has none.
func lookupAttr(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// nodeText is the text of n's subtree as goquery's Text gives it: every
// text node, whitespace kept, without a depth bound; "" for a nil n.
func nodeText(n *html.Node) string {
	if n == nil {
		return ""
	}
	if c := n.FirstChild; c != nil && c.NextSibling == nil && c.Type == html.TextNode {
		return c.Data // the common <title>, <h1> or <script> with one text child
	}
	var sb strings.Builder
	appendText(&sb, n)
	return sb.String()
}

func appendText(sb *strings.Builder, n *html.Node) {
	if n.Type == html.TextNode {
		sb.WriteString(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		appendText(sb, c)
	}
}
