package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
)

type versionJSON struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Hash      string    `json:"hash"`
	Title     string    `json:"title"`
	Byline    string    `json:"byline,omitempty"`
	Extractor string    `json:"extractor"`
	Chars     int       `json:"chars"`
}

func pageOf(ctx context.Context, st *storage.Store, u string) (storage.Page, error) {
	p, err := st.PageByURL(ctx, u)
	if errors.Is(err, storage.ErrNotFound) {
		return p, fmt.Errorf("%s is not tracked in %s", u, st.Path())
	}
	return p, err
}

func runHistory(ctx context.Context, e *env, args []string) error {
	fs := newFlags("history", e)
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per version")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want exactly one URL", errUsage)
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := pageOf(ctx, st, pos[0])
	if err != nil {
		return err
	}
	vs, err := st.Versions(ctx, p.ID)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if !*asJSON {
		fmt.Fprintf(e.stdout, "%s\n%d versions; last check %s: %s%s\n", p.URL, len(vs),
			fmtWhen(p.LastCheckedAt), orDash(p.LastClass), removedNote(p))
	}
	for _, v := range vs {
		if *asJSON {
			if err := enc.Encode(versionJSON{ID: v.ID, URL: p.URL, CreatedAt: v.CreatedAt.UTC(), Hash: v.TextHash,
				Title: v.Title, Byline: v.Byline, Extractor: v.Extractor, Chars: len([]rune(v.Text))}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(e.stdout, "  v%-5d %s  %s  %6d chars  %q\n", v.ID, v.CreatedAt.Local().Format("2006-01-02 15:04:05"),
			v.TextHash[:12], len([]rune(v.Text)), v.Title)
	}
	return nil
}

func removedNote(p storage.Page) string {
	if p.Removed {
		return " (removed)"
	}
	return ""
}

func fmtWhen(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func runDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlags("diff", e)
	var sf storeFlags
	sf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 && len(pos) != 3 {
		return fmt.Errorf("%w: want URL, or URL and two version ids", errUsage)
	}
	var ids []int64
	for _, s := range pos[1:] {
		id, err := versionNumber(s)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := pageOf(ctx, st, pos[0])
	if err != nil {
		return err
	}
	var a, b storage.Version
	if len(ids) == 2 {
		if a, err = versionOf(ctx, st, p, ids[0]); err != nil {
			return err
		}
		if b, err = versionOf(ctx, st, p, ids[1]); err != nil {
			return err
		}
	} else {
		vs, err := st.Versions(ctx, p.ID)
		if err != nil {
			return err
		}
		if len(vs) < 2 {
			return fmt.Errorf("%s has %d version(s); nothing to compare", p.URL, len(vs))
		}
		a, b = vs[len(vs)-2], vs[len(vs)-1]
	}
	d, summary := daemon.VersionDiff(a, b)
	fmt.Fprintf(e.stdout, "%s\n%s\n", p.URL, summary)
	if d != "" {
		fmt.Fprintln(e.stdout, d)
	}
	return nil
}

func versionOf(ctx context.Context, st *storage.Store, p storage.Page, id int64) (storage.Version, error) {
	v, err := st.Version(ctx, id)
	if err != nil {
		return v, fmt.Errorf("version %d: %w", id, err)
	}
	if v.PageID != p.ID {
		return v, fmt.Errorf("version %d belongs to another page", id)
	}
	return v, nil
}
