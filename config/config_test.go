package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/stet/stet/config"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"syntax error", "[fetch\n", "config.toml:1:7: expected ']' to close table name"},
		{"unknown top-level key", "[storage]\npath = 'x.db'\n[logging]\nlevel = 'debug'\n",
			"config.toml:3:2: logging: unknown key"},
		{"unknown nested key", "[fetch]\nuser_agnet = 'x'\n", "config.toml:2:1: fetch.user_agnet: unknown key"},
		{"unknown key in second feed", "[[feed]]\nurl = 'https://a.example/'\n[[feed]]\nurl = 'https://b.example/'\nnmae = 'b'\n",
			"config.toml:5:1: feed[1].nmae: unknown key"},
		{"bad cron spec", "[[feed]]\nurl = 'https://a.example/'\n[[feed]]\nurl = 'https://b.example/'\nschedule = '61 * * * *'\n",
			`config.toml:5:12: feed[1].schedule: invalid cron schedule "61 * * * *": end of range (61) above maximum (59): 61`},
		{"zero @every", "[[feed]]\nurl = 'https://a.example/'\nschedule = '@every 0s'\n",
			`config.toml:3:12: feed[0].schedule: invalid cron schedule "@every 0s": interval 0s is below the minimum of 1s`},
		{"negative @every", "[[page]]\nurl = 'https://a.example/'\nschedule = '@every -1m'\n",
			`config.toml:3:12: page[0].schedule: invalid cron schedule "@every -1m": interval -1m0s is below the minimum of 1s`},
		{"@every below a second", "[[feed]]\nurl = 'https://a.example/'\nschedule = '@every 1ns'\n",
			`config.toml:3:12: feed[0].schedule: invalid cron schedule "@every 1ns": interval 1ns is below the minimum of 1s`},
		{"@every with a fraction of a second", "[[feed]]\nurl = 'https://a.example/'\nschedule = '@every 1500ms'\n",
			`config.toml:3:12: feed[0].schedule: invalid cron schedule "@every 1500ms": interval 1.5s is not a whole number of seconds`},
		{"schedule that never runs", "[[feed]]\nurl = 'https://a.example/'\n[[page]]\nurl = 'https://b.example/'\nschedule = '0 0 30 2 *'\n",
			`config.toml:5:12: page[0].schedule: invalid cron schedule "0 0 30 2 *": never runs`},
		{"zoned schedule that never runs", "[[feed]]\nurl = 'https://a.example/'\nschedule = 'CRON_TZ=UTC 0 0 31 4,6,9,11 *'\n",
			`config.toml:3:12: feed[0].schedule: invalid cron schedule "CRON_TZ=UTC 0 0 31 4,6,9,11 *": never runs`},
		{"bad duration", "[fetch]\ntimeout = '5x'\n",
			`config.toml:2:11: fetch.timeout: invalid duration "5x": use a number with a unit: ms, s, m, h or d`},
		{"duration without unit", "[daemon]\ntick = 5\n",
			`config.toml:2:8: daemon.tick: a duration needs a unit and quotes, such as "30s", "15m" or "1d"`},
		{"bad duration in inline table", "[recheck]\nsteps = [{ until = '6h', every = '15m' }, { until = '2d', every = 'often' }]\n",
			`config.toml:2:67: recheck.steps[1].every: invalid duration "often": use a number with a unit: ms, s, m, h or d`},
		{"bad size", "[fetch]\nmax_body = '10 furlongs'\n",
			`config.toml:2:12: fetch.max_body: invalid size "10 furlongs": use a number of bytes or a unit: B, KB, MB, GB, KiB, MiB, GiB`},
		{"wrong type", "[daemon]\nworkers = 'four'\n",
			"config.toml:2:11: daemon.workers: cannot decode TOML string into struct field config.Daemon.Workers of type int"},
		{"bad URL", "[[page]]\nurl = 'ftp://files.example/a'\n",
			`config.toml:2:7: page[0].url: "ftp://files.example/a" is not an absolute http(s) URL: unsupported scheme "ftp"`},
		{"relative URL", "[[feed]]\nurl = '/rss.xml'\n", `config.toml:2:7: feed[0].url: "/rss.xml" is not an absolute http(s) URL: relative URL`},
		{"missing URL", "[[feed]]\nname = 'x'\n", "config.toml:1:1: feed[0].url: required"},
		{"duplicate feed URL",
			"[[feed]]\nurl = 'https://a.example/rss'\n[[feed]]\nurl = 'https://b.example/rss'\n[[feed]]\nurl = 'https://a.example/rss'\n",
			"config.toml:6:7: feed[2].url: duplicate of feed[0].url at config.toml:2:7"},
		{"page duplicates feed", "[[feed]]\nurl = 'https://a.example/'\n\n[[page]]\n  url = 'https://a.example/'\n",
			"config.toml:5:9: page[0].url: duplicate of feed[0].url at config.toml:2:7"},
		{"duplicate differing in case, default port and fragment",
			"[fetch]\nrobots = true\n\n[[feed]]\nname = 'a'\nurl = 'http://a.example/rss'\n\n[[feed]]\nurl = 'HTTP://A.EXAMPLE:80/rss#x'\n",
			"config.toml:9:7: feed[1].url: duplicate of feed[0].url at config.toml:6:7"},
		{"duplicate differing in a trailing slash", "[[page]]\nurl = 'https://a.example/news/'\n[[feed]]\nurl = 'https://a.example:443/news'\n",
			"config.toml:2:7: page[0].url: duplicate of feed[0].url at config.toml:4:7"},
		{"javascript URL", "[[feed]]\nurl = 'javascript:alert(1)'\n",
			`config.toml:2:7: feed[0].url: "javascript:alert(1)" is not an absolute http(s) URL: unsupported scheme "javascript"`},
		{"URL without host", "[[page]]\nurl = 'https:///corrections'\n",
			`config.toml:2:7: page[0].url: "https:///corrections" is not an absolute http(s) URL: no host`},
		{"webhook without URL", "[[webhook]]\nsecret = 's'\n", "config.toml:1:1: webhook[0].url: required"},
		{"webhook with a file URL", "[[webhook]]\nurl = 'file:///tmp/hook'\n",
			`config.toml:2:7: webhook[0].url: "file:///tmp/hook" is not an absolute http(s) URL: unsupported scheme "file"`},
		{"duplicate webhook", "[[webhook]]\nurl = 'https://hooks.example/stet'\nsecret = 's'\n[[webhook]]\nurl = 'https://HOOKS.example/stet/#x'\nsecret = 's'\n",
			"config.toml:5:7: webhook[1].url: duplicate of webhook[0].url at config.toml:2:7: same URL and secret"},
		{"duplicate unsigned webhook", "[[webhook]]\nurl = 'https://hooks.example/stet'\n[[webhook]]\nurl = 'https://hooks.example/stet'\nevents = ['change.*']\n",
			"config.toml:4:7: webhook[1].url: duplicate of webhook[0].url at config.toml:2:7: same URL and secret"},
		{"duplicate webhook name", "[[webhook]]\nurl = 'https://a.example/hook'\nname = 'desk'\n[[webhook]]\nurl = 'https://b.example/hook'\nname = 'desk'\n",
			"config.toml:6:8: webhook[1].name: duplicate of webhook[0].name at config.toml:3:8"},
		{"webhook name with a newline", "[[webhook]]\nurl = 'https://a.example/hook'\nname = \"desk\\nFAKE LOG LINE\"\n",
			`config.toml:3:8: webhook[0].name: "desk\nFAKE LOG LINE" has surrounding white space or control characters`},
		{"bad event name", "[[webhook]]\nurl = 'https://hooks.example/'\nevents = ['change.*', 'change.edited']\n",
			`config.toml:3:23: webhook[0].events[1]: unknown event "change.edited"; want one of change.changed, change.removed, change.restored, change.flapping, change.settled, change.unlisted, change.relisted, source.failing, source.recovered, a "prefix.*" of them or "*"`},
		{"bad event prefix", "[[webhook]]\nurl = 'https://hooks.example/'\nevents = ['article.*']\n",
			`config.toml:3:11: webhook[0].events[0]: unknown event "article.*"; want one of change.changed, change.removed, change.restored, change.flapping, change.settled, change.unlisted, change.relisted, source.failing, source.recovered, a "prefix.*" of them or "*"`},
		{"bad selector", "[[site]]\nhost = 'a.example'\nbody = 'article'\nremove = ['.ad', 'div..x']\n",
			`config.toml:4:18: site[0].remove[1]: invalid CSS selector "div..x": expected identifier, found . instead`},
		{"bad keep_bodies", "[storage]\nkeep_bodies = 'some'\n",
			`config.toml:2:15: storage.keep_bodies: want "versions" or "all", got "some"`},
		{"bad keep_captures", "[storage]\nkeep_captures = 'soon'\n",
			`config.toml:2:17: storage.keep_captures: invalid duration "soon": use a number with a unit: ms, s, m, h or d, or "forever"`},
		{"keep_captures below a day", "[storage]\nkeep_captures = '23h'\n",
			`config.toml:2:17: storage.keep_captures: 23h0m0s is below the minimum of 1d (or "forever")`},
		{"zero keep_captures", "[storage]\nkeep_captures = '0d'\n",
			`config.toml:2:17: storage.keep_captures: want a duration above 0, such as "90d", or "forever"`},
		{"keep_captures as a number", "[storage]\nkeep_captures = 90\n",
			`config.toml:2:17: storage.keep_captures: a duration needs a unit and quotes, such as "30s", "15m" or "1d"`},
		{"web listen without port", "[web]\nlisten = '8080'\n",
			`config.toml:2:10: web.listen: want host:port such as "127.0.0.1:8080", got "8080"`},
		{"empty site rule", "[[site]]\nhost = 'a.example'\n", "config.toml:1:1: site[0]: needs at least one of body, title or remove"},
		{"steps not increasing", "[recheck]\nsteps = [{ until = '6h', every = '15m' }, { until = '2h', every = '1h' }]\n",
			"config.toml:2:53: recheck.steps[1].until: 2h0m0s is not above the previous step's until (6h0m0s)"},
		{"zero every", "[recheck]\nsteps = [{ until = '6h', every = '0s' }]\n",
			"config.toml:2:34: recheck.steps[0].every: must be above 0, got 0s"},
		{"workers out of range", "[daemon]\nworkers = 65\n", "config.toml:2:11: daemon.workers: 65 is out of range 1..64"},
		{"lease below the minimum", "[daemon]\nlease = '4s'\n", "config.toml:2:9: daemon.lease: 4s is below the minimum of 5s"},
		{"lease below twice the fetch timeout", "[fetch]\ntimeout = '10s'\n[daemon]\nlease = '15s'\n",
			"config.toml:4:9: daemon.lease: 15s is below twice fetch.timeout (10s): a check must end well within its claim"},
		{"bad shared_politeness", "[daemon]\nshared_politeness = 'yes'\n",
			`config.toml:2:21: daemon.shared_politeness: want "auto", "on" or "off", got "yes"`},
		{"zero gone_after", "[fetch]\ngone_after = 0\n", "config.toml:2:14: fetch.gone_after: 0 is out of range 1..1000"},
		{"zero max_body", "[fetch]\nmax_body = '0B'\n", "config.toml:2:12: fetch.max_body: must be above 0, got 0"},
		{"zero timeout", "[fetch]\ntimeout = '0s'\n", "config.toml:2:11: fetch.timeout: must be above 0, got 0s"},
		{"max_body above the limit", "[fetch]\nmax_body = '1GiB'\n", "config.toml:2:12: fetch.max_body: 1GiB is above the limit of 64MiB"},
		{"max_body just above the limit", "[fetch]\nmax_body = 67108865\n", "config.toml:2:12: fetch.max_body: 67108865B is above the limit of 64MiB"},
		{"zero max_feed_items", "[fetch]\nmax_feed_items = 0\n", "config.toml:2:18: fetch.max_feed_items: 0 is out of range 1..100000"},
		{"max_feed_items above the range", "[fetch]\nmax_feed_items = 100001\n",
			"config.toml:2:18: fetch.max_feed_items: 100001 is out of range 1..100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(strings.NewReader(tt.doc), "config.toml")
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
			if _, ok := errors.AsType[*config.Error](err); !ok {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
}

// TestByteOrderMark checks that a file starting with a UTF-8 byte order mark
// loads, and that positions on its first line ignore the invisible mark.
func TestByteOrderMark(t *testing.T) {
	const bom = "\uFEFF"
	cfg, err := config.Parse(strings.NewReader(bom+"[storage]\npath = 'x.db'\n"), "config.toml")
	if err != nil {
		t.Fatalf("Parse(BOM + valid config) = %v", err)
	}
	if got, want := cfg.Storage.Path, "x.db"; got != want {
		t.Errorf("storage.path = %q, want %q", got, want)
	}
	tests := []struct {
		name, doc, want string
	}{
		{"error on the first line", bom + "workers = 1\n", "config.toml:1:1: workers: unknown key"},
		{"value error on the first line", bom + "fetch.timeout = '0s'\n", "config.toml:1:17: fetch.timeout: must be above 0, got 0s"},
		{"error on a later line", bom + "[daemon]\nworkers = 65\n", "config.toml:2:11: daemon.workers: 65 is out of range 1..64"},
		{"syntax error", bom + "[fetch\n", "config.toml:1:7: expected ']' to close table name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(strings.NewReader(tt.doc), "config.toml")
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestParseAccepts lists documents at the edges of the rules that must
// stay valid.
func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"@every at the minimum", "[[feed]]\nurl = 'https://a.example/'\nschedule = '@every 1s'\n"},
		{"leap day", "[[page]]\nurl = 'https://a.example/'\nschedule = '0 0 29 2 *'\n"},
		{"max_body at the limit", "[fetch]\nmax_body = '64MiB'\n"},
		{"max_body at the limit in bytes", "[fetch]\nmax_body = 67108864\n"},
		{"max_feed_items at the bounds", "[fetch]\nmax_feed_items = 1\n"},
		{"max_feed_items at the top", "[fetch]\nmax_feed_items = 100000\n"},
		{"keep_captures at the minimum", "[storage]\nkeep_captures = '1d'\n"},
		{"keep_captures forever", "[storage]\nkeep_captures = 'forever'\n"},
		{"same host, other paths", "[[feed]]\nurl = 'https://a.example/rss'\n[[page]]\nurl = 'https://a.example/RSS'\n[[page]]\nurl = 'https://a.example/rss?x=1'\n"},
		{"same webhook URL, different secrets", "[[webhook]]\nurl = 'https://h.example/'\nsecret = 'a'\n[[webhook]]\nurl = 'https://h.example/'\nsecret = 'b'\n"},
		{"webhook name and allow_private", "[[webhook]]\nurl = 'http://10.0.0.2:8080/hook'\nname = 'lan'\nallow_private = true\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := config.Parse(strings.NewReader(tt.doc), "config.toml"); err != nil {
				t.Errorf("Parse(%q) = %v", tt.doc, err)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	doc := "[daemon]\nworkers = 0\nmax_attempts = 0\n[[webhook]]\nurl = 'hooks.example'\n"
	_, err := config.Parse(strings.NewReader(doc), "c.toml")
	want := "c.toml:2:11: daemon.workers: 0 is out of range 1..64\n" +
		"c.toml:3:16: daemon.max_attempts: 0 is out of range 1..1000\n" +
		`c.toml:5:7: webhook[0].url: "hooks.example" is not an absolute http(s) URL: relative URL`
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestMinimalConfig(t *testing.T) {
	doc := "[storage]\npath = \"x.db\"\n[fetch]\nallow_private = true\n"
	cfg, err := config.Parse(strings.NewReader(doc), "mini.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default()
	want.Storage.Path = "x.db"
	want.Fetch.AllowPrivate = true
	want.File = "mini.toml"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Parse(minimal) =\n%+v\nwant\n%+v", cfg, want)
	}
	if got, want := cfg.Fetch.Timeout.D(), 30*time.Second; got != want {
		t.Errorf("fetch.timeout = %v, want %v", got, want)
	}
	if got, want := cfg.Fetch.MaxBody.Int64(), int64(10<<20); got != want {
		t.Errorf("fetch.max_body = %d, want %d", got, want)
	}
	if got, want := cfg.Fetch.MaxFeedItems, 1000; got != want {
		t.Errorf("fetch.max_feed_items = %d, want %d", got, want)
	}
	if got, want := cfg.Recheck.StopAfter.D(), 30*24*time.Hour; got != want {
		t.Errorf("recheck.stop_after = %v, want %v", got, want)
	}
	if got, want := len(cfg.Recheck.Steps), 3; got != want {
		t.Errorf("recheck.steps has %d steps, want %d", got, want)
	}
}

func TestListDefaults(t *testing.T) {
	doc := `
[[feed]]
url = "HTTPS://News.Example:443/rss#latest"
[[page]]
url = "https://news.example/corrections"
[[page]]
url = "https://other.example/"
robots = false
[[webhook]]
url = "https://hooks.example/"
[recheck]
steps = [{ until = "1h", every = "5m" }]
`
	cfg, err := config.Parse(strings.NewReader(doc), "c.toml")
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Feeds[0]
	if got, want := f.URL, "https://news.example/rss"; got != want {
		t.Errorf("feed url = %q, want the normalised %q", got, want)
	}
	if f.Name != "news.example" || f.Schedule.String() != config.DefaultFeedSchedule || f.Schedule.Schedule == nil || f.Robots != nil {
		t.Errorf("feed defaults = name %q schedule %q robots %v", f.Name, f.Schedule, f.Robots)
	}
	if p := cfg.Pages[0]; p.Name != "news.example/corrections" || p.Schedule.String() != config.DefaultPageSchedule {
		t.Errorf("page defaults = name %q schedule %q", p.Name, p.Schedule)
	}
	if p := cfg.Pages[1]; p.Name != "other.example" || p.Robots == nil || *p.Robots {
		t.Errorf("page[1] = name %q robots %v, want other.example and false", p.Name, p.Robots)
	}
	if got := cfg.Webhooks[0].Events; !reflect.DeepEqual(got, []string{"*"}) {
		t.Errorf("webhook events = %q, want [*]", got)
	}
	// Steps from the file replace the defaults instead of merging with them.
	want := []config.RecheckStep{{Until: config.Duration(time.Hour), Every: config.Duration(5 * time.Minute)}}
	if !reflect.DeepEqual(cfg.Recheck.Steps, want) {
		t.Errorf("recheck.steps = %v, want %v", cfg.Recheck.Steps, want)
	}
}

// TestRepoConfig keeps the annotated config.toml at the repository root in
// step with the code: it must load, and it must hold exactly the defaults.
func TestRepoConfig(t *testing.T) {
	cfg, err := config.Load("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := config.Default()
	want.Storage.Path = filepath.Join("..", "stet.db")
	want.File = "../config.toml"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("../config.toml =\n%+v\nwant the defaults\n%+v", cfg, want)
	}
}

// TestRepoConfigExamples uncomments the examples at the end of config.toml,
// so they stay valid too.
func TestRepoConfigExamples(t *testing.T) {
	b, err := os.ReadFile("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, examples, ok := strings.Cut(string(b), "\n# Sources.")
	if !ok {
		t.Fatal(`config.toml has no "# Sources." section`)
	}
	var doc strings.Builder
	for line := range strings.Lines(examples) {
		if rest, ok := strings.CutPrefix(line, "# "); ok && (strings.HasPrefix(rest, "[") || strings.Contains(rest, " = ")) {
			doc.WriteString(rest)
		}
	}
	cfg, err := config.Parse(strings.NewReader(doc.String()), "examples")
	if err != nil {
		t.Fatalf("examples from config.toml: %v\n%s", err, doc.String())
	}
	if len(cfg.Feeds) != 1 || len(cfg.Pages) != 1 || len(cfg.Webhooks) != 1 || len(cfg.Sites) != 1 {
		t.Errorf("examples hold %d feeds, %d pages, %d webhooks, %d sites, want one each",
			len(cfg.Feeds), len(cfg.Pages), len(cfg.Webhooks), len(cfg.Sites))
	}
}

func TestLoadStoragePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stet.toml")
	if err := os.WriteFile(path, []byte("[storage]\npath = \"data/x.db\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Storage.Path, filepath.Join(dir, "data", "x.db"); got != want {
		t.Errorf("storage.path = %q, want %q", got, want)
	}
	if cfg.File != path {
		t.Errorf("File = %q, want %q", cfg.File, path)
	}
	cfg, err = config.Parse(strings.NewReader("[storage]\npath = \"data/x.db\"\n"), path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Storage.Path, "data/x.db"; got != want {
		t.Errorf("Parse left storage.path = %q, want %q", got, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an os.ErrNotExist error", err)
	}
}

func TestValidate(t *testing.T) {
	cfg := config.Default()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	cfg.Feeds = append(cfg.Feeds, config.Feed{URL: "https://a.example/"}, config.Feed{URL: "https://a.example/"})
	want := "config: feed[1].url: duplicate of feed[0].url"
	if err := cfg.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate() = %v, want %s", err, want)
	}
}

// TestValidateSchedules checks schedules built in code, which bypass
// ParseSchedule.
func TestValidateSchedules(t *testing.T) {
	never, err := cron.ParseStandard("0 0 30 2 *")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		sched config.Schedule
		want  string
	}{
		{"zero delay", config.Schedule{Spec: "fast", Schedule: cron.ConstantDelaySchedule{}},
			`config: page[0].schedule: invalid cron schedule "fast": interval 0s is below the minimum of 1s`},
		{"never", config.Schedule{Spec: "0 0 30 2 *", Schedule: never},
			`config: page[0].schedule: invalid cron schedule "0 0 30 2 *": never runs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Pages = []config.Page{{URL: "https://a.example/", Schedule: tt.sched}}
			if err := cfg.Validate(); err == nil || err.Error() != tt.want {
				t.Errorf("Validate() = %v, want %s", err, tt.want)
			}
		})
	}
}

// keep_captures reads back as the age it names, and "forever" prunes nothing.
func TestKeepCaptures(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		doc, str string
		cutoff   time.Time // zero: forever
	}{
		{"", "forever", time.Time{}},
		{"keep_captures = 'forever'", "forever", time.Time{}},
		{"keep_captures = '90d'", "90d", now.Add(-90 * 24 * time.Hour)},
		{"keep_captures = '1d12h'", "1d12h0m0s", now.Add(-36 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			cfg, err := config.Parse(strings.NewReader("[storage]\n"+tt.doc+"\n"), "c.toml")
			if err != nil {
				t.Fatal(err)
			}
			k := cfg.Storage.KeepCaptures
			if got := k.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := k.Cutoff(now); !got.Equal(tt.cutoff) || k.Forever() != tt.cutoff.IsZero() {
				t.Errorf("Cutoff = %v (forever %v), want %v", got, k.Forever(), tt.cutoff)
			}
			text, _ := k.MarshalText()
			var back config.Retention
			if err := back.UnmarshalText(text); err != nil || back != k {
				t.Errorf("%q reads back as %+v, %v; want %+v", text, back, err, k)
			}
		})
	}
}
