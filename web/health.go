package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/stet/stet/storage"
)

// failingPagesShown is how many failing pages the sources page lists; the
// rest are one link away (/pages?failing=1).
const failingPagesShown = 50

// sourcesPage is the data of the sources page: the health of what stet
// watches.
type sourcesPage struct {
	Title   string
	Health  storage.Health
	Sources []storage.SourceHead
	Failing bool   // only failing sources (or with failing pages)
	Next    string // the next page of sources; "" on the last
	First   string // the first page of sources; "" on it
	// FailingPages are the first failing pages; MoreFailing says others
	// follow.
	FailingPages []storage.PageHead
	MoreFailing  bool
	Now          time.Time
}

// sourceFilter reads ?after=, ?limit= and ?failing=1 of a source list.
func sourceFilter(q url.Values) (storage.SourceFilter, error) {
	var f storage.SourceFilter
	var err error
	if f.Limit, err = parseLimit(q); err != nil {
		return f, err
	}
	if f.After, err = parseCursor(q, "after", "source id"); err != nil {
		return f, err
	}
	f.Failing, err = parseFlag(q, "failing", "only failing sources, or sources with failing pages")
	return f, err
}

// sourceHeads reads one page of the source list, and whether more follow.
// A [[page]] source is checked through its one page, so its state is that
// page's, as `stet sources` shows it.
func (h *handler) sourceHeads(r *http.Request, f storage.SourceFilter) ([]storage.SourceHead, bool, error) {
	limit := f.Limit
	f.Limit++
	ss, err := h.st.SourceHeads(r.Context(), f)
	if err != nil {
		return nil, false, err
	}
	more := len(ss) > limit
	ss = ss[:min(len(ss), limit)]
	for i := range ss {
		s := &ss[i]
		if s.Kind != storage.KindPage || s.Pages != 1 {
			continue
		}
		ps, err := h.st.PageHeads(r.Context(), storage.PageFilter{SourceID: s.ID, Limit: 1})
		if err != nil {
			return nil, false, err
		}
		if len(ps) == 1 {
			p := ps[0]
			s.LastCheckedAt, s.LastClass, s.LastReason, s.NextCheckAt = p.LastCheckedAt, p.LastClass, p.LastReason, p.NextCheckAt
			s.ConsecutiveFailures, s.Failing, s.FailingSince, s.BackoffUntil = p.ConsecutiveFailures, p.Failing, p.FailingSince, p.BackoffUntil
		}
	}
	return ss, more, nil
}

// listSources shows health: counts of sources and pages failing, backed
// off, removed; each source's last result and error, failures in a row,
// backoff and next check, a page of sources at a time (?after=, ?limit=,
// ?failing=1); and the first failing pages with their last error.
func (h *handler) listSources(w http.ResponseWriter, r *http.Request) {
	f, err := sourceFilter(r.URL.Query())
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	p := sourcesPage{Title: "Sources", Failing: f.Failing, Now: time.Now()}
	if p.Health, err = h.st.Health(ctx, p.Now); err != nil {
		h.fail(w, r, err)
		return
	}
	var more bool
	if p.Sources, more, err = h.sourceHeads(r, f); err != nil {
		h.fail(w, r, err)
		return
	}
	if more {
		p.Next = nextLink(r, "after", p.Sources[len(p.Sources)-1].ID)
	}
	if f.After > 0 {
		q := r.URL.Query()
		q.Del("after")
		p.First = "/sources"
		if len(q) > 0 {
			p.First += "?" + q.Encode()
		}
	}
	if p.Health.PagesFailing > 0 {
		fp, err := h.st.PageHeads(ctx, storage.PageFilter{Failing: true, Limit: failingPagesShown + 1})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.MoreFailing = len(fp) > failingPagesShown
		p.FailingPages = fp[:min(len(fp), failingPagesShown)]
	}
	h.render(w, r, http.StatusOK, "sources", p)
}

// sourceJSON is a source with its health, as /api/sources lists it.
type sourceJSON struct {
	ID                  int64      `json:"id"`
	Kind                string     `json:"kind"`
	Name                string     `json:"name"`
	URL                 string     `json:"url"`
	Schedule            string     `json:"schedule"`
	LastCheckedAt       *time.Time `json:"last_checked_at"`
	LastStatus          string     `json:"last_status"`
	LastReason          string     `json:"last_reason"` // the last error, when it failed
	ConsecutiveFailures int        `json:"consecutive_failures"`
	Failing             bool       `json:"failing"`
	FailingSince        *time.Time `json:"failing_since"`
	BackoffUntil        *time.Time `json:"backoff_until"`
	NextCheckAt         *time.Time `json:"next_check_at"`
	Pages               int        `json:"pages"`
	PagesFailing        int        `json:"pages_failing"`
	PagesRemoved        int        `json:"pages_removed"`
	PagesURL            string     `json:"pages_url"`
}

// healthJSON counts sources and pages by health.
type healthJSON struct {
	Sources          int `json:"sources"`
	SourcesFailing   int `json:"sources_failing"`
	SourcesBackedOff int `json:"sources_backed_off"`
	Pages            int `json:"pages"`
	PagesFailing     int `json:"pages_failing"`
	PagesRemoved     int `json:"pages_removed"`
	PagesBackedOff   int `json:"pages_backed_off"`
	PagesUnlisted    int `json:"pages_unlisted"`
}

// apiSources lists sources with their health, in id order (?after=,
// ?limit=, ?failing=1), and the counts of the whole database.
func (h *handler) apiSources(w http.ResponseWriter, r *http.Request) {
	f, err := sourceFilter(r.URL.Query())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	hl, err := h.st.Health(r.Context(), time.Now())
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	ss, more, err := h.sourceHeads(r, f)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	items := make([]sourceJSON, 0, len(ss))
	for _, s := range ss {
		items = append(items, sourceJSON{ID: s.ID, Kind: s.Kind, Name: s.Name, URL: s.URL, Schedule: s.Schedule,
			LastCheckedAt: jsonTime(s.LastCheckedAt), LastStatus: s.LastClass, LastReason: s.LastReason,
			ConsecutiveFailures: s.ConsecutiveFailures, Failing: s.Failing, FailingSince: jsonTime(s.FailingSince),
			BackoffUntil: jsonTime(s.BackoffUntil), NextCheckAt: jsonTime(s.NextCheckAt), Pages: s.Pages,
			PagesFailing: s.PagesFailing, PagesRemoved: s.PagesRemoved,
			PagesURL: "/api/pages?source=" + strconv.FormatInt(s.ID, 10)})
	}
	list, n, err := boundedList(items)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	var next string
	if more || n < len(ss) {
		next = nextLink(r, "after", ss[n-1].ID)
	}
	h.writeList(w, r, "sources", list, next, map[string]any{"health": healthJSON(hl)})
}
