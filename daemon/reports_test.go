package daemon_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// paper is a news page carrying the seed white paper article, whose parts
// the test edits one at a time.
type paper struct {
	mu       sync.Mutex
	title    string
	byline   string
	modified string
	paras    []string
	gbk      bool
}

var seedParas = []string{
	"China carries out counterterrorism work in accordance with the law, and has heightened the people's sense of security, said a white paper issued by China's State Council Information Office Tuesday.",
	"Apart from specialized efforts, China also relies on the public in working to counter terrorism. It conducts extensive public education, according to the white paper.",
	"While striking hard at unlawful and criminal terrorist activities, China attaches greater importance to the education and rehabilitation of victims of extremist teachings, said the document.",
	"It added that China has joined 12 global counterterrorism conventions and facilitated the formulation of documents such as the Shanghai Convention on Combating Terrorism, Separatism and Extremism.",
}

func newPaper() *paper {
	return &paper{title: "White paper: China contributes to regional and global security, stability",
		byline: "Xinhua", modified: "2024-01-23T10:00:00+08:00", paras: slices.Clone(seedParas)}
}

func (p *paper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><title>%s</title><meta name="author" content="%s">
<meta property="article:published_time" content="2024-01-23T09:00:00+08:00">
<meta property="article:modified_time" content="%s"></head><body>
<header><nav><a href="/">Home</a> <a href="/whitepapers">White Papers</a></nav><div class="clock">%s</div></header>
<article><h1>%s</h1>`, p.title, p.byline, p.modified, time.Now().Format(time.RFC3339Nano), p.title)
	for _, para := range p.paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", para)
	}
	b.WriteString(`</article><footer>Copyright Xinhua. All rights reserved.</footer></body></html>`)
	if !p.gbk {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=gbk")
	enc, _ := simplifiedchinese.GBK.NewEncoder().String(b.String())
	w.Write([]byte(enc))
}

func (p *paper) edit(f func(p *paper)) {
	p.mu.Lock()
	f(p)
	p.mu.Unlock()
}

// changeEvents counts the change.* webhook events queued for the page.
func changeEvents(t *testing.T, c *checker) map[string]int {
	t.Helper()
	_, _, pending := c.counts()
	out := map[string]int{}
	for typ, n := range pending {
		if strings.HasPrefix(typ, "change.") {
			out[typ] = n
		}
	}
	return out
}

func latestChange(t *testing.T, st *storage.Store) storage.Change {
	t.Helper()
	chs, err := st.Changes(t.Context(), storage.ChangeFilter{Limit: 1, WithSuppressed: true})
	if err != nil || len(chs) == 0 {
		t.Fatalf("latest change: %v (%d)", err, len(chs))
	}
	return chs[0]
}

// TestReportsHoldUp walks the seed white paper through the edits a
// journalist must be able to report and prove, and checks each report's
// kind, classes, revert and suppression, and the webhooks it raised.
func TestReportsHoldUp(t *testing.T) {
	pp := newPaper()
	srv := newSiteWith(t, pp)
	c := newChecker(t, "\n[[webhook]]\nurl = \"http://127.0.0.1:1/hook\"\n")
	u := srv + "/wp.html"
	first := c.check(u)
	if first.Status != daemon.StatusNew {
		t.Fatalf("first check: %s %s", first.Status, first.Reason)
	}
	caps, err := c.st.Captures(t.Context(), 0, first.PageID, 1)
	if err != nil || len(caps) != 1 {
		t.Fatalf("captures: %v, %v", caps, err)
	}
	if cp := caps[0]; cp.RemoteIP != "127.0.0.1" || cp.Header.Get("Content-Type") == "" || cp.Link == "" ||
		cp.RequestHeader.Get("User-Agent") == "" {
		t.Errorf("the capture keeps no evidence: ip %q, headers %v, request headers %v, link %q",
			cp.RemoteIP, cp.Header, cp.RequestHeader, cp.Link)
	}
	steps := []struct {
		name       string
		edit       func(p *paper)
		status     string
		classes    []string
		revertsTo  bool
		suppressed bool
		diff       string // in the readable text
	}{
		{"byline only", func(p *paper) { p.byline = "Xinhua, edited by Li Wei" }, "changed", []string{"byline"}, false, false, "@@ byline @@"},
		{"modified date only", func(p *paper) { p.modified = "2024-01-30T08:00:00+08:00" }, "changed", []string{"modified"}, false, false, "@@ modified @@"},
		{"12 to 13", func(p *paper) { p.paras[3] = strings.Replace(p.paras[3], "joined 12", "joined 13", 1) }, "changed", []string{"number", "stealth"}, false, false, "[-12-]{+13+}"},
		{"13 to 14 with a correction", func(p *paper) {
			p.paras[3] = strings.Replace(p.paras[3], "joined 13", "joined 14", 1)
			p.paras = append(p.paras, "Correction: an earlier version of this article said China had joined 12 conventions.")
		}, "changed", []string{"correction", "number"}, false, false, "[-13-]{+14+}"},
		{"moved paragraph", func(p *paper) { p.paras[0], p.paras[1], p.paras[2] = p.paras[1], p.paras[2], p.paras[0] }, "changed", []string{"moved"}, false, false, "moved"},
	}
	for _, st := range steps {
		pp.edit(st.edit)
		r := c.check(u)
		ch := latestChange(t, c.st)
		if r.Status != st.status || r.ChangeID != ch.ID {
			t.Fatalf("%s: status %q (%s), change %d; want %q", st.name, r.Status, r.Reason, r.ChangeID, st.status)
		}
		if !slices.Equal(ch.Classes, st.classes) {
			t.Errorf("%s: classes %v, want %v", st.name, ch.Classes, st.classes)
		}
		if (ch.RevertsTo != 0) != st.revertsTo || ch.Suppressed != st.suppressed {
			t.Errorf("%s: reverts_to %d, suppressed %v", st.name, ch.RevertsTo, ch.Suppressed)
		}
		if !strings.Contains(ch.Diff, st.diff) || len(ch.Blocks) == 0 {
			t.Errorf("%s: diff lacks %q (blocks %d bytes):\n%s", st.name, st.diff, len(ch.Blocks), ch.Diff)
		}
	}
	if got := changeEvents(t, c)["change.changed"]; got != len(steps) {
		t.Errorf("change.changed events = %d, want %d", got, len(steps))
	}
}

// TestRevertsAndFlapping: A->B->A names the version it goes back to;
// A/B/A/B/A/B/A raises at most three events (changed, a revert, flapping)
// and then none until the text leaves the set or settles.
func TestRevertsAndFlapping(t *testing.T) {
	pp := newPaper()
	srv := newSiteWith(t, pp)
	c := newChecker(t, "\n[[webhook]]\nurl = \"http://127.0.0.1:1/hook\"\n")
	u := srv + "/wp.html"
	a, b := slices.Clone(seedParas), slices.Clone(seedParas)
	b[3] = strings.Replace(b[3], "joined 12", "joined 24", 1)
	set := func(ps []string) { pp.edit(func(p *paper) { p.paras = slices.Clone(ps) }) }
	first := c.check(u)
	if first.Status != daemon.StatusNew {
		t.Fatalf("first check: %s %s", first.Status, first.Reason)
	}
	type want struct {
		status     string
		revertsTo  int64
		suppressed bool
	}
	for i, w := range []want{
		{"changed", 0, false},               // A -> B
		{"changed", first.VersionID, false}, // B -> A: a revert, reported
		{"flapping", 0, false},              // A -> B: the second revert: flapping
		{"changed", first.VersionID, true},  // B -> A: suppressed
		{"changed", 0, true},                // A -> B
		{"changed", first.VersionID, true},  // B -> A
	} {
		if i%2 == 0 {
			set(b)
		} else {
			set(a)
		}
		r := c.check(u)
		ch := latestChange(t, c.st)
		if r.Status != w.status || ch.Suppressed != w.suppressed {
			t.Errorf("flip %d: status %q, suppressed %v; want %q, %v", i+1, r.Status, ch.Suppressed, w.status, w.suppressed)
		}
		if w.revertsTo != 0 && ch.RevertsTo != w.revertsTo {
			t.Errorf("flip %d: reverts_to %d, want %d", i+1, ch.RevertsTo, w.revertsTo)
		}
		if w.revertsTo != 0 && (!slices.Contains(ch.Classes, "reverted") ||
			!strings.Contains(ch.Diff, fmt.Sprintf("back to version %d (first seen ", w.revertsTo))) {
			t.Errorf("flip %d: a revert not labelled: classes %v\n%s", i+1, ch.Classes, ch.Diff)
		}
		if w.status == "flapping" && len(ch.Versions) != 2 {
			t.Errorf("flapping names versions %v, want the two texts' first versions", ch.Versions)
		}
	}
	ev := changeEvents(t, c)
	if total := ev["change.changed"] + ev["change.flapping"]; total != 3 || ev["change.flapping"] != 1 {
		t.Errorf("events during A/B/A/B/A/B/A = %v, want changed 2, flapping 1", ev)
	}
	// Suppressed changes are stored and listed with -all, not by default.
	def, _ := c.st.Changes(t.Context(), storage.ChangeFilter{})
	all, _ := c.st.Changes(t.Context(), storage.ChangeFilter{WithSuppressed: true})
	if len(all)-len(def) != 3 {
		t.Errorf("changes listed by default %d, with suppressed %d; want 3 suppressed", len(def), len(all))
	}
	// A third text leaves the set: an ordinary, reported change.
	cc := slices.Clone(seedParas)
	cc[3] = strings.Replace(cc[3], "joined 12", "joined 30", 1)
	set(cc)
	if r := c.check(u); r.Status != "changed" || latestChange(t, c.st).Suppressed {
		t.Errorf("a text outside the set: status %q, suppressed %v", r.Status, latestChange(t, c.st).Suppressed)
	}
	if got := changeEvents(t, c)["change.changed"]; got != 3 {
		t.Errorf("change.changed events after leaving the set = %d, want 3", got)
	}
}

// TestFlappingSettles: a flapping page that holds one text for the flap
// window is reported settled, once.
func TestFlappingSettles(t *testing.T) {
	pp := newPaper()
	srv := newSiteWith(t, pp)
	c := newChecker(t, "\n[[webhook]]\nurl = \"http://127.0.0.1:1/hook\"\n[changes]\nflap_window = \"2s\"\n")
	u := srv + "/wp.html"
	b := slices.Clone(seedParas)
	b[3] = strings.Replace(b[3], "joined 12", "joined 24", 1)
	c.check(u)
	for i := range 3 {
		if i%2 == 0 {
			pp.edit(func(p *paper) { p.paras = slices.Clone(b) })
		} else {
			pp.edit(func(p *paper) { p.paras = slices.Clone(seedParas) })
		}
		c.check(u)
	}
	if k := latestChange(t, c.st).Kind; k != "flapping" {
		t.Fatalf("after A/B/A/B the latest change is %q, want flapping", k)
	}
	time.Sleep(2100 * time.Millisecond) // the window is real time here: the check stamps it
	if r := c.check(u); r.Status != "settled" {
		t.Errorf("after holding one text for the window: status %q, want settled", r.Status)
	}
	if r := c.check(u); r.Status != daemon.StatusUnchanged {
		t.Errorf("settled twice: %q", r.Status)
	}
	if got := changeEvents(t, c)["change.settled"]; got != 1 {
		t.Errorf("change.settled events = %d, want 1", got)
	}
}

// TestGBKCharacterChange: one Chinese character changed in a GBK page is
// one character-level edit.
func TestGBKCharacterChange(t *testing.T) {
	pp := &paper{title: "国务院新闻办公室发表白皮书", byline: "新华社", modified: "2024-01-23T10:00:00+08:00", gbk: true,
		paras: []string{"中国坚持依法开展反恐怖主义工作，增强了人民群众的安全感，维护了国家安全，为地区和世界的安全稳定作出了贡献。",
			"白皮书说，中国已加入十二项全球性反恐怖主义国际公约，推动制定了上海合作组织成员国边防合作协定等文件。"}}
	srv := newSiteWith(t, pp)
	c := newChecker(t, "")
	u := srv + "/zh.html"
	if r := c.check(u); r.Status != daemon.StatusNew {
		t.Fatalf("first check: %s %s", r.Status, r.Reason)
	}
	pp.edit(func(p *paper) { p.paras[1] = strings.Replace(p.paras[1], "十二项", "十三项", 1) })
	r := c.check(u)
	ch := latestChange(t, c.st)
	if r.Status != "changed" || !strings.Contains(ch.Diff, "[-二-]{+三+}") {
		t.Errorf("status %q, diff:\n%s", r.Status, ch.Diff)
	}
	if !slices.Contains(ch.Classes, "number") {
		t.Errorf("classes %v, want number among them", ch.Classes)
	}
}

// newSiteWith serves h on loopback and returns its base URL.
func newSiteWith(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}
