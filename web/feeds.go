package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"

	"github.com/stet/stet/storage"
)

// Bounds of the Atom feeds.
const (
	// feedEntries is how many changes a feed holds: the most recent ones.
	feedEntries = 50
	// feedContentBytes bounds the rendered diff of one entry (a little more
	// when a single paragraph's escaping makes it longer); a longer diff is
	// cut at a paragraph, with a link to the change page, so a feed stays
	// under about feedEntries × feedContentBytes whatever the pages weigh.
	feedContentBytes = 16 << 10
	// feedTagDate is the date of every tag URI the feeds mint (RFC 4151):
	// fixed, so an entry's id never changes.
	feedTagDate = "2026"
	atomNS      = "http://www.w3.org/2005/Atom"
)

// feedRoutes registers the Atom feeds of changes: all of them, a source's
// and a page's, each filtered by ?kind= and ?class= like the change list.
func (h *handler) feedRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/changes.atom", h.feedAll)
	mux.HandleFunc("GET /feeds/sources/{id}/changes.atom", h.feedSource)
	mux.HandleFunc("GET /feeds/pages/{id}/changes.atom", h.feedPage)
}

// feedScope is what one feed shows: its title and the changes it selects.
type feedScope struct {
	title  string
	filter storage.ChangeFilter
}

func (h *handler) feedAll(w http.ResponseWriter, r *http.Request) {
	h.serveFeed(w, r, func(*http.Request) (feedScope, error) {
		return feedScope{title: "stet: changes"}, nil
	})
}

func (h *handler) feedSource(w http.ResponseWriter, r *http.Request) {
	h.serveFeed(w, r, func(r *http.Request) (feedScope, error) {
		id, err := pathID(r)
		if err != nil {
			return feedScope{}, err
		}
		src, err := h.st.Source(r.Context(), id)
		if err != nil {
			return feedScope{}, err
		}
		return feedScope{title: "stet: changes of " + src.Name, filter: storage.ChangeFilter{SourceID: src.ID}}, nil
	})
}

func (h *handler) feedPage(w http.ResponseWriter, r *http.Request) {
	h.serveFeed(w, r, func(r *http.Request) (feedScope, error) {
		id, err := pathID(r)
		if err != nil {
			return feedScope{}, err
		}
		p, err := h.st.Page(r.Context(), id)
		if err != nil {
			return feedScope{}, err
		}
		name := p.Title
		if name == "" {
			name = p.URL
		}
		return feedScope{title: "stet: changes of " + name, filter: storage.ChangeFilter{PageID: p.ID}}, nil
	})
}

// serveFeed answers one feed: the scope's most recent changes that are not
// suppressed, of the kind and class asked for, as Atom 1.0. A bad filter is
// a 400 and an unknown source or page a 404, both in plain text, which is
// what a feed reader shows.
func (h *handler) serveFeed(w http.ResponseWriter, r *http.Request, scope func(*http.Request) (feedScope, error)) {
	cq, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sc, err := scope(r)
	if err == nil {
		sc.filter.Kind, sc.filter.Class, sc.filter.Limit = cq.Kind, cq.Class, feedEntries
		var reps []Report
		if reps, err = h.feedReports(r.Context(), sc.filter); err == nil {
			var body string
			if body, err = h.atom(newFeedBase(r, cq), sc.title, reps); err == nil {
				w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
				w.Write([]byte(body))
				return
			}
		}
	}
	switch {
	case errors.Is(err, errBadRequest):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case errors.Is(err, storage.ErrNotFound):
		http.Error(w, "no such source or page", http.StatusNotFound)
	default:
		h.logFailure(r, err)
		http.Error(w, "the database could not be read; the error has been logged", http.StatusInternalServerError)
	}
}

// feedReports reads the changes of a feed as the lists do: heads holding
// the first feedContentBytes characters of each form of the diff, so a
// feed reads at most about 2 × feedEntries × feedContentBytes of diff
// however large the stored diffs are.
func (h *handler) feedReports(ctx context.Context, f storage.ChangeFilter) ([]Report, error) {
	hs, err := h.st.ChangeHeads(ctx, f, feedContentBytes)
	if err != nil {
		return nil, err
	}
	return HeadReports(ctx, h.st, hs)
}

// feedBase is where a feed is served: the absolute URLs and tag URIs of
// its entries are made from it.
type feedBase struct {
	origin string // "http://host:port", from the request (the Host check has passed)
	tag    string // "tag:host,2026:port"
	self   string // the feed's own URL, with its filters in a fixed order
	filter string // "kind removed, class number"; "" without filters
}

func newFeedBase(r *http.Request, cq changeQuery) feedBase {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	// A tag's authority is a DNS name: an IPv6 literal's colons would end
	// it, so they become dashes. The port keeps two servers on one host
	// apart.
	host = strings.ReplaceAll(strings.ToLower(strings.Trim(host, "[]")), ":", "-")
	b := feedBase{origin: scheme + "://" + r.Host, tag: "tag:" + host + "," + feedTagDate + ":" + port}
	q := url.Values{}
	var filters []string
	if cq.Kind != "" {
		q.Set("kind", cq.Kind)
		filters = append(filters, "kind "+cq.Kind)
	}
	if cq.Class != "" {
		q.Set("class", cq.Class)
		filters = append(filters, "class "+cq.Class)
	}
	b.self = r.URL.EscapedPath()
	if len(q) > 0 {
		b.self += "?" + q.Encode()
	}
	b.filter = strings.Join(filters, ", ")
	return b
}

// atom renders the reports as an Atom feed, newest first. Entry ids are
// tag URIs of the change ids, stable across renderings; dates are the
// detection times.
func (h *handler) atom(b feedBase, title string, reps []Report) (string, error) {
	if b.filter != "" {
		title += " (" + b.filter + ")"
	}
	f := &feeds.AtomFeed{
		Xmlns:  atomNS,
		Title:  title,
		Id:     b.tag + b.self,
		Link:   &feeds.AtomLink{Href: b.origin + b.self, Rel: "self", Type: "application/atom+xml"},
		Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: "stet"}},
	}
	updated := time.Now()
	if len(reps) > 0 {
		updated = reps[0].Change.DetectedAt
	}
	f.Updated = atomTime(updated)
	for _, rep := range reps {
		e, err := h.atomEntry(b, rep)
		if err != nil {
			return "", err
		}
		f.Entries = append(f.Entries, e)
	}
	s, err := feeds.ToXML(f)
	if err != nil {
		return "", fmt.Errorf("write atom feed: %w", err)
	}
	return s, nil
}

func (h *handler) atomEntry(b feedBase, rep Report) (*feeds.AtomEntry, error) {
	c := rep.Change
	id := strconv.FormatInt(c.ID, 10)
	link := b.origin + "/changes/" + id
	content, err := h.entryContent(rep, link)
	if err != nil {
		return nil, err
	}
	e := &feeds.AtomEntry{
		Title:     entryTitle(c),
		Id:        b.tag + "/changes/" + id,
		Updated:   atomTime(c.DetectedAt),
		Published: atomTime(c.DetectedAt),
		Links:     []feeds.AtomLink{{Href: link, Rel: "alternate", Type: "text/html"}},
		Content:   &feeds.AtomContent{Content: content, Type: "html"},
	}
	if c.Summary != "" {
		// Plain text: a reader shows it as it is, never as markup.
		e.Summary = &feeds.AtomSummary{Content: c.Summary, Type: "text"}
	}
	return e, nil
}

// entryTitle is "kind [classes]: title", the title being the page's, or
// its URL when it has none. Atom titles are text, not markup.
func entryTitle(c storage.Change) string {
	t := c.Kind
	if len(c.Classes) > 0 {
		t += " [" + strings.Join(c.Classes, " ") + "]"
	}
	name := c.Title
	if name == "" {
		name = c.URL
	}
	return t + ": " + name
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedContent is the data of the feedentry template.
type feedContent struct {
	View changeView
	Link string // the change page, absolute
	Cut  bool   // the diff goes on beyond what the entry shows
}

// entryContent renders a change's diff as the HTML of an entry's content,
// through the same templates and paragraph layout as the change pages:
// every piece of page text is escaped by html/template, and the markup
// around it comes from the diff's structure alone. The result is bounded
// by feedContentBytes (see fitParas); Cut is set when rep holds only the
// start of the stored diff or when the entry shows less than rep holds.
func (h *handler) entryContent(rep Report, link string) (string, error) {
	fc := feedContent{View: changeView{Report: rep}, Link: link, Cut: rep.Cut}
	var cut bool
	if rep.HasBlocks && rep.Result.Changed() {
		var err error
		if fc.View.Paras, cut, err = h.fitParas(diffParas(rep.Result, false), feedContentBytes); err != nil {
			return "", err
		}
	} else if !rep.HasBlocks {
		// A change stored before structured diffs: its text, as it is.
		fc.View.Change.Diff, cut = clip(rep.Change.Diff, feedContentBytes)
	}
	fc.Cut = fc.Cut || cut
	var buf bytes.Buffer
	if err := h.partials().ExecuteTemplate(&buf, "feedentry", fc); err != nil {
		return "", fmt.Errorf("render feed entry of change %d: %w", rep.Change.ID, err)
	}
	return buf.String(), nil
}

// fitParas keeps the paragraphs whose rendered HTML fits in budget bytes,
// in order, and reports whether any were left out or shortened. The first
// paragraph is always kept, shortened until it fits.
func (h *handler) fitParas(ps []para, budget int) ([]para, bool, error) {
	var out []para
	for i, p := range ps {
		n, err := h.paraSize(p)
		if err != nil {
			return nil, false, err
		}
		if n <= budget {
			out, budget = append(out, p), budget-n
			continue
		}
		if i > 0 {
			return out, true, nil
		}
		for limit := budget; n > budget && limit > 64; limit /= 2 {
			p = clipPara(ps[0], limit)
			if n, err = h.paraSize(p); err != nil {
				return nil, false, err
			}
		}
		return []para{p}, true, nil
	}
	return out, false, nil
}

func (h *handler) paraSize(p para) (int, error) {
	var buf bytes.Buffer
	if err := h.partials().ExecuteTemplate(&buf, "para", p); err != nil {
		return 0, fmt.Errorf("render diff paragraph: %w", err)
	}
	return buf.Len(), nil
}

// partials is a template set holding every partial: each page's set has
// them all (see parseTemplates), so any page's will do.
func (h *handler) partials() *template.Template { return h.pages["change"] }

// clipPara shortens the text of a paragraph to at most limit bytes in all.
func clipPara(p para, limit int) para {
	p.Text, _ = clip(p.Text, limit)
	if p.Spans != nil {
		spans := make([]span, 0, len(p.Spans))
		for _, s := range p.Spans {
			if limit <= 0 {
				break
			}
			s.Text, _ = clip(s.Text, limit)
			limit -= len(s.Text)
			spans = append(spans, s)
		}
		p.Spans = spans
	}
	return p
}

// clip cuts s to at most limit bytes, at a character boundary, with "…"
// after a cut; cut reports whether it cut.
func clip(s string, limit int) (_ string, cut bool) {
	if len(s) <= limit {
		return s, false
	}
	for limit > 0 && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return s[:limit] + "…", true
}
