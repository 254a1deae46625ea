package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/storage"
)

// checkTimeout bounds one "check now": the fetch (30 s by default), a wait
// for the host's politeness interval and the transaction.
const checkTimeout = 2 * time.Minute

// maxOutcome bounds the outcome carried in the redirect, in bytes.
const maxOutcome = 300

// checkNowForm is the data of the "checknow" partial.
type checkNowForm struct {
	Action  string
	CSRF    string
	Outcome *checkOutcome // the result of the check that led here, if any
}

// checkOutcome is a check's result shown after the redirect back.
type checkOutcome struct {
	At   time.Time
	Text string
}

// checkResult is the JSON answer of POST /pages/{id}/check to API clients;
// its field names are a contract.
type checkResult struct {
	PageID    int64     `json:"page_id"`
	Outcome   string    `json:"outcome"`
	CheckedAt time.Time `json:"checked_at"`
}

// checkNow returns the data of the "checknow" partial for a page: the form
// with its CSRF token, and the outcome of the check just made if the
// request carries one signed by this server. It returns nil, which the
// partial renders as nothing, when there is no check action or the
// request was let in by no one.
func (h *handler) checkNow(r *http.Request, pageID int64) any {
	p := who(r)
	if h.opt.Check == nil || p == nil {
		return nil
	}
	f := &checkNowForm{Action: "/pages/" + strconv.FormatInt(pageID, 10) + "/check", CSRF: h.sec.csrfToken(p)}
	q := r.URL.Query()
	text, at, sig := q.Get("checked"), q.Get("at"), q.Get("sig")
	if text != "" && h.sec.verify(sig, "checked", strconv.FormatInt(pageID, 10), at, text) {
		if sec, err := strconv.ParseInt(at, 10, 64); err == nil {
			f.Outcome = &checkOutcome{At: time.Unix(sec, 0), Text: text}
		}
	}
	return f
}

// postCheck runs Options.Check on a page and sends the reader back to the
// page with the outcome. A browser's form must carry the CSRF token; a
// client authenticated with a bearer token needs none, since no browser
// sends that header by itself. Clients that ask for JSON get checkResult.
func (h *handler) postCheck(w http.ResponseWriter, r *http.Request) {
	if h.opt.Check == nil {
		h.notFound(w, r)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err.Error())
		return
	}
	p := who(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if p == nil || (p.via != viaBearer && !h.sec.validCSRF(r, p)) {
		h.log.Warn("check now refused: no valid CSRF token", "page_id", id, "remote", clientIP(r))
		h.checkFailed(w, r, http.StatusForbidden, "The form has expired or did not come from this site. Reload the page and try again.")
		return
	}
	// The server's write timeout is shorter than a slow fetch.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(checkTimeout + 10*time.Second))
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	outcome, err := h.opt.Check(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.checkFailed(w, r, http.StatusNotFound, "Nothing is stored under this address.")
		return
	case err != nil:
		h.logFailure(r, err)
		h.checkFailed(w, r, http.StatusInternalServerError, "The check could not be completed. The error has been logged.")
		return
	}
	outcome = truncate(strings.ToValidUTF8(outcome, "?"), maxOutcome)
	now := time.Now()
	h.log.Info("check now", "page_id", id, "by", p.name(), "outcome", outcome)
	if wantsJSON(r, p) {
		h.writeJSON(w, r, http.StatusOK, checkResult{PageID: id, Outcome: outcome, CheckedAt: now.UTC().Truncate(time.Second)})
		return
	}
	sid, at := strconv.FormatInt(id, 10), strconv.FormatInt(now.Unix(), 10)
	q := url.Values{"checked": {outcome}, "at": {at}, "sig": {h.sec.sign("checked", sid, at, outcome)}}
	http.Redirect(w, r, "/pages/"+sid+"?"+q.Encode(), http.StatusSeeOther)
}

func (h *handler) checkFailed(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsJSON(r, who(r)) {
		h.writeJSON(w, r, status, apiError{Error: msg})
		return
	}
	h.errorPage(w, r, status, msg)
}

// wantsJSON: API clients (a bearer token, or Accept naming JSON) get JSON.
func wantsJSON(r *http.Request, p *principal) bool {
	return (p != nil && p.via == viaBearer) || strings.Contains(r.Header.Get("Accept"), "application/json")
}
