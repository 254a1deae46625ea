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

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

// versionJSON is one version as `stet history -json` prints it, with the
// change that introduced it and the changes that stored no version while it
// was the page's latest (removals, restorations of the same text,
// settling).
type versionJSON struct {
	ID           int64            `json:"id"`
	URL          string           `json:"url"`
	CreatedAt    time.Time        `json:"created_at"`
	Hash         string           `json:"hash"`
	Title        string           `json:"title"`
	Byline       string           `json:"byline,omitempty"`
	Extractor    string           `json:"extractor"`
	Chars        int              `json:"chars"`
	IntroducedBy *web.ChangeJSON  `json:"introduced_by"` // null for a first version
	Events       []web.ChangeJSON `json:"events"`
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
	tl, err := readTimeline(ctx, st, p)
	if err != nil {
		return err
	}
	if *asJSON {
		return printTimelineJSON(ctx, e.stdout, st, p, tl)
	}
	fmt.Fprintf(e.stdout, "%s\n%d versions; last check %s: %s%s\n", p.URL, len(tl), fmtWhen(p.LastCheckedAt),
		orDash(p.LastClass), removedNote(p))
	for _, en := range tl {
		printEntry(e.stdout, en)
	}
	return nil
}

// entry is one version of a page's timeline and the changes against it.
type entry struct {
	v          storage.VersionHead // without its text (Extractor filled in)
	chars      int                 // of its text
	introduced *web.Report         // the change that stored v; nil for a first version
	events     []web.Report        // changes that stored no version while v was the latest
}

// allVersions is more versions than any page has: readTimeline lists them
// all, without their texts.
const allVersions = 1 << 30

// readTimeline lists the page's versions, oldest first, each with the
// change that introduced it (suppressed ones included). Every other change
// (a removal, a restoration or settling that stored no version) follows
// the version it names, its new one if any, so no change of the page is
// left out. It holds no text and no diff, so a long history of a large
// page costs a few hundred bytes per entry.
func readTimeline(ctx context.Context, st *storage.Store, p storage.Page) ([]entry, error) {
	vs, err := st.PageVersions(ctx, p.ID, 0, allVersions)
	if err != nil {
		return nil, err
	}
	slices.Reverse(vs) // oldest first
	info, err := st.VersionTextInfo(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	hs, err := st.ChangeHeads(ctx, storage.ChangeFilter{PageID: p.ID, WithSuppressed: true}, 0)
	if err != nil {
		return nil, err
	}
	slices.Reverse(hs) // oldest first
	rs, err := web.HeadReports(ctx, st, hs)
	if err != nil {
		return nil, err
	}
	tl := make([]entry, len(vs))
	at := make(map[int64]int, len(vs))
	for i, v := range vs {
		v.Extractor = info[v.ID].Extractor
		tl[i].v, tl[i].chars, at[v.ID] = v, info[v.ID].Chars, i
	}
	for _, r := range rs {
		c := r.Change
		if i, ok := at[c.NewVersionID]; ok && c.NewVersionID != c.OldVersionID && tl[i].introduced == nil {
			tl[i].introduced = &r
			continue
		}
		i, ok := at[c.NewVersionID]
		if !ok {
			i, ok = at[c.OldVersionID]
		}
		if !ok {
			i = latestAt(vs, c.DetectedAt)
		}
		if i >= 0 {
			tl[i].events = append(tl[i].events, r)
		}
	}
	return tl, nil
}

// latestAt is the index of the last version stored at or before t, else
// of the first version; -1 when there are none.
func latestAt(vs []storage.VersionHead, t time.Time) int {
	i := 0
	for k, v := range vs {
		if !v.CreatedAt.After(t) {
			i = k
		}
	}
	if len(vs) == 0 {
		return -1
	}
	return i
}

func printEntry(w io.Writer, en entry) {
	v := en.v
	fmt.Fprintf(w, "  v%-5d %s  %s  %6d chars  %q\n", v.ID, v.CreatedAt.Local().Format(timeLayout),
		short(v.TextHash), en.chars, v.Title)
	if en.introduced != nil {
		fmt.Fprintf(w, "           by #%d %s\n", en.introduced.Change.ID, describe(*en.introduced))
	}
	for _, r := range en.events {
		fmt.Fprintf(w, "  %-6s %s  %s\n", "#"+strconv.FormatInt(r.Change.ID, 10),
			r.Change.DetectedAt.Local().Format(timeLayout), describe(r))
	}
}

// describe is a change in one line of a timeline: its kind (or the note
// that starts with it: "flapping among versions 1, 2"), classes, and the
// other notes.
func describe(r web.Report) string {
	c := r.Change
	head, rest := c.Kind, []string{}
	for _, n := range notes(r) {
		if strings.HasPrefix(n, c.Kind+" ") {
			head = n
			continue
		}
		rest = append(rest, n)
	}
	if len(c.Classes) > 0 {
		head += " [" + strings.Join(c.Classes, ", ") + "]"
	}
	return strings.Join(append([]string{head}, rest...), "; ")
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// printTimelineJSON prints one line per version. Each change is read
// whole (with its diff) as its line is written, and no sooner, so one
// change at a time is held.
func printTimelineJSON(ctx context.Context, w io.Writer, st *storage.Store, p storage.Page, tl []entry) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	full := func(r web.Report) (web.ChangeJSON, error) {
		c, err := st.Change(ctx, r.Change.ID)
		if err != nil {
			return web.ChangeJSON{}, err
		}
		return web.NewChangeJSON(c), nil
	}
	for _, en := range tl {
		v := en.v
		j := versionJSON{ID: v.ID, URL: p.URL, CreatedAt: v.CreatedAt.UTC(), Hash: v.TextHash, Title: v.Title,
			Byline: v.Byline, Extractor: v.Extractor, Chars: en.chars, Events: []web.ChangeJSON{}}
		if en.introduced != nil {
			c, err := full(*en.introduced)
			if err != nil {
				return err
			}
			j.IntroducedBy = &c
		}
		for _, r := range en.events {
			c, err := full(r)
			if err != nil {
				return err
			}
			j.Events = append(j.Events, c)
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
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
