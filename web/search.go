package web

import "net/http"

// searchRoutes registers the search page and /api/search.
func (h *handler) searchRoutes(mux *http.ServeMux) {}
