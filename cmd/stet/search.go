package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// runSearch searches every version ever stored. The words of QUERY may be
// given as one argument or several; quote a phrase for the shell and for
// stet: stet search '"prime minister"'.
func runSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags("search", e)
	var sf storeFlags
	sf.register(fs)
	deleted := fs.Bool("deleted", false, "only text edited away: held by some version of a page, not by its latest")
	u := fs.String("url", "", "only text of this page")
	var since config.Duration
	fs.TextVar(&since, "since", config.Duration(0),
		"only text held by a version stored within this long, or edited away within it (e.g. 24h, 7d); absent or 0: all")
	limit := fs.Int("limit", storage.DefaultSearchLimit, fmt.Sprintf("at most this many hits, 1 to %d", storage.MaxSearchLimit))
	cursor := fs.String("cursor", "", "continue a search where it stopped (its last lines say how)")
	asJSON := fs.Bool("json", false, "print one JSON object per hit")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	q, err := storage.ParseQuery(strings.Join(pos, " "))
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if *limit < 1 || *limit > storage.MaxSearchLimit {
		return fmt.Errorf("%w: -limit must be between 1 and %d; got %d", errUsage, storage.MaxSearchLimit, *limit)
	}
	if err := checkSince(since); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	o := storage.SearchOptions{Deleted: *deleted, Limit: *limit, Cursor: *cursor}
	if since > 0 {
		o.Since = time.Now().Add(-since.D())
	}
	if *u != "" {
		p, err := st.PageByURL(ctx, *u)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s is not tracked in %s", *u, st.Path())
		}
		if err != nil {
			return err
		}
		o.PageID = p.ID
	}
	res, err := st.Search(ctx, q, o)
	if errors.Is(err, storage.ErrBadQuery) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, h := range res.Hits {
			if err := enc.Encode(web.NewSearchHitJSON(h)); err != nil {
				return err
			}
		}
	} else {
		for _, h := range res.Hits {
			printHit(e.stdout, h)
		}
	}
	printSearchEnd(e.stderr, res)
	return nil
}

// printHit prints a hit for people: status and page, the versions that
// held the text, the title of the newest, and the snippet with the match
// in [[ ]]. Crawled text is printed without control characters, so it
// cannot move the cursor, recolour or retitle the terminal, or reorder
// what follows it.
func printHit(w io.Writer, h storage.SearchHit) {
	where := ""
	if h.Field == storage.SearchFieldTitle {
		where = "  (in the title)"
	}
	fmt.Fprintf(w, "%s  %s%s\n", h.Status.Label(), terminalSafe(h.URL), where)
	seen := fmt.Sprintf("version %d  %s", h.VersionID, h.VersionAt.Local().Format(timeLayout))
	if h.FirstVersionID != h.VersionID {
		seen += fmt.Sprintf("; first in version %d  %s", h.FirstVersionID, h.FirstSeen.Local().Format(timeLayout))
	}
	if h.EditedVersionID != 0 {
		seen += fmt.Sprintf("; gone from version %d  %s", h.EditedVersionID, h.EditedAt.Local().Format(timeLayout))
	}
	if !h.RemovedAt.IsZero() {
		seen += "; page removed " + h.RemovedAt.Local().Format(timeLayout)
	}
	fmt.Fprintf(w, "    %s\n", seen)
	fmt.Fprintf(w, "    %q\n", h.Title)
	var b strings.Builder
	for _, s := range h.Snippet {
		if s.Mark {
			b.WriteString("[[" + terminalSafe(s.Text) + "]]")
		} else {
			b.WriteString(terminalSafe(s.Text))
		}
	}
	fmt.Fprintf(w, "    %s\n\n", b.String())
}

// printSearchEnd says on stderr how the search ended: nothing found, or
// how to ask for more.
func printSearchEnd(w io.Writer, res storage.SearchResult) {
	switch {
	case res.Next != "" && res.Capped:
		fmt.Fprintf(w, "the search stopped after examining its share of matches; more hits may follow: add -cursor %s\n", res.Next)
	case res.Next != "":
		fmt.Fprintf(w, "more hits: add -cursor %s\n", res.Next)
	case len(res.Hits) == 0:
		fmt.Fprintln(w, "no hits")
	}
}

// terminalSafe drops control characters (escape sequences start with
// one) and bidirectional controls from crawled text, and makes line
// breaks spaces.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}
