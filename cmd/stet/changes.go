package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
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
	fs.TextVar(&since, "since", config.Duration(0), "only changes detected within this long (e.g. 24h, 7d; at most 100 years); absent: all; 0 or less is a usage error)")
	u := fs.String("url", "", "only changes of this page")
	kind := fs.String("kind", "", "only changes of this kind: "+strings.Join(storage.ChangeKinds(), ", "))
	class := fs.String("class", "", "only changes of this class: "+strings.Join(config.ChangeClasses, ", "))
	all := fs.Bool("all", false, "include suppressed changes (a flapping page's alternations, which raised no webhook)")
	limit := fs.Int("limit", 0, fmt.Sprintf("at most this many, 1 to %d (absent: no limit)", maxLimit))
	before := fs.Int64("before", 0, "only changes older than this change id (to page back)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if err := firstError(noArgs(pos), checkSince(since), explicitZero(set["since"] && since == 0, "-since", "a positive duration such as 24h or 7d"),
		checkLimit(*limit), explicitZero(set["limit"] && *limit == 0, "-limit", fmt.Sprintf("between 1 and %d", maxLimit)),
		checkBefore(set["before"], *before), checkKind(*kind), checkClass(*class)); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f := storage.ChangeFilter{Kind: *kind, Class: *class, WithSuppressed: *all, BeforeID: *before}
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
	n, err := eachChange(ctx, st, f, *limit, func(c storage.Change) error {
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(web.NewChangeJSON(c))
		}
		r, err := web.LoadReport(ctx, st, c)
		if err != nil {
			return err
		}
		printChange(e.stdout, r)
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 && !*asJSON {
		fmt.Fprintln(e.stderr, "no changes")
	}
	return nil
}

// changeBatch is how many changes `stet changes` reads at once: each is
// read whole, with its diff, so a batch of large pages' changes weighs
// changeBatch times a diff, and the command's memory stays bounded however
// many changes it prints.
const changeBatch = 8

// eachChange calls fn with the changes matching f, newest first, up to
// limit (0: all), reading them a batch at a time; it returns how many.
func eachChange(ctx context.Context, st *storage.Store, f storage.ChangeFilter, limit int, fn func(storage.Change) error) (int, error) {
	n := 0
	for {
		f.Limit = changeBatch
		if limit > 0 {
			f.Limit = min(changeBatch, limit-n)
		}
		if f.Limit == 0 {
			return n, nil
		}
		chs, err := st.Changes(ctx, f)
		if err != nil {
			return n, err
		}
		for _, c := range chs {
			if err := fn(c); err != nil {
				return n, err
			}
			n++
		}
		if len(chs) < f.Limit {
			return n, nil
		}
		f.BeforeID = chs[len(chs)-1].ID
	}
}

// explicitZero is the usage error of a flag given as 0, which would read
// as "everything": leave the flag out for that.
func explicitZero(zero bool, name, want string) error {
	if zero {
		return fmt.Errorf("%w: %s must be %s (leave it out for no bound); got 0", errUsage, name, want)
	}
	return nil
}

// checkBefore accepts a positive change id when -before is given.
func checkBefore(given bool, id int64) error {
	if given && id <= 0 {
		return fmt.Errorf("%w: -before must be a positive change id; got %d", errUsage, id)
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
