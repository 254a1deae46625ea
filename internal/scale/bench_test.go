package scale_test

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/internal/scale"
)

// BenchmarkScale runs stet (built from this tree) against a loopback
// newsroom of each size in STET_SCALE_ARTICLES (comma-separated, default
// 1000) and reports the figures of scale.Run. Run it once:
//
//	STET_SCALE_ARTICLES=1000,10000 go test ./internal/scale -run '^$' -bench Scale -benchtime 1x -timeout 2h
//
// STET_SCALE_HOSTS, STET_SCALE_STEP (a Go duration) and STET_SCALE_EDITS
// ("none": no edit phase) override the defaults of scale.Options;
// STET_SCALE_BIN runs a stet binary already built; STET_SCALE_DIR keeps
// each run's files (config, log, database) in a new folder under it.
func BenchmarkScale(b *testing.B) {
	sizes, err := envInts("STET_SCALE_ARTICLES", "1000")
	if err != nil {
		b.Fatal(err)
	}
	st := stetBinary(b)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			var r *scale.Report
			for b.Loop() {
				o := scale.Options{Articles: n, Stet: st, Dir: runDir(b, fmt.Sprintf("articles-%d", n)), Logf: progress}
				o.Operator = os.Getenv("STET_SCALE_PROFILE") == ""
				o.Hosts = envInt(b, "STET_SCALE_HOSTS")
				o.Edits = envInt(b, "STET_SCALE_EDITS")
				o.Step = envDuration(b, "STET_SCALE_STEP")
				if r, err = scale.Run(b.Context(), o); err != nil {
					b.Fatalf("%v (files in %s)", err, o.Dir)
				}
			}
			reportScale(b, r)
		})
	}
}

// BenchmarkScalePolite measures first fetches with stet's default
// politeness (2s between requests to a host) over STET_SCALE_POLITE_HOSTS
// hosts (default 100), STET_SCALE_POLITE_PER_HOST articles each (default
// 10), against the rate politeness allows.
func BenchmarkScalePolite(b *testing.B) {
	st := stetBinary(b)
	var r *scale.PoliteReport
	var err error
	for b.Loop() {
		o := scale.PoliteOptions{Stet: st, Dir: runDir(b, "polite"), Logf: progress}
		o.Hosts = envInt(b, "STET_SCALE_POLITE_HOSTS")
		o.PerHost = envInt(b, "STET_SCALE_POLITE_PER_HOST")
		if r, err = scale.RunPolite(b.Context(), o); err != nil {
			b.Fatalf("%v (files in %s)", err, o.Dir)
		}
	}
	b.ReportMetric(float64(r.Hosts), "hosts")
	b.ReportMetric(r.Rate(), "polite_fetch/s")
	b.ReportMetric(r.Allowed(), "allowed_fetch/s")
	b.ReportMetric(r.Rate()/r.Allowed(), "polite_fraction")
	b.ReportMetric(r.ActiveHosts, "active_hosts")
	b.ReportMetric(r.First.Cores(), "stet_cores")
	b.ReportMetric(r.First.OtherCores(), "other_cores")
}

// runDir is a new folder for a run's files: under STET_SCALE_DIR, kept
// for a look afterwards (the config, stet.log, the database), or else
// temporary.
func runDir(b *testing.B, name string) string {
	root := os.Getenv("STET_SCALE_DIR")
	if root == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(root, name+"-")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// progress prints as it happens (b.Logf would hold lines until the end and
// keep only the first ten).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s scale: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func reportScale(b *testing.B, r *scale.Report) {
	b.Helper()
	m := func(v float64, unit string) { b.ReportMetric(v, unit) }
	m(float64(r.Hosts), "hosts")
	m(r.First.Rate(), "first_fetch/s")
	m((r.Trivial+r.TrivialAfter)/2, "trivial_fetch/s")
	m(r.FirstVsTrivial(), "first_vs_trivial")
	m(ms(r.First.CPUPer()), "cpu_ms/first_fetch")
	m(r.First.Cores(), "stet_cores_first")
	m(r.First.OtherCores(), "other_cores_first")
	m(r.Recheck.Rate(), "recheck/s")
	m(ms(r.Recheck.CPUPer()), "cpu_ms/recheck")
	m(r.Recheck.WriteBytesPer(), "write_B/recheck")
	m(r.Recheck.WCharPer(), "wchar_B/recheck")
	m(r.Recheck.WritesPer(), "write_calls/recheck")
	m(r.Recheck.OtherCores(), "other_cores_recheck")
	m(r.Restart.Seconds(), "restart_s")
	m(float64(r.PeakRSS)/(1<<20), "peak_rss_MB")
	m(float64(r.DBBytes)/float64(r.Articles), "db_B/article")
	m(float64(r.DBBytes)/float64(max(r.Versions, 1)), "db_B/version")
	m(r.StoredVsRaw(), "stored/raw_html")
	if r.Edits > 0 {
		m(r.Step.Seconds(), "step_s")
		m(float64(r.Edits), "edits")
		m(scale.Quantile(r.Notified, .5).Seconds(), "edit_report_p50_s")
		m(scale.Quantile(r.Notified, .9).Seconds(), "edit_report_p90_s")
		m(scale.Quantile(r.Notified, .9).Seconds()/r.Step.Seconds(), "p90/step")
		m(scale.Quantile(r.Detected, .9).Seconds(), "edit_detect_p90_s")
		m(r.Steady.Cores(), "stet_cores_steady")
	}
	for _, t := range r.Operator {
		m(ms(t.D), metricName(t.Name)+"_ms")
	}
}

// metricName turns "stet sources" into "sources", "GET /api/changes" into
// "get_api_changes" and "GET /" into "get_root".
func metricName(op string) string {
	if path, ok := strings.CutPrefix(op, "GET /"); ok {
		return "get_" + cmp.Or(strings.ReplaceAll(path, "/", "_"), "root")
	}
	return strings.ReplaceAll(strings.TrimPrefix(op, "stet "), " ", "_")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// stetBinary builds cmd/stet into a temporary folder (or takes
// STET_SCALE_BIN). With STET_SCALE_PROFILE=DIR it is this test binary
// instead, running the daemon alone (see childMain) with CPU, block and
// mutex profiles written to DIR; operator commands are then not timed.
func stetBinary(b testing.TB) scale.Stet {
	b.Helper()
	progress("stet at commit %s", commit())
	if dir := os.Getenv("STET_SCALE_PROFILE"); dir != "" {
		exe, err := os.Executable()
		if err != nil {
			b.Fatal(err)
		}
		return scale.Stet{Argv: []string{exe}, Env: []string{"STET_SCALE_CHILD=1"}}
	}
	if p := os.Getenv("STET_SCALE_BIN"); p != "" {
		return scale.Stet{Argv: []string{p}}
	}
	out := filepath.Join(b.TempDir(), "stet")
	cmd := exec.CommandContext(b.Context(), "go", "build", "-o", out, "github.com/stet/stet/cmd/stet")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, msg)
	}
	return scale.Stet{Argv: []string{out}}
}

// commit names the commit measured, and the files that differed from it
// (others may be editing the same tree).
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "(no git)"
	}
	c := strings.TrimSpace(string(out))
	st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return c
	}
	var files []string
	for line := range strings.Lines(string(st)) {
		if len(line) > 3 {
			files = append(files, strings.TrimSpace(line[3:])) // "XY path"
		}
	}
	if len(files) > 0 {
		c += " plus uncommitted changes to " + strings.Join(files, ", ")
	}
	return c
}

func envInts(name, def string) ([]int, error) {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// envInt reads a count: "" is 0 (the default), "none" is -1.
func envInt(b *testing.B, name string) int {
	v := os.Getenv(name)
	switch v {
	case "":
		return 0
	case "none":
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s: %q is not a number", name, v)
	}
	return n
}

func envDuration(b *testing.B, name string) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return d
}
