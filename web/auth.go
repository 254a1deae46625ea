package web

import (
	"cmp"
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Access control modes (Auth.Mode); they are the values of config's [web] auth.
const (
	AuthNone  = "none"  // no login: for a loopback address or behind an authenticating proxy
	AuthToken = "token" // a bearer token, or HTTP Basic with the token as password
	AuthUsers = "users" // a login form and a signed session cookie
)

// DefaultSessionTTL is how long a login lasts when Auth.SessionTTL is 0.
const DefaultSessionTTL = 12 * time.Hour

// Auth is the access control of the UI and API. The zero value lets
// everyone in and accepts any Host header, as a handler mounted in a test
// or behind a checking proxy needs; cmd/stet fills it from [web].
type Auth struct {
	// Mode is AuthNone ("" too), AuthToken or AuthUsers. Any other value
	// lets nobody in.
	Mode string
	// Token is the bearer token of AuthToken; with AuthUsers it is optional
	// and lets API clients and feed readers in without a session.
	Token string
	// Users maps each user name to a bcrypt or argon2id password hash
	// (AuthUsers).
	Users map[string]string
	// CheckHost refuses requests whose Host header names neither an IP
	// address, nor localhost, nor one of Hosts: a page that rebinds its own
	// DNS name to this server's address is turned away (421).
	CheckHost bool
	Hosts     []string // exact names, or "*.example.org" for its subdomains
	// SessionTTL is how long a login lasts (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// SessionKey signs session cookies, CSRF tokens and check outcomes.
	// nil: a random key made by Handler, so sessions end when the process
	// does.
	SessionKey []byte
}

// How a request was let in.
const (
	viaOpen    = "open"    // AuthNone
	viaSession = "session" // a login cookie
	viaBearer  = "bearer"  // Authorization: Bearer
	viaBasic   = "basic"   // HTTP Basic with the token as password
)

// principal is who made a request.
type principal struct {
	via  string
	user string   // the logged-in user (viaSession)
	sess *session // viaSession
}

// name is how logs name the principal.
func (p *principal) name() string {
	if p.user != "" {
		return p.user
	}
	return p.via
}

type principalKey struct{}

// who returns the principal the guard let in, nil for an open path such as
// /healthz or /login reached without credentials.
func who(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}

// authRoutes registers login, logout and the "check now" action.
func (h *handler) authRoutes(mux *http.ServeMux) {
	if h.opt.Auth.Mode == AuthUsers {
		mux.HandleFunc("GET /login", h.loginForm)
		mux.HandleFunc("POST /login", h.login)
		mux.HandleFunc("POST /logout", h.logout)
	}
	mux.HandleFunc("POST /pages/{id}/check", h.postCheck)
}

// guard runs before every route: the Host check, then the cross-origin
// check of unsafe methods (Sec-Fetch-Site and Origin), then
// authentication. Only /healthz and the login form are open to everyone.
func (h *handler) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path, "remote", clientIP(r))
		h.errorPage(w, r, http.StatusForbidden, "This request came from another site and was refused.")
	}))
	authed := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := h.identify(w, r)
		if !ok {
			return
		}
		if p == nil && !h.openPath(r) {
			h.unauthenticated(w, r)
			return
		}
		if p != nil {
			r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		}
		if p != nil && p.via != viaOpen {
			// What a login shows is for that reader: no shared cache may keep it.
			w.Header().Set("Cache-Control", "private")
		}
		next.ServeHTTP(w, r)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.hostAllowed(r.Host) {
			h.log.Warn("request for an unknown host refused", "host", truncate(r.Host, 100), "remote", clientIP(r))
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusMisdirectedRequest)
			w.Write([]byte("stet does not answer to the host name " + truncate(r.Host, 100) +
				". If this is the name you reach it by, add it to hosts in the [web] section of its config.\n"))
			return
		}
		authed.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether the Host header names this server: any IP
// address and localhost (a DNS-rebinding page always sends its own name),
// or a configured name.
func (h *handler) hostAllowed(host string) bool {
	a := h.opt.Auth
	if !a.CheckHost {
		return true
	}
	name := host
	if n, _, err := net.SplitHostPort(host); err == nil {
		name = n
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if name == "" {
		return false
	}
	if _, err := netip.ParseAddr(name); err == nil || name == "localhost" {
		return true
	}
	for _, want := range a.Hosts {
		want = strings.TrimSuffix(strings.ToLower(want), ".")
		if suffix, ok := strings.CutPrefix(want, "*"); ok && strings.HasSuffix(name, suffix) && len(name) > len(suffix) {
			return true
		}
		if name == want {
			return true
		}
	}
	return false
}

// openPath is what anyone may reach: the health check and the login page.
func (h *handler) openPath(r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz":
		return true
	case "/login", "/logout":
		return h.opt.Auth.Mode == AuthUsers
	}
	return false
}

// identify finds who made the request. It returns nil without writing when
// the request carries no credentials, and writes the answer itself (401,
// or 429 after too many failures from the address) when it carries wrong
// ones, returning ok false.
func (h *handler) identify(w http.ResponseWriter, r *http.Request) (p *principal, ok bool) {
	a := h.opt.Auth
	switch a.Mode {
	case AuthNone, "":
		return &principal{via: viaOpen}, true
	case AuthToken, AuthUsers:
	default:
		return nil, true // fail closed: nobody is let in
	}
	if a.Token != "" && r.Header.Get("Authorization") != "" {
		return h.identifyToken(w, r)
	}
	if a.Mode == AuthUsers {
		if s := h.sec.readSession(r, h.opt.Auth.Users); s != nil {
			return &principal{via: viaSession, user: s.user, sess: s}, true
		}
	}
	return nil, true
}

// identifyToken checks a bearer token, or HTTP Basic with the token as the
// password (any user name), in constant time. Failures count against the
// client's address, so a token cannot be guessed at speed.
func (h *handler) identifyToken(w http.ResponseWriter, r *http.Request) (*principal, bool) {
	ip := clientIP(r)
	if wait, limited := h.sec.attempts.blocked(ip); limited {
		h.tooMany(w, r, wait)
		return nil, false
	}
	var got, via string
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got, via = strings.TrimSpace(tok), viaBearer
	} else if _, pass, ok := r.BasicAuth(); ok {
		got, via = pass, viaBasic
	}
	if via != "" && subtle.ConstantTimeCompare([]byte(got), []byte(h.opt.Auth.Token)) == 1 {
		return &principal{via: via}, true
	}
	h.sec.attempts.take(ip)
	h.log.Warn("wrong credentials", "scheme", cmp.Or(via, "other"), "path", r.URL.Path, "remote", ip)
	h.challenge(w, r, "The credentials sent are not valid.")
	return nil, false
}

// unauthenticated answers a request that needs a login: the login form for
// a browser's GET in AuthUsers, a 401 otherwise.
func (h *handler) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if h.opt.Auth.Mode == AuthUsers && !machinePath(r.URL.Path) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	h.challenge(w, r, "Authentication required.")
}

// challenge answers 401 with the schemes the client may use: JSON for API,
// feed and metrics paths, an HTML page otherwise.
func (h *handler) challenge(w http.ResponseWriter, r *http.Request, msg string) {
	if h.opt.Auth.Token != "" {
		w.Header().Add("WWW-Authenticate", `Bearer realm="stet"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="stet", charset="UTF-8"`)
	} else {
		w.Header().Add("WWW-Authenticate", `Cookie realm="stet" form-action="/login"`)
	}
	if machinePath(r.URL.Path) {
		h.writeJSON(w, r, http.StatusUnauthorized, apiError{Error: strings.ToLower(strings.TrimSuffix(msg, "."))})
		return
	}
	if h.opt.Auth.Mode == AuthUsers {
		h.errorPage(w, r, http.StatusUnauthorized, "Authentication required: log in at /login.")
		return
	}
	h.errorPage(w, r, http.StatusUnauthorized, msg)
}

func (h *handler) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int(wait.Seconds()) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if machinePath(r.URL.Path) {
		h.writeJSON(w, r, http.StatusTooManyRequests, apiError{Error: "too many failed attempts; retry in " + strconv.Itoa(secs) + "s"})
		return
	}
	h.errorPage(w, r, http.StatusTooManyRequests, "Too many failed attempts from your address. Try again in "+strconv.Itoa(secs)+" seconds.")
}

// machinePath reports whether a path is read by programs (API clients,
// feed readers, Prometheus), which get JSON errors and no redirects.
func machinePath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/feeds/") || p == "/metrics" ||
		strings.HasSuffix(p, ".atom") || strings.HasSuffix(p, ".json")
}

// clientIP is the key of the attempt limiter: the peer's address, or its
// /64 for IPv6, where one client holds a whole prefix. Behind a reverse
// proxy every client shares the proxy's address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.String()
		}
	}
	return ip.String()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
