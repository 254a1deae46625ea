package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// pageMeta gathers the metadata candidates of a page before any cleaning.
type pageMeta struct {
	meta map[string]string // lower-case name/property/itemprop -> first content
	ld   ldArticle
}

// readMeta fills a's title, byline, dates, language and canonical URL.
func readMeta(root *html.Node, base *url.URL, a *Article) {
	doc := scanMeta(root)
	pm := pageMeta{meta: metaTags(doc), ld: jsonLD(doc)}
	a.Title = title(doc, pm)
	a.Byline = byline(doc, pm)
	a.Published, a.Modified = dates(root, doc, pm)
	a.Lang = lang(doc, pm)
	a.Canonical = canonical(doc, pm, base)
}

// metaTags indexes <meta> and itemprop elements by name, property and
// itemprop. The first occurrence wins, so the result does not depend on map
// order or on later duplicates injected by widgets.
func metaTags(doc *metaNodes) map[string]string {
	m := make(map[string]string, len(doc.metas))
	for _, n := range doc.metas {
		content, ok := lookupAttr(n, "content")
		content = collapse(content)
		if !ok || content == "" {
			continue
		}
		for _, key := range [...]string{"name", "property", "itemprop", "http-equiv"} {
			if k, ok := lookupAttr(n, key); ok {
				k = strings.ToLower(strings.TrimSpace(k))
				if _, seen := m[k]; !seen && k != "" {
					m[k] = content
				}
			}
		}
	}
	return m
}

func (pm pageMeta) first(keys ...string) string {
	for _, k := range keys {
		if v := pm.meta[k]; v != "" {
			return v
		}
	}
	return ""
}

func title(doc *metaNodes, pm pageMeta) string {
	site := pm.first("og:site_name", "application-name")
	for i := range 4 {
		var t string
		switch i {
		case 0:
			t = pm.first("og:title", "twitter:title", "dc.title", "headline")
		case 1:
			t = pm.ld.Headline
		case 2:
			t = collapse(nodeText(doc.h1))
		case 3:
			t = collapse(nodeText(doc.title))
		}
		if t = stripSiteName(t, site); t != "" {
			return t
		}
	}
	return ""
}

// titleSeparators split "Headline - Site" titles, longest first so that
// " - " wins over "-".
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", "_", "｜", "|"}

// stripSiteName removes a trailing (or leading) site name from a title: the
// one the page names in og:site_name, or else a short last segment.
func stripSiteName(t, site string) string {
	t = collapse(t)
	if site != "" {
		for _, sep := range titleSeparators {
			if h, ok := strings.CutSuffix(t, sep+site); ok && strings.TrimSpace(h) != "" {
				return strings.TrimSpace(h)
			}
			if h, ok := strings.CutPrefix(t, site+sep); ok && strings.TrimSpace(h) != "" {
				return strings.TrimSpace(h)
			}
		}
	}
	for _, sep := range titleSeparators {
		i := strings.LastIndex(t, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+len(sep):])
		if len([]rune(tail)) <= 20 && len([]rune(head)) >= 2*len([]rune(tail)) && head != "" {
			return head
		}
	}
	return t
}

func byline(doc *metaNodes, pm pageMeta) string {
	if v := pm.first("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"); v != "" && !strings.HasPrefix(v, "http") {
		return v
	}
	if pm.ld.Author != "" {
		return pm.ld.Author
	}
	for _, n := range doc.authors {
		if t := collapse(nodeText(n)); t != "" && len([]rune(t)) <= 100 {
			return t
		}
	}
	return ""
}

func lang(doc *metaNodes, pm pageMeta) string {
	if l, ok := lookupAttr(doc.html, "lang"); ok && strings.TrimSpace(l) != "" {
		return strings.TrimSpace(l)
	}
	if l := pm.first("content-language", "language", "dc.language", "og:locale"); l != "" {
		return strings.TrimSpace(strings.Split(l, ",")[0])
	}
	return pm.ld.Lang
}

func canonical(doc *metaNodes, pm pageMeta, base *url.URL) string {
	href, _ := lookupAttr(doc.canon, "href")
	if strings.TrimSpace(href) == "" {
		href = pm.first("og:url")
	}
	return resolve(href, base)
}

// resolve makes href absolute against base; unparsable or empty links give "".
func resolve(href string, base *url.URL) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	return u.String()
}
