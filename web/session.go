package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sessionCookie holds a login: "v1.<user>.<expiry>.<nonce>.<mac>", with
// the user name in base64url and an HMAC-SHA256 over the rest. Sessions
// live in the cookie alone; logging out revokes the nonce in memory.
const sessionCookie = "stet_session"

// maxRevoked bounds the logged-out sessions remembered until they expire.
const maxRevoked = 10000

// security is the state behind access control: the signing key, the
// limiter of failed attempts, the bound on password checks running at once
// and the sessions logged out. It is safe for concurrent use.
type security struct {
	key      []byte
	ttl      time.Duration
	attempts *limiter
	hashing  chan struct{} // one slot per password verification allowed at once
	dummy    string        // compared for an unknown user name, so timing does not tell names apart
	now      func() time.Time

	mu      sync.Mutex
	revoked map[string]time.Time // session nonce -> its expiry
}

func newSecurity(a Auth) *security {
	s := &security{
		key:      a.SessionKey,
		ttl:      a.SessionTTL,
		attempts: newLimiter(10, 6*time.Second, 10000),
		hashing:  make(chan struct{}, 2),
		now:      time.Now,
		revoked:  map[string]time.Time{},
	}
	if len(s.key) == 0 {
		s.key = make([]byte, 32)
		rand.Read(s.key) // never fails (crypto/rand panics rather than return short)
	}
	if s.ttl <= 0 {
		s.ttl = DefaultSessionTTL
	}
	names := make([]string, 0, len(a.Users))
	for n := range a.Users {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > 0 {
		s.dummy = a.Users[names[0]]
	}
	return s
}

// mac is the HMAC-SHA256 of parts under the key, each part length-prefixed
// so that no two lists of parts collide.
func (s *security) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(p))))
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

func (s *security) sign(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(parts...))
}

// verify compares a signature in constant time.
func (s *security) verify(sig string, parts ...string) bool {
	return subtle.ConstantTimeCompare([]byte(sig), []byte(s.sign(parts...))) == 1
}

// session is a verified login.
type session struct {
	user    string
	expires time.Time
	nonce   string
}

// newSession makes the cookie of a new login.
func (s *security) newSession(r *http.Request, user string) *http.Cookie {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	exp := strconv.FormatInt(s.now().Add(s.ttl).Unix(), 10)
	u := base64.RawURLEncoding.EncodeToString([]byte(user))
	value := strings.Join([]string{"v1", u, exp, n, s.sign("session", u, exp, n)}, ".")
	return s.cookie(r, value, int(s.ttl.Seconds()))
}

// cookie is the session cookie: HttpOnly, SameSite=Lax (a link from a mail
// to a change page still finds the reader logged in, a cross-site POST
// carries no session), Secure when the request came over TLS, directly or
// through a proxy that says so in X-Forwarded-Proto (a forged header only
// keeps the forger's own cookie off plain HTTP).
func (s *security) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	secure := r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// readSession returns the request's login if its cookie is signed by this
// key, not expired nor logged out, and names a user who still exists.
func (s *security) readSession(r *http.Request, users map[string]string) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	f := strings.Split(c.Value, ".")
	if len(f) != 5 || f[0] != "v1" || !s.verify(f[4], "session", f[1], f[2], f[3]) {
		return nil
	}
	user, err := base64.RawURLEncoding.DecodeString(f[1])
	if err != nil {
		return nil
	}
	exp, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil || !s.now().Before(time.Unix(exp, 0)) {
		return nil
	}
	if _, ok := users[string(user)]; !ok {
		return nil
	}
	s.mu.Lock()
	_, revoked := s.revoked[f[3]]
	s.mu.Unlock()
	if revoked {
		return nil
	}
	return &session{user: string(user), expires: time.Unix(exp, 0), nonce: f[3]}
}

// revoke ends a session before its expiry. The list is pruned of expired
// sessions, and bounded: past maxRevoked the oldest entries are dropped.
func (s *security) revoke(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.revoked) >= maxRevoked {
		for n, exp := range s.revoked {
			if !now.Before(exp) {
				delete(s.revoked, n)
			}
		}
	}
	for len(s.revoked) >= maxRevoked {
		oldest, at := "", time.Time{}
		for n, exp := range s.revoked {
			if oldest == "" || exp.Before(at) {
				oldest, at = n, exp
			}
		}
		delete(s.revoked, oldest)
	}
	s.revoked[sess.nonce] = sess.expires
}

// csrfToken is the anti-forgery token of the principal's forms: an HMAC
// of its session (a logged-in user) or of how it was let in. A page on
// another site cannot read it: the Host check keeps a rebinding page out,
// and the browser keeps other origins from reading our pages.
func (s *security) csrfToken(p *principal) string {
	if p == nil {
		return ""
	}
	binding := p.via
	if p.sess != nil {
		binding = "session:" + p.sess.nonce
	}
	return s.sign("csrf", binding)
}

// validCSRF checks the token of a form (field "csrf") or of a script
// (header X-CSRF-Token).
func (s *security) validCSRF(r *http.Request, p *principal) bool {
	got := r.PostFormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	want := s.csrfToken(p)
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
