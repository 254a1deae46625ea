package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/stet/stet/storage"
)

// apiRoutes registers the JSON API beyond the list of changes, and the
// comparison page that shares its diff with /api/diff. Every list is
// paged (?limit=, 50 by default, at most 500, and a cursor) and answers
// a "next" link, null on the last page; no list carries a whole text or
// diff. Errors are JSON: {"error": "..."}, 400 for a bad parameter, 404
// for a missing row.
func (h *handler) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/changes/{id}", h.apiChangeFull)
	mux.HandleFunc("GET /api/pages", h.apiPages)
	mux.HandleFunc("GET /api/pages/{id}", h.apiPage)
	mux.HandleFunc("GET /api/pages/{id}/versions", h.apiPageVersions)
	mux.HandleFunc("GET /api/versions/{id}", h.apiVersion)
	mux.HandleFunc("GET /api/diff", h.apiDiff)
	mux.HandleFunc("GET /api/sources", h.apiSources)
	mux.HandleFunc("GET /api/", h.apiNotFound)
	mux.HandleFunc("GET /pages/{id}/compare", h.showCompare)
}

// apiError answers a failed API request: 400 with the message of a
// parameter error, 404 for a missing row, else 500 with a generic message
// (driver errors can name files and SQL) and the error logged.
func (h *handler) apiError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errBadRequest):
		h.writeJSON(w, r, http.StatusBadRequest, apiError{Error: err.Error()})
	case errors.Is(err, storage.ErrNotFound):
		h.writeJSON(w, r, http.StatusNotFound, apiError{Error: "not found: nothing is stored under " + r.URL.Path})
	default:
		h.logFailure(r, err)
		h.writeJSON(w, r, http.StatusInternalServerError, apiError{Error: "database error"})
	}
}

func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, r, http.StatusNotFound, apiError{Error: "not found: no API endpoint " + r.URL.Path})
}

// boundedList encodes the items of a list answer until they would pass
// maxResponseBytes; the first is always kept. n is how many were.
func boundedList[T any](items []T) ([]json.RawMessage, int, error) {
	out := make([]json.RawMessage, 0, len(items))
	size := 0
	for _, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return nil, 0, err
		}
		if len(out) > 0 && size+len(b) > maxResponseBytes {
			break
		}
		out, size = append(out, b), size+len(b)+1
	}
	return out, len(out), nil
}

// writeList answers a paged list: the items under their name, the link
// to the next page (null on the last) and any extra fields.
func (h *handler) writeList(w http.ResponseWriter, r *http.Request, name string, items []json.RawMessage, next string, extra map[string]any) {
	out := map[string]any{name: items, "next": nil}
	if next != "" {
		out["next"] = next
	}
	for k, v := range extra {
		out[k] = v
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// nextLink is path with the request's query and cursor set to id.
func nextLink(r *http.Request, cursor string, id int64) string {
	q := r.URL.Query()
	q.Set(cursor, strconv.FormatInt(id, 10))
	return r.URL.Path + "?" + q.Encode()
}

// jsonTime is a time for the API: RFC 3339 in UTC, null when unknown.
func jsonTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// pageJSON is a page as /api/pages lists it.
type pageJSON struct {
	ID                  int64      `json:"id"`
	URL                 string     `json:"url"`
	Title               string     `json:"title"`
	SourceID            int64      `json:"source_id"`
	DiscoveredAt        *time.Time `json:"discovered_at"`
	PublishedAt         *time.Time `json:"published_at"`
	LastCheckedAt       *time.Time `json:"last_checked_at"`
	LastStatus          string     `json:"last_status"`
	LastReason          string     `json:"last_reason"`
	NextCheckAt         *time.Time `json:"next_check_at"`
	Removed             bool       `json:"removed"`
	Unlisted            bool       `json:"unlisted"`
	Failing             bool       `json:"failing"`
	FailingSince        *time.Time `json:"failing_since"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	BackoffUntil        *time.Time `json:"backoff_until"`
	FlappingSince       *time.Time `json:"flapping_since"`
	Versions            int        `json:"versions"`
	LatestVersion       *int64     `json:"latest_version"`
	HTMLURL             string     `json:"html_url"`
	VersionsURL         string     `json:"versions_url"`
	ChangesURL          string     `json:"changes_url"`
}

func newPageJSON(p storage.PageHead) pageJSON {
	id := strconv.FormatInt(p.ID, 10)
	j := pageJSON{ID: p.ID, URL: p.URL, Title: p.Title, SourceID: p.SourceID, DiscoveredAt: jsonTime(p.DiscoveredAt),
		PublishedAt: jsonTime(p.PublishedAt), LastCheckedAt: jsonTime(p.LastCheckedAt), LastStatus: p.LastClass,
		LastReason: p.LastReason, NextCheckAt: jsonTime(p.NextCheckAt), Removed: p.Removed, Unlisted: p.Unlisted,
		Failing: p.Failing, FailingSince: jsonTime(p.FailingSince), ConsecutiveFailures: p.ConsecutiveFailures,
		BackoffUntil: jsonTime(p.BackoffUntil), FlappingSince: jsonTime(p.FlappingSince), Versions: p.Versions,
		HTMLURL: "/pages/" + id, VersionsURL: "/api/pages/" + id + "/versions",
		ChangesURL: "/api/changes?" + url.Values{"url": {p.URL}, "all": {"1"}}.Encode()}
	if p.LatestVersionID != 0 {
		j.LatestVersion = &p.LatestVersionID
	}
	return j
}

// pageFilter reads the query of a page list: ?after=, ?limit=, ?failing=1
// and ?source=.
func pageFilter(q url.Values) (storage.PageFilter, error) {
	var f storage.PageFilter
	var err error
	if f.Limit, err = parseLimit(q); err != nil {
		return f, err
	}
	if f.After, err = parseCursor(q, "after", "page id"); err != nil {
		return f, err
	}
	if f.SourceID, err = parseCursor(q, "source", "source id"); err != nil {
		return f, err
	}
	f.Failing, err = parseFlag(q, "failing", "only failing pages")
	return f, err
}

// parseFlag reads an optional ?name=1 (or 0).
func parseFlag(q url.Values, name, what string) (bool, error) {
	switch s := q.Get(name); s {
	case "", "0":
		return false, nil
	case "1":
		return true, nil
	default:
		return false, fmt.Errorf("%w: %s must be 1 (%s) or 0, not %q", errBadRequest, name, what, s)
	}
}

// pageHeads reads one page of the page list, and whether more follow.
func (h *handler) pageHeads(r *http.Request, f storage.PageFilter) ([]storage.PageHead, bool, error) {
	limit := f.Limit
	f.Limit++
	ps, err := h.st.PageHeads(r.Context(), f)
	if err != nil || len(ps) <= limit {
		return ps, false, err
	}
	return ps[:limit], true, nil
}

// apiPages lists pages in id order: ?after= the last id seen.
func (h *handler) apiPages(w http.ResponseWriter, r *http.Request) {
	f, err := pageFilter(r.URL.Query())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	ps, more, err := h.pageHeads(r, f)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	items := make([]pageJSON, 0, len(ps))
	for _, p := range ps {
		items = append(items, newPageJSON(p))
	}
	list, n, err := boundedList(items)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	var next string
	if more || n < len(ps) {
		next = nextLink(r, "after", ps[n-1].ID)
	}
	h.writeList(w, r, "pages", list, next, nil)
}

// pageDetailJSON is one page with its source.
type pageDetailJSON struct {
	pageJSON
	Source sourceBrief `json:"source"`
}

// sourceBrief names a source.
type sourceBrief struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (h *handler) apiPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	p, err := h.st.PageHead(r.Context(), id)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	src, err := h.st.Source(r.Context(), p.SourceID)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, pageDetailJSON{pageJSON: newPageJSON(p),
		Source: sourceBrief{ID: src.ID, Kind: src.Kind, Name: src.Name, URL: src.URL}})
}

// versionJSON is a version without its text, as lists show it.
type versionJSON struct {
	ID        int64      `json:"id"`
	PageID    int64      `json:"page_id"`
	Number    int        `json:"number"` // 1 for the page's first version
	CreatedAt *time.Time `json:"created_at"`
	Title     string     `json:"title"`
	Byline    string     `json:"byline"`
	Published *time.Time `json:"published"`
	Modified  *time.Time `json:"modified"`
	Lang      string     `json:"lang"`
	Canonical string     `json:"canonical"`
	Hash      string     `json:"hash"`
	Bytes     int64      `json:"bytes"` // of the text
	HTMLURL   string     `json:"html_url"`
	TextURL   string     `json:"text_url"`
}

func newVersionJSON(v storage.Version, number int, bytes int64) versionJSON {
	id := strconv.FormatInt(v.ID, 10)
	return versionJSON{ID: v.ID, PageID: v.PageID, Number: number, CreatedAt: jsonTime(v.CreatedAt), Title: v.Title,
		Byline: v.Byline, Published: jsonTime(v.Published), Modified: jsonTime(v.Modified), Lang: v.Lang,
		Canonical: v.Canonical, Hash: v.TextHash, Bytes: bytes, HTMLURL: "/versions/" + id, TextURL: "/api/versions/" + id}
}

// apiPageVersions lists a page's versions without their texts, newest
// first: ?before= the last id seen.
func (h *handler) apiPageVersions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := parseLimit(q)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	before, err := parseCursor(q, "before", "version id")
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	if _, err := h.st.Page(r.Context(), id); err != nil {
		h.apiError(w, r, err)
		return
	}
	vs, err := h.st.PageVersions(r.Context(), id, before, limit+1)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	more := len(vs) > limit
	vs = vs[:min(len(vs), limit)]
	items := make([]versionJSON, 0, len(vs))
	for _, v := range vs {
		items = append(items, newVersionJSON(v.Version, v.Number, v.Bytes))
	}
	list, n, err := boundedList(items)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	var next string
	if more || n < len(vs) {
		next = nextLink(r, "before", vs[n-1].ID)
	}
	h.writeList(w, r, "versions", list, next, map[string]any{"page_id": id})
}

// versionFullJSON is one version with its text.
type versionFullJSON struct {
	versionJSON
	URL       string `json:"url"` // the page's
	CaptureID int64  `json:"capture_id"`
	Extractor string `json:"extractor"`
	Previous  *int64 `json:"previous"` // the page's version before this one
	Next      *int64 `json:"next"`
	// DiffURL compares the previous version with this one.
	DiffURL *string `json:"diff_url"`
	Text    string  `json:"text"`
}

// apiVersion answers one version with its whole text and metadata. The
// text is as large as the page's extracted text, which fetch.max_body
// bounds; lists never carry it.
func (h *handler) apiVersion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	ctx := r.Context()
	v, err := h.st.Version(ctx, id)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	p, err := h.st.Page(ctx, v.PageID)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	n, err := h.st.VersionNumber(ctx, v.PageID, v.ID)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	prev, next, err := h.st.AdjacentVersions(ctx, v.PageID, v.ID)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	j := versionFullJSON{versionJSON: newVersionJSON(v, n, int64(len(v.Text))), URL: p.URL, CaptureID: v.CaptureID,
		Extractor: v.Extractor, Text: v.Text}
	if prev != 0 {
		j.Previous = &prev
		d := "/api/diff?" + url.Values{"from": {strconv.FormatInt(prev, 10)}, "to": {strconv.FormatInt(v.ID, 10)}}.Encode()
		j.DiffURL = &d
	}
	if next != 0 {
		j.Next = &next
	}
	h.writeJSON(w, r, http.StatusOK, j)
}
