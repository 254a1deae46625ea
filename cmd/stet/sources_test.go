package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// seedSources stores a feed with n pages (the second failing, the third
// removed) and a [[page]] source whose one page is failing.
func seedSources(t *testing.T, n int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "stet.db")
	st, err := storage.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	feed, err := st.EnsureSource(t.Context(), storage.KindFeed, "wire", "http://wire.test/rss", "*/10 * * * *", now)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := st.EnsureSource(t.Context(), storage.KindPage, "white paper", "http://gov.test/paper", "@every 1h", now)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(t.Context(), func(tx *storage.Tx) error {
		for i := range n {
			p := seedPage(t, tx, feed.ID, fmt.Sprintf("http://wire.test/a/%d", i), now)
			switch i {
			case 1:
				p.Failing, p.ConsecutiveFailures, p.LastClass, p.LastReason = true, 3, "error", "connection refused"
			case 2:
				p.Removed, p.LastClass = true, "gone"
			default:
				continue
			}
			if err := tx.UpdatePageState(p); err != nil {
				return err
			}
		}
		p := seedPage(t, tx, doc.ID, "http://gov.test/paper", now)
		p.Failing, p.ConsecutiveFailures, p.LastClass, p.LastReason = true, 7, "error", "timeout"
		return tx.UpdatePageState(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSources(t *testing.T) {
	db := seedSources(t, 1203) // more pages than one batch of -pages
	code, out, stderr := run(t, "sources", "-db", db, "-json")
	if code != 0 {
		t.Fatalf("code %d: %s", code, stderr)
	}
	var got []sourceJSON
	for line := range strings.Lines(out) {
		var j sourceJSON
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatal(err)
		}
		got = append(got, j)
	}
	if len(got) != 2 {
		t.Fatalf("%d sources:\n%s", len(got), out)
	}
	if w := got[0]; w.Name != "wire" || w.Pages != 1203 || w.PagesFailing != 1 || w.PagesRemoved != 1 || w.Failing || w.NextDueAt.IsZero() {
		t.Errorf("feed = %+v", w)
	}
	// A [[page]] source shows its page's state.
	if p := got[1]; p.Name != "white paper" || p.Pages != 1 || !p.Failing || p.ConsecutiveFailures != 7 || p.LastReason != "timeout" {
		t.Errorf("page source = %+v", p)
	}

	code, out, _ = run(t, "sources", "-db", db, "-pages")
	if code != 0 || strings.Count(out, "\n      - http://wire.test/a/") != 1203 ||
		!strings.Contains(out, "- http://wire.test/a/1 [error] failures 3") || !strings.Contains(out, "- http://wire.test/a/2 [gone (removed)]") {
		t.Errorf("sources -pages: code %d, %d pages listed", code, strings.Count(out, "\n      - http://wire.test/a/"))
	}
	code, out, _ = run(t, "sources", "-db", db, "-failing", "-pages")
	if code != 0 || strings.Count(out, "\n      - ") != 2 || !strings.Contains(out, "http://wire.test/a/1 ") ||
		!strings.Contains(out, "http://gov.test/paper [error]") || !strings.Contains(out, "(FAILING)") {
		t.Errorf("sources -failing -pages: code %d:\n%s", code, out)
	}
}
