package daemon_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// datedFeed serves an RSS feed of the listed items, each with its date.
type datedFeed struct {
	mu    sync.Mutex
	items []int // article numbers listed, newest first; article n is dated day n
}

func (f *datedFeed) set(items ...int) {
	f.mu.Lock()
	f.items = items
	f.mu.Unlock()
}

func (f *datedFeed) serve(base string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>` + base + `/</link><description>d</description>`)
		for _, n := range f.items {
			fmt.Fprintf(&b, "<item><title>Story %d</title><link>%s/story-%d.html</link><pubDate>%s</pubDate></item>",
				n, base, n, time.Date(2024, 1, n, 8, 0, 0, 0, time.UTC).Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		w.Write([]byte(b.String()))
	}
}

// An article taken out of its feed from among newer items, while it stays
// online, is reported unlisted once after fetch.unlisted_after reads, and
// relisted when it comes back; articles pushed out by newer items (the feed
// shows its latest three) never are.
func TestUnlistedAndRelisted(t *testing.T) {
	s := newSite(t)
	for n := 1; n <= 9; n++ {
		s.set(fmt.Sprintf("/story-%d.html", n), article(fmt.Sprintf("Story %d", n), paras...))
	}
	feed := &datedFeed{}
	feed.set(3, 2, 1)
	s.set("/rss", feed.serve(s.URL))
	path := dbPath(t)
	cfg := testConfig(t, path, fmt.Sprintf("\n[[feed]]\nurl = %q\nschedule = \"@every 1s\"\n", s.URL+"/rss"))
	cfg.Fetch.UnlistedAfter = 2
	st := openStore(t, path)
	r := startDaemon(t, cfg, st)
	reads := func(n int) {
		t.Helper()
		for range n {
			waitResult(t, "a feed read", r.results, func(res daemon.Result) bool { return res.Status == daemon.StatusFeed })
		}
	}
	changesOf := func(kind string) []storage.Change {
		chs, err := st.Changes(t.Context(), storage.ChangeFilter{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return chs
	}
	// Let every story be checked once, so it is known to be online.
	waitUntil(t, "stories checked", r.results, func() bool {
		ps, _ := st.Pages(t.Context(), 0)
		ok := 0
		for _, p := range ps {
			if p.LastClass == "ok" {
				ok++
			}
		}
		return ok == 3
	})
	feed.set(5, 4, 3) // 1 and 2 pushed out by newer items: never unlisted
	reads(4)
	feed.set(6, 5, 3) // 4 taken out from among newer items (3 is older and stays)
	reads(1)
	waitUntil(t, "story 4 checked", r.results, func() bool {
		p, err := st.PageByURL(t.Context(), s.URL+"/story-4.html")
		return err == nil && p.LastClass == "ok"
	})
	reads(4)
	un := changesOf(storage.ChangeUnlisted)
	if len(un) != 1 || !strings.HasSuffix(un[0].URL, "/story-4.html") {
		t.Fatalf("unlisted changes = %+v, want story 4 only", un)
	}
	feed.set(6, 5, 4, 3)
	reads(3)
	re := changesOf(storage.ChangeRelisted)
	if len(re) != 1 || !strings.HasSuffix(re[0].URL, "/story-4.html") {
		t.Errorf("relisted changes = %+v, want story 4", re)
	}
	r.stop()
	_, _, pending := (&checker{t: t, st: st}).counts()
	if pending["change.unlisted"] != 0 { // no webhook configured: nothing queued
		t.Errorf("events queued without webhooks: %v", pending)
	}
}
