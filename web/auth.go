package web

import "net/http"

// Auth is the access control of the UI and API.
type Auth struct{}

// authRoutes registers login, logout and the "check now" action.
func (h *handler) authRoutes(mux *http.ServeMux) {}
