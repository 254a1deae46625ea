package diff

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rendering limits, in runes.
const (
	contextRunes = 160 // of a context paragraph shown around a hunk
	spanRunes    = 80  // of unchanged text kept on each side of an edit on a ~ line
)

// Text renders the changes for people, or "" when nothing changed, in the
// format the package documentation describes: hunks of changed paragraphs,
// each with one unchanged paragraph of context on each side (shortened to
// its end before the hunk and its start after it), every moved paragraph
// in a hunk of its own. Page text on "~" lines is escaped, so the report
// is unambiguous whatever the page says. Line breaks in the labels become
// spaces.
func (r Result) Text(oldLabel, newLabel string) string {
	return r.render(oldLabel, newLabel, textStyle)
}

// Unified renders the changes in the format stet used before Text: the
// same hunks, but a moved paragraph appears as a "-" and a "+" line (and a
// "~" line if edited) inside the hunk at its new place, and "~" lines are
// not escaped, so page text containing "[-", "-]", "{+" or "+}" reads as
// marks. It is kept only until its callers render Text or the Result
// itself; new code should use Text.
func (r Result) Unified(oldLabel, newLabel string) string {
	return r.render(oldLabel, newLabel, unifiedStyle)
}

// Inline renders one "~ " line per changed paragraph, in reading order,
// with edits marked and escaped as on Text's "~" lines; added and removed
// paragraphs appear wholly marked, and a paragraph that moved unchanged
// appears unmarked. It is "" when nothing changed.
func (r Result) Inline() string {
	var b strings.Builder
	for _, bl := range r.Blocks {
		if bl.Kind != Unchanged {
			b.WriteString("~ " + marked(bl, textStyle) + "\n")
		}
	}
	return b.String()
}

// style says how a report is rendered.
type style struct {
	escape     bool // escape page text on "~" lines
	shorten    bool // shorten long unchanged stretches on "~" lines
	splitMoves bool // give each Moved block a hunk and an "=" line
}

var (
	textStyle    = style{escape: true, shorten: true, splitMoves: true}
	unifiedStyle = style{shorten: true}
)

func (r Result) render(oldLabel, newLabel string, st style) string {
	if !r.Changed() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oneLine(oldLabel), oneLine(newLabel))
	for _, h := range r.hunks(st.splitMoves) {
		r.writeHunk(&b, h, st)
	}
	return b.String()
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// hunk is a run of blocks shown together: changes and their context.
type hunk struct {
	lo, hi int  // first and last block
	move   bool // one Moved block and its context
}

// hunks returns the runs of changed blocks, each with the unchanged block
// on each side as context; runs that would touch or overlap are joined,
// except that with splitMoves each Moved block is a hunk of its own.
func (r Result) hunks(splitMoves bool) []hunk {
	var hs []hunk
	unchanged := func(i int) bool { return i >= 0 && i < len(r.Blocks) && r.Blocks[i].Kind == Unchanged }
	for i, bl := range r.Blocks {
		if bl.Kind == Unchanged {
			continue
		}
		h := hunk{lo: i, hi: i, move: splitMoves && bl.Kind == Moved}
		if unchanged(i - 1) {
			h.lo = i - 1
		}
		if unchanged(i + 1) {
			h.hi = i + 1
		}
		if n := len(hs); n > 0 && !h.move && !hs[n-1].move && h.lo <= hs[n-1].hi+1 {
			hs[n-1].hi = h.hi
			continue
		}
		hs = append(hs, h)
	}
	return hs
}

func (r Result) writeHunk(b *strings.Builder, h hunk, st style) {
	if h.move {
		bl := r.Blocks[h.lo]
		if bl.Kind != Moved {
			bl = r.Blocks[h.lo+1]
		}
		fmt.Fprintf(b, "@@ ¶%d → ¶%d moved @@\n", bl.OldIndex, bl.NewIndex)
	} else {
		fmt.Fprintf(b, "@@ %s @@\n", r.hunkHeader(h.lo, h.hi))
	}
	for i := h.lo; i <= h.hi; i++ {
		bl := r.Blocks[i]
		switch {
		case bl.Kind == Unchanged:
			text := head(bl.New, contextRunes)
			if i == h.lo && h.lo < h.hi {
				text = tail(bl.New, contextRunes)
			}
			b.WriteString("  " + text + "\n")
		case bl.Kind == Removed:
			b.WriteString("- " + bl.Old + "\n")
		case bl.Kind == Added:
			b.WriteString("+ " + bl.New + "\n")
		case bl.Kind == Moved && bl.Spans == nil && st.splitMoves:
			b.WriteString("= " + bl.New + "\n")
		case bl.Spans == nil: // moved unchanged, in the Unified format
			b.WriteString("- " + bl.Old + "\n+ " + bl.New + "\n")
		default:
			b.WriteString("- " + bl.Old + "\n+ " + bl.New + "\n~ " + marked(bl, st) + "\n")
		}
	}
}

// hunkHeader names the changed paragraphs of a hunk by their numbers in the
// new version, or in the old one when the hunk only removes paragraphs.
func (r Result) hunkHeader(lo, hi int) string {
	var newIdx, oldIdx []int
	for _, bl := range r.Blocks[lo : hi+1] {
		if bl.Kind == Unchanged {
			continue
		}
		if bl.NewIndex > 0 {
			newIdx = append(newIdx, bl.NewIndex)
		}
		oldIdx = append(oldIdx, bl.OldIndex)
	}
	if len(newIdx) > 0 {
		return paraRange(slices.Min(newIdx), slices.Max(newIdx))
	}
	return "old " + paraRange(oldIdx[0], oldIdx[len(oldIdx)-1])
}

func paraRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("¶%d", first)
	}
	return fmt.Sprintf("¶%d–%d", first, last)
}

// marked renders a changed block with its edits marked: [-deleted-] and
// {+inserted+}, page text escaped and long unchanged stretches shortened
// as st says.
func marked(bl Block, st style) string {
	esc := func(s string) string { return s }
	if st.escape {
		esc = escapeMarks
	}
	switch bl.Kind {
	case Added:
		return "{+" + esc(bl.New) + "+}"
	case Removed:
		return "[-" + esc(bl.Old) + "-]"
	}
	if bl.Spans == nil {
		return esc(bl.New)
	}
	var b strings.Builder
	for i, s := range bl.Spans {
		switch s.Op {
		case Delete:
			b.WriteString("[-" + esc(s.Text) + "-]")
		case Insert:
			b.WriteString("{+" + esc(s.Text) + "+}")
		default:
			text := s.Text
			if st.shorten {
				text = elide(text, i == 0, i == len(bl.Spans)-1)
			}
			b.WriteString(esc(text))
		}
	}
	return b.String()
}

// escapeMarks puts a backslash before every backslash in s and before the
// first byte of every "[-", "-]", "{+" and "+}", overlapping ones
// included, so that no mark can be read out of page text.
func escapeMarks(s string) string {
	if !needsEscape(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || i+1 < len(s) && isMark(s[i], s[i+1]) {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

func needsEscape(s string) bool {
	return strings.IndexByte(s, '\\') >= 0 || strings.Contains(s, "[-") || strings.Contains(s, "-]") ||
		strings.Contains(s, "{+") || strings.Contains(s, "+}")
}

// isMark reports whether the bytes x, y open or close a mark.
func isMark(x, y byte) bool {
	return x == '[' && y == '-' || x == '-' && y == ']' || x == '{' && y == '+' || x == '+' && y == '}'
}

// elide shortens a long unchanged stretch to the spanRunes nearest the
// edits around it: its end when it opens the paragraph, its start when it
// closes it, both ends in between. Stretches only a little too long stay
// whole: cutting them would hide more than it saves.
func elide(s string, first, last bool) string {
	switch n := utf8.RuneCountInString(s); {
	case first && last:
		return s
	case first && n > spanRunes+spanRunes/2:
		return tail(s, spanRunes)
	case last && n > spanRunes+spanRunes/2:
		return head(s, spanRunes)
	case !first && !last && n > 3*spanRunes:
		return head(s, spanRunes) + " " + tail(s, spanRunes)
	}
	return s
}

// head returns about the first n runes of s followed by "…", cut at a space
// when one is near, or s itself when it is short.
func head(s string, n int) string {
	cut, ok := runeOffset(s, n)
	if !ok {
		return s
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// tail returns "…" followed by about the last n runes of s, cut at a space
// when one is near, or s itself when it is short.
func tail(s string, n int) string {
	cut, ok := runeOffset(s, utf8.RuneCountInString(s)-n)
	if !ok || cut == 0 {
		return s
	}
	if sp := strings.IndexByte(s[cut:], ' '); sp >= 0 && sp < (len(s)-cut)/2 {
		cut += sp
	}
	return "…" + strings.TrimLeft(s[cut:], " ")
}

// runeOffset returns the byte offset of rune n of s; ok is false when s has
// n runes or fewer, or n is not positive.
func runeOffset(s string, n int) (int, bool) {
	if n <= 0 {
		return 0, false
	}
	i := 0
	for off := range s {
		if i == n {
			return off, true
		}
		i++
	}
	return 0, false
}
