package newsroom

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

//go:embed templates/*.html
var templateFS embed.FS

func parseTemplates() *template.Template {
	return template.Must(template.ParseFS(templateFS, "templates/*.html"))
}

// page is what the templates see.
type page struct {
	L           labels
	Lang        string
	GBK         bool
	Title       string // headline, without the site name
	Description string
	Canonical   string
	Published   string // RFC 3339; "" for pages that are not articles
	Modified    string // RFC 3339; the published date until the article is modified
	LD          map[string]any
	A           *article
	Byline      string
	Date        string
	SectionURL  string
	Items       []link  // home page: articles
	Docs        []link  // home page: documents
	Entries     []entry // list pages: the items of this page
	PageNo      int     // list pages: this page's number, from 1
	PageCount   int     // list pages: how many there are
	Prev, Next  string  // list pages: links to the neighbours; "" at either end

	// Churn: different on every request, never part of the article text.
	Clock     string
	Views     string
	ViewCount int
	Nonce     string
	Related   []link
	MostRead  []link
	Ad        ad
}

// newPage fills the chrome and the churn shared by every HTML page.
func (n *Newsroom) newPage(r *http.Request, lang, path string) *page {
	l := labelsFor(lang)
	return &page{
		L:         l,
		Lang:      lang,
		Canonical: "http://" + r.Host + path,
		Clock:     time.Now().In(beijing()).Format(time.DateTime),
		Nonce:     strconv.FormatUint(n.rng.Uint64(), 36),
		Ad:        l.Ads[n.rng.IntN(len(l.Ads))],
	}
}

// renderArticle renders a news article or the document, with fresh churn.
func (n *Newsroom) renderArticle(r *http.Request, a *article) *response {
	p := n.newPage(r, a.Lang, a.Path)
	p.A, p.GBK, p.Title = a, a.GBK, a.Title
	p.Description = a.description()
	p.Published = a.Published.Format(time.RFC3339)
	p.Modified = a.modified().Format(time.RFC3339)
	// A named reporter is a Person; the agency and the document's issuer
	// are Organizations.
	author := "Person"
	p.Byline = a.Byline
	if a.Byline == "" || a.Document {
		p.Byline, author = cmp.Or(a.Byline, p.L.Agency), "Organization"
	}
	p.Date = a.Published.Format("January 2, 2006")
	p.SectionURL = "/english/" + slug(a.Section) + "/"
	if a.Lang == langZH {
		p.Date = a.Published.Format("2006年01月02日 15:04")
		p.SectionURL = "/" + firstSegment(a.Path) + "/"
	}
	p.LD = map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         a.Title,
		"datePublished":    p.Published,
		"dateModified":     p.Modified,
		"author":           map[string]any{"@type": author, "name": p.Byline},
		"publisher":        map[string]any{"@type": "Organization", "name": p.L.SiteName},
		"inLanguage":       a.Lang,
		"mainEntityOfPage": p.Canonical,
	}
	if a.Document {
		p.LD["@type"] = "Article"
	}
	n.views[a.Path] += 1 + n.rng.IntN(5)
	p.ViewCount = n.views[a.Path]
	p.Views = fmt.Sprintf(p.L.ViewsFmt, commas(p.ViewCount))
	p.Related = n.shuffled(n.linkPool(a), 3)
	p.MostRead = n.shuffled(n.linkPool(a), 5)
	name := "article"
	if a.Document {
		name = "document"
	}
	return n.htmlResponse(http.StatusOK, name, p)
}

// renderHome lists the live articles and the document.
func (n *Newsroom) renderHome(r *http.Request) *response {
	p := n.newPage(r, langEN, "/")
	p.Title = "Latest news"
	p.Description = "News from China and the world."
	for _, a := range n.liveArticles("") {
		p.Items = append(p.Items, link{a.Title, a.Path})
	}
	for _, path := range n.Pages() {
		p.Docs = append(p.Docs, link{n.byPath[path].Title, path})
	}
	p.MostRead = n.shuffled(p.L.MoreStories, 5)
	return n.htmlResponse(http.StatusOK, "home", p)
}

// renderNotFound is the site's 404 page, used for unknown and deleted paths.
func (n *Newsroom) renderNotFound(r *http.Request) *response {
	p := n.newPage(r, langEN, r.URL.Path)
	p.Title = p.L.NotFound
	p.Description = p.L.NotFoundText
	p.MostRead = n.shuffled(p.L.MoreStories, 5)
	return n.htmlResponse(http.StatusNotFound, "notfound", p)
}

// htmlResponse executes a template and encodes the result as the page asks.
func (n *Newsroom) htmlResponse(status int, name string, p *page) *response {
	var buf bytes.Buffer
	if err := n.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		return textResponse(http.StatusInternalServerError, "render "+name+": "+err.Error()+"\n")
	}
	h := http.Header{}
	h.Set("Cache-Control", "no-cache")
	body := buf.Bytes()
	if p.GBK {
		enc, err := simplifiedchinese.GBK.NewEncoder().Bytes(body)
		if err != nil {
			return textResponse(http.StatusInternalServerError, "encode "+name+" as gbk: "+err.Error()+"\n")
		}
		h.Set("Content-Type", "text/html; charset=gbk")
		return &response{status: status, header: h, body: enc}
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	return &response{status: status, header: h, body: body}
}

// linkPool is every link a list on a's page may show: the other live
// articles in a's language and some older headlines.
func (n *Newsroom) linkPool(a *article) []link {
	var pool []link
	for _, o := range n.liveArticles(a.Lang) {
		if o != a {
			pool = append(pool, link{o.Title, o.Path})
		}
	}
	return append(pool, labelsFor(a.Lang).MoreStories...)
}

// shuffled returns up to k links of pool in a random order.
func (n *Newsroom) shuffled(pool []link, k int) []link {
	ls := append([]link(nil), pool...)
	n.rng.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
	return ls[:min(k, len(ls))]
}

// commas formats 12345 as "12,345".
func commas(v int) string {
	s := strconv.Itoa(v)
	var b []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

func slug(s string) string {
	var b []byte
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		case c >= 'a' && c <= 'z':
			b = append(b, c)
		}
	}
	return string(b)
}

func firstSegment(path string) string {
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			return path[1:i]
		}
	}
	return ""
}
