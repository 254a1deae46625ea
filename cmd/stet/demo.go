package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/internal/newsroom"
	"github.com/stet/stet/storage"
)

// demoConfig is the daemon's config for the demo: real cron schedules
// against the newsroom on loopback, articles re-checked twice a second.
// The newsroom's sitemap index, policy list and stand-alone document are
// added after the feeds (see listingConfig).
const demoConfig = `# Written by "stet demo". Reuse it: stet changes -config %[1]s
[storage]
path = "stet.db"

[fetch]
allow_private = true      # the newsroom runs on 127.0.0.1
timeout = "5s"
per_host_interval = "20ms"
per_host_concurrency = 4
gone_after = 2
unlisted_after = 2        # an article its listings left out on 2 reads while online is unlisted

[recheck]                 # re-check every article twice a second
steps = [{ until = "8760h", every = "500ms" }]
stop_after = "8760h"

# A page that goes back to an earlier text twice within flap_window is
# flapping: reported once, then its alternations are stored without webhooks
# until one text holds for flap_window (short here, so the demo shows it).
[changes]
flap_after = 2
flap_window = "%[6]s"

[daemon]
workers = 4
tick = "100ms"
delivery_interval = "500ms"
retry_base = "500ms"
retry_max = "2s"

[[feed]]
name = "world (RSS)"
url = "%[2]s/feeds/world.rss"
schedule = "@every 1s"

[[feed]]
name = "china (Atom)"
url = "%[2]s/feeds/china.atom"
schedule = "@every 1s"
%[3]s
[[webhook]]
url = "%[4]s/hook"
secret = "%[5]s"
allow_private = true      # the demo's receiver is on loopback
`

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("demo", e)
	dir := fs.String("dir", "", "folder for the demo's database, config and log (default: a new temporary folder)")
	verbose := fs.Bool("v", false, "print the daemon's log to stderr")
	stepTimeout := fs.Duration("step-timeout", 20*time.Second, "how long to wait for each scripted edit to be reported")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *stepTimeout <= 0 {
		return fmt.Errorf("%w: -step-timeout must be a positive duration such as 20s; got %s", errUsage, *stepTimeout)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "stet-demo-")
		if err != nil {
			return err
		}
		*dir = d
	} else if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	} else if _, err := os.Stat(filepath.Join(*dir, "stet.db")); err == nil {
		// The summary counts what the database holds: it must be this run's.
		return fmt.Errorf("%s already holds a stet.db; give -dir an empty folder", *dir)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	nr := newsroom.New()
	nrURL, stopNR, err := serve(nr)
	if err != nil {
		return err
	}
	defer stopNR()
	secret := randomHex(16)
	rcv := &receiver{secret: []byte(secret), out: e.stdout, failFirst: 2}
	rcvURL, stopRcv, err := serve(rcv)
	if err != nil {
		return err
	}
	defer stopRcv()

	cfg, err := writeDemoConfig(*dir, nrURL, rcvURL, secret, nr)
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, cfg.Storage.Path)
	if err != nil {
		return err
	}
	defer st.Close()
	logOut, closeLog, err := demoLog(*dir, *verbose, e.stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: newLogger(logOut, slog.LevelInfo)})
	if err != nil {
		return err
	}

	fmt.Fprintf(e.stdout, "stet demo: newsroom at %s, webhook receiver at %s\n", nrURL, rcvURL)
	fmt.Fprintf(e.stdout, "stet demo: daemon running, database %s\n\n", cfg.Storage.Path)
	var wg sync.WaitGroup
	wg.Go(func() { d.Run(ctx) })
	r := &demoRun{e: e, st: st, nr: nr, base: nrURL, rcv: rcv, timeout: *stepTimeout}
	runErr := r.script(ctx)
	cancel()
	wg.Wait()
	if err := r.summary(context.Background(), cfg, *dir); err != nil {
		return err
	}
	return runErr
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

func writeDemoConfig(dir, nrURL, rcvURL, secret string, nr *newsroom.Newsroom) (*config.Config, error) {
	path := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf(demoConfig, path, nrURL, listingConfig(nr, nrURL), rcvURL, secret, demoFlapWindow)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return nil, err
	}
	return config.Load(path)
}

// listingConfig configures the newsroom's sources other than its feeds:
// the sitemap index, the policy list (an index page without a feed, read
// with its selectors and pagination) and the stand-alone document.
func listingConfig(nr *newsroom.Newsroom, nrURL string) string {
	var b strings.Builder
	for _, p := range nr.Sitemaps() {
		fmt.Fprintf(&b, "\n[[sitemap]]\nname = \"sitemap index\"\nurl = %q\nschedule = \"@every 1s\"\n", nrURL+p)
	}
	for _, x := range nr.Indexes() {
		fmt.Fprintf(&b, "\n[[index]]\nname = \"policy list (no feed)\"\nurl = %q\nschedule = \"@every 1s\"\n"+
			"links = %q\nfollow = %q\nmax_pages = %d\n", nrURL+x.Path, x.Links, x.Follow, x.MaxPages)
	}
	for _, p := range nr.Pages() {
		fmt.Fprintf(&b, "\n[[page]]\nname = \"document\"\nurl = %q\nschedule = \"@every 1s\"\n", nrURL+p)
	}
	return b.String()
}

func demoLog(dir string, verbose bool, stderr io.Writer) (io.Writer, func(), error) {
	if verbose {
		return stderr, func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, "stet.log"))
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// demoFlapWindow is the demo's [changes] flap_window: long enough that the
// A/B test's headlines, each held about a second, keep the page flapping,
// and short enough to show it settle.
const demoFlapWindow = "4s"

// demoRun walks the newsroom's script and watches the database.
type demoRun struct {
	e       *env
	st      *storage.Store
	nr      *newsroom.Newsroom
	base    string
	rcv     *receiver
	timeout time.Duration

	lastID int64 // newest change printed
	x      *expectations
}

func (r *demoRun) script(ctx context.Context) error {
	steps := r.nr.Steps()
	r.x = newExpectations(r.base)
	r.x.start(steps[0])
	fmt.Fprintf(r.e.stdout, "== step 0: %s\n", steps[0].Description)
	if err := r.waitFor(ctx, "initial versions of every article", r.allVersioned); err != nil {
		return err
	}
	st, _ := r.st.Stats(ctx)
	fmt.Fprintf(r.e.stdout, "   %d pages tracked, %d versions stored\n\n", st.Pages, st.Versions)
	for {
		step, ok := r.nr.Advance()
		if !ok {
			break
		}
		fmt.Fprintf(r.e.stdout, "== step %d, %s: %s\n", r.nr.Step(), step.Name, step.Description)
		r.x.start(step)
		err := r.waitFor(ctx, step.Name, func(context.Context) (bool, error) { return r.x.done(), nil })
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			fmt.Fprintf(r.e.stdout, "   NOT REPORTED in %s: %s\n\n", r.timeout, step.Name)
		}
	}
	r.x.giveUp()
	fmt.Fprintf(r.e.stdout, "== script done; watching the churn for 3 more seconds and draining the webhook outbox\n")
	quiet := time.Now().Add(3 * time.Second)
	return r.waitFor(ctx, "webhook outbox drained", func(ctx context.Context) (bool, error) {
		st, err := r.st.Stats(ctx)
		return err == nil && st.DeliveriesPending == 0 && time.Now().After(quiet), err
	})
}

// waitFor polls cond (printing new change reports meanwhile) until it holds.
func (r *demoRun) waitFor(ctx context.Context, what string, cond func(context.Context) (bool, error)) error {
	deadline := time.Now().Add(r.timeout)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if err := r.printNew(ctx); err != nil {
			return err
		}
		ok, err := cond(ctx)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// printNew prints and judges the changes stored since the last call,
// suppressed ones included.
func (r *demoRun) printNew(ctx context.Context) error {
	chs, err := r.st.Changes(ctx, storage.ChangeFilter{AfterID: r.lastID, WithSuppressed: true})
	if err != nil {
		return err
	}
	for i := len(chs) - 1; i >= 0; i-- { // oldest first
		verdict := r.x.judge(chs[i])
		printReport(r.e.stdout, chs[i], r.x, verdict)
		r.lastID = chs[i].ID
	}
	r.rcv.flush()
	return nil
}

// allVersioned reports whether every page has a version, and records the
// versions as the initial publication's.
func (r *demoRun) allVersioned(ctx context.Context) (bool, error) {
	pages, err := r.st.Pages(ctx, 0)
	if err != nil || len(pages) == 0 {
		return false, err
	}
	srcs, err := r.st.Sources(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range srcs {
		if s.Kind != storage.KindPage && s.LastCheckedAt.IsZero() {
			return false, nil // a listing not read yet: more pages to come
		}
	}
	var ids []int64
	for _, p := range pages {
		v, err := r.st.LatestVersion(ctx, p.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		ids = append(ids, v.ID)
	}
	for _, id := range ids {
		r.x.seen(id)
	}
	return true, nil
}

func (r *demoRun) summary(ctx context.Context, cfg *config.Config, dir string) error {
	if err := r.printNew(ctx); err != nil {
		return err
	}
	st, err := r.st.Stats(ctx)
	if err != nil {
		return err
	}
	suppressed, hookProblems, err := r.webhooks(ctx)
	if err != nil {
		return err
	}
	f, err := r.found(ctx)
	if err != nil {
		return err
	}
	events, byType, badSig, dupes := r.rcv.counts()
	x := r.x
	w := r.e.stdout
	fmt.Fprintf(w, "\n== summary\n")
	fmt.Fprintf(w, "sources:     %d %s\n", st.Sources, fmtCounts(f.sources))
	fmt.Fprintf(w, "articles:    %d pages tracked, found through %s; %d of them PDFs\n", st.Pages, fmtCounts(f.pages), f.pdfs)
	fmt.Fprintf(w, "captures:    %d %s\n", st.Captures, fmtCounts(st.CapturesByClass))
	fmt.Fprintf(w, "versions:    %d (raw bodies kept: %d, stored once per hash)\n", st.Versions, st.Bodies)
	fmt.Fprintf(w, "changes:     %s, %d of them suppressed\n", fmtCounts(st.ChangesByKind), suppressed)
	fmt.Fprintf(w, "listings:    %d unlisted (left out of every listing that showed them, still online), %d relisted\n",
		st.ChangesByKind[storage.ChangeUnlisted], st.ChangesByKind[storage.ChangeRelisted])
	fmt.Fprintf(w, "PDFs:        %d changes in PDF documents %s\n", f.pdfChanges, fmtCounts(f.pdfClasses))
	fmt.Fprintf(w, "webhooks:    %d delivered, %d pending, %d given up; receiver got %d events %s, %d bad signatures, %d duplicates\n",
		st.DeliveriesSent, st.DeliveriesPending, st.DeliveriesGivenUp, events, fmtCounts(byType), badSig, dupes)
	fmt.Fprintf(w, "scripted:    %d of %d changes reported as scripted (kind, classes, revert, suppression) over %d steps",
		x.matched, x.expected, r.nr.Step())
	if len(x.unexpected) == 0 {
		fmt.Fprintf(w, "; churn reported: never\n")
	} else {
		fmt.Fprintf(w, "; not scripted: %s\n", strings.Join(x.unexpected, ", "))
	}
	if len(hookProblems) == 0 {
		fmt.Fprintf(w, "             every change that is not suppressed raised its webhook, signed; no suppressed one did\n")
	}
	for _, l := range slices.Concat(x.wrong, x.missing, hookProblems) {
		fmt.Fprintf(w, "  FAILED:    %s\n", l)
	}
	fmt.Fprintf(w, "database:    %s\n", cfg.Storage.Path)
	fmt.Fprintf(w, "\nexplore it:\n  go run ./cmd/stet changes -config %s\n  go run ./cmd/stet sources -config %s\n  go run ./cmd/stet history -config %s %s%s\n  go run ./cmd/stet search -config %s -deleted 不足    # text edited away, found by substring\n  go run ./cmd/stet serve -config %s    # then open http://127.0.0.1:8080/\n",
		cfg.File, cfg.File, cfg.File, r.base, firstPath(r.nr), cfg.File, cfg.File)
	if !x.ok() || len(hookProblems) > 0 || badSig > 0 || st.DeliveriesPending > 0 {
		return fmt.Errorf("demo failed: %d of %d scripted changes as expected, %d not scripted, %d webhook problems, %d bad signatures",
			x.matched, x.expected, len(x.unexpected), len(hookProblems), badSig)
	}
	return nil
}

func firstPath(nr *newsroom.Newsroom) string {
	for _, s := range nr.Steps() {
		for _, x := range s.Expect {
			return x.Path
		}
	}
	return "/"
}

func fmtCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
