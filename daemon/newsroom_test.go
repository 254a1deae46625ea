package daemon_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// TestNewsroomScript runs the real daemon (cron, workers, crawler,
// extractor, SQLite, webhooks) against the simulated newsroom: every
// scripted edit must be reported exactly once, the churn never, and every
// change must reach the webhook, signed.
func TestNewsroomScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole newsroom script (about 15s)")
	}
	nr := newsroom.New()
	srv := httptest.NewServer(nr)
	defer srv.Close()
	hook := newHookServer(t)
	path := dbPath(t)
	cfg := testConfig(t, path, newsroomSources(nr, srv.URL)+hook.webhookConfig())
	st := openStore(t, path)
	run := startDaemon(t, cfg, st)

	initial := 7 // 6 feed articles + 1 document at step 0
	waitUntil(t, "first versions", run.results, func() bool { return allVersioned(t, st, initial) })

	want := map[string]int{}
	for {
		step, ok := nr.Advance()
		if !ok {
			break
		}
		for _, x := range step.Expect {
			want[x.Kind+" "+srv.URL+x.Path]++
		}
		waitUntil(t, step.Name, run.results, func() bool {
			got := changeCounts(t, st)
			for k, n := range want {
				if got[k] < n {
					return false
				}
			}
			return true
		})
		for _, x := range step.Expect {
			if x.Want == "" {
				continue
			}
			p, err := st.PageByURL(t.Context(), srv.URL+x.Path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := st.LatestVersion(t.Context(), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(v.Text, x.Want) {
				t.Errorf("step %q: latest text of %s lacks %q", step.Name, x.Path, x.Want)
			}
			if x.Title != "" && v.Title != x.Title {
				t.Errorf("step %q: title of %s = %q, want %q", step.Name, x.Path, v.Title, x.Title)
			}
		}
	}

	// Let every page be checked twice more: churn must still not count.
	pages, err := st.Pages(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	for rounds := 0; rounds < 2; {
		select {
		case r := <-run.results:
			seen[r.PageID]++
		case <-time.After(60 * time.Second):
			t.Fatalf("timed out waiting for two more rounds; checks seen: %v", seen)
		}
		rounds = 2
		for _, p := range pages {
			rounds = min(rounds, seen[p.ID])
		}
	}
	got := changeCounts(t, st)
	for k, n := range got {
		if want[k] != n {
			t.Errorf("%s reported %d times, want %d", k, n, want[k])
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s reported %d times, want %d", k, got[k], n)
		}
	}

	total := 0
	for _, n := range want {
		total += n
	}
	for range total {
		select {
		case <-hook.got:
		case <-t.Context().Done():
			t.Fatal("test ended before all webhooks arrived")
		}
	}
	events, dupes, bad := hook.snapshot()
	if len(events) != total || dupes != 0 || bad != 0 {
		t.Errorf("webhook got %d events (%d duplicates, %d bad), want %d", len(events), dupes, bad, total)
	}
	for _, ev := range events {
		if ev.Change == nil || ev.Type != "change."+ev.Change.Kind || !strings.HasPrefix(ev.URL, srv.URL) {
			t.Errorf("malformed event %+v", ev)
		}
	}
}
