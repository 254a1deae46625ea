package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/net/html/charset"

	"github.com/stet/stet/config"
)

// opmlWatched is a config tail whose feed and page nested.opml names again.
const opmlWatched = `
[[feed]]
url = "https://watched.example/feed"

[[page]]
url = "https://watched.example/about"
# the last line is a comment with no newline after it`

// annotatedConfig is the repository's config.toml followed by opmlWatched:
// every kind of comment and layout import must keep.
func annotatedConfig(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return append(doc, opmlWatched...)
}

// writeFile writes data to a new file name in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importedDate is the date in the comment above imported blocks.
var importedDate = regexp.MustCompile(`(?m)^(# imported from .*) on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// feedsOf is the (name, URL) of every feed of the config file at path,
// which must load.
func feedsOf(t *testing.T, path string) [][2]string {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the config does not load: %v", err)
	}
	var out [][2]string
	for _, f := range cfg.Feeds {
		out = append(out, [2]string{f.Name, f.URL})
	}
	return out
}

// noTempFiles fails if a write left a temporary file in dir.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}

// TestOpmlRoundTrip exports feeds whose names need escaping in XML and in
// TOML, imports the file into an empty config, and expects the same feeds.
func TestOpmlRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "source.toml", []byte(`# feeds to export
[[feed]]
name = "Ben & Jerry's <Scoops>"
url = "https://icecream.example/feed?a=1&b=2"

[[feed]]
name = "新华网 · 要闻"
url = "http://www.news.cn/rss/politics.xml"

[[feed]]
name = 'Quote " and back\slash, tab	inside'
url = "https://quotes.example/rss"

[[feed]]
url = "https://UNNAMED.example:443/atom.xml"

[[page]]
url = "https://pages.example/are-not-feeds"
`), 0o644)
	opml := filepath.Join(dir, "feeds.opml")
	if code, stdout, stderr := run(t, "opml", "export", "-config", src, "-o", opml); code != 0 || stdout != "wrote 4 feeds to "+opml+"\n" {
		t.Fatalf("export: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	dst := writeFile(t, dir, "empty.toml", nil, 0o600)
	code, stdout, stderr := run(t, "opml", "import", "-config", dst, opml)
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "added 4 feeds to ") {
		t.Fatalf("import: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	want := [][2]string{
		{"Ben & Jerry's <Scoops>", "https://icecream.example/feed?a=1&b=2"},
		{"新华网 · 要闻", "http://www.news.cn/rss/politics.xml"},
		{`Quote " and back\slash, tab inside`, "https://quotes.example/rss"}, // a name is one line: the tab became a space
		{"unnamed.example", "https://unnamed.example/atom.xml"},
	}
	if diff := cmp.Diff(want, feedsOf(t, dst)); diff != "" {
		t.Errorf("feeds after the round trip (-want +got):\n%s", diff)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after import: %v, %v; want 0600", fi.Mode(), err)
	}
	noTempFiles(t, dir)
}

// TestOpmlImportPreservesConfig appends to the annotated default config:
// every byte before the new blocks stays, and the blocks are the golden
// ones.
func TestOpmlImportPreservesConfig(t *testing.T) {
	dir := t.TempDir()
	old := annotatedConfig(t)
	path := writeFile(t, dir, "config.toml", old, 0o640)
	code, stdout, stderr := run(t, "opml", "import", "-config", path, filepath.Join("testdata", "opml", "nested.opml"))
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	if want := "added 6 feeds to " + path + "; skipped 3 duplicates, 5 invalid\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	got := readFile(t, path)
	if !bytes.HasPrefix(got, old) {
		t.Fatalf("the config's old bytes changed; it now starts\n%s", got[:min(len(got), 400)])
	}
	golden := readFile(t, filepath.Join("testdata", "opml", "nested.toml"))
	appended := importedDate.ReplaceAll(got[len(old):], []byte("$1 on DATE"))
	if want := append([]byte("\n\n"), golden...); !bytes.Equal(appended, want) {
		t.Errorf("appended\n%s\nwant\n%s", appended, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after import: %v, %v; want 0640", fi.Mode(), err)
	}
	if n := len(feedsOf(t, path)); n != 7 {
		t.Errorf("%d feeds after import, want 7", n)
	}
	noTempFiles(t, dir)
}

// TestOpmlImportReports checks what import says about each outline it
// leaves out, with its line, and that a second import adds nothing.
func TestOpmlImportReports(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.toml", annotatedConfig(t), 0o644)
	in := filepath.Join("testdata", "opml", "nested.opml")
	_, _, stderr := run(t, "opml", "import", "-config", path, in)
	for _, want := range []string{
		in + `:24: skipped outline "Script": "javascript:alert(document.cookie)" is not an absolute http(s) URL: unsupported scheme "javascript"`,
		in + `:25: skipped outline "FTP": "ftp://files.example/feed.xml" is not an absolute http(s) URL: unsupported scheme "ftp"`,
		in + `:26: skipped outline "Relative": "/feed.xml" is not an absolute http(s) URL: relative URL`,
		in + `:27: skipped outline "Empty": empty or missing xmlUrl`,
		in + `:28: skipped outline "Missing": empty or missing xmlUrl`,
		in + `:29: skipped https://www.theguardian.com/world/rss/: duplicate of line 13`,
		in + `:30: skipped https://watched.example/feed/: already in the config as feed[0] ("watched.example")`,
		in + `:31: skipped https://watched.example/about: already in the config as page[0] ("watched.example/about")`,
	} {
		if !strings.Contains(stderr, want+"\n") {
			t.Errorf("stderr lacks %q; it is\n%s", want, stderr)
		}
	}
	before := readFile(t, path)
	code, stdout, _ := run(t, "opml", "import", "-config", path, in)
	if want := "nothing added to " + path + "; skipped 9 duplicates, 5 invalid\n"; code != 0 || stdout != want {
		t.Errorf("second import: code %d, stdout %q, want %q", code, stdout, want)
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("a second import with nothing new changed the file")
	}
}

// TestOpmlImportPrint checks that -print writes the blocks to stdout and
// leaves the config file alone, and that the blocks load when appended.
func TestOpmlImportPrint(t *testing.T) {
	dir := t.TempDir()
	old := annotatedConfig(t)
	path := writeFile(t, dir, "config.toml", old, 0o644)
	stamp := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, stamp, stamp); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "opml", "import", "-print", "-config", path, filepath.Join("testdata", "opml", "nested.opml"))
	if code != 0 || !strings.HasSuffix(stderr, "6 new feeds; skipped 3 duplicates, 5 invalid\n") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	if got, want := importedDate.ReplaceAllString(stdout, "$1 on DATE"), string(readFile(t, filepath.Join("testdata", "opml", "nested.toml"))); got != want {
		t.Errorf("stdout\n%s\nwant\n%s", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.ModTime().Equal(stamp) || !bytes.Equal(readFile(t, path), old) {
		t.Errorf("-print touched the config: %v, modified %s", err, fi.ModTime())
	}
	noTempFiles(t, dir)
	appended := writeFile(t, dir, "appended.toml", append(append(old, '\n'), stdout...), 0o644)
	if n := len(feedsOf(t, appended)); n != 7 {
		t.Errorf("config plus printed blocks has %d feeds, want 7", n)
	}
}

// TestOpmlImportFormats reads an OPML 1.0 file in ISO-8859-1 and a
// Miniflux export, whose categories become comments.
func TestOpmlImportFormats(t *testing.T) {
	tests := []struct {
		file  string
		feeds [][2]string
		text  string // in the appended blocks
	}{
		{"opml1.opml", [][2]string{
			{"CNET News.com", "http://news.com.com/2547-1_3-0-5.xml"},
			{"washingtonpost.com - Politics", "http://www.washingtonpost.com/wp-srv/politics/rssheadlines.xml"},
			{"Café Babel", "http://www.cafebabel.com/rss"},
		}, "\n[[feed]]\nname = \"Café Babel\"\n"},
		{"miniflux.opml", [][2]string{
			{"Go Blog", "https://go.dev/blog/feed.atom"},
			{"LWN.net", "https://lwn.net/headlines/rss"},
		}, "\n# category: Security\n[[feed]]\nname = \"LWN.net\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "config.toml", nil, 0o644)
			if code, _, stderr := run(t, "opml", "import", "-config", path, filepath.Join("testdata", "opml", tt.file)); code != 0 {
				t.Fatalf("code %d, stderr %q", code, stderr)
			}
			if diff := cmp.Diff(tt.feeds, feedsOf(t, path)); diff != "" {
				t.Errorf("feeds (-want +got):\n%s", diff)
			}
			if got := readFile(t, path); !bytes.Contains(got, []byte(tt.text)) {
				t.Errorf("config lacks %q:\n%s", tt.text, got)
			}
		})
	}
}

// TestOpmlImportCRLF keeps a Windows config's line ends, and hides the
// password of a URL it reports.
func TestOpmlImportCRLF(t *testing.T) {
	old := []byte("# written on Windows\r\n[[feed]]\r\nurl = \"https://user:secret@lwn.net/headlines/rss\"")
	dir := t.TempDir()
	path := writeFile(t, dir, "config.toml", old, 0o644)
	in := writeFile(t, dir, "in.opml", []byte(`<opml version="2.0"><body>
<outline type="rss" text="LWN" xmlUrl="https://user:secret@LWN.net/headlines/rss/"/>
<outline type="rss" text="Go" xmlUrl="https://go.dev/blog/feed.atom"/>
</body></opml>`), 0o644)
	code, _, stderr := run(t, "opml", "import", "-config", path, in)
	if code != 0 || strings.Contains(stderr, "secret") || !strings.Contains(stderr, ":2: skipped https://user:xxxxx@lwn.net/headlines/rss/: already") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	got := readFile(t, path)
	if !bytes.HasPrefix(got, old) || bytes.Count(got, []byte("\n")) != bytes.Count(got, []byte("\r\n")) {
		t.Errorf("line ends not kept:\n%q", got)
	}
	if n := len(feedsOf(t, path)); n != 2 {
		t.Errorf("%d feeds, want 2", n)
	}
}

func TestOpmlImportSchedule(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.toml", nil, 0o644)
	if code, _, stderr := run(t, "opml", "import", filepath.Join("testdata", "opml", "miniflux.opml"), "-schedule", "@every 2h", "-config", path); code != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Feeds {
		if f.Schedule.Spec != "@every 2h" {
			t.Errorf("%s: schedule %q, want @every 2h", f.Name, f.Schedule.Spec)
		}
	}
}

// TestOpmlImportThroughSymlink writes the link's target and keeps the link.
func TestOpmlImportThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := writeFile(t, dir, "real.toml", []byte("# real\n"), 0o644)
	link := filepath.Join(dir, "config.toml")
	if err := os.Symlink("real.toml", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if code, _, stderr := run(t, "opml", "import", "-config", link, filepath.Join("testdata", "opml", "miniflux.opml")); code != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("config.toml is no longer a link: %v, %v", fi.Mode(), err)
	}
	if n := len(feedsOf(t, target)); n != 2 {
		t.Errorf("target has %d feeds, want 2", n)
	}
}

// TestOpmlImportStdin reads the OPML from stdin ("-") in a stet process.
func TestOpmlImportStdin(t *testing.T) {
	path := writeFile(t, t.TempDir(), "config.toml", nil, 0o644)
	var stderr bytes.Buffer
	cmd := stetCmd(t, &stderr, "opml", "import", "-config", path, "-")
	cmd.Stdin = bytes.NewReader(readFile(t, filepath.Join("testdata", "opml", "miniflux.opml")))
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "added 2 feeds") {
		t.Fatalf("%v: stdout %q, stderr %q", err, out, stderr.String())
	}
	if got := readFile(t, path); !bytes.HasPrefix(got, []byte("# imported from stdin on ")) {
		t.Errorf("config starts %q", got[:min(len(got), 40)])
	}
}

// TestOpmlImportHostile feeds import files that are not OPML, too large,
// too deep, or try entity expansion: each is an error naming the file and
// the reason, and the config is left as it was.
func TestOpmlImportHostile(t *testing.T) {
	var many, deep strings.Builder
	many.WriteString("<opml><body>")
	for i := range maxOPMLOutlines + 1 {
		fmt.Fprintf(&many, `<outline xmlUrl="https://a.example/%d"/>`, i)
	}
	many.WriteString("</body></opml>")
	deep.WriteString("<opml><body>" + strings.Repeat("<outline>", maxOPMLDepth) + "</body></opml>")
	huge := `<opml><body><outline xmlUrl="https://a.example/"/></body></opml><!--` + strings.Repeat("x", maxOPMLBytes) + "-->"
	laughs := `<?xml version="1.0"?>
<!DOCTYPE opml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<opml version="2.0"><body><outline text="&lol3;" xmlUrl="https://a.example/"/></body></opml>`
	tests := []struct {
		name, data, want string
	}{
		{"rss", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`, ":1: not an OPML file: the root element is <rss>, want <opml>"},
		{"html", "<!DOCTYPE html>\n<html><head><title>x</title></head><body><p>hi</p></body></html>", ":2: not an OPML file: the root element is <html>, want <opml>"},
		{"json", `{"feeds": ["https://a.example/"]}`, ": not an OPML file: no <opml> element"},
		{"empty", "", ": not an OPML file: no <opml> element"},
		{"truncated", `<opml><body><outline xmlUrl="https://a.example/">`, ": not an OPML file: XML syntax error on line 1: unexpected EOF"},
		{"bare ampersand", `<opml><body><outline xmlUrl="https://a.example/?a=1&b=2"/></body></opml>`, ": not an OPML file: XML syntax error on line 1: invalid character entity &b"},
		{"billion laughs", laughs, ":2: DTD declarations are not allowed in OPML (<!DOCTYPE opml ...>)"},
		{"entity without its DTD", `<opml><body><outline text="&lol9;" xmlUrl="https://a.example/"/></body></opml>`, ": not an OPML file: XML syntax error on line 1: invalid character entity &lol9;"},
		{"external entity", `<!DOCTYPE opml SYSTEM "file:///etc/passwd" [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml/>`, ":1: DTD declarations are not allowed"},
		{"unknown charset", `<?xml version="1.0" encoding="x-klingon"?><opml/>`, `: not an OPML file: xml: opening charset "x-klingon"`},
		{"no feeds", `<opml version="2.0"><head/><body><outline text="a"><outline text="b"/></outline></body></opml>`, ": no feeds: none of its 2 outlines has an xmlUrl attribute"},
		{"too many outlines", many.String(), fmt.Sprintf(":1: more than %d outlines", maxOPMLOutlines)},
		{"too deep", deep.String(), fmt.Sprintf(":1: elements nested more than %d deep", maxOPMLDepth)},
		{"huge", huge, fmt.Sprintf(": %d bytes is larger than the limit of %d (10 MiB)", len(huge), maxOPMLBytes)},
	}
	dir := t.TempDir()
	old := annotatedConfig(t)
	path := writeFile(t, dir, "config.toml", old, 0o644)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := writeFile(t, t.TempDir(), "in.opml", []byte(tt.data), 0o644)
			code, stdout, stderr := run(t, "opml", "import", "-config", path, in)
			if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "stet opml: "+in+tt.want) {
				t.Errorf("code %d, stdout %q, stderr %q; want 1 and %q", code, stdout, stderr, in+tt.want)
			}
		})
	}
	if !bytes.Equal(readFile(t, path), old) {
		t.Error("a failed import changed the config")
	}
	noTempFiles(t, dir)
}

// TestOpmlImportResultMustLoad: a config that cannot take [[feed]] blocks
// (feed is an inline array) is left unchanged, with the reason.
func TestOpmlImportResultMustLoad(t *testing.T) {
	dir := t.TempDir()
	old := []byte("# feeds are written inline here\nfeed = []\n")
	path := writeFile(t, dir, "config.toml", old, 0o644)
	code, _, stderr := run(t, "opml", "import", "-config", path, filepath.Join("testdata", "opml", "miniflux.opml"))
	if want := path + " left unchanged: with the imported feeds it would not load: " + path + ":"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if !bytes.Equal(readFile(t, path), old) {
		t.Error("the config changed")
	}
	noTempFiles(t, dir)
}

// TestOpmlUsage: bad command lines exit 2 with the usage line and write
// nothing.
func TestOpmlUsage(t *testing.T) {
	in, err := filepath.Abs(filepath.Join("testdata", "opml", "miniflux.opml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"opml"}, "want a subcommand: import or export"},
		{[]string{"opml", "frob"}, `unknown subcommand "frob": want import or export`},
		{[]string{"opml", "import"}, "want exactly one OPML file (- for stdin), got 0 arguments"},
		{[]string{"opml", "import", in, in}, "want exactly one OPML file (- for stdin), got 2 arguments"},
		{[]string{"opml", "import", in}, "no config file to add feeds to: pass -config FILE, run where a config.toml is, or use -print"},
		{[]string{"opml", "import", "-schedule", "@every 0s", in}, `-schedule: invalid cron schedule "@every 0s"`},
		{[]string{"opml", "import", "-schedule", "sometimes", "-print", in}, `-schedule: invalid cron schedule "sometimes"`},
		{[]string{"opml", "import", "-bogus", in}, "flag provided but not defined: -bogus"},
		{[]string{"opml", "export"}, "no config file to export: pass -config FILE or run where a config.toml is"},
		{[]string{"opml", "export", "extra"}, `unexpected argument "extra"`},
		{[]string{"opml", "export", "-o"}, "flag needs an argument: -o"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "\nusage: stet opml ") {
				t.Errorf("code %d, stdout %q, stderr %q; want 2, %q and the usage line", code, stdout, stderr, tt.want)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("bad command lines left %s in the folder", left[0].Name())
	}
	if code, _, stderr := run(t, "opml", "import", "-print", in); code != 0 || !strings.Contains(stderr, "2 new feeds") {
		t.Errorf("-print without a config: code %d, stderr %q; want 0 against the built-in defaults", code, stderr)
	}
	for _, args := range [][]string{{"opml", "-h"}, {"opml", "import", "-h"}, {"opml", "export", "-help"}} {
		if code, _, stderr := run(t, args...); code != 0 || !strings.Contains(stderr, "-config") {
			t.Errorf("%s: code %d, stderr %q; want 0 and the flags", strings.Join(args, " "), code, stderr)
		}
	}
}

// minifluxOPML is modelled on Miniflux's OPML reader
// (internal/reader/opml): a second parser for what export writes.
type minifluxOPML struct {
	XMLName  xml.Name          `xml:"opml"`
	Version  string            `xml:"version,attr"`
	Header   minifluxHead      `xml:"head"`
	Outlines []minifluxOutline `xml:"body>outline"`
}

type minifluxHead struct {
	Title       string `xml:"title,omitempty"`
	DateCreated string `xml:"dateCreated,omitempty"`
}

type minifluxOutline struct {
	Title    string            `xml:"title,attr,omitempty"`
	Text     string            `xml:"text,attr"`
	FeedURL  string            `xml:"xmlUrl,attr,omitempty"`
	SiteURL  string            `xml:"htmlUrl,attr,omitempty"`
	Type     string            `xml:"type,attr"`
	Outlines []minifluxOutline `xml:"outline,omitempty"`
}

// title is Miniflux's GetTitle.
func (o minifluxOutline) title() string {
	for _, s := range []string{o.Title, o.Text, o.SiteURL, o.FeedURL} {
		if s != "" {
			return s
		}
	}
	return ""
}

// TestOpmlExportMiniflux reads an export the way Miniflux does and checks
// every outline against the config.
func TestOpmlExportMiniflux(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "config.toml", []byte(`[[feed]]
name = "A & B <C> \"D\" 'E'"
url = "https://a.example/feed?x=1&y=2"

[[feed]]
name = "中文频道"
url = "https://中文.example/rss"

[[feed]]
name = "control\u0001char"
url = "https://b.example/"
`), 0o644)
	code, stdout, stderr := run(t, "opml", "export", "-config", path)
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	for _, want := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, `text="A &amp; B &lt;C&gt; &#34;D&#34; &#39;E&#39;"`, `xmlUrl="https://a.example/feed?x=1&amp;y=2"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("export lacks %s:\n%s", want, stdout)
		}
	}
	var doc minifluxOPML
	d := xml.NewDecoder(strings.NewReader(stdout))
	d.Entity = xml.HTMLEntity
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("Miniflux's reader: %v\n%s", err, stdout)
	}
	if doc.Version != "2.0" || doc.Header.Title == "" {
		t.Errorf("version %q, head title %q", doc.Version, doc.Header.Title)
	}
	if _, err := time.Parse(time.RFC1123, doc.Header.DateCreated); err != nil {
		t.Errorf("dateCreated %q is not RFC 822 (with a four-digit year): %v", doc.Header.DateCreated, err)
	}
	want := []minifluxOutline{
		{Title: `A & B <C> "D" 'E'`, Text: `A & B <C> "D" 'E'`, FeedURL: "https://a.example/feed?x=1&y=2", Type: "rss"},
		{Title: "中文频道", Text: "中文频道", FeedURL: "https://xn--fiq228c.example/rss", Type: "rss"},
		{Title: "control\uFFFDchar", Text: "control\uFFFDchar", FeedURL: "https://b.example/", Type: "rss"},
	}
	if diff := cmp.Diff(want, doc.Outlines); diff != "" {
		t.Errorf("outlines (-want +got):\n%s", diff)
	}
	for _, o := range doc.Outlines {
		if strings.TrimSpace(o.FeedURL) == "" || o.title() != o.Title {
			t.Errorf("Miniflux would not take %+v as a subscription titled %q", o, o.Title)
		}
	}
}

func TestOpmlExportErrors(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.toml", []byte("[[page]]\nurl = \"https://a.example/\"\n"), 0o644)
	code, _, stderr := run(t, "opml", "export", "-config", empty)
	if want := empty + " has no [[feed]] entries to export"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	feeds := writeFile(t, dir, "feeds.toml", []byte("[[feed]]\nurl = \"https://a.example/\"\n"), 0o644)
	out := filepath.Join(dir, "missing", "out.opml")
	if code, _, stderr := run(t, "opml", "export", "-config", feeds, "-o", out); code != 1 || !strings.Contains(stderr, "write "+out) {
		t.Errorf("code %d, stderr %q; want 1 and write %s", code, stderr, out)
	}
}

// FuzzOpmlTOMLString: any valid UTF-8 string quoted by tomlString decodes
// to itself.
func FuzzOpmlTOMLString(f *testing.F) {
	for _, s := range []string{"", `a "b" \c`, "tab\tnew\nline\r\x00\x7f\x1b", "新华网", "'''", `\u0041`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip()
		}
		var v struct{ V string }
		if err := toml.Unmarshal([]byte("V = "+tomlString(s)), &v); err != nil {
			t.Fatalf("tomlString(%q) = %s: %v", s, tomlString(s), err)
		}
		if v.V != s {
			t.Fatalf("tomlString(%q) decodes to %q", s, v.V)
		}
	})
}

// FuzzOpmlImport: whatever an OPML file holds, the feeds import plans
// render as TOML that loads with exactly those feeds, names and URLs, and
// every name is one short line.
func FuzzOpmlImport(f *testing.F) {
	for _, name := range []string{"nested.opml", "opml1.opml", "miniflux.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "opml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<opml><body><outline title="a&#10;b&#x202E;c" xmlUrl="HTTP://A.example:80"/><outline xmlUrl="http://a.example/"/></body></opml>`))
	f.Fuzz(func(t *testing.T, src []byte) {
		subs, err := parseOPML(src, "in.opml")
		if err != nil {
			return
		}
		for _, s := range subs {
			if s.line < 1 || utf8.RuneCountInString(s.name) > maxFeedName || strings.IndexFunc(s.name, unicode.IsControl) >= 0 {
				t.Fatalf("subscription %+v", s)
			}
		}
		plan := planImport(subs, config.Default(), "in.opml")
		cfg, err := config.Parse(bytes.NewReader(feedBlocks("in.opml", time.Now(), plan.feeds, "")), "blocks")
		if err != nil {
			t.Fatalf("the blocks do not load: %v", err)
		}
		if len(cfg.Feeds) != len(plan.feeds) {
			t.Fatalf("%d feeds load, %d planned", len(cfg.Feeds), len(plan.feeds))
		}
		for i, f := range plan.feeds {
			if got := cfg.Feeds[i]; got.URL != f.url || (f.name != "" && got.Name != f.name) {
				t.Fatalf("feed %d loads as %q %q, planned %q %q", i, got.Name, got.URL, f.name, f.url)
			}
		}
	})
}
