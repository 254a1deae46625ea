package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/storage"
)

// recentCaptures is how many fetch attempts a page's view lists.
const recentCaptures = 10

// pagesPage is the data of the page list.
type pagesPage struct {
	Title   string
	Pages   []storage.PageHead
	Failing bool   // only failing pages
	Next    string // the next page of the list; "" on the last
	First   string // the first page of the list; "" on it
}

// listPages lists tracked pages in id order, a page of the list at a time
// (?after=, ?limit=); ?failing=1 lists only pages whose checks fail.
func (h *handler) listPages(w http.ResponseWriter, r *http.Request) {
	f, err := pageFilter(r.URL.Query())
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ps, more, err := h.pageHeads(r, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := pagesPage{Title: "Tracked pages", Pages: ps, Failing: f.Failing}
	if more {
		p.Next = nextLink(r, "after", ps[len(ps)-1].ID)
	}
	if f.After > 0 {
		q := r.URL.Query()
		q.Del("after")
		p.First = "/pages"
		if len(q) > 0 {
			p.First += "?" + q.Encode()
		}
	}
	h.render(w, r, http.StatusOK, "pages", p)
}

// timelineRow is one entry of a page's history: a version with the change
// that stored it, or a change that stored no version.
type timelineRow struct {
	Class   string // CSS classes: "version" and the kind of the change that stored it, or the change's kind
	At      time.Time
	Version *storage.VersionHead
	Change  *changeView
	// Compare links the comparison of this version with the one before.
	Compare string
}

// pageDetail is the data of one page's history.
type pageDetail struct {
	Title    string
	Page     storage.PageHead
	Source   storage.Source
	Timeline []timelineRow
	Older    string // the next stretch of the timeline; "" at its start
	Newest   string // the newest stretch; "" on it
	Picker   picker
	Captures []storage.Capture
	// CheckNow is the data of the "checknow" partial (part_auth.html);
	// nil renders nothing.
	CheckNow any
}

// showPage shows a page's history: its state, a version picker to compare
// any two versions, and a timeline of its versions, removals,
// restorations and other changes, newest first, a stretch at a time
// (?before=, ?limit=).
func (h *handler) showPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	limit, err := parseLimit(q)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	before, err := parseTimelineKey(q.Get("before"))
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	d := pageDetail{Title: "Page " + strconv.FormatInt(id, 10), CheckNow: h.checkNow(r, id)}
	if d.Page, err = h.st.PageHead(ctx, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Source, err = h.st.Source(ctx, d.Page.SourceID); err != nil {
		h.fail(w, r, err)
		return
	}
	tl, err := h.st.PageTimeline(ctx, id, before, limit, 0) // the timeline shows no diff
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Timeline, err = h.timelineRows(r, id, tl); err != nil {
		h.fail(w, r, err)
		return
	}
	if tl.More && len(tl.Items) > 0 {
		q := r.URL.Query()
		q.Set("before", timelineKeyString(tl.Items[len(tl.Items)-1].Key))
		d.Older = r.URL.Path + "?" + q.Encode()
	}
	if before.ID != 0 {
		d.Newest = r.URL.Path
	}
	d.Picker = newPicker(id, tl.Versions, 0, 0)
	if d.Captures, err = h.st.Captures(ctx, 0, id, recentCaptures); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "page", d)
}

// timelineRows lays out the items of a timeline, with the reports of
// their changes.
func (h *handler) timelineRows(r *http.Request, pageID int64, tl storage.Timeline) ([]timelineRow, error) {
	var heads []storage.ChangeHead
	for _, it := range tl.Items {
		if it.Change != nil {
			heads = append(heads, *it.Change)
		}
	}
	views, err := h.headViews(r.Context(), heads)
	if err != nil {
		return nil, err
	}
	prev := make(map[int64]int64, len(tl.Versions)) // version → the one before
	for i := 1; i < len(tl.Versions); i++ {
		prev[tl.Versions[i].ID] = tl.Versions[i-1].ID
	}
	var out []timelineRow
	k := 0
	for _, it := range tl.Items {
		row := timelineRow{At: it.At, Version: it.Version}
		if it.Change != nil {
			row.Change = &views[k]
			k++
		}
		switch {
		case it.Version != nil && row.Change != nil:
			row.Class = "version " + row.Change.Change.Kind
		case it.Version != nil:
			row.Class = "version"
		default:
			row.Class = row.Change.Change.Kind
		}
		if row.Change != nil && row.Change.Change.Suppressed {
			row.Class += " suppressed"
		}
		if v := it.Version; v != nil && prev[v.ID] != 0 {
			row.Compare = compareHref(pageID, prev[v.ID], v.ID)
		}
		out = append(out, row)
	}
	return out, nil
}

func compareHref(pageID, from, to int64) string {
	return fmt.Sprintf("/pages/%d/compare?%s", pageID,
		url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}.Encode())
}

// parseTimelineKey reads ?before= of a page's history: "v12" (version 12)
// or "c34" (change 34); "" for the newest stretch.
func parseTimelineKey(s string) (storage.TimelineKey, error) {
	if s == "" {
		return storage.TimelineKey{}, nil
	}
	var k storage.TimelineKey
	rest, isVersion := strings.CutPrefix(s, "v")
	if !isVersion {
		rest, _ = strings.CutPrefix(s, "c")
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 || rest == s {
		return k, fmt.Errorf("%w: before must name a timeline entry, such as v12 (a version) or c34 (a change), not %q",
			errBadRequest, s)
	}
	return storage.TimelineKey{Version: isVersion, ID: id}, nil
}

func timelineKeyString(k storage.TimelineKey) string {
	if k.Version {
		return "v" + strconv.FormatInt(k.ID, 10)
	}
	return "c" + strconv.FormatInt(k.ID, 10)
}

// maxPickerOptions bounds the versions a picker offers: the newest ones
// and the first, and the two being compared.
const maxPickerOptions = 500

// picker is the data of the version picker: a form that compares any two
// versions of a page.
type picker struct {
	Action   string
	Options  []pickerOption // newest first
	From, To int64          // selected
	Omitted  int            // versions left out of a long history
}

// pickerOption is one version a picker offers.
type pickerOption struct {
	ID    int64
	Label string // starts with "version N", N the version's place in the page's history
}

// newPicker offers the versions of a page (stamps, oldest first), with
// from and to selected, or the two latest when they are 0.
func newPicker(pageID int64, stamps []storage.VersionStamp, from, to int64) picker {
	p := picker{Action: fmt.Sprintf("/pages/%d/compare", pageID), From: from, To: to}
	n := len(stamps)
	if n == 0 {
		return p
	}
	if p.To == 0 {
		p.To = stamps[n-1].ID
	}
	if p.From == 0 {
		p.From = stamps[max(n-2, 0)].ID
	}
	for i := n - 1; i >= 0; i-- {
		s := stamps[i]
		if i == 0 || n-i <= maxPickerOptions-3 || s.ID == p.From || s.ID == p.To {
			p.Options = append(p.Options, pickerOption{ID: s.ID,
				Label: fmt.Sprintf("version %d · %s (#%d)", s.Number, when(s.CreatedAt), s.ID)})
		}
	}
	p.Omitted = n - len(p.Options)
	return p
}

// versionPage is the data of one version's text.
type versionPage struct {
	Title      string
	Version    storage.Version
	Number     int
	Page       storage.Page
	Paragraphs []string
	Prev, Next int64 // the page's versions around this one; 0 when none
	Compare    string
}

// showVersion shows one version whole: its metadata and text. The text is
// as long as the page's extracted text, which fetch.max_body bounds.
func (h *handler) showVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	v, err := h.st.Version(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.st.Page(ctx, v.PageID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := versionPage{Title: "Version " + strconv.FormatInt(id, 10), Version: v, Page: p, Paragraphs: paragraphs(v.Text)}
	if d.Number, err = h.st.VersionNumber(ctx, v.PageID, v.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Prev, d.Next, err = h.st.AdjacentVersions(ctx, v.PageID, v.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Prev != 0 {
		d.Compare = compareHref(p.ID, d.Prev, v.ID)
	}
	h.render(w, r, http.StatusOK, "version", d)
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
