package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// comparison is the diff of any two versions of one page, computed now
// as the daemon computes a change's (diff.Compare of the two texts, the
// metadata fields compared on their own).
type comparison struct {
	Page           storage.Page
	From, To       storage.Version
	FromN, ToN     int // the versions' places among the page's versions
	Result         diff.Result
	Meta           []MetaChange
	Classes        []string
	Summary        string
	ExtractorMoved bool // the two were extracted by different extractors
}

// compare reads versions from and to, which must both be versions of one
// page (of pageID, when it is not 0), and compares them. Each text is at
// most a page's extracted text, which fetch.max_body bounds.
func (h *handler) compare(ctx context.Context, pageID, from, to int64) (comparison, error) {
	var c comparison
	var err error
	if c.From, err = h.st.Version(ctx, from); err != nil {
		return c, fmt.Errorf("from: %w", err)
	}
	if c.To, err = h.st.Version(ctx, to); err != nil {
		return c, fmt.Errorf("to: %w", err)
	}
	if pageID == 0 {
		pageID = c.From.PageID
	}
	for _, v := range []struct {
		name string
		v    storage.Version
	}{{"from", c.From}, {"to", c.To}} {
		if v.v.PageID != pageID {
			return c, fmt.Errorf("%w: %s must be a version of page %d; version %d belongs to page %d",
				errBadRequest, v.name, pageID, v.v.ID, v.v.PageID)
		}
	}
	if c.Page, err = h.st.Page(ctx, pageID); err != nil {
		return c, err
	}
	if c.FromN, err = h.st.VersionNumber(ctx, pageID, from); err != nil {
		return c, err
	}
	if c.ToN, err = h.st.VersionNumber(ctx, pageID, to); err != nil {
		return c, err
	}
	c.Result = diff.Compare(c.From.Text, c.To.Text)
	var parts []string
	for _, m := range metaChanges(metaClasses, &c.From, &c.To) {
		if m.Old != m.New {
			c.Meta = append(c.Meta, m)
			c.Classes = append(c.Classes, m.Field)
			parts = append(parts, m.Field+" changed")
		}
	}
	if c.Result.Changed() {
		c.Classes = append(c.Classes, c.Result.Classes()...)
		parts = append(parts, c.Result.Summary().String())
	}
	slices.Sort(c.Classes)
	c.Classes = slices.Compact(c.Classes)
	if c.Classes == nil {
		c.Classes = []string{}
	}
	c.Summary = strings.Join(parts, "; ")
	if c.Summary == "" {
		c.Summary = "text unchanged"
	}
	c.ExtractorMoved = c.From.Extractor != c.To.Extractor
	return c, nil
}

// compareIDs reads ?from= and ?to=, both required.
func compareIDs(r *http.Request) (from, to int64, err error) {
	q := r.URL.Query()
	if from, err = parseCursor(q, "from", "version id"); err == nil {
		to, err = parseCursor(q, "to", "version id")
	}
	switch {
	case err != nil:
	case from == 0:
		err = fmt.Errorf("%w: from must be a version id (the older version to compare)", errBadRequest)
	case to == 0:
		err = fmt.Errorf("%w: to must be a version id (the newer version to compare)", errBadRequest)
	}
	return from, to, err
}

// comparePage is the data of the comparison page.
type comparePage struct {
	Title   string
	C       comparison
	Doc     diffDoc
	Picker  picker
	PageURL string
}

// showCompare compares any two versions of a page: GET
// /pages/{id}/compare?from=V1&to=V2, in the reading or side-by-side view,
// one part at a time, like a change.
func (h *handler) showCompare(w http.ResponseWriter, r *http.Request) {
	pageID, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	from, to, err := compareIDs(r)
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
	c, err := h.compare(ctx, pageID, from, to)
	if err != nil {
		h.pageError(w, r, err)
		return
	}
	doc, err := newDiffDoc(r.URL, vq, c.Result, true, "")
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	doc.OldLabel = fmt.Sprintf("version %d (#%d)", c.FromN, c.From.ID)
	doc.NewLabel = fmt.Sprintf("version %d (#%d)", c.ToN, c.To.ID)
	stamps, err := h.st.VersionStamps(ctx, pageID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := comparePage{Title: fmt.Sprintf("Version %d → %d", c.FromN, c.ToN), C: c, Doc: doc,
		Picker: newPicker(pageID, stamps, from, to)}
	h.render(w, r, http.StatusOK, "compare", p)
}

// pageError answers an error of an HTML page: a parameter error is 400,
// the rest as fail does.
func (h *handler) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if isBadRequest(err) {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	h.fail(w, r, err)
}

// diffJSON is the answer of /api/diff.
type diffJSON struct {
	PageID  int64           `json:"page_id"`
	URL     string          `json:"url"`
	From    versionJSON     `json:"from"`
	To      versionJSON     `json:"to"`
	Changed bool            `json:"changed"` // the texts differ
	Summary string          `json:"summary"`
	Classes []string        `json:"classes"`
	Meta    []metaJSON      `json:"meta"`
	Diff    string          `json:"diff"`
	Blocks  json.RawMessage `json:"blocks"`
	// ExtractorChanged says the two versions were extracted by different
	// extractors: some differences may be the extractor's.
	ExtractorChanged bool   `json:"extractor_changed"`
	HTMLURL          string `json:"html_url"`
}

// metaJSON is a metadata field that differs between two versions.
type metaJSON struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// apiDiff compares any two versions of one page: ?from=&to=. The blocks
// are compacted as a stored change's are (unchanged paragraphs away from
// the edits keep their numbers only); diff is their readable text.
func (h *handler) apiDiff(w http.ResponseWriter, r *http.Request) {
	from, to, err := compareIDs(r)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	c, err := h.compare(r.Context(), 0, from, to)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	blocks, err := json.Marshal(c.Result.Compact())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	j := diffJSON{PageID: c.Page.ID, URL: c.Page.URL, From: newVersionJSON(c.From, c.FromN, int64(len(c.From.Text))),
		To: newVersionJSON(c.To, c.ToN, int64(len(c.To.Text))), Changed: c.Result.Changed(), Summary: c.Summary,
		Classes: c.Classes, Meta: []metaJSON{}, Blocks: blocks, ExtractorChanged: c.ExtractorMoved,
		HTMLURL: "/pages/" + strconv.FormatInt(c.Page.ID, 10) + "/compare?" + r.URL.Query().Encode()}
	for _, m := range c.Meta {
		j.Meta = append(j.Meta, metaJSON(m))
	}
	j.Diff = c.Result.Text(fmt.Sprintf("version %d", c.From.ID), fmt.Sprintf("version %d", c.To.ID))
	h.writeJSON(w, r, http.StatusOK, j)
}
