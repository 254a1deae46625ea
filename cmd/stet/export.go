package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/evidence"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// runExport writes a change's or a page's captures, versions and changes
// as a WARC file. The file appears only once it is complete: it is written
// under a temporary name beside it, then renamed.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags("export", e)
	var sf storeFlags
	sf.register(fs)
	change := fs.Int64("change", 0, "export this change's page, with its captures up to the change")
	u := fs.String("url", "", "export every capture of this page")
	var since config.Duration
	fs.TextVar(&since, "since", config.Duration(0), "only captures, versions and changes from within this long (e.g. 24h, 7d); absent or 0: all")
	out := fs.String("o", "", "the WARC file to write, FILE.warc.gz (mode 0600: it may hold cookies the site set)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := firstError(noArgs(pos), checkScope(*change, *u), checkSince(since), checkWARCName(*out)); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sc := evidence.Scope{ChangeID: *change, URL: *u}
	if since > 0 {
		sc.Since = time.Now().Add(-since.D())
	}
	x, err := evidence.Resolve(ctx, st, sc, evidence.Options{Software: "stet/" + version,
		ChangeJSON: func(c storage.Change) any { return web.NewChangeJSON(c) }})
	switch {
	case errors.Is(err, storage.ErrNotFound) && *change != 0:
		return fmt.Errorf("change %d is not in %s", *change, st.Path())
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%s is not tracked in %s", *u, st.Path())
	case err != nil:
		return err
	}
	sum, err := writeExport(ctx, x, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d captures (%d responses), %d versions, %d changes, %d bytes\n",
		*out, sum.Captures, sum.Responses, sum.Versions, sum.Changes, sum.Bytes)
	return nil
}

func checkScope(change int64, u string) error {
	switch {
	case change < 0:
		return fmt.Errorf("%w: -change must be a positive change id; got %d", errUsage, change)
	case (change == 0) == (u == ""):
		return fmt.Errorf("%w: name what to export with either -change ID or -url URL", errUsage)
	}
	return nil
}

func checkWARCName(path string) error {
	if !strings.HasSuffix(path, ".warc.gz") || filepath.Base(path) == ".warc.gz" {
		return fmt.Errorf("%w: -o must name the file to write, ending in .warc.gz; got %q", errUsage, path)
	}
	return nil
}

// writeExport writes x to a temporary file beside path and renames it
// into place once it is complete and synced.
func writeExport(ctx context.Context, x *evidence.Export, path string) (evidence.Summary, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return evidence.Summary{}, fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	defer f.Close()
	w := bufio.NewWriterSize(f, 64<<10)
	sum, err := x.WriteTo(ctx, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return sum, fmt.Errorf("export to %s: %w", path, err)
	}
	return sum, nil
}
