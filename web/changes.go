package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/stet/stet/storage"
)

// indexPage is the data of the change list.
type indexPage struct {
	Title   string
	Query   changeQuery
	Changes []changeView
	Kinds   []kindLink
	Classes []string // the class vocabulary, for the filter form
	Next    string   // link to older changes; "" on the last page
}

// kindLink is one entry of the kind filter bar.
type kindLink struct {
	Label   string
	Href    string
	Current bool
}

// changeView is a change as the HTML pages show it: its Report and the
// paragraphs of its diff laid out for the template.
type changeView struct {
	Report
	Paras []para
}

// changeViews reads what the views of chs need and lays out their diffs.
func (h *handler) changeViews(ctx context.Context, chs []storage.Change) ([]changeView, error) {
	rs, err := Reports(ctx, h.st, chs)
	if err != nil {
		return nil, err
	}
	out := make([]changeView, 0, len(rs))
	for _, r := range rs {
		v := changeView{Report: r}
		if r.HasBlocks && r.Result.Changed() {
			v.Paras = diffParas(r.Result)
		}
		out = append(out, v)
	}
	return out, nil
}

func (h *handler) listChanges(w http.ResponseWriter, r *http.Request) {
	cq, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	chs, more, err := h.changesPage(r.Context(), cq)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views, err := h.changeViews(r.Context(), chs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := indexPage{Title: "Recent changes", Query: cq, Changes: views, Kinds: kindLinks(cq), Classes: classVocabulary}
	if more {
		p.Next = "/?" + cq.values(chs[len(chs)-1].ID).Encode()
	}
	h.render(w, r, http.StatusOK, "index", p)
}

// kindLinks builds the kind filter bar, keeping the other filters.
func kindLinks(cq changeQuery) []kindLink {
	var out []kindLink
	for _, k := range append([]string{""}, storage.ChangeKinds()...) {
		q := cq
		q.Kind = k
		label := k
		if k == "" {
			label = "all"
		}
		href := "/"
		if v := q.values(0).Encode(); v != "" {
			href += "?" + v
		}
		out = append(out, kindLink{Label: label, Href: href, Current: k == cq.Kind})
	}
	return out
}

// changePage is the data of one change report.
type changePage struct {
	Title string
	View  changeView
}

func (h *handler) showChange(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	c, err := h.st.Change(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views, err := h.changeViews(r.Context(), []storage.Change{c})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "change", changePage{Title: "Change #" + strconv.FormatInt(c.ID, 10), View: views[0]})
}

// ChangeJSON is one change as /api/changes and `stet changes -json` print
// it. Operators' scripts rely on its field names: extend, never rename.
type ChangeJSON struct {
	ID         int64     `json:"id"`
	URL        string    `json:"url"`
	Kind       string    `json:"kind"`
	DetectedAt time.Time `json:"detected_at"`
	OldVersion *int64    `json:"old_version"`
	NewVersion *int64    `json:"new_version"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Diff       string    `json:"diff"`
	// Blocks is the structured diff as stored (the JSON of diff.Result,
	// {"blocks":[…]}), passed through without being decoded; null for a
	// change stored before schema 4, which has only Diff.
	Blocks json.RawMessage `json:"blocks"`
	// Classes says what kind of edit this is ("number", "reverted", …);
	// [] when none, and for changes stored before schema 4.
	Classes []string `json:"classes"`
	// RevertsTo is the earlier version whose text the page went back to;
	// null when the change is not a revert.
	RevertsTo *int64 `json:"reverts_to"`
	// Suppressed marks a change of a flapping page that raised no webhook.
	Suppressed bool `json:"suppressed"`
	// Versions names, for a flapping change, the versions the page
	// alternates among; [] otherwise.
	Versions []int64 `json:"versions"`
}

// NewChangeJSON converts a stored change to its JSON form. Blocks that are
// not valid JSON (a damaged row) become null rather than breaking the
// whole listing.
func NewChangeJSON(c storage.Change) ChangeJSON {
	j := ChangeJSON{ID: c.ID, URL: c.URL, Kind: c.Kind, DetectedAt: c.DetectedAt.UTC(), Title: c.Title,
		Summary: c.Summary, Diff: c.Diff, Classes: c.Classes, Suppressed: c.Suppressed, Versions: c.Versions}
	if c.OldVersionID != 0 {
		j.OldVersion = &c.OldVersionID
	}
	if c.NewVersionID != 0 {
		j.NewVersion = &c.NewVersionID
	}
	if c.RevertsTo != 0 {
		j.RevertsTo = &c.RevertsTo
	}
	if len(c.Blocks) > 0 && json.Valid(c.Blocks) {
		j.Blocks = json.RawMessage(c.Blocks)
	}
	if j.Classes == nil {
		j.Classes = []string{}
	}
	if j.Versions == nil {
		j.Versions = []int64{}
	}
	return j
}

// apiChanges lists up to perPage changes; clients page with ?before= set to
// the smallest id they have seen.
func (h *handler) apiChanges(w http.ResponseWriter, r *http.Request) {
	cq, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		h.writeJSON(w, r, http.StatusBadRequest, apiError{Error: err.Error()})
		return
	}
	chs, _, err := h.changesPage(r.Context(), cq)
	if err != nil {
		h.logFailure(r, err)
		h.writeJSON(w, r, http.StatusInternalServerError, apiError{Error: "database error"})
		return
	}
	out := struct {
		Changes []ChangeJSON `json:"changes"`
	}{Changes: make([]ChangeJSON, 0, len(chs))}
	for _, c := range chs {
		out.Changes = append(out.Changes, NewChangeJSON(c))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// healthz answers "ok" once the database answers a cheap query.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := h.st.Changes(r.Context(), storage.ChangeFilter{Limit: 1}); err != nil {
		h.logFailure(r, err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
