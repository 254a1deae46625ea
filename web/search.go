package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/storage"
)

// searchRoutes registers the search page and /api/search. Both take
// ?q= (the query), deleted=1 (only text edited away), url= (one page),
// since= (24h, 7d: text held by a version stored since, or edited away
// since), limit= (1 to 1000, 50 by default) and cursor= (the next page).
// A bad parameter or query is a 400 naming it; a search never shows
// anything but escaped text.
func (h *handler) searchRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", h.searchPage)
	mux.HandleFunc("GET /api/search", h.apiSearch)
}

// searchParams is a search as requested, kept as typed for the form and
// the links to further pages.
type searchParams struct {
	Q       string
	Deleted bool
	URL     string
	Since   string
	Limit   int
	Cursor  string

	query storage.Query
	since time.Duration
}

// parseSearchParams reads the parameters of a search; an empty q is an
// error.
func parseSearchParams(q url.Values) (searchParams, error) {
	p := searchParams{Q: strings.TrimSpace(q.Get("q")), URL: strings.TrimSpace(q.Get("url")),
		Since: strings.TrimSpace(q.Get("since")), Cursor: q.Get("cursor"), Limit: storage.DefaultSearchLimit}
	switch s := q.Get("deleted"); s {
	case "", "0":
	case "1", "on":
		p.Deleted = true
	default:
		return p, fmt.Errorf("%w: deleted must be 1 (only text edited away) or 0, not %q", errBadRequest, s)
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > storage.MaxSearchLimit {
			return p, fmt.Errorf("%w: limit must be a number from 1 to %d, not %q", errBadRequest, storage.MaxSearchLimit, s)
		}
		p.Limit = n
	}
	if p.Since != "" {
		d, err := parseSince(p.Since)
		if err != nil {
			return p, err
		}
		p.since = d
	}
	var err error
	if p.query, err = storage.ParseQuery(p.Q); err != nil {
		return p, fmt.Errorf("%w: q: %w", errBadRequest, err)
	}
	return p, nil
}

// values are the parameters of the search with cursor set, for a link to
// its next page.
func (p searchParams) values(cursor string) url.Values {
	v := url.Values{"q": {p.Q}}
	if p.Deleted {
		v.Set("deleted", "1")
	}
	for k, s := range map[string]string{"url": p.URL, "since": p.Since, "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if p.Limit != storage.DefaultSearchLimit {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	return v
}

// search runs p. A URL that is not tracked matches nothing, as in the
// change list; a bad cursor is a parameter error.
func (h *handler) search(ctx context.Context, p searchParams) (storage.SearchResult, error) {
	o := storage.SearchOptions{Deleted: p.Deleted, Limit: p.Limit, Cursor: p.Cursor}
	if p.since > 0 {
		o.Since = time.Now().Add(-p.since)
	}
	if p.URL != "" {
		pg, err := h.st.PageByURL(ctx, p.URL)
		if errors.Is(err, storage.ErrNotFound) {
			return storage.SearchResult{}, nil
		}
		if err != nil {
			return storage.SearchResult{}, err
		}
		o.PageID = pg.ID
	}
	res, err := h.st.Search(ctx, p.query, o)
	if errors.Is(err, storage.ErrBadQuery) {
		return res, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	return res, err
}

// searchPageData is the data of the search page.
type searchPageData struct {
	Title    string
	Params   searchParams
	Searched bool   // a query was given and ran
	Error    string // what is wrong with the parameters
	Hits     []storage.SearchHit
	Next     string // link to the next page of hits
	Capped   bool   // the search stopped at its bound of work
}

func (h *handler) searchPage(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearchParams(r.URL.Query())
	d := searchPageData{Title: "Search", Params: p}
	switch {
	case p.Q == "":
		// No query yet: the form alone.
		h.render(w, r, http.StatusOK, "search", d)
		return
	case err != nil:
		d.Error = err.Error()
		h.render(w, r, http.StatusBadRequest, "search", d)
		return
	}
	d.Title = "Search: " + p.Q
	res, err := h.search(r.Context(), p)
	if errors.Is(err, errBadRequest) {
		d.Error = err.Error()
		h.render(w, r, http.StatusBadRequest, "search", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Searched, d.Hits, d.Capped = true, res.Hits, res.Capped
	if res.Next != "" {
		d.Next = "/search?" + p.values(res.Next).Encode()
	}
	h.render(w, r, http.StatusOK, "search", d)
}

func (h *handler) apiSearch(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearchParams(r.URL.Query())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	res, err := h.search(r.Context(), p)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	hits := make([]SearchHitJSON, 0, len(res.Hits))
	for _, hit := range res.Hits {
		hits = append(hits, NewSearchHitJSON(hit))
	}
	var next *string
	if res.Next != "" {
		s := "/api/search?" + p.values(res.Next).Encode()
		next = &s
	}
	h.writeJSON(w, r, http.StatusOK, struct {
		Query  string          `json:"query"`
		Hits   []SearchHitJSON `json:"hits"`
		Next   *string         `json:"next"`
		Cursor *string         `json:"next_cursor"`
		Capped bool            `json:"capped"`
	}{p.Q, hits, next, optString(res.Next), res.Capped})
}

// SearchHitJSON is a search hit as /api/search and `stet search -json`
// give it. Snippet is the text around the match, with "…" where it was
// cut; Segments are the same text in pieces, those that matched with
// mark true, so a reader marks them without counting characters.
type SearchHitJSON struct {
	URL           string          `json:"url"`
	PageID        int64           `json:"page_id"`
	Title         string          `json:"title"` // of the version below
	Field         string          `json:"field"` // "text" or "title"
	Status        string          `json:"status"`
	Version       int64           `json:"version"` // the newest version holding the text
	VersionAt     *time.Time      `json:"version_at"`
	FirstVersion  int64           `json:"first_version"`
	FirstSeen     *time.Time      `json:"first_seen"`
	EditedVersion *int64          `json:"edited_version"` // edited away: the first version without the text
	EditedAt      *time.Time      `json:"edited_at"`
	RemovedAt     *time.Time      `json:"removed_at"` // removed page: when its removal was detected
	Snippet       string          `json:"snippet"`
	Segments      []SearchSegment `json:"segments"`
	Cursor        string          `json:"cursor"`
	HTMLURL       string          `json:"html_url"`
}

// SearchSegment is a piece of a snippet.
type SearchSegment struct {
	Text string `json:"text"`
	Mark bool   `json:"mark"`
}

// NewSearchHitJSON converts a hit for the API.
func NewSearchHitJSON(h storage.SearchHit) SearchHitJSON {
	j := SearchHitJSON{URL: h.URL, PageID: h.PageID, Title: h.Title, Field: h.Field, Status: string(h.Status),
		Version: h.VersionID, VersionAt: jsonTime(h.VersionAt), FirstVersion: h.FirstVersionID,
		FirstSeen: jsonTime(h.FirstSeen), EditedAt: jsonTime(h.EditedAt), RemovedAt: jsonTime(h.RemovedAt),
		Cursor: h.Cursor, HTMLURL: "/versions/" + strconv.FormatInt(h.VersionID, 10),
		Segments: make([]SearchSegment, 0, len(h.Snippet))}
	if h.EditedVersionID != 0 {
		j.EditedVersion = &h.EditedVersionID
	}
	var b strings.Builder
	for _, s := range h.Snippet {
		b.WriteString(s.Text)
		j.Segments = append(j.Segments, SearchSegment{Text: s.Text, Mark: s.Mark})
	}
	j.Snippet = b.String()
	return j
}

// optString is s, or null when empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
