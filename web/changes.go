package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/stet/stet/diff"
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

// changeView is a change as the HTML lists show it: its Report and the
// paragraphs of its diff (an excerpt, in a list) laid out for the template.
type changeView struct {
	Report
	Paras []para
}

// headViews reads what the list views of hs need and lays out the excerpt
// of each diff.
func (h *handler) headViews(ctx context.Context, hs []storage.ChangeHead) ([]changeView, error) {
	rs, err := HeadReports(ctx, h.st, hs)
	if err != nil {
		return nil, err
	}
	out := make([]changeView, 0, len(rs))
	for _, r := range rs {
		v := changeView{Report: r}
		if r.HasBlocks && r.Result.Changed() {
			v.Paras = diffParas(r.Result, false)
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
	hs, more, err := h.changeHeads(r.Context(), cq)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	views, err := h.headViews(r.Context(), hs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := indexPage{Title: "Recent changes", Query: cq, Changes: views, Kinds: kindLinks(cq), Classes: classVocabulary}
	if more {
		p.Next = "/?" + cq.values(hs[len(hs)-1].ID).Encode()
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
	Doc   diffDoc
	// OldNumber and NewNumber are the places of the change's versions
	// among the page's versions (0 when it names none).
	OldNumber, NewNumber int
}

// showChange shows one change: its labels and notes, changed metadata,
// and its diff in the reading or side-by-side view (?view=), one part
// (?part=) at a time. It reads the whole stored diff of this one change,
// and, when the stored blocks left out unchanged paragraphs, the texts of
// its two versions to fill them in: at most a few times the size of the
// page, which fetch.max_body bounds.
func (h *handler) showChange(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	vq, err := parseViewQuery(r.URL.Query())
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	c, err := h.st.Change(ctx, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, err := LoadReport(ctx, h.st, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res := rep.Result
	if rep.HasBlocks && res.Changed() && compacted(res) {
		if res, err = h.hydrated(ctx, rep); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	doc, err := newDiffDoc(r.URL, vq, res, rep.HasBlocks, c.Diff)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	doc.OldLabel, doc.NewLabel = rep.Labels()
	p := changePage{Title: "Change #" + strconv.FormatInt(c.ID, 10), View: changeView{Report: rep}, Doc: doc}
	if p.OldNumber, err = h.versionNumber(ctx, rep.Old); err == nil {
		p.NewNumber, err = h.versionNumber(ctx, rep.New)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "change", p)
}

// hydrated is rep's Result with the unchanged paragraphs filled in from
// its versions' texts (see hydrate); rep's Result as it is when a version
// is missing.
func (h *handler) hydrated(ctx context.Context, rep Report) (diff.Result, error) {
	if rep.Old == nil || rep.New == nil {
		return rep.Result, nil
	}
	old, err := h.st.Version(ctx, rep.Old.ID)
	if err != nil {
		return rep.Result, err
	}
	new, err := h.st.Version(ctx, rep.New.ID)
	if err != nil {
		return rep.Result, err
	}
	return hydrate(rep.Result, old.Text, new.Text), nil
}

// versionNumber is v's place among its page's versions; 0 for nil.
func (h *handler) versionNumber(ctx context.Context, v *storage.Version) (int, error) {
	if v == nil {
		return 0, nil
	}
	return h.st.VersionNumber(ctx, v.PageID, v.ID)
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

// maxResponseBytes bounds the body of a list answer of the API: a list
// stops early, with its next link, rather than grow past it. Each change
// of /api/changes weighs at most a few times excerptChars, so the bound
// holds whatever the stored diffs weigh.
const maxResponseBytes = 4 << 20

// apiChange is a change as the API lists it: ChangeJSON (the fields of
// `stet changes -json`), with Diff and Blocks cut to an excerpt in lists,
// and what says so.
type apiChange struct {
	ChangeJSON
	// Truncated says Diff and Blocks hold only the start of the stored
	// diff; FullURL serves the whole change.
	Truncated bool `json:"truncated"`
	// DiffBytes and BlocksBytes are the stored sizes of the whole diff's
	// text and blocks.
	DiffBytes   int64  `json:"diff_bytes"`
	BlocksBytes int64  `json:"blocks_bytes"`
	FullURL     string `json:"full_url"`
	HTMLURL     string `json:"html_url"`
}

func newAPIChange(r Report) apiChange {
	id := strconv.FormatInt(r.Change.ID, 10)
	return apiChange{ChangeJSON: NewChangeJSON(r.Change), Truncated: r.Cut, DiffBytes: r.DiffBytes, BlocksBytes: r.BlocksBytes,
		FullURL: "/api/changes/" + id, HTMLURL: "/changes/" + id}
}

// apiChanges lists up to ?limit= changes (50 by default, at most 500),
// newest first, each with an excerpt of its diff; clients page with the
// answer's next link (?before= the smallest id they have seen).
func (h *handler) apiChanges(w http.ResponseWriter, r *http.Request) {
	cq, err := parseChangeQuery(r.URL.Query())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	hs, more, err := h.changeHeads(r.Context(), cq)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	rs, err := HeadReports(r.Context(), h.st, hs)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	items := make([]apiChange, 0, len(rs))
	for _, rep := range rs {
		items = append(items, newAPIChange(rep))
	}
	list, n, err := boundedList(items)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	var next *string
	if more || n < len(rs) {
		s := "/api/changes?" + cq.values(rs[n-1].Change.ID).Encode()
		next = &s
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		Changes []json.RawMessage `json:"changes"`
		Next    *string           `json:"next"`
	}{list, next})
}

// apiChangeFull answers one change whole: its full diff text and blocks,
// as stored. It is as large as the change's diff, which the size of the
// page (fetch.max_body) bounds; lists never carry it.
func (h *handler) apiChangeFull(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	c, err := h.st.Change(r.Context(), id)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	rep, err := LoadReport(r.Context(), h.st, c)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, newAPIChange(rep))
}

// healthz answers "ok" once the database answers a cheap query.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := h.st.ChangeHeads(r.Context(), storage.ChangeFilter{Limit: 1}, 0); err != nil {
		h.logFailure(r, err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}
