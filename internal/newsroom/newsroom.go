// Package newsroom is a simulated news publisher, an http.Handler used by
// `stet demo` and by the daemon's tests. It serves English and Chinese
// articles (one of them GBK-encoded), an RSS and an Atom feed, a sitemap
// index leading to a gzipped documents sitemap and a Google News sitemap, a
// ministry's paginated policy list without a feed, a stand-alone full-text
// document, the white paper's English and Chinese PDF editions (written at
// request time, see pdf.go), robots.txt and a home page. Some articles are
// announced by one kind of listing only, so a reader must follow them all.
//
// Every HTML response carries churn that is not an edit: a live clock, a
// view counter, shuffled link lists, a rotating ad and a nonce. Feeds,
// sitemaps and PDFs have none: the same state gives the same bytes. The
// churn never touches what makes a version: headline, text, byline
// (meta author, JSON-LD author) and dates (article:published_time,
// article:modified_time, JSON-LD datePublished and dateModified). Real edits
// happen only when Advance moves the script forward, so a correct change
// detector reports each Step's Expects exactly once, as Expect.Match checks
// them, and never the churn.
//
// A Newsroom is safe for concurrent use.
package newsroom

import (
	"html/template"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Newsroom is the simulated publisher. Create it with New.
type Newsroom struct {
	tmpl *template.Template // read-only after New

	mu       sync.Mutex
	rng      *rand.Rand
	articles []*article // every page: English, Chinese, then the document
	byPath   map[string]*article
	script   []scriptStep
	step     int
	feeds    map[string]*feedState
	views    map[string]int
	requests map[string]int
}

// New returns a Newsroom at step 0, the initial publication. Churn is drawn
// from a time-seeded source, so it differs between runs.
func New() *Newsroom {
	seed := uint64(time.Now().UnixNano())
	n := &Newsroom{
		tmpl:     parseTemplates(),
		rng:      rand.New(rand.NewPCG(seed, seed>>32|1)),
		byPath:   make(map[string]*article),
		script:   script(),
		feeds:    map[string]*feedState{feedWorld: {}, feedChina: {}},
		views:    make(map[string]int),
		requests: make(map[string]int),
	}
	n.articles = append(englishArticles(), chineseArticles()...)
	n.articles = append(n.articles, whitePaperDocument(), whitePaperPDF(), chineseWhitePaperPDF())
	for _, a := range n.articles {
		n.byPath[a.Path] = a
		n.views[a.Path] = 1000 + n.rng.IntN(40000)
	}
	n.script[0].apply(n.byPath)
	n.refreshFeeds(time.Now())
	return n
}

// Steps returns the whole script; index 0 is the initial state.
func (n *Newsroom) Steps() []Step {
	steps := make([]Step, len(n.script))
	for i, s := range n.script {
		steps[i] = s.Step.clone()
	}
	return steps
}

// Step returns the index of the current step.
func (n *Newsroom) Step() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.step
}

// Advance applies the next step of the script and returns it. It returns
// false, and changes nothing, once the script is over.
func (n *Newsroom) Advance() (Step, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.step+1 >= len(n.script) {
		return Step{}, false
	}
	n.step++
	s := n.script[n.step]
	s.apply(n.byPath)
	n.refreshFeeds(time.Now())
	return s.Step.clone(), true
}

// Feeds returns the paths of the feeds.
func (n *Newsroom) Feeds() []string { return []string{feedWorld, feedChina} }

// Pages returns the paths of stand-alone documents, listed in no feed (the
// documents sitemap lists them too), meant to be watched as [[page]]
// sources.
func (n *Newsroom) Pages() []string { return []string{pathDocument} }

// Sitemaps returns the path of the sitemap index, which names the others.
func (n *Newsroom) Sitemaps() []string { return []string{sitemapIndex} }

// Requests returns how many requests path has received, whatever their
// method or outcome.
func (n *Newsroom) Requests(path string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.requests[path]
}

// ServeHTTP serves the site. Rendering happens under the lock, writing the
// response after it, so a slow client never blocks the others.
func (n *Newsroom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	n.requests[r.URL.Path]++
	resp := n.respond(r)
	n.mu.Unlock()
	resp.write(w)
}

// response is a fully rendered reply.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (resp *response) write(w http.ResponseWriter) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	w.Write(resp.body) //nolint:errcheck // the client went away; nothing to do
}

func (n *Newsroom) respond(r *http.Request) *response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp := textResponse(http.StatusMethodNotAllowed, "method not allowed\n")
		resp.header.Set("Allow", "GET, HEAD")
		return resp
	}
	switch p := r.URL.Path; {
	case p == "/robots.txt":
		return textResponse(http.StatusOK, "User-agent: *\nAllow: /\nDisallow: /private/\n\nSitemap: http://"+r.Host+sitemapIndex+"\n")
	case p == "/":
		return n.renderHome(r)
	case n.feeds[p] != nil:
		return n.serveFeed(r, p)
	case p == sitemapIndex || p == sitemapDocs || p == sitemapNews:
		return n.serveSitemap(r, p)
	case n.policyPage(p) >= 0:
		return n.renderPolicies(r, n.policyPage(p))
	case n.byPath[p] != nil && n.byPath[p].live() && n.byPath[p].PDF:
		return staticResponse(r, "application/pdf", renderPDF(n.byPath[p]))
	case n.byPath[p] != nil && n.byPath[p].live():
		return n.renderArticle(r, n.byPath[p])
	default:
		return n.renderNotFound(r)
	}
}

func textResponse(status int, body string) *response {
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return &response{status: status, header: h, body: []byte(body)}
}

// liveArticles returns the served news articles (not the documents),
// newest first, optionally only those in one language.
func (n *Newsroom) liveArticles(lang string) []*article {
	return n.newestFirst(func(a *article) bool { return a.live() && !a.Document && (lang == "" || a.Lang == lang) })
}

// listedIn returns what the listing at path shows now, newest first.
func (n *Newsroom) listedIn(path string) []*article {
	return n.newestFirst(func(a *article) bool { return a.listed() && a.Listing == path })
}

func (n *Newsroom) newestFirst(keep func(*article) bool) []*article {
	var as []*article
	for _, a := range n.articles {
		if keep(a) {
			as = append(as, a)
		}
	}
	slices.SortStableFunc(as, func(a, b *article) int { return b.Published.Compare(a.Published) })
	return as
}
