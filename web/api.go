package web

import "net/http"

// apiRoutes registers the JSON API beyond /api/changes.
func (h *handler) apiRoutes(mux *http.ServeMux) {}
