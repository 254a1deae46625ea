package scale_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/extract"
	"github.com/stet/stet/internal/scale"
	"github.com/stet/stet/storage"
)

// TestMain lets the test binary stand in for `stet run` (with
// STET_SCALE_CHILD=1), so TestHarness drives a real daemon process
// without building the stet binary. The benchmarks build and run the real
// binary.
func TestMain(m *testing.M) {
	if os.Getenv("STET_SCALE_CHILD") == "1" {
		os.Exit(childMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// childMain is `stet run -config FILE` reduced to the daemon: no web UI,
// no metrics endpoint, no systemd.
func childMain(args []string) int {
	if len(args) != 3 || args[0] != "run" || args[1] != "-config" {
		fmt.Fprintf(os.Stderr, "child: want run -config FILE, got %q\n", args)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if dir := os.Getenv("STET_SCALE_PROFILE"); dir != "" {
		end, err := startProfiles(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		defer end()
	}
	if err := runChild(ctx, args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func runChild(ctx context.Context, path string) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		return err
	}
	return d.Run(ctx)
}

// startProfiles records a CPU profile of this process, its blocking and
// lock contention and its allocations into dir/{cpu,block,mutex,allocs}-PID.pprof;
// end writes them.
func startProfiles(dir string) (end func(), err error) {
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	f, err := os.Create(name("cpu"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	runtime.SetBlockProfileRate(int(time.Millisecond))
	runtime.SetMutexProfileFraction(10)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		for _, kind := range []string{"block", "mutex", "allocs"} {
			if out, err := os.Create(name(kind)); err == nil {
				_ = pprof.Lookup(kind).WriteTo(out, 0)
				out.Close()
			}
		}
	}, nil
}

func newNewsroom(t *testing.T, o scale.NewsroomOptions) *scale.Newsroom {
	t.Helper()
	n, err := scale.NewNewsroom(o)
	if errors.Is(err, scale.ErrNoLoopback) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

func fetch(t *testing.T, u string, hdr http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestNewsroom checks that articles look like news pages to stet's
// extractor (about 60 KB, most of it furniture, a body of paragraphs that
// differs between articles), that conditional GETs get 304 until an edit,
// and that feeds list their articles.
func TestNewsroom(t *testing.T) {
	n := newNewsroom(t, scale.NewsroomOptions{Articles: 30, Hosts: 2, ItemsPerFeed: 10})
	if got, want := n.Feeds(), 3; got != want {
		t.Fatalf("Feeds() = %d, want %d", got, want)
	}
	texts := map[string]bool{}
	for _, id := range []int{0, 1, 17} {
		resp, body := fetch(t, n.ArticleURL(id), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("article %d: %s", id, resp.Status)
		}
		if len(body) < 50<<10 || len(body) > 75<<10 {
			t.Errorf("article %d: %d bytes, want about 60 KB", id, len(body))
		}
		a, err := extract.HTML(strings.NewReader(body), extract.Options{ContentType: resp.Header.Get("Content-Type")})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Text) < 4<<10 || len(a.Text) > len(body)/4 {
			t.Errorf("article %d: extracted %d characters of %d bytes, want the body alone", id, len(a.Text), len(body))
		}
		if !strings.Contains(a.Text, "Officials said 12 measures") || strings.Contains(a.Text, "Sign up") {
			t.Errorf("article %d: extracted text misses the edited paragraph or holds furniture:\n%.300s", id, a.Text)
		}
		texts[a.Text] = true
	}
	if len(texts) != 3 {
		t.Errorf("%d distinct texts of 3 articles", len(texts))
	}

	u := n.ArticleURL(5)
	resp, _ := fetch(t, u, nil)
	tag := resp.Header.Get("ETag")
	if resp, _ := fetch(t, u, http.Header{"If-None-Match": {tag}}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET of an unedited article: %s, want 304", resp.Status)
	}
	if resp, _ := fetch(t, u, http.Header{"If-Modified-Since": {resp.Header.Get("Last-Modified")}}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET If-Modified-Since its Last-Modified: %s, want 304", resp.Status)
	}
	n.Edit(5)
	resp, body := fetch(t, u, http.Header{"If-None-Match": {tag}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Officials said 13 measures") || resp.Header.Get("ETag") == tag {
		t.Errorf("after an edit: %s, ETag %s (was %s), edited figure present: %v", resp.Status, resp.Header.Get("ETag"), tag,
			strings.Contains(body, "Officials said 13 measures"))
	}

	resp, feed := fetch(t, n.FeedURL(1), nil)
	ch, err := extract.Feed(strings.NewReader(feed), extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Items) != 10 || ch.Items[0].URL != n.ArticleURL(10) {
		t.Errorf("feed 1: %d items, first %q; want 10 from %s", len(ch.Items), ch.Items[0].URL, n.ArticleURL(10))
	}
	if resp, _ := fetch(t, n.FeedURL(1), http.Header{"If-None-Match": {resp.Header.Get("ETag")}}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET of a feed: %s, want 304", resp.Status)
	}
}

// TestHarness runs the whole measurement at a tiny size, so the harness
// cannot rot: every article is fetched once, re-checked once with a 304,
// every edit is reported, and the figures are in range.
func TestHarness(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o := scale.Options{Articles: 50, Hosts: 2, ItemsPerFeed: 25, Step: 2 * time.Second, Edits: 5, Tick: time.Second,
		Stet: scale.Stet{Argv: []string{exe}, Env: []string{"STET_SCALE_CHILD=1"}}, Dir: t.TempDir(),
		Stall: 20 * time.Second, Logf: t.Logf}
	r, err := scale.Run(t.Context(), o)
	if errors.Is(err, scale.ErrNoLoopback) {
		t.Skip(err)
	}
	if err != nil {
		if b, rerr := os.ReadFile(o.Dir + "/stet.log"); rerr == nil {
			t.Logf("stet.log:\n%s", b)
		}
		t.Fatal(err)
	}
	if r.Trivial <= 0 || r.TrivialAfter <= 0 {
		t.Errorf("trivial fetcher: %.1f/s and %.1f/s", r.Trivial, r.TrivialAfter)
	}
	// watch counts from the first poll that saw a fetch, so a few may
	// fall before the window.
	if r.First.Count < 25 || r.First.Rate() <= 0 || r.First.CPUPer() <= 0 {
		t.Errorf("first fetches: %d in %s, %s CPU each", r.First.Count, r.First.Daemon.Wall, r.First.CPUPer())
	}
	if r.Recheck.Count < 25 || r.Recheck.Rate() <= 0 {
		t.Errorf("re-checks: %d in %s", r.Recheck.Count, r.Recheck.Daemon.Wall)
	}
	if got, want := r.Versions, int64(o.Articles+o.Edits); got != want {
		t.Errorf("versions = %d, want %d (one per article and edit)", got, want)
	}
	if r.Reported != o.Edits || len(r.Detected) != o.Edits {
		t.Errorf("edits reported: %d by webhook, %d in changes, want %d", r.Reported, len(r.Detected), o.Edits)
	}
	for i, d := range r.Notified {
		// An edit is seen at the page's next re-check (a step and its
		// jitter), found by the next tick, and delivered.
		if d <= 0 || d > 2*o.Step+3*o.Tick {
			t.Errorf("edit %d reported after %s (step %s)", i, d, o.Step)
		}
	}
	if r.PeakRSS < 1<<20 || r.DBBytes <= 0 || r.RawHTML < int64(o.Articles)*50<<10 {
		t.Errorf("peak RSS %d, database %d bytes, raw HTML %d bytes", r.PeakRSS, r.DBBytes, r.RawHTML)
	}
	if s := r.StoredVsRaw(); s <= 0 || s > 2 {
		t.Errorf("stored vs raw = %.3f", s)
	}
}
