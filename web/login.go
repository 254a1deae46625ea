package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// loginPage is the data of the login form.
type loginPage struct {
	Title   string
	Next    string // where to go after logging in
	User    string // the name typed, kept after a failure
	Error   string
	TTL     string      // how long a login lasts, in words
	Account *accountBar // set when the reader is logged in already
}

// accountBar is what a logged-in reader sees on /login: who they are and
// the logout button.
type accountBar struct {
	User, CSRF string
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	d := loginPage{Title: "Log in", Next: safeNext(r.URL.Query().Get("next")), TTL: lasting(h.sec.ttl)}
	if s := h.sec.readSession(r, h.opt.Auth.Users); s != nil {
		p := &principal{via: viaSession, user: s.user, sess: s}
		d.Account = &accountBar{User: s.user, CSRF: h.sec.csrfToken(p)}
	}
	h.renderLogin(w, r, http.StatusOK, d)
}

func (h *handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginPage) {
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, "login", d)
}

// login checks a name and password. Attempts are limited per client
// address (10 at once, then one every 6 s) and at most two password hashes
// are computed at a time; an unknown name costs the same hash comparison
// as a known one.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "The login form could not be read.")
		return
	}
	user, pass := r.PostForm.Get("user"), r.PostForm.Get("password")
	d := loginPage{Title: "Log in", Next: safeNext(r.PostForm.Get("next")), User: user, TTL: lasting(h.sec.ttl)}
	ip := clientIP(r)
	if ok, wait := h.sec.attempts.take(ip); !ok {
		secs := int(wait.Seconds()) + 1
		h.log.Warn("login refused: too many attempts", "remote", ip)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		d.Error = "Too many attempts from your address. Try again in " + strconv.Itoa(secs) + " seconds."
		h.renderLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	ok, err := h.checkPassword(r.Context(), user, pass)
	if err != nil {
		h.log.Debug("login abandoned", "remote", ip, "err", err)
		return
	}
	if !ok {
		if _, known := h.opt.Auth.Users[user]; known {
			h.log.Warn("login failed", "user", user, "remote", ip)
		} else {
			h.log.Warn("login failed", "user_known", false, "remote", ip) // the name may be a mistyped password
		}
		d.Error = "Wrong name or password."
		h.renderLogin(w, r, http.StatusForbidden, d)
		return
	}
	h.log.Info("login", "user", user, "remote", ip)
	http.SetCookie(w, h.sec.newSession(r, user))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// checkPassword verifies pass against user's hash, or against a real hash
// whose result is thrown away when there is no such user. It waits for a
// free slot first, so a burst of logins cannot take all CPU and memory.
func (h *handler) checkPassword(ctx context.Context, user, pass string) (bool, error) {
	select {
	case h.sec.hashing <- struct{}{}:
		defer func() { <-h.sec.hashing }()
	case <-ctx.Done():
		return false, ctx.Err()
	}
	hash, known := h.opt.Auth.Users[user]
	if !known {
		hash = h.sec.dummy
	}
	ok := verifyPassword(hash, pass)
	return ok && known && user != "", nil
}

// verifyPassword compares a password with a bcrypt or argon2id hash.
func verifyPassword(hash, pass string) bool {
	switch {
	case hash == "":
		return false
	case strings.HasPrefix(hash, "$argon2id$"):
		ok, err := argon2id.ComparePasswordAndHash(pass, hash)
		return err == nil && ok
	default:
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pass)) == nil
	}
}

// logout ends the reader's session (when the form's token matches it) and
// drops the cookie either way.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if s := h.sec.readSession(r, h.opt.Auth.Users); s != nil {
		p := &principal{via: viaSession, user: s.user, sess: s}
		if !h.sec.validCSRF(r, p) {
			h.errorPage(w, r, http.StatusForbidden, "The form has expired. Reload the page and try again.")
			return
		}
		h.sec.revoke(s)
		h.log.Info("logout", "user", s.user, "remote", clientIP(r))
	}
	http.SetCookie(w, h.sec.cookie(r, "", -1))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// lasting says a duration in words: "12 hours", "90 minutes".
func lasting(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	case d%time.Hour == 0 && d >= 2*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d == time.Hour:
		return "one hour"
	}
	return strconv.Itoa(int(d/time.Minute)) + " minutes"
}

// safeNext keeps a post-login redirect on this site: a path, never
// "//host", "/\host", a scheme or a control character, and never the login
// page itself; anything else is "/".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsFunc(next, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path == "/login" || u.Path == "/logout" {
		return "/"
	}
	return next
}
