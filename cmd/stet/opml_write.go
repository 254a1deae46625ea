package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/config"
)

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
