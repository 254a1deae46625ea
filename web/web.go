// Package web serves a small read-only browser UI and JSON API over stet's
// database. Everything it shows was crawled from the web and is untrusted,
// so pages render only through html/template, crawled text is never marked
// as template.HTML, and every response carries a strict Content Security
// Policy that allows no scripts at all.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/stet/stet/storage"
)

// Options configures the UI. The zero value is valid.
type Options struct {
	Logger *slog.Logger // nil: slog.Default()
	// Auth decides who may read and act; see auth.go.
	Auth Auth
	// Check runs the same check as `stet check` on one page, for the
	// "check now" action; nil hides the action.
	Check CheckFunc
	// Metrics serves GET /metrics (Prometheus); nil serves none.
	Metrics http.Handler
}

// CheckFunc checks the page with this id now and returns a one-line
// outcome for the reader ("changed: version 4", "unchanged", ...).
type CheckFunc func(ctx context.Context, pageID int64) (string, error)

// handler holds what every route needs; it is read-only after Handler
// returns, except for sec, which guards its own state, so one value serves
// concurrent requests.
type handler struct {
	st    *storage.Store
	log   *slog.Logger
	pages map[string]*template.Template
	opt   Options
	sec   *security // session key, attempt limiter, logouts (session.go)
}

// Handler returns the UI and API over st. It only reads from st (the
// check action writes through Options.Check); the caller keeps owning st
// and closes it after the server has stopped. Every request passes the
// security headers, then the guard of auth.go (Host, cross-origin POSTs,
// authentication), then the routes.
func Handler(st *storage.Store, o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &handler{st: st, log: o.Logger, pages: parseTemplates(), opt: o, sec: newSecurity(o.Auth)}
	mux := http.NewServeMux()
	h.routes(mux)
	return secure(h.guard(mux))
}

// secure sets the headers every response needs. The policy forbids scripts,
// frames, plugins and remote resources outright, so even a missed escape
// could not run code or leak the reader's address to a crawled site.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.Error("render page", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error template.
type errorPage struct {
	Title   string
	Status  int
	Message string
}

func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", errorPage{Title: http.StatusText(status), Status: status, Message: msg})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "Nothing is stored under this address.")
}

// fail answers a storage error: 404 for a missing row, otherwise 500 with a
// generic message, since driver errors can name files and SQL.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	h.logFailure(r, err)
	h.errorPage(w, r, http.StatusInternalServerError, "The database could not be read. The error has been logged.")
}

func (h *handler) logFailure(r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		// The reader went away; nothing is wrong with the database.
		h.log.Debug("request canceled", "path", r.URL.Path, "err", err)
		return
	}
	h.log.Error("read database", "path", r.URL.Path, "err", err)
}

// writeJSON answers an API request. HTML escaping stays on: it costs
// nothing and keeps crawled markup inert if a browser ever sniffs the body.
func (h *handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.log.Error("encode json", "path", r.URL.Path, "err", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// apiError is the body of every failed API request.
type apiError struct {
	Error string `json:"error"`
}
