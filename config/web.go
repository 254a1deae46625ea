package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
)

// Access control modes of [web] auth.
const (
	AuthNone  = "none"  // no login; only on a loopback address unless allow_unauthenticated
	AuthToken = "token" // a bearer token (HTTP Basic with the token as password for browsers and feed readers)
	AuthUsers = "users" // named users with password hashes, a login form and a session cookie
)

// Limits on web settings.
const (
	MinTokenLength    = 16                       // characters of a bearer token
	MinBcryptCost     = 10                       // below it a bcrypt hash is too cheap to guess at
	MaxBcryptCost     = 15                       // above it one login takes seconds of CPU
	MaxArgon2Memory   = 256 << 10                // KiB: one argon2id login may take this much memory
	MinArgon2Memory   = 7 << 10                  // KiB: OWASP's lowest recommended setting
	MaxArgon2Time     = 20                       // argon2id passes
	MaxArgon2Threads  = 16                       // argon2id parallelism
	DefaultSessionTTL = Duration(12 * time.Hour) // how long a login lasts
)

// WebUser is one [[web.user]] entry: a name and the hash of its password.
type WebUser struct {
	Name         string       `toml:"name"`
	PasswordHash PasswordHash `toml:"password_hash"`
}

// PasswordHash is a bcrypt hash ("$2b$12$...") or an argon2id hash in PHC
// form ("$argon2id$v=19$m=19456,t=2,p=1$salt$key"), as `stet passwd`
// prints. It is checked when decoded, and never printed whole.
type PasswordHash string

// UnmarshalText accepts a hash that CheckPasswordHash accepts.
func (h *PasswordHash) UnmarshalText(b []byte) error {
	if err := CheckPasswordHash(string(b)); err != nil {
		return err
	}
	*h = PasswordHash(b)
	return nil
}

// String names the kind of hash only, so a Config printed into a log or a
// test failure carries no hash.
func (h PasswordHash) String() string {
	switch {
	case h == "":
		return ""
	case strings.HasPrefix(string(h), "$argon2id$"):
		return "[argon2id hash]"
	default:
		return "[bcrypt hash]"
	}
}

// GoString keeps the hash out of %#v too.
func (h PasswordHash) GoString() string { return `"` + h.String() + `"` }

// Secret is a string that prints as "[hidden]", so logging a Config never
// shows it.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[hidden]"
}

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// CheckPasswordHash reports whether s is a bcrypt or argon2id hash stet can
// verify, with a cost that protects the password without letting one login
// take seconds or gigabytes. Errors never quote s: a password pasted where
// its hash belongs must not reach a log.
func CheckPasswordHash(s string) error {
	switch {
	case s == "":
		return errors.New("must not be empty: make a hash with `stet passwd`")
	case strings.HasPrefix(s, "$2a$"), strings.HasPrefix(s, "$2b$"), strings.HasPrefix(s, "$2y$"):
		cost, err := bcrypt.Cost([]byte(s))
		if err != nil {
			return fmt.Errorf("not a valid bcrypt hash: %w", err)
		}
		if cost < MinBcryptCost || cost > MaxBcryptCost {
			return fmt.Errorf("bcrypt cost %d is out of range %d..%d: make a new hash with `stet passwd`", cost, MinBcryptCost, MaxBcryptCost)
		}
		return nil
	case strings.HasPrefix(s, "$argon2id$"):
		return checkArgon2(s)
	case strings.HasPrefix(s, "$argon2i$"), strings.HasPrefix(s, "$argon2d$"):
		return errors.New("only the argon2id variant of argon2 is accepted: make a hash with `stet passwd`")
	default:
		return errors.New("not a password hash (want bcrypt \"$2b$...\" or argon2id \"$argon2id$v=19$...\"): make one with `stet passwd`")
	}
}

func checkArgon2(s string) error {
	p, salt, key, err := argon2id.DecodeHash(s)
	if err != nil {
		return fmt.Errorf("not a valid argon2id hash: %w", err)
	}
	switch {
	case p.Memory < MinArgon2Memory || p.Memory > MaxArgon2Memory:
		return fmt.Errorf("argon2id memory m=%d KiB is out of range %d..%d", p.Memory, MinArgon2Memory, MaxArgon2Memory)
	case p.Iterations < 1 || p.Iterations > MaxArgon2Time:
		return fmt.Errorf("argon2id passes t=%d are out of range 1..%d", p.Iterations, MaxArgon2Time)
	case p.Parallelism < 1 || p.Parallelism > MaxArgon2Threads:
		return fmt.Errorf("argon2id parallelism p=%d is out of range 1..%d", p.Parallelism, MaxArgon2Threads)
	case len(salt) < 8:
		return fmt.Errorf("argon2id salt of %d bytes is shorter than 8", len(salt))
	case len(key) < 16:
		return fmt.Errorf("argon2id key of %d bytes is shorter than 16", len(key))
	}
	return nil
}

// LoopbackListen reports whether a listen address ("host:port") serves
// this machine only: its host is a loopback address or "localhost". An
// empty host, 0.0.0.0 or [::] listen on every interface and are not.
func LoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Exposed returns an error when serving on listen would let the network in
// without authentication: auth is "none", listen is not a loopback address
// and allow_unauthenticated is not set. `stet serve -listen` checks its
// flag with it, as Validate checks [web] listen.
func (w Web) Exposed(listen string) error {
	if listen == "" || w.Auth != AuthNone || w.AllowUnauthenticated || LoopbackListen(listen) {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address and web.auth is %q: set web.auth to %q or %q, "+
		"or web.allow_unauthenticated = true if an authenticating proxy is in front", listen, AuthNone, AuthToken, AuthUsers)
}

// BearerToken is the token API clients and feed readers present: web.token,
// or the contents of web.token_file (read when the config was validated).
func (w Web) BearerToken() string {
	if w.Token != "" {
		return string(w.Token)
	}
	return string(w.fileToken)
}

// UserHashes maps each [[web.user]] name to its password hash.
func (w Web) UserHashes() map[string]string {
	m := make(map[string]string, len(w.Users))
	for _, u := range w.Users {
		m[u.Name] = string(u.PasswordHash)
	}
	return m
}

// resolvePaths makes a relative token_file relative to dir, the config
// file's folder ("" leaves it relative to the working directory).
func (w *Web) resolvePaths(dir string) {
	if w.TokenFile != "" && dir != "" && !filepath.IsAbs(w.TokenFile) {
		w.TokenFile = filepath.Join(dir, w.TokenFile)
	}
}

// validate checks [web]. It reads token_file, so that a missing or short
// token is a config error with a position rather than a failure at start.
func (w *Web) validate(p *problems) {
	if l := w.Listen; l != "" {
		if _, port, err := net.SplitHostPort(l); err != nil || port == "" {
			p.add("web.listen", "want host:port such as \"127.0.0.1:8080\", got %q", l)
		} else if err := w.Exposed(l); err != nil {
			p.add("web.listen", "%w", err)
		}
	}
	switch w.Auth {
	case AuthNone, AuthToken, AuthUsers:
	default:
		p.add("web.auth", "want %q, %q or %q, got %q", AuthNone, AuthToken, AuthUsers, w.Auth)
	}
	w.validateToken(p)
	w.validateUsers(p)
	for i, h := range w.Hosts {
		if err := checkHostName(h); err != nil {
			p.add(fmt.Sprintf("web.hosts[%d]", i), "%w", err)
		}
	}
	if w.SessionTTL < Duration(time.Minute) || w.SessionTTL > Duration(90*day) {
		p.add("web.session_ttl", "%s is out of range 1m..90d", w.SessionTTL)
	}
}

func (w *Web) validateToken(p *problems) {
	w.fileToken = ""
	if w.Token != "" && w.TokenFile != "" {
		p.add("web.token_file", "set web.token or web.token_file, not both")
		return
	}
	if w.TokenFile != "" {
		b, err := os.ReadFile(w.TokenFile)
		if err != nil {
			p.add("web.token_file", "%w", err)
			return
		}
		w.fileToken = Secret(strings.TrimRight(string(b), "\r\n"))
	}
	tok, key := w.BearerToken(), "web.token"
	if w.TokenFile != "" {
		key = "web.token_file"
	}
	switch {
	case tok == "" && w.Auth == AuthToken:
		p.add("web.auth", "%q needs web.token or web.token_file", AuthToken)
	case tok == "":
	case w.Auth == AuthNone:
		p.add(key, "is set but web.auth is %q: set web.auth = %q to require it", AuthNone, AuthToken)
	case len(tok) < MinTokenLength:
		p.add(key, "the token has %d characters, fewer than %d: use a long random one, such as `openssl rand -hex 32` prints", len(tok), MinTokenLength)
	case strings.ContainsFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		p.add(key, "the token contains white space or control characters")
	}
}

func (w *Web) validateUsers(p *problems) {
	if w.Auth == AuthUsers && len(w.Users) == 0 {
		p.add("web.auth", "%q needs at least one [[web.user]]", AuthUsers)
	}
	if len(w.Users) > 0 && w.Auth != AuthUsers {
		p.add("web.user[0]", "users are set but web.auth is %q: set web.auth = %q to require a login", w.Auth, AuthUsers)
	}
	seen := map[string]int{}
	for i, u := range w.Users {
		key := fmt.Sprintf("web.user[%d]", i)
		switch j, dup := seen[u.Name]; {
		case u.Name == "":
			p.add(key+".name", "required")
		case strings.TrimSpace(u.Name) != u.Name || strings.ContainsFunc(u.Name, unicode.IsControl):
			p.add(key+".name", "%q has surrounding white space or control characters", u.Name)
		case dup:
			p.add(key+".name", "duplicate of web.user[%d].name%s", j, p.at(fmt.Sprintf("web.user[%d].name", j)))
		default:
			seen[u.Name] = i
		}
		if u.PasswordHash == "" {
			p.add(key+".password_hash", "required: make one with `stet passwd`")
		} else if err := CheckPasswordHash(string(u.PasswordHash)); err != nil {
			p.add(key+".password_hash", "%w", err) // set in code; a decoded one was checked already
		}
	}
}

// checkHostName accepts a DNS name ("stet.example.org"), a wildcard for a
// domain's subdomains ("*.example.org") or an IP address, without a port.
func checkHostName(h string) error {
	name := strings.TrimPrefix(h, "*.")
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return nil
	}
	if name == "" || len(name) > 253 || strings.Trim(name, ".") == "" {
		return fmt.Errorf("%q is not a host name", h)
	}
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.ContainsFunc(label, func(r rune) bool {
				return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			}) {
			return fmt.Errorf("%q is not a host name (want a name such as \"stet.example.org\" or \"*.example.org\", without scheme, port or path; international names in punycode)", h)
		}
	}
	return nil
}
