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
	"os"
	"path/filepath"
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
