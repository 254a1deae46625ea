package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Error is a problem with the configuration. It prints as
// "file:line:col: key: reason", leaving out what is unknown.
type Error struct {
	File   string
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Key    string // indexed key path such as "feed[2].url"; "" for syntax errors
	Err    error
}

// Error formats the problem as "file:line:col: key: reason".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying reason.
func (e *Error) Unwrap() error { return e.Err }

// byteOrderMark is U+FEFF encoded in UTF-8.
const byteOrderMark = "\uFEFF"

// Load reads and validates the configuration file at path. A relative
// storage path is taken relative to the file's folder.
func Load(path string) (*Config, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("open config: %w", err)
	}
	cfg, err := parse(doc, path, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(cfg.Storage.Path) {
		cfg.Storage.Path = filepath.Join(filepath.Dir(path), cfg.Storage.Path)
	}
	return cfg, nil
}

// Parse reads and validates a configuration from r; name is used in error
// messages and stored in File. A relative storage path is left as is, that
// is relative to the working directory.
func Parse(r io.Reader, name string) (*Config, error) {
	doc, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", name, err)
	}
	return parse(doc, name, "")
}

// parse decodes and validates doc; dir is the folder relative paths other
// than the storage path (web.token_file) are taken from.
func parse(doc []byte, name, dir string) (*Config, error) {
	// Editors on Windows start UTF-8 files with a byte order mark, which
	// TOML does not allow. It is invisible, so columns on the first line
	// are counted after it.
	doc = bytes.TrimPrefix(doc, []byte(byteOrderMark))
	ix := indexKeys(doc)
	if err := bareDurations(ix, name); err != nil {
		return nil, err
	}
	cfg := Default()
	cfg.Recheck.Steps = nil // a file that sets steps replaces the defaults rather than merging
	dec := toml.NewDecoder(bytes.NewReader(doc)).DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return nil, decodeError(err, name, ix)
	}
	if cfg.Recheck.Steps == nil {
		cfg.Recheck.Steps = Default().Recheck.Steps
	}
	cfg.File = name
	cfg.fillDefaults()
	cfg.Web.resolvePaths(dir)
	if err := cfg.validate(name, ix); err != nil {
		return nil, err
	}
	return cfg, nil
}

// decodeError turns the decoder's errors into *Error values with positions.
// A *toml.StrictMissingError unwraps to *toml.DecodeError, so it is tested
// first; it lists every unknown key.
func decodeError(err error, name string, ix *keyIndex) error {
	if se, ok := errors.AsType[*toml.StrictMissingError](err); ok {
		errs := make([]error, 0, len(se.Errors))
		for i := range se.Errors {
			de := &se.Errors[i]
			line, col := de.Position()
			key := positionedKey(ix, line, col, de.Key())
			errs = append(errs, &Error{File: name, Line: line, Column: col, Key: key, Err: errors.New("unknown key")})
		}
		return errors.Join(errs...)
	}
	if de, ok := errors.AsType[*toml.DecodeError](err); ok {
		line, col := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		return &Error{File: name, Line: line, Column: col, Key: positionedKey(ix, line, col, de.Key()), Err: errors.New(msg)}
	}
	return &Error{File: name, Err: err}
}

// positionedKey prefers the indexed path ("feed[2].url") the position falls
// in over the decoder's plain one ("feed.url").
func positionedKey(ix *keyIndex, line, col int, key toml.Key) string {
	plain := strings.Join(key, ".")
	if plain == "" {
		return ""
	}
	if p := ix.pathAt(line, col, plain); p != "" {
		return p
	}
	return plain
}

// fillDefaults completes the entries of feed, page, webhook and site lists,
// whose defaults cannot be preset before decoding, and stores source URLs
// in their NormalizeURL form. An invalid URL is left for validate to report.
func (c *Config) fillDefaults() {
	for i := range c.Feeds {
		f := &c.Feeds[i]
		if n, err := NormalizeURL(f.URL); err == nil {
			f.URL = n
		}
		if f.Schedule.IsZero() {
			f.Schedule, _ = ParseSchedule(DefaultFeedSchedule)
		}
		if f.Name == "" {
			f.Name = defaultName(f.URL, false)
		}
	}
	for i := range c.Pages {
		p := &c.Pages[i]
		if n, err := NormalizeURL(p.URL); err == nil {
			p.URL = n
		}
		if p.Schedule.IsZero() {
			p.Schedule, _ = ParseSchedule(DefaultPageSchedule)
		}
		if p.Name == "" {
			p.Name = defaultName(p.URL, true)
		}
	}
	c.fillListingDefaults()
	for i := range c.Webhooks {
		if len(c.Webhooks[i].Events) == 0 {
			c.Webhooks[i].Events = []string{"*"}
		}
	}
}

// defaultName names a source after its URL's host, plus the path for pages
// since several pages often share a host.
func defaultName(raw string, withPath bool) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	if withPath && strings.Trim(u.Path, "/") != "" {
		return u.Host + u.Path
	}
	return u.Host
}
