package web

import "net/http"

// routes registers every page. Method-qualified patterns make the mux answer
// 405 to anything but GET and HEAD, and "GET /{$}" keeps "/" from swallowing
// unknown paths, which go to a 404 page instead. Each area of the UI
// registers its own routes beside its handlers.
func (h *handler) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.listChanges)
	mux.HandleFunc("GET /changes/{id}", h.showChange)
	mux.HandleFunc("GET /changes/{id}/export.warc.gz", h.exportChange)
	mux.HandleFunc("GET /pages", h.listPages)
	mux.HandleFunc("GET /pages/{id}", h.showPage)
	mux.HandleFunc("GET /versions/{id}", h.showVersion)
	mux.HandleFunc("GET /sources", h.listSources)
	mux.HandleFunc("GET /api/changes", h.apiChanges)
	mux.HandleFunc("GET /healthz", h.healthz)
	h.apiRoutes(mux)    // api.go: the JSON API
	h.searchRoutes(mux) // search.go: /search and /api/search
	h.feedRoutes(mux)   // feeds.go: Atom feeds of changes
	h.authRoutes(mux)   // auth.go: login, logout, "check now"
	if h.opt.Metrics != nil {
		mux.Handle("GET /metrics", h.opt.Metrics)
	}
	mux.HandleFunc("GET /", h.notFound)
}
