package daemon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// site is a publisher whose answers a test scripts path by path.
type site struct {
	*httptest.Server
	mu    sync.Mutex
	pages map[string]func(w http.ResponseWriter, r *http.Request)
}

func newSite(tb testing.TB) *site {
	s := &site{pages: map[string]func(http.ResponseWriter, *http.Request){}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.pages[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	tb.Cleanup(s.Close)
	return s
}

func (s *site) set(path string, h func(w http.ResponseWriter, r *http.Request)) {
	s.mu.Lock()
	s.pages[path] = h
	s.mu.Unlock()
}

// article serves a news page; the clock in its header changes every time.
func article(title string, paras ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s - Daily</title></head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav><div class="clock">%s</div></header>
<article><h1>%s</h1>`, title, time.Now().Format(time.RFC3339Nano), title)
		for _, p := range paras {
			fmt.Fprintf(w, "<p>%s</p>\n", p)
		}
		fmt.Fprint(w, `</article><footer>© Daily. All rights reserved.</footer></body></html>`)
	}
}

func status(code int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

var paras = []string{
	"The ministry published its annual report on Tuesday, listing 12 new measures for the coming year.",
	"Officials said the measures would take effect in March after a public consultation period of six weeks.",
	"Critics argued that the report left out several figures that had appeared in earlier drafts of the document.",
}

type checker struct {
	t  testing.TB
	d  *daemon.Daemon
	st *storage.Store
}

func newBenchChecker(b *testing.B, tune ...func(*config.Config)) *checker {
	path := dbPath(b)
	st := openStore(b, path)
	cfg := testConfig(b, path, "")
	for _, f := range tune {
		f(cfg)
	}
	d, err := daemon.New(b.Context(), daemon.Options{Config: cfg, Store: st, Logger: quietLog()})
	if err != nil {
		b.Fatal(err)
	}
	return &checker{t: b, d: d, st: st}
}

func newChecker(t *testing.T, extra string, tune ...func(*config.Config)) *checker {
	path := dbPath(t)
	cfg := testConfig(t, path, extra)
	for _, f := range tune {
		f(cfg)
	}
	st := openStore(t, path)
	d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	return &checker{t: t, d: d, st: st}
}

func (c *checker) check(u string) daemon.Result {
	c.t.Helper()
	r, _ := c.d.Check(c.t.Context(), u)
	return r
}

func (c *checker) counts() (versions int, changes map[string]int, pending map[string]int) {
	c.t.Helper()
	st, err := c.st.Stats(c.t.Context())
	if err != nil {
		c.t.Fatal(err)
	}
	due, err := c.st.DueDeliveries(c.t.Context(), time.Now().Add(24*time.Hour), 1000)
	if err != nil {
		c.t.Fatal(err)
	}
	pending = map[string]int{}
	for _, d := range due {
		pending[d.EventType]++
	}
	return st.Versions, st.ChangesByKind, pending
}

// TestCheckLifecycle walks one article through every state a user sees.
func TestCheckLifecycle(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "\n[[webhook]]\nurl = \"http://127.0.0.1:1/hook\"\n")
	u := s.URL + "/report.html"
	edited := append([]string{}, paras...)
	edited[0] = strings.Replace(edited[0], "12 new measures", "9 new measures", 1)

	steps := []struct {
		name         string
		serve        func(http.ResponseWriter, *http.Request)
		wantStatus   string
		wantVersions int
		wantChanges  map[string]int
		wantDiff     string
	}{
		{"first check", article("Annual report", paras...), daemon.StatusNew, 1, map[string]int{}, ""},
		{"churn only", article("Annual report", paras...), daemon.StatusUnchanged, 1, map[string]int{}, ""},
		{"figure edited", article("Annual report", edited...), daemon.StatusChanged, 2, map[string]int{"changed": 1}, "[-12-]{+9+}"},
		{"title edited", article("Annual report 2024", edited...), daemon.StatusChanged, 3, map[string]int{"changed": 2}, "+ Annual report 2024"},
		{"first 404", status(404, "<h1>Not found</h1>"), daemon.StatusGone, 3, map[string]int{"changed": 2}, ""},
		{"second 404", status(404, "<h1>Not found</h1>"), daemon.StatusRemoved, 3, map[string]int{"changed": 2, "removed": 1}, "- The ministry published"},
		{"still gone", status(410, "gone"), daemon.StatusRemoved, 3, map[string]int{"changed": 2, "removed": 1}, ""},
		{"back unchanged", article("Annual report 2024", edited...), daemon.StatusRestored, 3, map[string]int{"changed": 2, "removed": 1, "restored": 1}, ""},
	}
	for _, step := range steps {
		s.set("/report.html", step.serve)
		r := c.check(u)
		if r.Status != step.wantStatus {
			t.Fatalf("%s: status = %q (%s), want %q", step.name, r.Status, r.Reason, step.wantStatus)
		}
		if step.name == "title edited" && r.Summary != "title changed" {
			t.Errorf("title edit summary = %q, want only %q (the headline must not count twice)", r.Summary, "title changed")
		}
		if !strings.Contains(r.Diff, step.wantDiff) {
			t.Errorf("%s: diff lacks %q:\n%s", step.name, step.wantDiff, r.Diff)
		}
		versions, changes, pending := c.counts()
		if versions != step.wantVersions {
			t.Errorf("%s: versions = %d, want %d", step.name, versions, step.wantVersions)
		}
		for k, n := range step.wantChanges {
			if changes[k] != n || pending["change."+k] != n {
				t.Errorf("%s: %s changes = %d, queued events = %d, want %d", step.name, k, changes[k], pending["change."+k], n)
			}
		}
	}
	if strings.Contains(c.check(u).Text, "2026") || strings.Contains(c.check(u).Text, "Home") {
		t.Error("page chrome (clock, navigation) leaked into the extracted text")
	}
}

// TestBadCapturesNeverBecomeVersions: blocked, failing and oversized
// answers are recorded but never stored as versions or reported as
// changes; N failures in a row raise source.failing, success recovers.
func TestBadCapturesNeverBecomeVersions(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "\n[[webhook]]\nurl = \"http://127.0.0.1:1/hook\"\nevents = [\"source.*\", \"change.*\"]\n")
	u := s.URL + "/a.html"
	s.set("/a.html", article("Story", paras...))
	if r := c.check(u); r.Status != daemon.StatusNew {
		t.Fatalf("first check: %s %s", r.Status, r.Reason)
	}
	challenge := `<html><head><title>Just a moment...</title></head><body><div id="cf-chl-widget">Checking your browser</div></body></html>`
	bad := []struct {
		name  string
		serve func(http.ResponseWriter, *http.Request)
	}{
		{"403 challenge", status(403, challenge)},
		{"200 challenge", status(200, challenge)},
		{"server error", status(500, "oops")},
		{"empty page", status(200, "<html><body></body></html>")},
	}
	for i, b := range bad {
		s.set("/a.html", b.serve)
		r := c.check(u)
		if r.Status != daemon.StatusError {
			t.Errorf("%s: status = %q, want error", b.name, r.Status)
		}
		versions, changes, pending := c.counts()
		if versions != 1 || len(changes) != 0 {
			t.Errorf("%s: versions = %d, changes = %v; bad captures must not count", b.name, versions, changes)
		}
		if want := min(1, (i+1)/2); pending["source.failing"] != want {
			t.Errorf("after %d failures: source.failing events = %d, want %d", i+1, pending["source.failing"], want)
		}
	}
	due, err := c.st.DueDeliveries(t.Context(), time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		var ev notify.Event
		if err := json.Unmarshal(d.Payload, &ev); err != nil || ev.Failure == nil {
			t.Fatalf("failing event %s: %v", d.Payload, err)
		}
		// The run of failures began at the first bad check, before the event.
		if f := ev.Failure; f.ConsecutiveFailures != 2 || !f.Since.Before(ev.CreatedAt) {
			t.Errorf("source.failing: failures %d since %v created %v; want 2 and since before created", f.ConsecutiveFailures, f.Since, ev.CreatedAt)
		}
	}
	caps, err := c.st.Captures(t.Context(), 0, 1, 100)
	if err != nil || len(caps) != 5 {
		t.Fatalf("captures = %d, %v; every attempt must be recorded", len(caps), err)
	}
	if caps[3].Class != "blocked" || caps[1].Class != "error" {
		t.Errorf("capture classes = %q, %q; want blocked, error", caps[3].Class, caps[1].Class)
	}
	s.set("/a.html", article("Story", paras...))
	if r := c.check(u); r.Status != daemon.StatusUnchanged {
		t.Errorf("recovery check: status = %q", r.Status)
	}
	if _, _, pending := c.counts(); pending["source.recovered"] != 1 {
		t.Errorf("source.recovered events = %d, want 1", pending["source.recovered"])
	}
}

func TestCheckRefusesPrivateAddressesByDefault(t *testing.T) {
	s := newSite(t)
	s.set("/a.html", article("Story", paras...))
	path := dbPath(t)
	cfg := testConfig(t, path, "")
	cfg.Fetch.AllowPrivate = false
	st := openStore(t, path)
	d, err := daemon.New(t.Context(), daemon.Options{Config: cfg, Store: st, Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := d.Check(t.Context(), s.URL+"/a.html")
	if r.Status != daemon.StatusError || !strings.Contains(r.Reason, "127.0.0.1 refused") {
		t.Errorf("status = %q, reason = %q; want an error naming the private address", r.Status, r.Reason)
	}
	if stats, _ := st.Stats(t.Context()); stats.Versions != 0 {
		t.Errorf("versions = %d after a refused fetch", stats.Versions)
	}
}

func TestRetryAfterIsStored(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "")
	s.set("/a.html", status(503, "busy", "Retry-After", "600"))
	before := time.Now()
	r := c.check(s.URL + "/a.html")
	if r.Status != daemon.StatusError {
		t.Fatalf("status = %q", r.Status)
	}
	p, err := c.st.PageByURL(t.Context(), s.URL+"/a.html")
	if err != nil {
		t.Fatal(err)
	}
	if p.NextCheckAt.Before(before.Add(10*time.Minute)) || p.BackoffUntil.Before(before.Add(10*time.Minute)) {
		t.Errorf("next check %v, backoff %v; want both at least 10m after %v", p.NextCheckAt, p.BackoffUntil, before)
	}
}

func TestPermanentRedirectKeepsHistory(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "")
	s.set("/old.html", article("Story", paras...))
	if r := c.check(s.URL + "/old.html"); r.Status != daemon.StatusNew {
		t.Fatalf("first check: %s", r.Status)
	}
	s.set("/old.html", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new.html", http.StatusMovedPermanently)
	})
	s.set("/new.html", article("Story", paras...))
	if r := c.check(s.URL + "/old.html"); r.Status != daemon.StatusUnchanged {
		t.Fatalf("after move: %s %s", r.Status, r.Reason)
	}
	for _, u := range []string{s.URL + "/old.html", s.URL + "/new.html"} {
		p, err := c.st.PageByURL(t.Context(), u)
		if err != nil || p.URL != s.URL+"/new.html" {
			t.Errorf("PageByURL(%s) = %q, %v; want the moved page", u, p.URL, err)
		}
	}
	if versions, _, _ := c.counts(); versions != 1 {
		t.Errorf("versions = %d, want 1 (a move is not an edit)", versions)
	}
}

// TestExtractorUpgradeIsNotAnEdit: a version stored by an older extractor
// whose page has not changed is re-baselined silently, not reported.
func TestExtractorUpgradeIsNotAnEdit(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "")
	page := []byte(`<html><body><article><h1>Story</h1><p>` + paras[0] + `</p><p>` + paras[1] + `</p></article></body></html>`)
	s.set("/a", func(w http.ResponseWriter, r *http.Request) { w.Write(page) })
	first := c.check(s.URL + "/a")
	if first.Status != daemon.StatusNew {
		t.Fatalf("first check: %s", first.Status)
	}
	v, err := c.st.Version(t.Context(), first.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	// What an older extractor made of the same capture.
	err = c.st.Tx(t.Context(), func(tx *storage.Tx) error {
		old := v
		old.Text, old.TextHash, old.Extractor = "Menu Home World\n\n"+v.Text, "old-hash", "0"
		_, err := tx.InsertVersion(old)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := c.check(s.URL + "/a")
	if r.Status != daemon.StatusUnchanged || r.ChangeID != 0 {
		t.Errorf("after an extractor upgrade: status %q change %d, want unchanged and no change", r.Status, r.ChangeID)
	}
	latest, err := c.st.LatestVersion(t.Context(), first.PageID)
	if err != nil || latest.Extractor == "0" || latest.Text != v.Text {
		t.Errorf("latest version = %+v, %v; want the current extractor's text as the new baseline", latest, err)
	}
	// A real edit after the upgrade is still reported, against the new baseline.
	edited := []byte(strings.Replace(string(page), "12 new measures", "15 new measures", 1))
	s.set("/a", func(w http.ResponseWriter, r *http.Request) { w.Write(edited) })
	if r := c.check(s.URL + "/a"); r.Status != daemon.StatusChanged || !strings.Contains(r.Diff, "[-12-]{+15+}") || strings.Contains(r.Diff, "Menu") {
		t.Errorf("edit after upgrade: %s\n%s", r.Status, r.Diff)
	}
}

// TestFailingPageBacksOff: each failure in a row doubles the wait before
// the next check; success returns to the normal cadence.
func TestFailingPageBacksOff(t *testing.T) {
	s := newSite(t)
	c := newChecker(t, "")
	u := s.URL + "/a"
	s.set("/a", status(500, "oops"))
	var gaps []time.Duration
	for range 4 {
		c.check(u)
		p, err := c.st.PageByURL(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		gaps = append(gaps, p.NextCheckAt.Sub(p.LastCheckedAt))
	}
	for i := 1; i < len(gaps); i++ {
		if gaps[i] <= gaps[i-1] {
			t.Errorf("wait after failure %d = %v, not longer than %v", i+1, gaps[i], gaps[i-1])
		}
	}
	s.set("/a", article("Story", paras...))
	c.check(u)
	p, _ := c.st.PageByURL(t.Context(), u)
	if gap := p.NextCheckAt.Sub(p.LastCheckedAt); gap >= gaps[1] {
		t.Errorf("wait after recovery = %v, want the normal cadence (< %v)", gap, gaps[1])
	}
}

// TestSiteRules: an operator's [[site]] rule picks the body; one that
// matches nothing falls back to the generic extractor and says so.
func TestSiteRules(t *testing.T) {
	s := newSite(t)
	s.set("/a", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body><div class="story">%s</div><div class="teaser"><p>%s</p><p>%s</p></div></body></html>`,
			"<p>"+paras[0]+"</p>", paras[1], paras[2])
	})
	for _, tc := range []struct {
		body, want, notWant string
		fallback            bool
	}{
		{".story", "12 new measures", "six weeks", false},
		{".gone-after-redesign", "12 new measures", "", true},
	} {
		c := newChecker(t, fmt.Sprintf("\n[[site]]\nhost = \"127.0.0.1\"\nbody = %q\n", tc.body))
		r := c.check(s.URL + "/a")
		if !strings.Contains(r.Text, tc.want) || tc.notWant != "" && strings.Contains(r.Text, tc.notWant) {
			t.Errorf("rule %q: text = %q", tc.body, r.Text)
		}
		caps, err := c.st.Captures(t.Context(), 0, r.PageID, 1)
		if err != nil || len(caps) != 1 || caps[0].Fallback != tc.fallback {
			t.Errorf("rule %q: capture fallback = %+v, %v; want %v", tc.body, caps, err, tc.fallback)
		}
	}
}

// TestConcurrentChecksStoreOneVersion: two processes' worth of daemons on
// one database check the same page at the same moment; each edit is
// stored and reported once.
func TestConcurrentChecksStoreOneVersion(t *testing.T) {
	s := newSite(t)
	path := dbPath(t)
	var ds []*daemon.Daemon
	for range 2 {
		st := openStore(t, path) // its own connection pool, as another process would have
		d, err := daemon.New(t.Context(), daemon.Options{Config: testConfig(t, path, ""), Store: st, Logger: quietLog()})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	u := s.URL + "/a"
	const rounds = 8
	for i := range rounds {
		edited := append([]string{fmt.Sprintf("Edition %d of the story.", i)}, paras...)
		s.set("/a", article("Story", edited...))
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Go(func() {
				if r, err := d.Check(t.Context(), u); err != nil {
					t.Errorf("round %d: %v", i, err)
				} else if r.Status == daemon.StatusError {
					t.Errorf("round %d: %s", i, r.Reason)
				}
			})
		}
		wg.Wait()
	}
	st := openStore(t, path)
	stats, err := st.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Versions != rounds || stats.ChangesByKind["changed"] != rounds-1 {
		t.Errorf("versions = %d, changes = %v; want %d versions and %d changes", stats.Versions, stats.ChangesByKind, rounds, rounds-1)
	}
}

// TestKeepBodies: by default only the bodies that made a version are kept;
// keep_bodies = "all" keeps every one.
func TestKeepBodies(t *testing.T) {
	for _, tc := range []struct {
		keep string
		want int
	}{{"versions", 1}, {"all", 3}} {
		s := newSite(t)
		s.set("/a", article("Story", paras...)) // its clock churns on every request
		c := newChecker(t, "", func(cfg *config.Config) { cfg.Storage.KeepBodies = tc.keep })
		for range 3 {
			c.check(s.URL + "/a")
		}
		st, err := c.st.Stats(t.Context())
		if err != nil || st.Bodies != tc.want || st.Versions != 1 {
			t.Errorf("keep_bodies = %q: %d bodies, %d versions, %v; want %d bodies, 1 version", tc.keep, st.Bodies, st.Versions, err, tc.want)
		}
	}
}
