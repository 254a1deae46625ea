package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// renderCheckNow executes the "checknow" partial as page.html does, with
// h.checkNow(r, id).
func renderCheckNow(t *testing.T, h *handler, target string, p *principal) string {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), "GET", target, nil)
	if p != nil {
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
	}
	var buf bytes.Buffer
	if err := h.pages["page"].ExecuteTemplate(&buf, "checknow", h.checkNow(r, 7)); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

func testHandler(o Options) *handler {
	o.Logger = slog.New(slog.DiscardHandler)
	return &handler{log: o.Logger, pages: parseTemplates(), opt: o, sec: newSecurity(o.Auth)}
}

func TestCheckNowPartial(t *testing.T) {
	check := func(context.Context, int64) (string, error) { return "unchanged", nil }
	h := testHandler(Options{Check: check})
	open := &principal{via: viaOpen}

	if got := renderCheckNow(t, testHandler(Options{}), "/pages/7", open); got != "" {
		t.Errorf("without a Check func the partial renders %q, want nothing", got)
	}
	if got := renderCheckNow(t, h, "/pages/7", nil); got != "" {
		t.Errorf("for a request nobody was let in by, the partial renders %q, want nothing", got)
	}
	got := renderCheckNow(t, h, "/pages/7", open)
	token := h.sec.csrfToken(open)
	for _, want := range []string{`<form class="checknow" method="post" action="/pages/7/check">`,
		`<input type="hidden" name="csrf" value="` + token + `">`, `<button type="submit">Check now</button>`} {
		if !strings.Contains(got, want) {
			t.Errorf("partial lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Checked at") {
		t.Errorf("partial shows an outcome without one:\n%s", got)
	}

	// The outcome of the redirect is shown only when this server signed it
	// for this page, so a link cannot make the page say anything else.
	at := "1767225600" // 2026-01-01 00:00:00 UTC
	signed := url.Values{"checked": {"changed: version 4"}, "at": {at}, "sig": {h.sec.sign("checked", "7", at, "changed: version 4")}}
	got = renderCheckNow(t, h, "/pages/7?"+signed.Encode(), open)
	if want := `Checked at <time datetime="2026-01-01T00:00:00Z">2026-01-01 00:00:00 UTC</time>: changed: version 4`; !strings.Contains(got, want) {
		t.Errorf("signed outcome not shown; want %q in\n%s", want, got)
	}
	forged := url.Values{"checked": {"removed"}, "at": {at}, "sig": signed["sig"]}
	otherPage := url.Values{"checked": {"changed: version 4"}, "at": {at}, "sig": {h.sec.sign("checked", "8", at, "changed: version 4")}}
	for _, q := range []url.Values{forged, otherPage} {
		if got := renderCheckNow(t, h, "/pages/7?"+q.Encode(), open); strings.Contains(got, "Checked at") {
			t.Errorf("unsigned outcome %v shown:\n%s", q, got)
		}
	}
}

func TestCSRFTokenBinding(t *testing.T) {
	h := testHandler(Options{})
	s1 := &principal{via: viaSession, user: "ana", sess: &session{nonce: "a"}}
	s2 := &principal{via: viaSession, user: "ana", sess: &session{nonce: "b"}}
	if h.sec.csrfToken(s1) == h.sec.csrfToken(s2) {
		t.Error("two sessions share a CSRF token")
	}
	if h.sec.csrfToken(nil) != "" {
		t.Error("a CSRF token for nobody")
	}
	if other := testHandler(Options{}); other.sec.csrfToken(s1) == h.sec.csrfToken(s1) {
		t.Error("two processes' random keys make the same token")
	}
}

func TestSessionExpiry(t *testing.T) {
	users := map[string]string{"ana": "$2a$04$invalid"}
	h := testHandler(Options{Auth: Auth{Mode: AuthUsers, Users: users, SessionTTL: time.Hour}})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.sec.now = func() time.Time { return start }
	r := httptest.NewRequest("GET", "/", nil)
	ck := h.sec.newSession(r, "ana")
	r.AddCookie(ck)
	if h.sec.readSession(r, users) == nil {
		t.Fatal("a fresh session is not accepted")
	}
	h.sec.now = func() time.Time { return start.Add(time.Hour - time.Second) }
	if h.sec.readSession(r, users) == nil {
		t.Error("a session is refused before its expiry")
	}
	h.sec.now = func() time.Time { return start.Add(time.Hour) }
	if h.sec.readSession(r, users) != nil {
		t.Error("a session is accepted at its expiry")
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(3, 10*time.Second, 4)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.take("a"); !ok {
			t.Fatalf("take %d of a burst of 3 refused", i)
		}
	}
	ok, wait := l.take("a")
	if ok || wait != 10*time.Second {
		t.Errorf("4th take = %v, wait %v; want refused, 10s", ok, wait)
	}
	if _, limited := l.blocked("b"); limited {
		t.Error("an unseen key is blocked")
	}
	now = now.Add(10 * time.Second)
	if ok, _ := l.take("a"); !ok {
		t.Error("no attempt back after the interval")
	}
	// Memory stays bounded: many keys never grow it past max.
	for i := range 100 {
		l.take(string(rune('A' + i)))
	}
	if n := len(l.buckets); n > 4 {
		t.Errorf("limiter holds %d buckets, want at most 4", n)
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/pages/3", "/pages/3"},
		{"/?kind=changed&class=number", "/?kind=changed&class=number"},
		{"", "/"},
		{"pages", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{`/a\b`, "/"},
		{"https://evil.example/", "/"},
		{"/login?next=/", "/"},
		{"/logout", "/"},
		{"/\tx", "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
