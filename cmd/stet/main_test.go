package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"

	"encoding/json"
	"fmt"
	"github.com/stet/stet/storage"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// run calls the command in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := realMain(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// publisher serves one article whose text the test can change.
type publisher struct {
	mu     sync.Mutex
	figure string
	status int
}

func (p *publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status != 0 {
		http.Error(w, "nope", p.status)
		return
	}
	fmt.Fprintf(w, `<html><head><title>Report - Daily</title></head><body><nav><a href="/">Home</a></nav>
<article><h1>Report</h1><p>The agency counted %s incidents in the first quarter of the year, it said on Monday.</p>
<p>It did not say how the count was made or which regions were included in the published figures.</p></article>
<footer>Copyright</footer></body></html>`, p.figure)
}

func (p *publisher) set(figure string, status int) {
	p.mu.Lock()
	p.figure, p.status = figure, status
	p.mu.Unlock()
}

func writeConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("[storage]\npath = \"stet.db\"\n[fetch]\nallow_private = true\nper_host_interval = \"1ms\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckChangesHistoryDiff(t *testing.T) {
	pub := &publisher{figure: "12"}
	srv := httptest.NewServer(pub)
	defer srv.Close()
	cfg := writeConfig(t)
	u := srv.URL + "/report"

	code, out, stderr := run(t, "check", "-config", cfg, "-json", u)
	var first checkJSON
	if err := json.Unmarshal([]byte(out), &first); code != 0 || err != nil {
		t.Fatalf("check: code %d, %v, stdout %q, stderr %q", code, err, out, stderr)
	}
	if first.Status != "new" || first.Title != "Report" || !strings.Contains(first.Text, "12 incidents") || strings.Contains(first.Text, "Home") {
		t.Errorf("first check = %+v", first)
	}

	pub.set("15", 0)
	_, out, _ = run(t, "check", "-config", cfg, "-json", u)
	var second map[string]any
	if err := json.Unmarshal([]byte(out), &second); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"url", "status", "title", "text", "diff"} {
		if _, ok := second[k]; !ok {
			t.Errorf("check -json lacks %q: %s", k, out)
		}
	}
	if second["status"] != "changed" || !strings.Contains(second["diff"].(string), "[-12-]{+15+}") {
		t.Errorf("second check: %s", out)
	}

	code, out, _ = run(t, "changes", "-config", cfg, "-json", "-since", "1h")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 1 {
		t.Fatalf("changes -json: code %d, %d lines: %s", code, len(lines), out)
	}
	var ch map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ch); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "url", "kind", "detected_at", "old_version", "new_version", "title", "diff"} {
		if _, ok := ch[k]; !ok {
			t.Errorf("changes -json lacks %q: %s", k, lines[0])
		}
	}
	if ch["kind"] != "changed" || ch["url"] != u || ch["old_version"].(float64) != 1 || ch["new_version"].(float64) != 2 {
		t.Errorf("change = %s", lines[0])
	}

	code, out, _ = run(t, "history", "-config", cfg, u)
	if code != 0 || !strings.Contains(out, "2 versions") || strings.Count(out, "\"Report\"") != 2 {
		t.Errorf("history: code %d:\n%s", code, out)
	}
	code, out, _ = run(t, "diff", "-config", cfg, u)
	if code != 0 || !strings.Contains(out, "- The agency counted 12") || !strings.Contains(out, "+ The agency counted 15") {
		t.Errorf("diff: code %d:\n%s", code, out)
	}
	code, out, _ = run(t, "diff", "-config", cfg, u, "2", "1")
	if code != 0 || !strings.Contains(out, "[-15-]{+12+}") {
		t.Errorf("diff 2 1: code %d:\n%s", code, out)
	}
}

func TestCheckFailureExitsNonZeroNamingURL(t *testing.T) {
	pub := &publisher{status: http.StatusInternalServerError}
	srv := httptest.NewServer(pub)
	defer srv.Close()
	cfg := writeConfig(t)
	code, _, stderr := run(t, "check", "-config", cfg, srv.URL+"/x")
	if code == 0 {
		t.Fatal("check of a failing URL exited 0")
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], srv.URL+"/x") || !strings.Contains(lines[0], "500") {
		t.Errorf("stderr = %q, want one line naming the URL and the status", stderr)
	}
}

func TestConfigErrorNamesFileLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(path, []byte("[storage]\npath = \"x.db\"\n\n[[feed]]\nurl = \"https://example.com/rss\"\nschedule = \"61 * * * *\"\n"), 0o644)
	code, _, stderr := run(t, "run", "-config", path)
	if code == 0 || !strings.Contains(stderr, path+":6:") || !strings.Contains(stderr, "schedule") {
		t.Errorf("code %d, stderr %q; want file:line and the key", code, stderr)
	}
}

func TestExtractBatch(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	page := `<html><body><nav>Menu</nav><article><h1>T</h1><p>First paragraph of a sufficiently long article body text here.</p><p>Second paragraph, also long enough to count as article text for sure.</p></article></body></html>`
	for _, n := range []string{"a", "b"} {
		os.WriteFile(filepath.Join(in, n+".html"), []byte(page), 0o644)
	}
	code, _, stderr := run(t, "extract", "-o", out, filepath.Join(in, "a.html"), filepath.Join(in, "b.html"))
	if code != 0 {
		t.Fatalf("extract: code %d: %s", code, stderr)
	}
	for _, n := range []string{"a", "b"} {
		b, err := os.ReadFile(filepath.Join(out, n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "First paragraph") || !strings.Contains(string(b), "\n\nSecond paragraph") || strings.Contains(string(b), "Menu") {
			t.Errorf("%s.txt = %q", n, b)
		}
	}
	code, _, _ = run(t, "extract", "-format", "json", "-o", out, filepath.Join(in, "a.html"))
	var j map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "a.json"))
	if err := json.Unmarshal(b, &j); code != 0 || err != nil {
		t.Fatalf("extract -format json: %d %v", code, err)
	}
	for _, k := range []string{"title", "byline", "published", "modified", "lang", "text"} {
		if _, ok := j[k]; !ok {
			t.Errorf("extract json lacks %q", k)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := run(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("code %d, stderr %q", code, stderr)
	}
}

// TestDemo runs `stet demo` exactly as the README tells a new user to.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo (about 25s)")
	}
	dir := t.TempDir()
	code, out, stderr := run(t, "demo", "-dir", dir)
	if code != 0 {
		t.Fatalf("demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{"[-12-]{+13+}", "changed [number stealth]", "changed [correction number]",
		"changed [moved]", "@@ ¶5 → ¶2 moved @@", "reverts to version", "change.flapping", "suppressed: ", "change.settled",
		"change.removed", "change.restored", "churn reported: never", "no suppressed one did",
		"simulated outage", filepath.Join(dir, "stet.db"),
		// Listings of every kind, and what only some of them show.
		"sources:     5 (feed 2, index 1, page 1, sitemap 1)",
		"found through (feed 7, index 3, page 1, sitemap 2); 2 of them PDFs",
		"unlisted []", "change.unlisted", "relisted []", "change.relisted", "1 unlisted (", "1 relisted",
		// The PDFs' silent figures, word by word and character by character.
		".pdf\n    \"China's Legal Framework and Measures for Counterterrorism\"",
		"China has joined [-12-]{+13+} global counterterrorism conventions",
		"中国已加入[-12-]{+13+}项全球性反恐公约",
		"2 changes in PDF documents ([number stealth] 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The database it leaves is readable by the other commands.
	code, out, _ = run(t, "changes", "-config", filepath.Join(dir, "config.toml"), "-json")
	if code != 0 || strings.Count(out, "\n") < 8 {
		t.Errorf("changes after demo: code %d, %d lines", code, strings.Count(out, "\n"))
	}
}

func TestServeWebStopsWithContext(t *testing.T) {
	st, err := storage.Open(t.Context(), filepath.Join(t.TempDir(), "stet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveOn(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), st, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz") // the listener already accepts
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveWeb after cancel: %v", err)
	}
}
