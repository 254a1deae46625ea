package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stet/stet/storage"
)

// recentCaptures is how many fetch attempts a page's view lists.
const recentCaptures = 10

// pageRow is one line of the page list.
type pageRow struct {
	storage.Page
	Versions int
}

// pagesPage is the data of the page list.
type pagesPage struct {
	Title string
	Pages []pageRow
}

func (h *handler) listPages(w http.ResponseWriter, r *http.Request) {
	ps, err := h.st.Pages(r.Context(), 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, err := h.st.VersionCounts(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := make([]pageRow, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, pageRow{Page: p, Versions: counts[p.ID]})
	}
	h.render(w, r, http.StatusOK, "pages", pagesPage{Title: "Tracked pages", Pages: rows})
}

// versionRow is one version in a page's history.
type versionRow struct {
	storage.Version
	Chars int
}

// pageDetail is the data of one page's history.
type pageDetail struct {
	Title    string
	Page     storage.Page
	Source   storage.Source
	Versions []versionRow
	Changes  []storage.Change
	Captures []storage.Capture
}

func (h *handler) showPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	var d pageDetail
	if d.Page, err = h.st.Page(ctx, id); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Title = "Page " + strconv.FormatInt(id, 10)
	if d.Source, err = h.st.Source(ctx, d.Page.SourceID); err != nil {
		h.fail(w, r, err)
		return
	}
	vs, err := h.st.Versions(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, v := range slices.Backward(vs) { // newest first, like the changes
		d.Versions = append(d.Versions, versionRow{Version: v, Chars: utf8.RuneCountInString(v.Text)})
	}
	if d.Changes, err = h.st.Changes(ctx, storage.ChangeFilter{PageID: id, WithSuppressed: true}); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Captures, err = h.st.Captures(ctx, 0, id, recentCaptures); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "page", d)
}

// versionPage is the data of one version's text.
type versionPage struct {
	Title      string
	Version    storage.Version
	Page       storage.Page
	Paragraphs []string
}

func (h *handler) showVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	v, err := h.st.Version(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.st.Page(r.Context(), v.PageID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "version", versionPage{Title: "Version " + strconv.FormatInt(id, 10), Version: v, Page: p, Paragraphs: paragraphs(v.Text)})
}

// paragraphs splits stored text at blank lines, as diff.Normalize joins it.
// It does not normalize further: the page shows the text as it was stored.
func paragraphs(text string) []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sourcesPage is the data of the source list.
type sourcesPage struct {
	Title   string
	Sources []storage.Source
	Now     time.Time
}

func (h *handler) listSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := h.st.Sources(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "sources", sourcesPage{Title: "Sources", Sources: srcs, Now: time.Now()})
}
