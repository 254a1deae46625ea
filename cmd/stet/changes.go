package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	limit := fs.Int("limit", 0, fmt.Sprintf("at most this many, 1 to %d (absent or 0: no limit)", maxLimit))
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := firstError(noArgs(pos), checkSince(since), checkLimit(*limit), checkKind(*kind)); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f := storage.ChangeFilter{Kind: *kind, Limit: *limit}
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
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, c := range chs {
		if *asJSON {
			if err := enc.Encode(web.NewChangeJSON(c)); err != nil {
				return err
			}
			continue
		}
		printChange(e.stdout, c)
	}
	if !*asJSON && len(chs) == 0 {
		fmt.Fprintln(e.stderr, "no changes")
	}
	return nil
}

// printChange is the readable change report shared by `changes` and `demo`.
func printChange(w io.Writer, c storage.Change) {
	fmt.Fprintf(w, "#%d %s  %s  %s\n", c.ID, c.Kind, c.DetectedAt.Local().Format("2006-01-02 15:04:05"), c.URL)
	fmt.Fprintf(w, "    %q\n", c.Title)
	if c.Summary != "" {
		fmt.Fprintf(w, "    %s\n", c.Summary)
	}
	if c.Diff != "" {
		fmt.Fprintln(w, indent(c.Diff, "    "))
	}
	fmt.Fprintln(w)
}
