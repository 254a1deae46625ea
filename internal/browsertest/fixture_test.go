package browsertest

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

// The articles the fixture publishes. The white paper story uses the facts
// of the seed article; its figure moves from 12 to 13 conventions between
// versions 1 and 2, and version 3 adds a closing paragraph.
const (
	paperPath = "/english/2024-01/23/c_white_paper.htm"
	zhPath    = "/zh/2024-01/23/c_baipishu.htm"
	xssPath   = "/english/2024-01/24/c_payloads.htm"

	paperTitle = "White paper: China contributes to regional and global security, stability"
	zhTitle    = "《新时代中国的反恐怖主义法律制度体系与实践》白皮书发布"

	// zhGone is the Chinese sentence version 2 deletes.
	zhGone = "中国已加入12项全球性反恐怖主义国际公约，积极参与国际反恐合作。"
	// paperAdded is the paragraph version 3 appends.
	paperAdded = "The white paper was released in Chinese, English and other languages on the same day."
)

var paperBody = []string{
	"China carries out counterterrorism work in accordance with the law, and has heightened the people's sense of security, defended national security, and contributed to regional and global security and stability, said a white paper issued by China's State Council Information Office Tuesday.",
	"According to the white paper titled \"China's Legal Framework and Measures for Counterterrorism,\" China actively promotes improved terrorism prevention standards in key sectors and localities, formulates or revises counterterrorism contingency plans, and encourages and supports counterterrorism-related scientific research and technological innovation.",
	"Apart from specialized efforts, China also relies on the public in working to counter terrorism. It conducts extensive public education, with its counterterrorism capacity constantly improving, according to the white paper.",
	"It added that China has joined 12 global counterterrorism conventions and facilitated the formulation of documents such as the Shanghai Convention on Combating Terrorism, Separatism and Extremism, playing an important role in maintaining international and regional security and stability.",
}

var zhBody = []string{
	"国务院新闻办公室23日发布《新时代中国的反恐怖主义法律制度体系与实践》白皮书。白皮书指出，中国坚持依法开展反恐怖主义工作，不断提升人民群众的安全感。",
	zhGone,
	"白皮书说，中国在严厉打击暴力恐怖活动的同时，更加注重对受极端主义影响人员的教育和帮扶，有效维护了国家安全和社会稳定。",
	"白皮书强调，中国愿同国际社会一道，共同应对恐怖主义威胁，维护地区和世界的和平与安宁。",
}

// publisher serves the fixture's articles; the tests edit them between
// checks.
type publisher struct {
	mu    sync.Mutex
	pages map[string]string
}

func (p *publisher) set(path, title string, paras []string) {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body>", html.EscapeString(title))
	fmt.Fprintf(&b, "<nav><a href=\"/\">Home</a> - <a href=\"/papers\">White Papers</a></nav><article><h1>%s</h1>", html.EscapeString(title))
	b.WriteString("<p class=\"byline\">Xinhua | January 23, 2024</p>")
	for _, s := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(s))
	}
	b.WriteString("</article></body></html>")
	p.setRaw(path, b.String())
}

func (p *publisher) setRaw(path, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pages[path] = body
}

func (p *publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	body, ok := p.pages[r.URL.Path]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, body)
}

// trap counts every request it receives: a payload that ran in the
// browser would call it.
type trap struct {
	hits atomic.Int64
	mu   sync.Mutex
	seen []string
}

func (t *trap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t.hits.Add(1)
	t.mu.Lock()
	t.seen = append(t.seen, r.Method+" "+r.URL.String())
	t.mu.Unlock()
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusNoContent)
}

// payloads is crawled text that would reach the trap if a view ever let
// it run: a script element, event handlers, a javascript: URL, a remote
// image, and markup meant to break out of an attribute.
func payloads(trapURL string) []string {
	return []string{
		`Officials said <script>fetch("` + trapURL + `/script")</script> nothing more about the payload report.`,
		`The payload report adds <img src=x onerror="fetch('` + trapURL + `/onerror')"> and <svg onload="fetch('` + trapURL + `/onload')"></svg> in one sentence of the text.`,
		`Readers were told to <a href="javascript:fetch('` + trapURL + `/javascript')">click here</a> for the payload report's appendix.`,
		`A remote image <img src="` + trapURL + `/image.png"> and "><script>fetch('` + trapURL + `/attr')</script> close the payload report paragraph.`,
	}
}

// fixture is a database holding three versions of the white paper story,
// two of the Chinese one, and two of an article made of payloads, as the
// daemon stored them from a loopback publisher, plus the trap.
type fixture struct {
	st       *storage.Store
	pub      *publisher
	pubURL   string
	trap     *trap
	trapURL  string
	d        *daemon.Daemon
	paper    int64 // page ids
	zh       int64
	xss      int64
	shotsDir string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{pub: &publisher{pages: map[string]string{}}, trap: &trap{}}
	pubSrv := httptest.NewServer(f.pub)
	t.Cleanup(pubSrv.Close)
	trapSrv := httptest.NewServer(f.trap)
	t.Cleanup(trapSrv.Close)
	f.pubURL, f.trapURL = pubSrv.URL, trapSrv.URL

	dir := t.TempDir()
	var conf strings.Builder
	fmt.Fprintf(&conf, "[storage]\npath = %q\n\n[fetch]\nallow_private = true\nrobots = false\nper_host_interval = \"1ms\"\n", filepath.Join(dir, "stet.db"))
	for _, p := range []string{paperPath, zhPath, xssPath} {
		fmt.Fprintf(&conf, "\n[[page]]\nurl = %q\n", f.pubURL+p)
	}
	cfg, err := config.Parse(strings.NewReader(conf.String()), filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	f.st, err = storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	f.d, err = daemon.New(ctx, daemon.Options{Config: cfg, Store: f.st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}

	pl := payloads(f.trapURL)
	// Version 1 of everything.
	f.pub.set(paperPath, paperTitle, paperBody)
	f.pub.set(zhPath, zhTitle, zhBody)
	f.pub.set(xssPath, `Payload report <img src=x onerror="fetch('`+f.trapURL+`/title')">`, append(slices(paperBody[:2]), pl[:2]...))
	f.paper = f.check(t, paperPath)
	f.zh = f.check(t, zhPath)
	f.xss = f.check(t, xssPath)
	// Version 2: 12 becomes 13, the Chinese sentence goes, more payloads.
	f.pub.set(paperPath, paperTitle, replaceIn(paperBody, "joined 12 global", "joined 13 global"))
	f.pub.set(zhPath, zhTitle, without(zhBody, zhGone))
	f.pub.set(xssPath, `Payload report <img src=x onerror="fetch('`+f.trapURL+`/title')">`, append(slices(paperBody[:2]), pl...))
	f.check(t, paperPath)
	f.check(t, zhPath)
	f.check(t, xssPath)
	// Version 3 of the white paper story: a closing paragraph.
	f.pub.set(paperPath, paperTitle, append(replaceIn(paperBody, "joined 12 global", "joined 13 global"), paperAdded))
	f.check(t, paperPath)

	f.shotsDir = os.Getenv("STET_SCREENSHOTS")
	if f.shotsDir == "" {
		f.shotsDir = t.TempDir()
	}
	return f
}

// check runs the daemon's check (the one `stet check` runs) and returns
// the page id.
func (f *fixture) check(t *testing.T, path string) int64 {
	t.Helper()
	r, err := f.d.Check(t.Context(), f.pubURL+path)
	if err != nil {
		t.Fatalf("check %s: %v", path, err)
	}
	if r.Status == daemon.StatusError {
		t.Fatalf("check %s: %s", path, r.Reason)
	}
	p, err := f.st.PageByURL(t.Context(), f.pubURL+path)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func slices(s []string) []string { return append([]string(nil), s...) }

func replaceIn(paras []string, old, new string) []string {
	out := slices(paras)
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], old, new)
	}
	return out
}

func without(paras []string, drop string) []string {
	var out []string
	for _, p := range paras {
		if p != drop {
			out = append(out, p)
		}
	}
	return out
}

// chromium finds the browser, or skips (fails under STET_BROWSER=require).
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("STET_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("STET_BROWSER") == "require" {
		t.Fatal("no Chromium found (install Debian's chromium or set STET_CHROMIUM), and STET_BROWSER=require")
	}
	t.Skip("no Chromium found: install Debian's chromium package (or set STET_CHROMIUM) to run the browser tests")
	return ""
}

// browser starts a headless Chromium with a fresh profile and no
// background traffic, and returns a tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// The first run starts the browser; it must not carry the timeout,
	// which would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// shot writes a full-page screenshot of the current view.
func (f *fixture) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(f.shotsDir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// texts returns the text of every element matching sel (none is fine).
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.textContent.trim())`, sel)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return out
}

// exists reports whether sel matches an element of the current page.
func exists(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
