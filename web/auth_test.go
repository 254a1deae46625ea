package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

const testToken = "tok-0123456789abcdef"

// authServer serves a seeded store behind auth; its log is in logs.
type authServer struct {
	*httptest.Server
	f    fixture
	logs *syncBuffer
}

// syncBuffer is a log buffer the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newAuthServer(t *testing.T, a web.Auth, check web.CheckFunc) *authServer {
	t.Helper()
	f := seed(t)
	logs := &syncBuffer{}
	srv := httptest.NewServer(web.Handler(f.st, web.Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), Auth: a, Check: check}))
	t.Cleanup(srv.Close)
	return &authServer{Server: srv, f: f, logs: logs}
}

// users makes ana (bcrypt) and bo (argon2id), both with password "pw-"+name.
func users(t *testing.T) map[string]string {
	t.Helper()
	b, err := bcrypt.GenerateFromPassword([]byte("pw-ana"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a, err := argon2id.CreateHash("pw-bo", &argon2id.Params{Memory: 8 << 10, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"ana": string(b), "bo": a}
}

// browser is a client with a cookie jar that does not follow redirects,
// so each test sees where it is sent.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, c *http.Client, method, u string, form url.Values, header ...string) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestAuthHostCheck(t *testing.T) {
	s := newAuthServer(t, web.Auth{CheckHost: true, Hosts: []string{"stet.example.org", "*.example.net"}}, nil)
	tests := []struct {
		host string
		want int
	}{
		{"stet.example.org", 200},
		{"STET.example.org.:8080", 200},
		{"a.example.net", 200},
		{"b.a.example.net", 200},
		{"127.0.0.1:8080", 200},
		{"[::1]:8080", 200},
		{"192.0.2.7", 200}, // an address cannot be rebound; only names can
		{"localhost:8080", 200},
		{"example.net", http.StatusMisdirectedRequest},
		{"evil.example", http.StatusMisdirectedRequest},
		{"stet.example.org.evil.example", http.StatusMisdirectedRequest},
		{"localhost.evil.example", http.StatusMisdirectedRequest},
	}
	for _, path := range []string{"/healthz", "/pages"} {
		for _, tt := range tests {
			r := send(t, http.DefaultClient, "GET", s.URL+path, nil, "Host", tt.host)
			if r.status != tt.want {
				t.Errorf("GET %s with Host %q: %d, want %d", path, tt.host, r.status, tt.want)
			}
			if tt.want != 200 && !strings.Contains(r.body, "add it to hosts in the [web] section") {
				t.Errorf("Host %q: refusal does not say what to do: %q", tt.host, r.body)
			}
		}
	}
}

// TestAuthHostCheckOff: the zero Auth accepts any Host (tests, or a proxy
// in front that checks).
func TestAuthHostCheckOff(t *testing.T) {
	s := newAuthServer(t, web.Auth{}, nil)
	if r := send(t, http.DefaultClient, "GET", s.URL+"/pages", nil, "Host", "evil.example"); r.status != 200 {
		t.Errorf("zero Auth, Host evil.example: %d, want 200", r.status)
	}
}

func TestAuthToken(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthToken, Token: testToken}, nil)
	basic := "Basic " + basicAuth("feedreader", testToken)
	tests := []struct {
		name, path, auth string
		want             int
		json             bool
	}{
		{"API without token", "/api/changes", "", 401, true},
		{"API with token", "/api/changes", "Bearer " + testToken, 200, true},
		{"API with wrong token", "/api/changes", "Bearer tok-0123456789abcdeX", 401, true},
		{"API with a prefix of the token", "/api/changes", "Bearer tok-0123", 401, true},
		{"API with the token as Basic password", "/api/changes", basic, 200, true},
		{"feed path without token", "/feeds/changes.atom", "", 401, true},
		{"page without token", "/pages", "", 401, false},
		{"page with Basic", "/pages", basic, 200, false},
		{"health is open", "/healthz", "", 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, http.DefaultClient, "GET", s.URL+tt.path, nil, "Authorization", tt.auth)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want != 401 {
				return
			}
			if got := r.header.Values("WWW-Authenticate"); len(got) != 2 || !strings.HasPrefix(got[0], "Bearer") || !strings.HasPrefix(got[1], "Basic") {
				t.Errorf("WWW-Authenticate = %q, want Bearer and Basic challenges", got)
			}
			if isJSON := strings.HasPrefix(r.header.Get("Content-Type"), "application/json"); isJSON != tt.json {
				t.Errorf("Content-Type %q, want JSON: %v", r.header.Get("Content-Type"), tt.json)
			}
		})
	}
	if strings.Contains(s.logs.String(), "0123456789abcde") {
		t.Errorf("the log shows a token:\n%s", s.logs)
	}
}

// TestAuthTokenGuessing: after 10 wrong tokens from one address, that
// address gets 429 with Retry-After, even with the right token.
func TestAuthTokenGuessing(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthToken, Token: testToken}, nil)
	for i := range 10 {
		if r := send(t, http.DefaultClient, "GET", s.URL+"/api/changes", nil, "Authorization", fmt.Sprintf("Bearer guess-%d", i)); r.status != 401 {
			t.Fatalf("guess %d: %d, want 401", i, r.status)
		}
	}
	r := send(t, http.DefaultClient, "GET", s.URL+"/api/changes", nil, "Authorization", "Bearer "+testToken)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("after 10 wrong guesses: %d Retry-After %q, want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
}

func basicAuth(user, pass string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs c in and returns the CSRF token of its session.
func login(t *testing.T, c *http.Client, base, user, pass string) string {
	t.Helper()
	r := send(t, c, "POST", base+"/login", url.Values{"user": {user}, "password": {pass}, "next": {"/pages"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/pages" {
		t.Fatalf("login as %s: %d to %q, want 303 to /pages", user, r.status, r.header.Get("Location"))
	}
	page := send(t, c, "GET", base+"/login", nil)
	m := csrfField.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no CSRF token on /login after logging in:\n%s", page.body)
	}
	return m[1]
}

func TestAuthLoginFlow(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t), Token: testToken}, nil)
	c := browser(t)

	r := send(t, c, "GET", s.URL+"/pages?x=1", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Fpages%3Fx%3D1" {
		t.Fatalf("GET /pages logged out: %d to %q, want 303 to the login form", r.status, r.header.Get("Location"))
	}
	form := send(t, c, "GET", s.URL+r.header.Get("Location"), nil)
	mustContain(t, "login page", form.body, `<form id="login" method="post" action="/login">`, `name="user"`,
		`name="password" type="password"`, `<button type="submit">`, `name="next" value="/pages?x=1"`)
	if r := send(t, c, "GET", s.URL+"/api/changes", nil); r.status != 401 || !strings.Contains(r.body, `"error"`) {
		t.Errorf("API logged out: %d %q, want 401 JSON", r.status, r.body)
	}

	r = send(t, c, "POST", s.URL+"/login", url.Values{"user": {"ana"}, "password": {"pw-bo"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Wrong name or password.") || !strings.Contains(r.body, `id="login"`) {
		t.Errorf("wrong password: %d, want 403 and the form again with a message", r.status)
	}
	r = send(t, c, "POST", s.URL+"/login", url.Values{"user": {"nobody"}, "password": {"pw-ana"}})
	if r.status != http.StatusForbidden {
		t.Errorf("unknown user: %d, want 403", r.status)
	}
	if r := send(t, c, "GET", s.URL+"/pages", nil); r.status != http.StatusSeeOther {
		t.Fatalf("after failed logins /pages: %d, want still logged out", r.status)
	}

	for _, user := range []string{"ana", "bo"} { // bcrypt, argon2id
		c := browser(t)
		r := send(t, c, "POST", s.URL+"/login", url.Values{"user": {user}, "password": {"pw-" + user}, "next": {"/pages?x=1"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/pages?x=1" {
			t.Fatalf("login %s: %d to %q", user, r.status, r.header.Get("Location"))
		}
		ck := sessionCookie(t, r)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" || ck.MaxAge != int(web.DefaultSessionTTL.Seconds()) {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over http, Path=/, Max-Age 12h", ck)
		}
		for _, path := range []string{"/pages", "/api/changes", "/changes/" + id(s.f.changed)} {
			if r := send(t, c, "GET", s.URL+path, nil); r.status != 200 || r.header.Get("Cache-Control") != "private" {
				t.Errorf("%s logged in as %s: %d, Cache-Control %q; want 200, private", path, user, r.status, r.header.Get("Cache-Control"))
			}
		}
		// Behind a TLS proxy that says so, the cookie is Secure.
		r = send(t, browser(t), "POST", s.URL+"/login", url.Values{"user": {user}, "password": {"pw-" + user}}, "X-Forwarded-Proto", "https")
		if !sessionCookie(t, r).Secure {
			t.Errorf("session cookie behind an https proxy is not Secure")
		}
	}
	// The token still lets API clients in without a session.
	if r := send(t, http.DefaultClient, "GET", s.URL+"/api/changes", nil, "Authorization", "Bearer "+testToken); r.status != 200 {
		t.Errorf("bearer token with users: %d, want 200", r.status)
	}
	logs := s.logs.String()
	mustContain(t, "log", logs, `msg="login failed" user=ana`, `msg="login failed" user_known=false`, `msg=login user=ana`)
	mustNotContain(t, "log", logs, "pw-ana", "pw-bo", "nobody", "stet_session")
}

func sessionCookie(t *testing.T, r reply) *http.Cookie {
	t.Helper()
	for _, line := range r.header.Values("Set-Cookie") {
		ck, err := http.ParseSetCookie(line)
		if err == nil && ck.Name == "stet_session" {
			return ck
		}
	}
	t.Fatalf("no stet_session cookie in %q", r.header.Values("Set-Cookie"))
	return nil
}

func TestAuthLogout(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t)}, nil)
	c := browser(t)
	csrf := login(t, c, s.URL, "ana", "pw-ana")
	u, _ := url.Parse(s.URL)
	stolen := c.Jar.Cookies(u)

	if r := send(t, c, "POST", s.URL+"/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d, want 403", r.status)
	}
	if r := send(t, c, "GET", s.URL+"/pages", nil); r.status != 200 {
		t.Fatalf("a refused logout logged out: %d", r.status)
	}
	r := send(t, c, "POST", s.URL+"/logout", url.Values{"csrf": {csrf}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" || sessionCookie(t, r).MaxAge >= 0 {
		t.Fatalf("logout: %d to %q, want 303 to /login and the cookie dropped", r.status, r.header.Get("Location"))
	}
	// A copy of the cookie taken before the logout is dead too.
	replay := browser(t)
	replay.Jar.SetCookies(u, stolen)
	if r := send(t, replay, "GET", s.URL+"/pages", nil); r.status != http.StatusSeeOther {
		t.Errorf("session cookie replayed after logout: %d, want a redirect to the login", r.status)
	}
}

// TestAuthSessionForged: a session cookie is honoured only if this
// server signed it and its user still exists.
func TestAuthSessionForged(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	us := users(t)
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: us, SessionKey: key}, nil)
	c := browser(t)
	login(t, c, s.URL, "bo", "pw-bo")
	u, _ := url.Parse(s.URL)
	good := c.Jar.Cookies(u)[0].Value
	parts := strings.Split(good, ".")

	asAna := append([]string{}, parts...)
	asAna[1] = "YW5h" // base64url("ana"), with bo's signature
	later := append([]string{}, parts...)
	later[2] = "99999999999"

	onlyAna := map[string]string{"ana": us["ana"]}
	other := httptest.NewServer(web.Handler(s.f.st, web.Options{Logger: slog.New(slog.DiscardHandler), Auth: web.Auth{Mode: web.AuthUsers, Users: us}}))
	defer other.Close()
	removed := httptest.NewServer(web.Handler(s.f.st, web.Options{Logger: slog.New(slog.DiscardHandler), Auth: web.Auth{Mode: web.AuthUsers, Users: onlyAna, SessionKey: key}}))
	defer removed.Close()
	tests := []struct {
		name, base, value string
		want              int
	}{
		{"genuine", s.URL, good, 200},
		{"user swapped", s.URL, strings.Join(asAna, "."), 303},
		{"expiry moved", s.URL, strings.Join(later, "."), 303},
		{"signature cut", s.URL, good[:len(good)-2], 303},
		{"another process's key", other.URL, good, 303},
		{"user removed from the config", removed.URL, good, 303},
		{"garbage", s.URL, "v1.x.y", 303},
	}
	for _, tt := range tests {
		r := send(t, browser(t), "GET", tt.base+"/pages", nil, "Cookie", "stet_session="+tt.value)
		if r.status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, r.status, tt.want)
		}
	}
}

func TestAuthLoginNext(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t)}, nil)
	tests := []struct{ next, want string }{
		{"/changes/1?x=2", "/changes/1?x=2"},
		{"", "/"},
		{"//evil.example/", "/"},
		{`/\evil.example/`, "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/login", "/"},
		{"/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"}, // escaped: a path, harmless
		{"/\r\nSet-Cookie: x", "/"},
	}
	for _, tt := range tests {
		r := send(t, browser(t), "POST", s.URL+"/login", url.Values{"user": {"ana"}, "password": {"pw-ana"}, "next": {tt.next}})
		if got := r.header.Get("Location"); r.status != http.StatusSeeOther || got != tt.want {
			t.Errorf("next %q: %d to %q, want 303 to %q", tt.next, r.status, got, tt.want)
		}
	}
}

// TestAuthLoginThrottle: the 11th attempt in a burst from one address is
// refused before any password is checked, even with the right password.
func TestAuthLoginThrottle(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t)}, nil)
	for i := range 10 {
		if r := send(t, browser(t), "POST", s.URL+"/login", url.Values{"user": {"ana"}, "password": {fmt.Sprint("guess", i)}}); r.status != http.StatusForbidden {
			t.Fatalf("attempt %d: %d, want 403", i, r.status)
		}
	}
	r := send(t, browser(t), "POST", s.URL+"/login", url.Values{"user": {"ana"}, "password": {"pw-ana"}})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.header.Get("Set-Cookie") != "" {
		t.Errorf("11th attempt: %d Retry-After %q Set-Cookie %q, want 429, Retry-After and no session", r.status, r.header.Get("Retry-After"), r.header.Get("Set-Cookie"))
	}
	mustContain(t, "throttled form", r.body, "Too many attempts", `id="login"`)
}

// TestAuthCrossOrigin: a browser POST from another site is refused before
// it reaches a handler, whatever it carries.
func TestAuthCrossOrigin(t *testing.T) {
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t)}, nil)
	form := url.Values{"user": {"ana"}, "password": {"pw-ana"}}
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"Origin of another site", []string{"Origin", "https://evil.example"}, 403},
		{"same origin", []string{"Sec-Fetch-Site", "same-origin"}, 303},
		{"no browser headers (a script)", nil, 303},
	}
	for _, tt := range tests {
		if r := send(t, browser(t), "POST", s.URL+"/login", form, tt.header...); r.status != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, r.status, tt.want)
		}
	}
}

func TestAuthNoneUnknownMode(t *testing.T) {
	open := newAuthServer(t, web.Auth{Mode: web.AuthNone}, nil)
	if r := send(t, http.DefaultClient, "GET", open.URL+"/pages", nil); r.status != 200 {
		t.Errorf("auth none: %d, want 200", r.status)
	}
	if r := send(t, http.DefaultClient, "GET", open.URL+"/login", nil); r.status != 404 {
		t.Errorf("auth none, /login: %d, want 404", r.status)
	}
	closed := newAuthServer(t, web.Auth{Mode: "ldap"}, nil)
	if r := send(t, http.DefaultClient, "GET", closed.URL+"/pages", nil); r.status != 401 {
		t.Errorf("unknown mode: %d, want 401 (fail closed)", r.status)
	}
}

// checker is a CheckFunc that records its calls.
type checker struct {
	mu    sync.Mutex
	calls []int64
}

func (c *checker) check(_ context.Context, id int64) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, id)
	if id == 404 {
		return "", fmt.Errorf("page %d: %w", id, storage.ErrNotFound)
	}
	if id == 500 {
		return "", errors.New("database is locked at /secret/path")
	}
	return fmt.Sprintf("changed: version %d", len(c.calls)), nil
}

func (c *checker) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

func TestCheckNowUsers(t *testing.T) {
	var ck checker
	s := newAuthServer(t, web.Auth{Mode: web.AuthUsers, Users: users(t), Token: testToken}, ck.check)
	target := s.URL + "/pages/" + id(s.f.page.ID) + "/check"

	if r := send(t, browser(t), "POST", target, url.Values{}); r.status != http.StatusUnauthorized {
		t.Errorf("check now logged out: %d, want 401", r.status)
	}
	c := browser(t)
	csrf := login(t, c, s.URL, "ana", "pw-ana")
	for _, bad := range []string{"", "forged", csrfOfOtherSession(t, s.URL)} {
		if r := send(t, c, "POST", target, url.Values{"csrf": {bad}}); r.status != http.StatusForbidden {
			t.Errorf("check now with CSRF token %q: %d, want 403", bad, r.status)
		}
	}
	if ck.count() != 0 {
		t.Fatalf("refused requests ran %d checks", ck.count())
	}
	r := send(t, c, "POST", target, url.Values{"csrf": {csrf}})
	loc, err := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || err != nil || loc.Path != "/pages/"+id(s.f.page.ID) || loc.Query().Get("checked") != "changed: version 1" {
		t.Fatalf("check now: %d to %q, want 303 back to the page with the outcome", r.status, r.header.Get("Location"))
	}
	page := send(t, c, "GET", s.URL+loc.String(), nil)
	if page.status != 200 {
		t.Errorf("the page after check now: %d", page.status)
	}
	mustContain(t, "page after check now", page.body, `action="/pages/`+id(s.f.page.ID)+`/check"`,
		`name="csrf" value="`+csrf+`"`, "Check now</button>", "changed: version 1</span>")

	// An API client with the token needs no CSRF token and gets JSON.
	r = send(t, http.DefaultClient, "POST", target, nil, "Authorization", "Bearer "+testToken)
	var res struct {
		PageID  int64  `json:"page_id"`
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(r.body), &res); r.status != 200 || err != nil || res.PageID != s.f.page.ID || res.Outcome != "changed: version 2" {
		t.Errorf("check now with a bearer token: %d %s", r.status, r.body)
	}
	// But the token sent as Basic, as a browser does by itself, needs one.
	if r := send(t, http.DefaultClient, "POST", target, nil, "Authorization", "Basic "+basicAuth("x", testToken)); r.status != http.StatusForbidden {
		t.Errorf("check now with Basic and no CSRF token: %d, want 403", r.status)
	}

	if r := send(t, c, "POST", s.URL+"/pages/404/check", url.Values{"csrf": {csrf}}); r.status != 404 {
		t.Errorf("check now of a missing page: %d, want 404", r.status)
	}
	r = send(t, c, "POST", s.URL+"/pages/500/check", url.Values{"csrf": {csrf}})
	if r.status != 500 || strings.Contains(r.body, "/secret/path") {
		t.Errorf("failed check: %d %q, want 500 without the error's detail", r.status, r.body)
	}
	mustContain(t, "log", s.logs.String(), `msg="check now" page_id=`+id(s.f.page.ID)+` by=ana outcome="changed: version 1"`)
}

// csrfOfOtherSession is a valid token of another login of the same user.
func csrfOfOtherSession(t *testing.T, base string) string {
	t.Helper()
	return login(t, browser(t), base, "ana", "pw-ana")
}

func TestCheckNowUnavailable(t *testing.T) {
	s := newAuthServer(t, web.Auth{}, nil)
	if r := send(t, http.DefaultClient, "POST", s.URL+"/pages/"+id(s.f.page.ID)+"/check", url.Values{}); r.status != 404 {
		t.Errorf("check now without a Check func: %d, want 404", r.status)
	}
}
