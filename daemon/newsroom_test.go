package daemon_test

import (
	"cmp"
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/internal/newsroom"
	"github.com/stet/stet/storage"
)

// newsroomSources configures both feeds and the stand-alone documents.
func newsroomSources(nr *newsroom.Newsroom, base string) string {
	var b strings.Builder
	for _, f := range nr.Feeds() {
		fmt.Fprintf(&b, "\n[[feed]]\nurl = %q\nschedule = \"@every 1s\"\n", base+f)
	}
	for _, p := range nr.Pages() {
		fmt.Fprintf(&b, "\n[[page]]\nurl = %q\nschedule = \"@every 1s\"\n", base+p)
	}
	return b.String()
}

// newsroomListings configures the newsroom's other listings: the sitemap
// index and the policy list, with its selectors and pagination.
func newsroomListings(nr *newsroom.Newsroom, base string) string {
	var b strings.Builder
	for _, s := range nr.Sitemaps() {
		fmt.Fprintf(&b, "\n[[sitemap]]\nurl = %q\nschedule = \"@every 1s\"\n", base+s)
	}
	for _, x := range nr.Indexes() {
		fmt.Fprintf(&b, "\n[[index]]\nurl = %q\nschedule = \"@every 1s\"\nlinks = %q\nfollow = %q\nmax_pages = %d\n",
			base+x.Path, x.Links, x.Follow, x.MaxPages)
	}
	return b.String()
}

// pagesByKind counts the pages by the kind of source that found them.
func pagesByKind(tb testing.TB, st *storage.Store) map[string]int {
	tb.Helper()
	srcs, err := st.Sources(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	kind := map[int64]string{}
	for _, s := range srcs {
		kind[s.ID] = s.Kind
	}
	pages, err := st.Pages(tb.Context(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]int{}
	for _, p := range pages {
		m[kind[p.SourceID]]++
	}
	return m
}

// changeCounts counts the changes that raised webhooks by kind and URL.
func changeCounts(tb testing.TB, st *storage.Store) map[string]int {
	tb.Helper()
	chs, err := st.Changes(tb.Context(), storage.ChangeFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	m := map[string]int{}
	for _, c := range chs {
		m[c.Kind+" "+c.URL]++
	}
	return m
}

// allChanges lists every change, suppressed ones included, oldest first.
func allChanges(tb testing.TB, st *storage.Store, after int64) []storage.Change {
	tb.Helper()
	chs, err := st.Changes(tb.Context(), storage.ChangeFilter{AfterID: after, WithSuppressed: true})
	if err != nil {
		tb.Fatal(err)
	}
	slices.Reverse(chs)
	return chs
}

func allVersioned(tb testing.TB, st *storage.Store, want int) bool {
	pages, err := st.Pages(tb.Context(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	if len(pages) < want {
		return false
	}
	stats, err := st.Stats(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return stats.Versions >= len(pages)
}

// scriptRun follows the newsroom's script through the store: which step
// first showed each version, and which expectations are still to come.
type scriptRun struct {
	tb      testing.TB
	st      *storage.Store
	base    string
	step    newsroom.Step
	pending []newsroom.Expect
	stepOf  map[int64]string // version id -> name of the step that first showed it
	lastID  int64
	events  map[int64]string // change id -> the webhook event it must raise
}

// newScriptRun records the latest version of every page as the initial
// publication's.
func newScriptRun(tb testing.TB, st *storage.Store, base string, initial newsroom.Step) *scriptRun {
	tb.Helper()
	r := &scriptRun{tb: tb, st: st, base: base, stepOf: map[int64]string{}, events: map[int64]string{}}
	pages, err := st.Pages(tb.Context(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range pages {
		v, err := st.LatestVersion(tb.Context(), p.ID)
		if err != nil {
			tb.Fatal(err)
		}
		r.stepOf[v.ID] = initial.Name
	}
	return r
}

// judge matches the changes stored since the last call against the
// current step and reports whether the step has seen all it expects.
func (r *scriptRun) judge() bool {
	for _, ch := range allChanges(r.tb, r.st, r.lastID) {
		r.lastID = ch.ID
		i := slices.IndexFunc(r.pending, func(x newsroom.Expect) bool { return r.base+x.Path == ch.URL })
		if i < 0 {
			r.tb.Errorf("step %q: unexpected %s of %s (classes %v): %s", r.step.Name, ch.Kind, ch.URL, ch.Classes, ch.Summary)
			continue
		}
		x := r.pending[i]
		r.pending = slices.Delete(r.pending, i, i+1)
		if _, ok := r.stepOf[ch.NewVersionID]; !ok && ch.NewVersionID != 0 {
			r.stepOf[ch.NewVersionID] = r.step.Name
		}
		got := newsroom.Report{Kind: ch.Kind, Classes: ch.Classes, Suppressed: ch.Suppressed}
		if ch.RevertsTo != 0 {
			got.RevertsTo = cmp.Or(r.stepOf[ch.RevertsTo], fmt.Sprintf("(version %d)", ch.RevertsTo))
		}
		if err := x.Match(got); err != nil {
			r.tb.Errorf("step %q, change of %s: %v", r.step.Name, x.Path, err)
		}
		r.events[ch.ID] = x.Event()
		r.checkText(x)
	}
	return len(r.pending) == 0
}

// checkText checks the title and the expected fragment of the page's
// latest version.
func (r *scriptRun) checkText(x newsroom.Expect) {
	if x.Kind == newsroom.KindRemoved {
		return
	}
	p, err := r.st.PageByURL(r.tb.Context(), r.base+x.Path)
	if err != nil {
		r.tb.Fatal(err)
	}
	v, err := r.st.LatestVersion(r.tb.Context(), p.ID)
	if err != nil {
		r.tb.Fatal(err)
	}
	if x.Want != "" && !strings.Contains(v.Text, x.Want) {
		r.tb.Errorf("step %q: latest text of %s lacks %q", r.step.Name, x.Path, x.Want)
	}
	if v.Title != x.Title {
		r.tb.Errorf("step %q: title of %s = %q, want %q", r.step.Name, x.Path, v.Title, x.Title)
	}
}

// TestNewsroomScript runs the real daemon (cron, workers, crawler,
// extractor, SQLite, webhooks) against the simulated newsroom, its articles
// found through feeds, a sitemap index (gzipped URL set, news sitemap) and
// a paginated index page: every scripted edit must be reported once with
// the kind, classes, revert and suppression the script expects (a silent
// figure, the same in an English and a Chinese PDF, a quote, a headline, a
// byline, a modified date, a correction, a move, a revert, one GBK
// character, a story unlisted from its feed and relisted, an A/B-tested
// headline flapping and settling), the churn never, and every change that
// is not suppressed must reach the webhook, signed, as the event of its
// kind.
func TestNewsroomScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole newsroom script (about 25s)")
	}
	nr := newsroom.New()
	srv := httptest.NewServer(nr)
	defer srv.Close()
	hook := newHookServer(t)
	path := dbPath(t)
	cfg := testConfig(t, path, newsroomSources(nr, srv.URL)+newsroomListings(nr, srv.URL)+hook.webhookConfig())
	// The A/B test holds each headline about a second: a window of 5s keeps
	// the page flapping through it and lets it settle soon after.
	cfg.Changes.FlapWindow = seconds(5)
	cfg.Recheck.Steps = []config.RecheckStep{{Until: hour(8760), Every: config.Duration(500 * time.Millisecond)}}
	cfg.Fetch.UnlistedAfter = 2
	st := openStore(t, path)
	run := startDaemon(t, cfg, st)

	steps := nr.Steps()
	// At step 0: 6 feed articles, 1 document; through the sitemaps a
	// culture story and the English PDF; through the policy list's two
	// pages two notices and the Chinese PDF.
	initial := 12
	waitUntil(t, "first versions", run.results, func() bool { return allVersioned(t, st, initial) })
	if got, want := pagesByKind(t, st), map[string]int{"feed": 6, "page": 1, "sitemap": 2, "index": 3}; !maps.Equal(got, want) {
		t.Errorf("pages by the kind of source that found them: %v, want %v", got, want)
	}
	r := newScriptRun(t, st, srv.URL, steps[0])
	for {
		step, ok := nr.Advance()
		if !ok {
			break
		}
		r.step, r.pending = step, slices.Clone(step.Expect)
		waitUntil(t, step.Name, run.results, r.judge)
	}

	// Let every page be checked twice more: churn must still not count.
	pages, err := st.Pages(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	for rounds := 0; rounds < 2; {
		select {
		case res := <-run.results:
			seen[res.PageID]++
		case <-time.After(60 * time.Second):
			t.Fatalf("timed out waiting for two more rounds; checks seen: %v", seen)
		}
		rounds = 2
		for _, p := range pages {
			rounds = min(rounds, seen[p.ID])
		}
	}
	r.judge()
	checkNewsroomEvents(t, hook, r.events)
}

// checkNewsroomEvents waits for one event per change that raises one and
// checks that each arrived, signed, as the right type, and that no
// suppressed change raised one.
func checkNewsroomEvents(t *testing.T, hook *hookServer, want map[int64]string) {
	t.Helper()
	total := 0
	for _, typ := range want {
		if typ != "" {
			total++
		}
	}
	for range total {
		select {
		case <-hook.got:
		case <-time.After(30 * time.Second):
			t.Fatal("timed out waiting for the webhooks")
		}
	}
	events, dupes, bad := hook.snapshot()
	if len(events) != total || dupes != 0 || bad != 0 {
		t.Errorf("webhook got %d events (%d duplicates, %d bad), want %d", len(events), dupes, bad, total)
	}
	for _, ev := range events {
		if ev.Change == nil {
			t.Errorf("event %s %s carries no change", ev.Type, ev.ID)
			continue
		}
		if typ := want[ev.Change.ID]; ev.Type != typ {
			t.Errorf("change #%d raised %s, want %q", ev.Change.ID, ev.Type, typ)
		}
	}
}
