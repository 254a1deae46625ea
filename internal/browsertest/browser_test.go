package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// serve starts the UI over the fixture's database.
func (f *fixture) serve(t *testing.T, o web.Options) string {
	t.Helper()
	srv := httptest.NewServer(web.Handler(f.st, o))
	t.Cleanup(srv.Close)
	return srv.URL
}

// changeOf finds the change of page that led to its version n (1-based).
func (f *fixture) changeOf(t *testing.T, page int64, n int) storage.Change {
	t.Helper()
	vs, err := f.st.Versions(t.Context(), page)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < n {
		t.Fatalf("page %d has %d versions, want at least %d", page, len(vs), n)
	}
	target := vs[n-1].ID
	chs, err := f.st.Changes(t.Context(), storage.ChangeFilter{PageID: page})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chs {
		if c.NewVersionID == target {
			return c
		}
	}
	t.Fatalf("no change leads to version %d (id %d) of page %d", n, target, page)
	return storage.Change{}
}

// waitCtx bounds one step that waits for an element, so a missing one
// fails the test in seconds rather than at the browser's deadline.
func waitCtx(t *testing.T, ctx context.Context) context.Context {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(waitCtx(t, ctx), chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

// The search box finds a Chinese sentence that version 2 deleted, by a
// substring (no spaces to split words on), and says it was edited away.
func TestSearchFindsDeletedChineseSentence(t *testing.T) {
	f := newFixture(t)
	base := f.serve(t, web.Options{})
	ctx := browser(t)
	navigate(t, ctx, base+"/")
	if err := chromedp.Do(waitCtx(t, ctx),
		chromedp.SetValue(chromedp.CSS(`#search input[name=q]`), "反恐怖主义国际公约"),
		chromedp.Submit(chromedp.CSS(`#search input[name=q]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
	); err != nil {
		t.Fatalf("search from the header: %v", err)
	}
	f.shot(t, ctx, "search")
	hits := texts(t, ctx, "#results li.hit")
	if len(hits) != 1 {
		t.Fatalf("hits = %q; want exactly the deleted sentence", hits)
	}
	if marks := texts(t, ctx, "#results li.hit mark"); len(marks) == 0 || !strings.Contains(strings.Join(marks, ""), "反恐怖主义国际公约") {
		t.Errorf("marked text = %q; want the query marked", marks)
	}
	if st := texts(t, ctx, "#results li.hit .status"); len(st) != 1 || st[0] != "edited away" {
		t.Errorf("status = %q; want \"edited away\"", st)
	}
	if !strings.Contains(hits[0], zhTitle) {
		t.Errorf("hit %q does not name the page %q", hits[0], zhTitle)
	}
}

// The change page shows the 12 -> 13 edit in place and side by side, and
// nothing else as changed.
func TestInlineAndSideBySideShowTheEdit(t *testing.T) {
	f := newFixture(t)
	base := f.serve(t, web.Options{})
	ctx := browser(t)
	c := f.changeOf(t, f.paper, 2)
	navigate(t, ctx, fmt.Sprintf("%s/changes/%d", base, c.ID))
	if !exists(t, ctx, "#inline") {
		t.Fatal("change page has no #inline view")
	}
	f.shot(t, ctx, "change-inline")
	assertOnlyEdit(t, ctx, "#inline", "12", "13")
	if !exists(t, ctx, "#side-by-side") {
		navigate(t, ctx, fmt.Sprintf("%s/changes/%d?view=side", base, c.ID))
	}
	if !exists(t, ctx, "#side-by-side") {
		t.Fatal("change page offers no #side-by-side view")
	}
	f.shot(t, ctx, "change-side-by-side")
	assertOnlyEdit(t, ctx, "#side-by-side", "12", "13")
	// The sentence reads whole in the inline view: the edit sits in place.
	navigate(t, ctx, fmt.Sprintf("%s/changes/%d", base, c.ID))
	inline, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#inline")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inline, "China has joined") || !strings.Contains(inline, "global counterterrorism conventions") {
		t.Errorf("inline view does not show the edited sentence around the edit:\n%s", inline)
	}
}

// assertOnlyEdit checks that the view at sel deletes exactly del and
// inserts exactly ins.
func assertOnlyEdit(t *testing.T, ctx context.Context, sel, del, ins string) {
	t.Helper()
	dels := texts(t, ctx, sel+" del")
	inss := texts(t, ctx, sel+" ins")
	if strings.Join(dels, "|") != del || strings.Join(inss, "|") != ins {
		t.Errorf("%s: deleted %q, inserted %q; want exactly %q -> %q", sel, dels, inss, del, ins)
	}
}

// The version picker on a page's history compares versions 1 and 3: the
// figure's edit and the added paragraph both show.
func TestVersionPickerComparesOneAndThree(t *testing.T) {
	f := newFixture(t)
	base := f.serve(t, web.Options{})
	ctx := browser(t)
	navigate(t, ctx, fmt.Sprintf("%s/pages/%d", base, f.paper))
	if !exists(t, ctx, "#timeline") {
		t.Error("page history has no #timeline")
	}
	if n := len(texts(t, ctx, "#timeline li.version")); n != 3 {
		t.Errorf("timeline lists %d versions, want 3", n)
	}
	f.shot(t, ctx, "page-history")
	pick := `(function(){
		function choose(name, n){
			var s = document.querySelector('#compare select[name="'+name+'"]');
			if (!s) return 'no select '+name;
			for (var o of s.options) { if (o.textContent.trim().startsWith('version '+n)) { s.value = o.value; return ''; } }
			return 'no option version '+n+' in '+name;
		}
		return choose('from', 1) + choose('to', 3);
	})()`
	problem, err := chromedp.Run(ctx, chromedp.Evaluate[string](pick))
	if err != nil {
		t.Fatal(err)
	}
	if problem != "" {
		t.Fatalf("version picker: %s", problem)
	}
	if err := chromedp.Do(waitCtx(t, ctx),
		chromedp.Submit(chromedp.CSS(`#compare select[name=from]`)),
		chromedp.WaitReady(chromedp.CSS(`#inline`)),
	); err != nil {
		t.Fatalf("compare: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "compare") {
		t.Errorf("picker led to %s, not a comparison", loc)
	}
	f.shot(t, ctx, "compare-1-3")
	dels, inss := texts(t, ctx, "#inline del"), texts(t, ctx, "#inline ins")
	if strings.Join(dels, "|") != "12" {
		t.Errorf("comparison 1..3 deletes %q; want only 12", dels)
	}
	if got := strings.Join(inss, "|"); !strings.Contains(got, "13") || !strings.Contains(got, paperAdded) {
		t.Errorf("comparison 1..3 inserts %q; want 13 and the added paragraph", inss)
	}
}

// Crawled titles and text full of script, event-handler, javascript: and
// remote-image payloads are shown as text on every view and never run.
func TestCrawledPayloadsNeverRun(t *testing.T) {
	f := newFixture(t)
	base := f.serve(t, web.Options{})
	ctx := browser(t)
	c := f.changeOf(t, f.xss, 2)
	vs, err := f.st.Versions(t.Context(), f.xss)
	if err != nil {
		t.Fatal(err)
	}
	views := []string{
		"/",
		fmt.Sprintf("/changes/%d", c.ID),
		fmt.Sprintf("/changes/%d?view=side", c.ID),
		"/pages",
		fmt.Sprintf("/pages/%d", f.xss),
		fmt.Sprintf("/pages/%d/compare?from=%d&to=%d", f.xss, vs[0].ID, vs[len(vs)-1].ID),
		fmt.Sprintf("/versions/%d", vs[len(vs)-1].ID),
		"/sources",
		"/search?q=payload+report",
	}
	for i, v := range views {
		navigate(t, ctx, base+v)
		// Click every link a payload could have become.
		clicked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(function(){var n=0;for (var a of document.querySelectorAll('a[href^="javascript:" i]')) {a.click(); n++} return n})()`))
		if err != nil {
			t.Fatal(err)
		}
		if clicked > 0 {
			t.Errorf("%s: %d javascript: links rendered", v, clicked)
		}
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v, "/changes/") || strings.Contains(v, "/versions/") {
			if !strings.Contains(body, "<script>fetch(") {
				t.Errorf("%s: the payload is not shown as text", v)
			}
		}
		f.shot(t, ctx, fmt.Sprintf("payloads-%02d", i))
	}
	// Give anything that slipped through time to call out.
	time.Sleep(500 * time.Millisecond)
	if n := f.trap.hits.Load(); n != 0 {
		f.trap.mu.Lock()
		t.Errorf("payloads ran: %d requests reached the trap: %q", n, f.trap.seen)
		f.trap.mu.Unlock()
	}
}

// With users configured, every view asks for a login first; after it the
// reader lands where they were going, and "check now" stores the edit the
// publisher just made.
func TestLoginRequiredAndCheckNow(t *testing.T) {
	f := newFixture(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	base := f.serve(t, web.Options{
		Auth: web.Auth{Mode: web.AuthUsers, Users: map[string]string{"editor": string(hash)}, CheckHost: true},
		Check: func(ctx context.Context, pageID int64) (string, error) {
			r, err := f.d.CheckPage(ctx, pageID)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s: version %d", r.Status, r.VersionID), nil
		},
	})
	ctx := browser(t)
	pageURL := fmt.Sprintf("%s/pages/%d", base, f.paper)
	for _, u := range []string{base + "/", pageURL, base + "/search?q=white+paper"} {
		navigate(t, ctx, u)
		if !exists(t, ctx, "form#login") {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("%s showed %s without a login", u, loc)
		}
		if body := strings.Join(texts(t, ctx, "main"), ""); strings.Contains(body, "counterterrorism") {
			t.Errorf("%s: the login page shows stored text", u)
		}
	}
	f.shot(t, ctx, "login")
	// A wrong password stays on the form.
	login := func(user, pass string) {
		t.Helper()
		if err := chromedp.Do(waitCtx(t, ctx),
			chromedp.SetValue(chromedp.CSS(`form#login input[name=user]`), user),
			chromedp.SetValue(chromedp.CSS(`form#login input[name=password]`), pass),
			chromedp.Submit(chromedp.CSS(`form#login input[name=password]`)),
			chromedp.WaitReady(chromedp.CSS("body")),
		); err != nil {
			t.Fatalf("log in: %v", err)
		}
	}
	navigate(t, ctx, pageURL)
	login("editor", "wrong")
	if !exists(t, ctx, "form#login") {
		t.Fatal("a wrong password let the reader in")
	}
	login("editor", "correct horse battery")
	if err := chromedp.Do(waitCtx(t, ctx), chromedp.WaitReady(chromedp.CSS("#timeline"))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("after login the reader is at %s, not the page they asked for: %v", loc, err)
	}
	// Check now, after the publisher edits the story again.
	f.pub.set(paperPath, paperTitle, append(replaceIn(paperBody, "joined 12 global", "joined 14 global"), paperAdded))
	if err := chromedp.Do(waitCtx(t, ctx),
		chromedp.Click(chromedp.CSS(`form.checknow button`)),
		chromedp.WaitVisible(chromedp.CSS(`.checked`)),
	); err != nil {
		t.Fatalf("check now: %v", err)
	}
	f.shot(t, ctx, "check-now")
	if got := strings.Join(texts(t, ctx, ".checked"), ""); !strings.Contains(got, "changed") {
		t.Errorf("check now says %q; want the new version reported", got)
	}
	vs, err := f.st.Versions(t.Context(), f.paper)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 || !strings.Contains(vs[len(vs)-1].Text, "joined 14 global") {
		t.Errorf("after check now the page has %d versions; want 4, the last with the new figure", len(vs))
	}
}

// The control for TestCrawledPayloadsNeverRun: the same payloads, served
// raw on a page without stet's escaping or Content-Security-Policy, do
// reach the trap, so zero hits above means they were stopped, not that the
// trap cannot see them.
func TestTrapSeesPayloadsThatRun(t *testing.T) {
	tr := &trap{}
	trapSrv := httptest.NewServer(tr)
	t.Cleanup(trapSrv.Close)
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>raw</title><p>%s</p>", strings.Join(payloads(trapSrv.URL), "</p><p>"))
	}))
	t.Cleanup(raw.Close)
	ctx := browser(t)
	navigate(t, ctx, raw.URL)
	deadline := time.Now().Add(5 * time.Second)
	for tr.hits.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := tr.hits.Load(); n < 3 {
		t.Errorf("raw payloads reached the trap %d times; want the script, event handlers and image (at least 3)", n)
	}
}
