package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

func runChanges(ctx context.Context, e *env, args []string) error {
	fs := newFlags("changes", e)
	var sf storeFlags
	sf.register(fs)
	var since config.Duration
	fs.TextVar(&since, "since", config.Duration(0), "only changes detected within this long (e.g. 24h, 7d; at most 100 years); absent or 0: all")
	u := fs.String("url", "", "only changes of this page")
	kind := fs.String("kind", "", "only changes of this kind: "+strings.Join(storage.ChangeKinds(), ", "))
	class := fs.String("class", "", "only changes of this class: "+strings.Join(config.ChangeClasses, ", "))
	all := fs.Bool("all", false, "include suppressed changes (a flapping page's alternations, which raised no webhook)")
	limit := fs.Int("limit", 0, fmt.Sprintf("at most this many, 1 to %d (absent or 0: no limit)", maxLimit))
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := firstError(noArgs(pos), checkSince(since), checkLimit(*limit), checkKind(*kind), checkClass(*class)); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f := storage.ChangeFilter{Kind: *kind, Class: *class, WithSuppressed: *all, Limit: *limit}
	if since > 0 {
		f.Since = time.Now().Add(-since.D())
	}
	if *u != "" {
		p, err := st.PageByURL(ctx, *u)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s is not tracked in %s", *u, st.Path())
		}
		if err != nil {
			return err
		}
		f.PageID = p.ID
	}
	chs, err := st.Changes(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, c := range chs {
			if err := enc.Encode(web.NewChangeJSON(c)); err != nil {
				return err
			}
		}
		return nil
	}
	rs, err := web.Reports(ctx, st, chs)
	if err != nil {
		return err
	}
	for _, r := range rs {
		printChange(e.stdout, r)
	}
	if len(chs) == 0 {
		fmt.Fprintln(e.stderr, "no changes")
	}
	return nil
}

// checkClass accepts "" (every class) or a class of the vocabulary.
func checkClass(class string) error {
	if class != "" && !slices.Contains(config.ChangeClasses, class) {
		return fmt.Errorf("%w: -class must be one of %s; got %q", errUsage, strings.Join(config.ChangeClasses, ", "), class)
	}
	return nil
}

// printChange prints a change for people: a header, its classes and what
// it means (a revert, flapping, settling, suppression), changed metadata,
// and the text diff, rendered from the stored blocks or, for a change
// stored before schema 4, the stored text as it is.
func printChange(w io.Writer, r web.Report) {
	c := r.Change
	fmt.Fprintf(w, "#%d %s  %s  %s\n", c.ID, c.Kind, c.DetectedAt.Local().Format(timeLayout), c.URL)
	fmt.Fprintf(w, "    %q\n", c.Title)
	if c.Summary != "" {
		fmt.Fprintf(w, "    %s\n", c.Summary)
	}
	if len(c.Classes) > 0 {
		fmt.Fprintf(w, "    classes: %s\n", strings.Join(c.Classes, ", "))
	}
	for _, n := range notes(r) {
		fmt.Fprintf(w, "    %s\n", n)
	}
	for _, m := range r.Meta {
		fmt.Fprintf(w, "    %s: %q → %q\n", m.Field, m.Old, m.New)
	}
	if d := r.Text(); d != "" {
		fmt.Fprintln(w, indent(d, "    "))
	}
	fmt.Fprintln(w)
}

// timeLayout is how the command line shows a time, in the local zone.
const timeLayout = "2006-01-02 15:04:05"

// notes says what a change means beyond its kind and classes, one phrase
// each: the version a revert goes back to, the versions a flapping page
// alternates among, the version a page settled on, and whether it raised
// no webhook.
func notes(r web.Report) []string {
	c := r.Change
	var out []string
	if c.RevertsTo != 0 {
		n := fmt.Sprintf("back to version %d", c.RevertsTo)
		if r.Back != nil {
			n += fmt.Sprintf(" (first seen %s)", r.Back.CreatedAt.Local().Format(timeLayout))
		}
		out = append(out, n)
	}
	switch {
	case c.Kind == storage.ChangeFlapping:
		out = append(out, "flapping among versions "+joinIDs(c.Versions))
	case c.Kind == storage.ChangeSettled && c.NewVersionID != 0:
		out = append(out, fmt.Sprintf("settled on version %d", c.NewVersionID))
	}
	if c.Suppressed {
		out = append(out, "suppressed: no webhook")
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}
