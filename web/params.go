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

// perPage is how many changes one page of / or /api/changes holds.
const perPage = 50

// maxSinceDays bounds "?since=Nd" so the cut-off stays a sane date.
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

	since time.Duration
}

// parseChangeQuery reads ?kind=, ?class=, ?all=, ?since=, ?before= and
// ?url=.
func parseChangeQuery(q url.Values) (changeQuery, error) {
	cq := changeQuery{Kind: q.Get("kind"), Class: q.Get("class"), Since: strings.TrimSpace(q.Get("since")), URL: q.Get("url")}
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
	if s := q.Get("before"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return cq, fmt.Errorf("%w: before must be a positive change id, not %q", errBadRequest, s)
		}
		cq.Before = id
	}
	return cq, nil
}

// parseSince accepts a Go duration ("36h", "90m") or a number of days ("7d").
func parseSince(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 || days > maxSinceDays {
			return 0, fmt.Errorf("%w: since must be a duration like 24h or 7d, not %q", errBadRequest, s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%w: since must be a duration like 24h or 7d, not %q", errBadRequest, s)
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
	return v
}

// changesPage returns up to perPage changes matching cq, newest first, and
// whether older ones exist. An unknown ?url= matches nothing rather than
// being an error: it is a filter, like an unused kind.
func (h *handler) changesPage(ctx context.Context, cq changeQuery) ([]storage.Change, bool, error) {
	f := storage.ChangeFilter{Kind: cq.Kind, Class: cq.Class, WithSuppressed: cq.All}
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
	f.BeforeID = cq.Before
	f.Limit = perPage + 1 // one more tells whether there is a next page
	chs, err := h.st.Changes(ctx, f)
	if err != nil {
		return nil, false, err
	}
	if len(chs) > perPage {
		return chs[:perPage], true, nil
	}
	return chs, false, nil
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
