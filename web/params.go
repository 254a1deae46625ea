package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/storage"
)

// Paging: every list answers at most maxPerPage items, perPage when the
// request does not say (?limit=).
const (
	perPage    = 50
	maxPerPage = 500
)

// maxSinceDays bounds ?since= (100 years), so the cut-off stays a sane date.
const maxSinceDays = 36500

// errBadRequest marks a parameter error, whose message is safe to show.
var errBadRequest = errors.New("bad request")

// changeQuery is the filter and paging of a change listing, as requested.
type changeQuery struct {
	Kind   string
	Class  string
	All    bool   // include suppressed changes
	Since  string // as typed, echoed into links and the form
	Before int64
	URL    string
	Limit  int // perPage unless ?limit= says otherwise

	since time.Duration
}

// parseChangeQuery reads ?kind=, ?class=, ?all=, ?since=, ?before=,
// ?url= and ?limit=.
func parseChangeQuery(q url.Values) (changeQuery, error) {
	cq := changeQuery{Kind: q.Get("kind"), Class: q.Get("class"), Since: strings.TrimSpace(q.Get("since")), URL: q.Get("url")}
	var err error
	if cq.Limit, err = parseLimit(q); err != nil {
		return cq, err
	}
	if cq.Kind != "" && !slices.Contains(storage.ChangeKinds(), cq.Kind) {
		return cq, fmt.Errorf("%w: kind must be one of %s; not %q", errBadRequest, strings.Join(storage.ChangeKinds(), ", "), cq.Kind)
	}
	if cq.Class != "" && !slices.Contains(classVocabulary, cq.Class) {
		return cq, fmt.Errorf("%w: class must be one of %s; not %q", errBadRequest, strings.Join(classVocabulary, ", "), cq.Class)
	}
	switch s := q.Get("all"); s {
	case "", "0":
	case "1":
		cq.All = true
	default:
		return cq, fmt.Errorf("%w: all must be 1 (include suppressed changes) or 0, not %q", errBadRequest, s)
	}
	if cq.Since != "" {
		d, err := parseSince(cq.Since)
		if err != nil {
			return cq, err
		}
		cq.since = d
	}
	if cq.Before, err = parseCursor(q, "before", "change id"); err != nil {
		return cq, err
	}
	return cq, nil
}

// parseLimit reads ?limit=: 1 to maxPerPage, perPage when absent. Zero,
// negative or larger values are errors, never "everything".
func parseLimit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return perPage, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPerPage {
		return 0, fmt.Errorf("%w: limit must be a number from 1 to %d, not %q", errBadRequest, maxPerPage, s)
	}
	return n, nil
}

// parseCursor reads an optional id parameter (?before=, ?after=, ?from=):
// 0 when absent, else a positive integer.
func parseCursor(q url.Values, name, what string) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: %s must be a positive %s, not %q", errBadRequest, name, what, s)
	}
	return id, nil
}

// parseSince accepts a Go duration ("36h", "90m") or a number of days ("7d").
func parseSince(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > maxSinceDays {
			return 0, fmt.Errorf("%w: since must be a positive duration like 24h or 7d, at most 36500d, not %q", errBadRequest, s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > maxSinceDays*24*time.Hour {
		return 0, fmt.Errorf("%w: since must be a positive duration like 24h or 7d, at most 36500d, not %q", errBadRequest, s)
	}
	return d, nil
}

// values turns the query back into URL parameters, for links that keep the
// current filters; before is set only when positive.
func (cq changeQuery) values(before int64) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"kind": cq.Kind, "class": cq.Class, "since": cq.Since, "url": cq.URL} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if cq.All {
		v.Set("all", "1")
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if cq.Limit != perPage && cq.Limit != 0 {
		v.Set("limit", strconv.Itoa(cq.Limit))
	}
	return v
}

// changeHeads returns up to cq.Limit changes matching cq, newest first,
// as heads carrying an excerpt of their diffs, and whether older ones
// exist. An unknown ?url= matches nothing rather than being an error: it
// is a filter, like an unused kind.
func (h *handler) changeHeads(ctx context.Context, cq changeQuery) ([]storage.ChangeHead, bool, error) {
	f := storage.ChangeFilter{Kind: cq.Kind, Class: cq.Class, WithSuppressed: cq.All, BeforeID: cq.Before}
	if cq.since > 0 {
		f.Since = time.Now().Add(-cq.since)
	}
	if cq.URL != "" {
		p, err := h.st.PageByURL(ctx, cq.URL)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		f.PageID = p.ID
	}
	f.Limit = cq.Limit + 1 // one more tells whether there is a next page
	hs, err := h.st.ChangeHeads(ctx, f, excerptChars)
	if err != nil {
		return nil, false, err
	}
	if len(hs) > cq.Limit {
		return hs[:cq.Limit], true, nil
	}
	return hs, false, nil
}

// pathID reads the {id} of a route, which must be a positive integer.
func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: id must be a positive number, not %q", errBadRequest, s)
	}
	return id, nil
}

// isBadRequest reports whether err is a parameter error, whose message is
// safe to show.
func isBadRequest(err error) bool { return errors.Is(err, errBadRequest) }
