package web

import "net/http"

// feedRoutes registers the Atom feeds of changes.
func (h *handler) feedRoutes(mux *http.ServeMux) {}
