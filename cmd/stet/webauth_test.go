package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/stet/stet/storage"
)

const serveToken = "tok-0123456789abcdef"

// webConfig writes a config watching u with [web] set to web.
func webConfig(t *testing.T, u, web string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	doc := fmt.Sprintf("[storage]\npath = \"stet.db\"\n[fetch]\nallow_private = true\nper_host_interval = \"1ms\"\n"+
		"[web]\n%s\n[[page]]\nurl = %q\nschedule = \"@every 1h\"\n", web, u)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pageID finds the page of u in the database, opened read-only.
func pageID(t *testing.T, db, u string) int64 {
	t.Helper()
	st, err := storage.OpenReadOnly(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.PageByURL(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func versionCount(t *testing.T, db string, page int64) int {
	t.Helper()
	st, err := storage.OpenReadOnly(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Versions(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

var statusURL = regexp.MustCompile(`web UI on (http://[^/]+)/`)

// readyURL waits for READY=1 on the notify socket and returns the web
// UI's base URL from its status line.
func readyURL(t *testing.T, next func() string) string {
	t.Helper()
	msg := next()
	m := statusURL.FindStringSubmatch(msg)
	if !strings.HasPrefix(msg, "READY=1\n") || m == nil {
		t.Fatalf("first notification %q, want READY=1 with the web UI's address", msg)
	}
	return m[1]
}

func noRedirects() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, header ...string) (*http.Response, string) {
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
		} else {
			req.Header.Set(header[i], header[i+1])
		}
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
	return resp, string(b)
}

// TestRunWebLoginAndCheckNow runs `stet run` as systemd would (a notify
// socket, JSON logs, SIGTERM): it reports readiness once the UI answers,
// the UI needs a login, and "check now" stores a new version of a page
// from a loopback publisher on the daemon's own check path.
func TestRunWebLoginAndCheckNow(t *testing.T) {
	pub := &publisher{figure: "12"}
	srv := httptest.NewServer(pub)
	defer srv.Close()
	hash, err := bcrypt.GenerateFromPassword([]byte("pw-desk"), 10)
	if err != nil {
		t.Fatal(err)
	}
	u := srv.URL + "/report"
	cfg := webConfig(t, u, fmt.Sprintf("listen = \"127.0.0.1:0\"\nauth = \"users\"\nhosts = [\"stet.test\"]\n"+
		"[[web.user]]\nname = \"desk\"\npassword_hash = %q", hash))
	sock := filepath.Join(t.TempDir(), "notify")
	_, next := notifySocket(t, sock)
	var stderr bytes.Buffer
	cmd := stetCmd(t, &stderr, "run", "-config", cfg, "-log-format", "json")
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := readyURL(t, next)

	c := noRedirects()
	if resp, _ := do(t, c, "GET", base+"/pages", nil, "Host", "evil.example"); resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host evil.example: %d, want 421", resp.StatusCode)
	}
	if resp, _ := do(t, c, "GET", base+"/pages", nil, "Host", "stet.test"); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/login?next=%2Fpages" {
		t.Fatalf("GET /pages logged out: %d to %q, want 303 to the login", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, form := do(t, c, "GET", base+"/login", nil)
	if !strings.Contains(form, `<form id="login"`) {
		t.Fatalf("no login form:\n%s", form)
	}
	if resp, _ := do(t, c, "POST", base+"/login", url.Values{"user": {"desk"}, "password": {"pw-desk"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, account := do(t, c, "GET", base+"/login", nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(account)
	if m == nil {
		t.Fatalf("no CSRF token after login:\n%s", account)
	}
	db := filepath.Join(filepath.Dir(cfg), "stet.db")
	id := pageID(t, db, u)
	check := func() string {
		t.Helper()
		resp, _ := do(t, c, "POST", fmt.Sprintf("%s/pages/%d/check", base, id), url.Values{"csrf": {m[1]}})
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Path != fmt.Sprintf("/pages/%d", id) {
			t.Fatalf("check now: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, page := do(t, c, "GET", base+loc.String(), nil)
		shown, _, _ := strings.Cut(loc.Query().Get("checked"), " (") // html/template escapes what follows
		if resp.StatusCode != 200 || !strings.Contains(page, "</time>: "+shown) {
			t.Errorf("page after check now: %d, outcome %q not shown", resp.StatusCode, loc.Query().Get("checked"))
		}
		return loc.Query().Get("checked")
	}
	if got := check(); !strings.HasPrefix(got, "new: version") && got != "unchanged" {
		t.Errorf("first check now: %q, want new (or unchanged after the scheduled check)", got)
	}
	before := versionCount(t, db, id)
	pub.set("13", 0)
	if got := check(); !strings.HasPrefix(got, "changed: version") {
		t.Errorf("check now after an edit: %q, want changed", got)
	}
	if got := versionCount(t, db, id); got != before+1 || got != 2 {
		t.Errorf("versions after check now: %d, want 2", got)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if msg := next(); msg != "STOPPING=1" {
		t.Errorf("after SIGTERM: %q, want STOPPING=1", msg)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("stet run after SIGTERM: %v\n%s", err, stderr.String())
	}
	checked := false
	for line := range strings.Lines(stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("-log-format json wrote a line that is not JSON: %q", line)
		}
		if rec["msg"] == "check now" && rec["by"] == "desk" {
			checked = true
		}
	}
	if !checked || strings.Contains(stderr.String(), "pw-desk") {
		t.Errorf("log: check now logged %v, password absent %v:\n%s", checked, !strings.Contains(stderr.String(), "pw-desk"), stderr.String())
	}
}

// TestServeCheckNow: `stet serve -check-now` offers the check to a bearer
// token and stores the version; without the flag it opens the database
// read-only and offers no check.
func TestServeCheckNow(t *testing.T) {
	pub := &publisher{figure: "12"}
	srv := httptest.NewServer(pub)
	defer srv.Close()
	u := srv.URL + "/report"
	cfg := webConfig(t, u, fmt.Sprintf("auth = \"token\"\ntoken = %q", serveToken))
	if code, _, stderr := run(t, "check", "-config", cfg, u); code != 0 {
		t.Fatalf("stet check: %d %s", code, stderr)
	}
	db := filepath.Join(filepath.Dir(cfg), "stet.db")
	id := pageID(t, db, u)
	sock := filepath.Join(t.TempDir(), "notify")
	_, next := notifySocket(t, sock)
	t.Setenv("NOTIFY_SOCKET", sock)

	serve := func(args ...string) (base string, stop func()) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- runServe(ctx, &env{stdout: io.Discard, stderr: io.Discard}, append([]string{"-config", cfg, "-listen", "127.0.0.1:0"}, args...))
		}()
		return readyURL(t, next), func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			for msg := next(); msg != "STOPPING=1"; msg = next() {
			}
		}
	}
	bearer := []string{"Authorization", "Bearer " + serveToken}
	type result struct {
		PageID  int64  `json:"page_id"`
		Outcome string `json:"outcome"`
	}
	base, stop := serve("-check-now")
	pub.set("13", 0)
	resp, body := do(t, noRedirects(), "POST", fmt.Sprintf("%s/pages/%d/check", base, id), nil, bearer...)
	var r result
	if err := json.Unmarshal([]byte(body), &r); resp.StatusCode != 200 || err != nil || r.PageID != id || !strings.HasPrefix(r.Outcome, "changed: version") {
		t.Errorf("check now: %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, noRedirects(), "POST", fmt.Sprintf("%s/pages/%d/check", base, id), nil); resp.StatusCode != 401 {
		t.Errorf("check now without the token: %d, want 401", resp.StatusCode)
	}
	stop()
	if got := versionCount(t, db, id); got != 2 {
		t.Errorf("versions after check now: %d, want 2", got)
	}

	base, stop = serve()
	defer stop()
	if resp, _ := do(t, noRedirects(), "POST", fmt.Sprintf("%s/pages/%d/check", base, id), nil, bearer...); resp.StatusCode != 404 {
		t.Errorf("check now without -check-now: %d, want 404", resp.StatusCode)
	}
	if resp, _ := do(t, noRedirects(), "GET", fmt.Sprintf("%s/pages/%d", base, id), nil, bearer...); resp.StatusCode != 200 {
		t.Errorf("page with the token: %d, want 200", resp.StatusCode)
	}
}

func TestWebRefusesUnauthenticatedNetwork(t *testing.T) {
	cfg := writeConfig(t)
	db := filepath.Join(filepath.Dir(cfg), "stet.db")
	st, err := storage.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, stderr := run(t, "serve", "-config", cfg, "-listen", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, `"0.0.0.0:0" is not a loopback address and web.auth is "none"`) ||
		!strings.Contains(stderr, "allow_unauthenticated") {
		t.Errorf("serve -listen 0.0.0.0:0 without auth: exit %d, %q; want 2 naming web.auth and allow_unauthenticated", code, stderr)
	}
	open := webConfig(t, "https://news.example/a", "listen = \"0.0.0.0:0\"")
	code, _, stderr = run(t, "run", "-config", open)
	if want := open + ":7:10: web.listen: \"0.0.0.0:0\" is not a loopback address"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("run with [web] listen 0.0.0.0:0 and no auth: exit %d, %q; want 1 and %q", code, stderr, want)
	}
}

func TestLogFormatFlag(t *testing.T) {
	for _, cmd := range []string{"run", "serve"} {
		code, _, stderr := run(t, cmd, "-log-format", "yaml")
		if code != 2 || !strings.Contains(stderr, `-log-format must be text or json; got "yaml"`) {
			t.Errorf("%s -log-format yaml: exit %d, %q; want 2", cmd, code, stderr)
		}
	}
}
