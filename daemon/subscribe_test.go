package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// A [[webhook]] with classes gets only the change events carrying one of
// them; one without gets every change.
func TestWebhookSubscribesByClass(t *testing.T) {
	pp := newPaper()
	srv := newSiteWith(t, pp)
	c := newChecker(t, `
[[webhook]]
name = "figures"
url = "http://127.0.0.1:1/figures"
classes = ["number", "stealth"]
[[webhook]]
name = "everything"
url = "http://127.0.0.1:1/all"
`)
	u := srv + "/wp.html"
	c.check(u)
	pp.edit(func(p *paper) { p.byline = "Xinhua, edited" })
	c.check(u)
	pp.edit(func(p *paper) { p.paras[3] = strings.Replace(p.paras[3], "joined 12", "joined 13", 1) })
	c.check(u)
	due, err := c.st.DueDeliveries(t.Context(), time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range due {
		got[d.Subscriber]++
	}
	if got["figures"] != 1 || got["everything"] != 2 {
		t.Errorf("deliveries by subscriber = %v, want figures 1 (the 12->13 edit), everything 2", got)
	}
}

// stet diff between versions read by different extractor versions says so.
func TestVersionDiffNamesExtractorChange(t *testing.T) {
	old := storage.Version{ID: 1, CreatedAt: time.Unix(0, 0), Title: "T", Text: "It joined 12 conventions.", TextHash: "a", Extractor: "2"}
	new := storage.Version{ID: 2, CreatedAt: time.Unix(60, 0), Title: "T", Text: "It joined 13 conventions.", TextHash: "b", Extractor: "3"}
	text, summary := daemon.VersionDiff(old, new)
	for _, s := range []string{text, summary} {
		if !strings.Contains(s, "extractor changed between the two versions (2, then 3)") {
			t.Errorf("no extractor note in %q", s)
		}
	}
	new.Extractor = "2"
	if text, _ := daemon.VersionDiff(old, new); strings.Contains(text, "extractor changed") {
		t.Errorf("extractor note without an extractor change:\n%s", text)
	}
}
