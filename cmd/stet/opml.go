package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html/charset"

	"github.com/stet/stet/config"
)

// OPML is read with encoding/xml: the format is a handful of elements, and
// no OPML library is served by the module proxy here. The limits bound what
// one file can make stet read, hold and write into the config.
const (
	maxOPMLBytes    = 10 << 20 // the file is read whole
	maxOPMLOutlines = 10_000   // every outline, categories included
	maxOPMLDepth    = 64       // nesting of elements
	maxFeedName     = 200      // runes of a name taken from a title
)

// runOPML dispatches "stet opml import" and "stet opml export".
func runOPML(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want a subcommand: import or export", errUsage)
	}
	switch args[0] {
	case "import":
		return runOPMLImport(e, args[1:])
	case "export":
		return runOPMLExport(e, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stderr, "stet opml import [-config F] [-print] [-schedule S] FILE.opml  add the feeds of an OPML file to the config")
		fmt.Fprintln(e.stderr, "stet opml export [-config F] [-o FILE]                         write the config's [[feed]] entries as OPML 2.0")
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: unknown subcommand %q: want import or export", errUsage, args[0])
}

// opmlImport is the command line of "stet opml import".
type opmlImport struct {
	config, schedule string
	printOnly        bool
	file             string // "-" for stdin
}

func parseOPMLImport(e *env, args []string) (opmlImport, error) {
	var o opmlImport
	fs := newFlags("opml import", e)
	fs.StringVar(&o.config, "config", "", "config file to add the feeds to (default: ./config.toml)")
	fs.BoolVar(&o.printOnly, "print", false, "print the new [[feed]] blocks to stdout and leave the config file as it is")
	fs.StringVar(&o.schedule, "schedule", "", "schedule of every imported feed (default: none written, so "+config.DefaultFeedSchedule+")")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return o, err
	}
	if len(pos) != 1 {
		return o, fmt.Errorf("%w: want exactly one OPML file (- for stdin), got %d arguments", errUsage, len(pos))
	}
	o.file = pos[0]
	if o.schedule != "" {
		if _, err := config.ParseSchedule(o.schedule); err != nil {
			return o, fmt.Errorf("%w: -schedule: %w", errUsage, err)
		}
	}
	if o.config, err = opmlConfigPath(o.config); err != nil {
		return o, err
	}
	if o.config == "" && !o.printOnly {
		return o, fmt.Errorf("%w: no config file to add feeds to: pass -config FILE, run where a config.toml is, or use -print", errUsage)
	}
	return o, nil
}

// runOPMLImport adds the feeds of an OPML file that the config does not
// watch yet, as [[feed]] blocks appended to the end of the config file; the
// bytes before them are left as they were. The result must load before it
// replaces the file, in one rename. -print writes the blocks to stdout and
// the file is not touched.
func runOPMLImport(e *env, args []string) error {
	o, err := parseOPMLImport(e, args)
	if err != nil {
		return err
	}
	doc, cfg, err := readConfigFile(o.config)
	if err != nil {
		return err
	}
	name, subs, err := readSubscriptions(o.file)
	if err != nil {
		return err
	}
	plan := planImport(subs, cfg, name)
	for _, s := range plan.skipped {
		fmt.Fprintln(e.stderr, s)
	}
	block := feedBlocks(name, time.Now(), plan.feeds, o.schedule)
	counts := fmt.Sprintf("skipped %d duplicates, %d invalid", plan.dups, plan.invalid)
	switch {
	case o.printOnly:
		fmt.Fprintf(e.stderr, "%d new feeds; %s\n", len(plan.feeds), counts)
		_, err := e.stdout.Write(block)
		return err
	case len(plan.feeds) == 0:
		fmt.Fprintf(e.stdout, "nothing added to %s; %s\n", o.config, counts)
		return nil
	}
	if err := appendFeeds(o.config, doc, block, len(cfg.Feeds)+len(plan.feeds)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %d feeds to %s; %s\n", len(plan.feeds), o.config, counts)
	return nil
}

// readSubscriptions reads and parses the OPML file named on the command
// line; name is how messages call it.
func readSubscriptions(file string) (name string, subs []subscription, err error) {
	name = file
	if file == "-" {
		name = "stdin"
	}
	src, err := readOPMLFile(file, name)
	if err != nil {
		return name, nil, err
	}
	subs, err = parseOPML(src, name)
	return name, subs, err
}

// runOPMLExport writes every [[feed]] of the config as an OPML 2.0
// outline, to stdout or, complete or not at all, to -o FILE.
func runOPMLExport(e *env, args []string) error {
	fs := newFlags("opml export", e)
	configFile := fs.String("config", "", "config file whose feeds are exported (default: ./config.toml)")
	out := fs.String("o", "", "write the OPML to FILE instead of stdout")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	path, err := opmlConfigPath(*configFile)
	if err != nil {
		return err
	}
	if path == "" {
		return fmt.Errorf("%w: no config file to export: pass -config FILE or run where a config.toml is", errUsage)
	}
	_, cfg, err := readConfigFile(path)
	if err != nil {
		return err
	}
	if len(cfg.Feeds) == 0 {
		return fmt.Errorf("%s has no [[feed]] entries to export", path)
	}
	doc, err := opmlDocument(cfg.Feeds, time.Now())
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		_, err := e.stdout.Write(doc)
		return err
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(*out); err == nil {
		perm = fi.Mode().Perm()
	}
	err = writeFileAtomic(*out, doc, perm, func(tmp string) error {
		return checkExport(tmp, len(cfg.Feeds))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d feeds to %s\n", len(cfg.Feeds), *out)
	return nil
}

// opmlConfigPath is the -config file, else ./config.toml if it exists, else
// "". A symbolic link is followed, so that writing replaces its target.
func opmlConfigPath(flagValue string) (string, error) {
	path := flagValue
	if path == "" {
		if _, err := os.Stat("config.toml"); errors.Is(err, fs.ErrNotExist) {
			return "", nil
		}
		path = "config.toml"
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("open config: %w", err)
	}
	return target, nil
}

// readConfigFile reads and parses the config at path, returning the bytes
// it parsed so that an append works on exactly those. An empty path gives
// the built-in defaults.
func readConfigFile(path string) ([]byte, *config.Config, error) {
	if path == "" {
		return nil, config.Default(), nil
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open config: %w", err)
	}
	cfg, err := config.Parse(bytes.NewReader(doc), path)
	if err != nil {
		return nil, nil, err
	}
	return doc, cfg, nil
}

// readOPMLFile reads at most maxOPMLBytes from path, or stdin for "-".
func readOPMLFile(path, name string) ([]byte, error) {
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > maxOPMLBytes {
			return nil, fmt.Errorf("%s: %d bytes is larger than the limit of %d (10 MiB)", name, fi.Size(), maxOPMLBytes)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxOPMLBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxOPMLBytes {
		return nil, fmt.Errorf("%s: larger than the limit of %d bytes (10 MiB)", name, maxOPMLBytes)
	}
	return b, nil
}

// subscription is an outline of an OPML body that names a feed.
type subscription struct {
	line     int    // of the outline's start tag
	url      string // xmlUrl as written
	name     string // title, else text, cleaned; "" if neither
	category string // names of the enclosing outlines, joined by " / "
}

// opmlFrame is an open element while an OPML file is read.
type opmlFrame struct {
	tree     bool   // the body, or an outline of its tree
	category string // an outline's name if it is a category
}

// opmlReader walks an OPML document's elements, keeping its limits.
type opmlReader struct {
	name     string // of the file, for errors
	stack    []opmlFrame
	subs     []subscription
	outlines int
}

// parseOPML returns the subscriptions of an OPML 1.0 or 2.0 document,
// in document order, from outlines at any depth of its body. An outline is
// a subscription if it has an xmlUrl attribute or is of type rss or atom.
// The document must be well-formed XML in UTF-8 or a charset it declares,
// and must not declare a DTD: encoding/xml never expands entities beyond
// XML's five and HTML's named ones, so a billion-laughs file fails either
// way, but here it fails with a clearer reason.
func parseOPML(src []byte, name string) ([]subscription, error) {
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	d.Entity = xml.HTMLEntity // titles written by hand use &nbsp; and &eacute;
	d.CharsetReader = charset.NewReaderLabel
	r := opmlReader{name: name}
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) && len(r.stack) == 0 {
			return nil, fmt.Errorf("%s: not an OPML file: no <opml> element", name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not an OPML file: %w", name, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if d := string(t); strings.Contains(d, "[") || strings.Contains(d, "ENTITY") {
				return nil, fmt.Errorf("%s:%d: DTD declarations are not allowed in OPML (<!%s>)", name, line, firstWords(d))
			}
		case xml.StartElement:
			if err := r.start(t, line); err != nil {
				return nil, err
			}
		case xml.EndElement:
			r.stack = r.stack[:len(r.stack)-1]
			if len(r.stack) == 0 { // the end of <opml>; what follows is ignored
				return r.result()
			}
		}
	}
}

// start takes an element's start tag, at line.
func (r *opmlReader) start(t xml.StartElement, line int) error {
	depth := len(r.stack)
	switch {
	case depth == 0 && t.Name.Local != "opml":
		return fmt.Errorf("%s:%d: not an OPML file: the root element is <%s>, want <opml>", r.name, line, t.Name.Local)
	case depth == maxOPMLDepth:
		return fmt.Errorf("%s:%d: elements nested more than %d deep", r.name, line, maxOPMLDepth)
	}
	f := opmlFrame{tree: depth == 1 && t.Name.Local == "body"}
	if t.Name.Local == "outline" && depth > 0 && r.stack[depth-1].tree {
		if r.outlines++; r.outlines > maxOPMLOutlines {
			return fmt.Errorf("%s:%d: more than %d outlines", r.name, line, maxOPMLOutlines)
		}
		f.tree = true
		if sub, ok := outlineSubscription(t, line, r.stack); ok {
			r.subs = append(r.subs, sub)
		} else {
			f.category = sub.name
		}
	}
	r.stack = append(r.stack, f)
	return nil
}

// result is the end of a well-formed document. One with no subscription
// at all is almost always the wrong file.
func (r *opmlReader) result() ([]subscription, error) {
	if len(r.subs) == 0 {
		return nil, fmt.Errorf("%s: no feeds: none of its %d outlines has an xmlUrl attribute", r.name, r.outlines)
	}
	return r.subs, nil
}

// outlineSubscription reads an outline's attributes. ok is false when it
// has no xmlUrl attribute and is not of type rss or atom: then it is a
// category, named in the subscription.
func outlineSubscription(t xml.StartElement, line int, stack []opmlFrame) (sub subscription, ok bool) {
	var title, text string
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch {
		case strings.EqualFold(a.Name.Local, "xmlUrl"):
			sub.url, ok = a.Value, true
		case a.Name.Local == "type":
			ok = ok || strings.EqualFold(a.Value, "rss") || strings.EqualFold(a.Value, "atom")
		case a.Name.Local == "title":
			title = cleanName(a.Value)
		case a.Name.Local == "text":
			text = cleanName(a.Value)
		}
	}
	sub.line, sub.name = line, title
	if sub.name == "" {
		sub.name = text
	}
	var cats []string
	for _, f := range stack {
		if f.category != "" {
			cats = append(cats, f.category)
		}
	}
	sub.category = strings.Join(cats, " / ")
	return sub, ok
}

// cleanName makes a title fit to be a one-line source name: white space
// and control characters become single spaces, bidirectional overrides
// (which can make a name print as something else) are dropped, and the
// result is cut to maxFeedName runes.
func cleanName(s string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
		case unicode.Is(unicode.Bidi_Control, r):
		case n == maxFeedName:
			return b.String()
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
			n++
		}
	}
	return b.String()
}

// firstWords shortens a directive for an error message.
func firstWords(s string) string {
	if f := strings.Fields(s); len(f) > 2 {
		return strings.Join(f[:2], " ") + " ..."
	}
	return s
}

// newFeed is a subscription that will become a [[feed]] block.
type newFeed struct {
	name, url, category string
}

// importPlan is what an import adds and what it leaves out, and why.
type importPlan struct {
	feeds         []newFeed
	skipped       []string // "file:line: skipped URL: reason", in file order
	dups, invalid int
}

// planImport keeps the subscriptions whose normalised URL is valid and not
// yet watched, by a source of any kind in cfg or earlier in the same file.
// URLs are compared by config.URLKey, the rule the config's own duplicate
// check applies.
func planImport(subs []subscription, cfg *config.Config, name string) importPlan {
	seen := map[string]string{}
	index := map[string]int{} // kind -> entries of that kind so far
	for _, src := range cfg.Sources() {
		seen[config.URLKey(src.URL)] = fmt.Sprintf("already in the config as %s[%d] (%s)", src.Kind, index[src.Kind], strconv.Quote(src.Name))
		index[src.Kind]++
	}
	var plan importPlan
	for _, s := range subs {
		u, err := config.NormalizeURL(s.url)
		if strings.TrimSpace(s.url) == "" {
			err = errors.New("empty or missing xmlUrl")
		}
		if err != nil {
			plan.invalid++
			plan.skipped = append(plan.skipped, fmt.Sprintf("%s:%d: skipped outline %s: %v", name, s.line, strconv.Quote(s.name), err))
			continue
		}
		k := config.URLKey(u)
		if why, dup := seen[k]; dup {
			plan.dups++
			plan.skipped = append(plan.skipped, fmt.Sprintf("%s:%d: skipped %s: %s", name, s.line, redacted(u), why))
			continue
		}
		seen[k] = fmt.Sprintf("duplicate of line %d", s.line)
		plan.feeds = append(plan.feeds, newFeed{name: s.name, url: u, category: s.category})
	}
	return plan
}

// redacted hides the password of a URL's userinfo, as NormalizeURL's
// errors do.
func redacted(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return u
}

// feedBlocks renders the feeds as TOML, under a comment that says where
// and when they came from; a feed's OPML category becomes a comment above
// it. Nothing is rendered for no feeds.
func feedBlocks(source string, at time.Time, feeds []newFeed, schedule string) []byte {
	if len(feeds) == 0 {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# imported from %s on %s\n", cleanName(source), at.UTC().Format(time.RFC3339))
	for _, f := range feeds {
		b.WriteString("\n")
		if f.category != "" {
			fmt.Fprintf(&b, "# category: %s\n", f.category)
		}
		b.WriteString("[[feed]]\n")
		if f.name != "" {
			fmt.Fprintf(&b, "name = %s\n", tomlString(f.name))
		}
		fmt.Fprintf(&b, "url = %s\n", tomlString(f.url))
		if schedule != "" {
			fmt.Fprintf(&b, "schedule = %s\n", tomlString(schedule))
		}
	}
	return b.Bytes()
}

// tomlString quotes s as a TOML basic string: quote, backslash and the
// control characters TOML forbids in one are escaped.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// appendFeeds writes doc plus block to path, keeping doc's bytes and line
// ends (LF or CRLF) as they are. The new file must parse, with want feeds, before it is written, and
// the temporary copy must load before it replaces path; the rename is the
// only change a reader of path can see.
func appendFeeds(path string, doc, block []byte, want int) error {
	nl := []byte("\n")
	if bytes.Contains(doc, []byte("\r\n")) { // written on Windows: keep its line ends
		nl = []byte("\r\n")
		block = bytes.ReplaceAll(block, []byte("\n"), nl)
	}
	next := bytes.Clone(doc)
	if len(next) > 0 && next[len(next)-1] != '\n' {
		next = append(next, nl...)
	}
	if len(next) > 0 {
		next = append(next, nl...)
	}
	next = append(next, block...)
	if _, err := config.Parse(bytes.NewReader(next), path); err != nil {
		return fmt.Errorf("%s left unchanged: with the imported feeds it would not load: %w", path, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, next, fi.Mode().Perm(), func(tmp string) error {
		cfg, err := config.Load(tmp)
		if err != nil {
			return err
		}
		if len(cfg.Feeds) != want {
			return fmt.Errorf("the new file has %d feeds, want %d", len(cfg.Feeds), want)
		}
		if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, doc) {
			return fmt.Errorf("%s changed while the feeds were imported; run the import again", path)
		}
		return nil
	})
}

// writeFileAtomic writes data to a temporary file beside path, with mode
// perm, syncs it, lets check read it, and renames it over path. On any
// error path is left as it was and the temporary file is removed.
func writeFileAtomic(path string, data []byte, perm fs.FileMode, check func(tmp string) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := check(tmp); err != nil {
		return fmt.Errorf("%s left unchanged: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable; not every system can
		d.Sync()
		d.Close()
	}
	return nil
}

// opmlDoc and its parts are the OPML 2.0 that export writes.
type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title       string `xml:"title"`
	DateCreated string `xml:"dateCreated"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Type    string `xml:"type,attr"`
	Text    string `xml:"text,attr"`
	Title   string `xml:"title,attr"`
	XMLURL  string `xml:"xmlUrl,attr"`
	HTMLURL string `xml:"htmlUrl,attr,omitempty"` // config.Feed has no site URL yet
}

// opmlDocument renders feeds as OPML 2.0, one flat outline each.
// encoding/xml escapes the attributes, and replaces characters XML cannot
// hold with U+FFFD.
func opmlDocument(feeds []config.Feed, now time.Time) ([]byte, error) {
	doc := opmlDoc{
		Version: "2.0",
		Head:    opmlHead{Title: "stet feeds", DateCreated: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")},
	}
	for _, f := range feeds {
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{Type: "rss", Text: f.Name, Title: f.Name, XMLURL: f.URL})
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode OPML: %w", err)
	}
	b.WriteString("\n")
	return b.Bytes(), nil
}

// checkExport reads a written export back, as import would.
func checkExport(path string, want int) error {
	src, err := readOPMLFile(path, path)
	if err != nil {
		return err
	}
	subs, err := parseOPML(src, path)
	if err != nil {
		return err
	}
	if len(subs) != want {
		return fmt.Errorf("the OPML written has %d feeds, want %d", len(subs), want)
	}
	return nil
}
