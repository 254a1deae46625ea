package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// report is one change as data, and the renderings stored beside it: the
// structured diff, its classes, the readable text and the summary line.
type report struct {
	result  diff.Result
	classes []string
	text    string
	summary string
}

// revert is an earlier version a new text brings back.
type revert struct {
	id        int64
	firstSeen time.Time
}

// makeReport compares old with new. Title and metadata are compared on
// their own; the text through diff. A removal (new.hash == "") lists the
// old text as deleted and carries no classes.
func makeReport(old, new doc, oldLabel, newLabel string, back *revert) report {
	var rp report
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldLabel, newLabel)
	if back != nil {
		fmt.Fprintf(&b, "@@ back to version %d (first seen %s) @@\n", back.id, back.firstSeen.UTC().Format(time.RFC3339))
	}
	var parts []string
	removal := new.hash == ""
	for _, f := range metaFields(old, new) {
		if removal || f.old == f.new {
			continue
		}
		fmt.Fprintf(&b, "@@ %s @@\n- %s\n+ %s\n", f.name, f.old, f.new)
		parts = append(parts, f.name+" changed")
		rp.classes = append(rp.classes, f.class)
	}
	rp.result = diff.Compare(old.text, new.text)
	if rp.result.Changed() {
		u := rp.result.Text(oldLabel, newLabel)
		for range 2 { // the header above covers title and metadata too
			if strings.HasPrefix(u, "--- ") || strings.HasPrefix(u, "+++ ") {
				_, u, _ = strings.Cut(u, "\n")
			}
		}
		b.WriteString(u)
		parts = append(parts, rp.result.Summary().String())
		if !removal {
			rp.classes = append(rp.classes, textClasses(rp.result)...)
		}
	}
	if back != nil {
		rp.classes = append(rp.classes, diff.ClassReverted)
		parts = append([]string{fmt.Sprintf("back to version %d", back.id)}, parts...)
	}
	if !removal && wordsChanged(rp.classes) && !slices.Contains(rp.classes, diff.ClassCorrection) &&
		old.modified.Equal(new.modified) {
		// The body changed, no correction note came with it and the page
		// does not admit to a new modification date.
		rp.classes = append(rp.classes, diff.ClassStealth)
	}
	slices.Sort(rp.classes)
	rp.classes = slices.Compact(rp.classes)
	if rp.classes == nil {
		rp.classes = []string{}
	}
	if len(parts) == 0 {
		rp.summary = "text unchanged"
		return rp
	}
	rp.text, rp.summary = b.String(), strings.Join(parts, "; ")
	return rp
}

// metaField is one compared piece of a version's metadata.
type metaField struct{ name, class, old, new string }

func metaFields(old, new doc) []metaField {
	return []metaField{
		{"title", diff.ClassTitle, old.title, new.title},
		{"byline", diff.ClassByline, old.byline, new.byline},
		{"published", diff.ClassPublished, fmtDate(old.published), fmtDate(new.published)},
		{"modified", diff.ClassModified, fmtDate(old.modified), fmtDate(new.modified)},
	}
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}

// blocksJSON is what storage keeps of the structured diff.
func (rp report) blocksJSON() []byte {
	b, err := json.Marshal(rp.result.Compact()) // what every renderer needs, not every unchanged paragraph
	if err != nil {
		return nil
	}
	return b
}

// history is what a page's earlier versions say about a new text.
type history struct {
	back      *revert  // the text is an earlier version's, not the latest's
	reverts   int      // reverts within the flap window, this one included
	windowSet []string // text hashes shown within the flap window, this one included
	firstIDs  map[string]int64
}

// readHistory judges a new text (hash) against the page's recent versions
// (RecentVersions: those in the window and the latest) and the first
// version that had the same text, if any.
func readHistory(recent []storage.VersionStat, first *storage.VersionStat, hash string, since time.Time) history {
	h := history{firstIDs: map[string]int64{}}
	for _, v := range recent {
		if v.FirstID < v.ID && !v.CreatedAt.Before(since) {
			h.reverts++
		}
		h.firstIDs[v.TextHash] = v.FirstID
		h.windowSet = append(h.windowSet, v.TextHash)
	}
	if first != nil && len(recent) > 0 && recent[len(recent)-1].TextHash != hash {
		h.back = &revert{id: first.ID, firstSeen: first.CreatedAt}
		h.firstIDs[hash] = first.ID
		h.reverts++
	}
	h.windowSet = append(h.windowSet, hash)
	slices.Sort(h.windowSet)
	h.windowSet = slices.Compact(h.windowSet)
	return h
}

// setIDs names the versions of a flap set: the first version of each text.
func (h history) setIDs(set []string) []int64 {
	var ids []int64
	for _, hash := range set {
		if id := h.firstIDs[hash]; id != 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// addEdit reports a new text of the page: an ordinary change, a revert to
// an earlier version, the start of flapping, or (inside a flapping page's
// set of texts) a suppressed change.
func (c *pageCheck) addEdit(ctx context.Context, kind string, old, new doc) error {
	cc := c.d.cfg.Changes
	since := c.now.Add(-cc.FlapWindow.D())
	recent, err := c.d.store.RecentVersions(ctx, c.page.ID, since)
	if err != nil {
		return err
	}
	var first *storage.VersionStat
	if f, err := c.d.store.FirstVersionWithHash(ctx, c.page.ID, new.hash); err == nil {
		first = &f
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	h := readHistory(recent, first, new.hash, since)
	p := &c.page
	flapping := !p.FlappingSince.IsZero()
	switch {
	case flapping && slices.Contains(p.FlapSet, new.hash):
		c.addChange(kind, old, new, h.back)
		c.change.Suppressed = true
	case flapping:
		p.FlappingSince, p.FlapSet = time.Time{}, nil // a text outside the set: an ordinary change
		c.addChange(kind, old, new, h.back)
	case h.back != nil && h.reverts >= cc.FlapAfter && kind == storage.ChangeChanged:
		p.FlappingSince, p.FlapSet = c.now, h.windowSet
		c.addChange(storage.ChangeFlapping, old, new, h.back)
		c.change.Versions = h.setIDs(h.windowSet)
		c.change.Summary = fmt.Sprintf("flapping among versions %s; %s", joinIDs(c.change.Versions), c.change.Summary)
	default:
		c.addChange(kind, old, new, h.back)
	}
	c.res.Summary = c.change.Summary
	return nil
}

// settled reports whether a flapping page has now held its latest text for
// the whole flap window, which ends the flapping.
func (c *pageCheck) settled() bool {
	p := &c.page
	if p.FlappingSince.IsZero() || c.prev == nil || c.now.Sub(c.prev.CreatedAt) < c.d.cfg.Changes.FlapWindow.D() {
		return false
	}
	p.FlappingSince, p.FlapSet = time.Time{}, nil
	return true
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// textClasses is diff's classes of the text, except that a paragraph added
// only to carry a correction note counts as the correction, not as added
// text: "Correction: an earlier version said 12" is the note, not news.
func textClasses(r diff.Result) []string {
	cls := r.Classes()
	if !slices.Contains(cls, diff.ClassAdded) {
		return cls
	}
	for _, b := range r.Blocks {
		if b.Kind == diff.Added && !diff.HasCorrection(b.New) {
			return cls
		}
	}
	return slices.DeleteFunc(cls, func(c string) bool { return c == diff.ClassAdded })
}

// wordsChanged reports whether the text classes say words changed, not
// only places: a paragraph moved unchanged is not a stealth edit.
func wordsChanged(classes []string) bool {
	return slices.ContainsFunc(classes, func(c string) bool {
		switch c {
		case diff.ClassNumber, diff.ClassQuote, diff.ClassAdded, diff.ClassRemoved, diff.ClassWording:
			return true
		}
		return false
	})
}
