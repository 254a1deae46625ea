package diff

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Rendering limits, in runes.
const (
	contextRunes = 160 // of a context paragraph shown around a hunk
	spanRunes    = 80  // of unchanged text kept on each side of an edit on a ~ line
)

// Unified renders the changes as readable text, or "" when nothing changed:
//
//	--- oldLabel
//	+++ newLabel
//	@@ ¶7 @@
//	  …end of the paragraph before
//	- old text of paragraph 7
//	+ new text of paragraph 7
//	~ unchanged words [-removed-]{+added+} unchanged words…
//	  start of the paragraph after…
//
// Each hunk shows one unchanged paragraph of context on each side, shortened
// to its end (before) or start (after). "-" and "+" lines carry whole
// paragraphs; the "~" line of a rewritten paragraph marks the edits and
// shortens long unchanged stretches with "…". Hunk headers number
// paragraphs in the new version ("¶7", "¶7–9"); a hunk that only removes
// paragraphs has no new paragraph to point at, so its header uses the old
// numbering ("old ¶7").
func (r Result) Unified(oldLabel, newLabel string) string {
	if !r.Changed() {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldLabel, newLabel)
	for _, h := range r.hunks() {
		r.writeHunk(&b, h[0], h[1])
	}
	return b.String()
}

// Inline renders one "~ " line per changed paragraph, with edits marked
// [-like this-]{+and this+}; added and removed paragraphs appear wholly
// marked. It is "" when nothing changed.
func (r Result) Inline() string {
	var b strings.Builder
	for _, bl := range r.Blocks {
		if bl.Kind != Unchanged {
			b.WriteString("~ " + marked(bl) + "\n")
		}
	}
	return b.String()
}

// hunks returns [first, last] block ranges, each a run of changes plus one
// unchanged paragraph of context on each side; ranges that would touch or
// overlap are joined.
func (r Result) hunks() [][2]int {
	var hs [][2]int
	last := len(r.Blocks) - 1
	for i, bl := range r.Blocks {
		if bl.Kind == Unchanged {
			continue
		}
		lo, hi := max(i-1, 0), min(i+1, last)
		if n := len(hs); n > 0 && lo <= hs[n-1][1]+1 {
			hs[n-1][1] = hi
			continue
		}
		hs = append(hs, [2]int{lo, hi})
	}
	return hs
}

func (r Result) writeHunk(b *strings.Builder, lo, hi int) {
	fmt.Fprintf(b, "@@ %s @@\n", r.hunkHeader(lo, hi))
	for i := lo; i <= hi; i++ {
		bl := r.Blocks[i]
		switch bl.Kind {
		case Unchanged:
			text := head(bl.New, contextRunes)
			if i == lo && lo < hi {
				text = tail(bl.New, contextRunes)
			}
			b.WriteString("  " + text + "\n")
		case Removed:
			b.WriteString("- " + bl.Old + "\n")
		case Added:
			b.WriteString("+ " + bl.New + "\n")
		case Modified:
			b.WriteString("- " + bl.Old + "\n+ " + bl.New + "\n~ " + marked(bl) + "\n")
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
		return paraRange(newIdx[0], newIdx[len(newIdx)-1])
	}
	return "old " + paraRange(oldIdx[0], oldIdx[len(oldIdx)-1])
}

func paraRange(first, last int) string {
	if first == last {
		return fmt.Sprintf("¶%d", first)
	}
	return fmt.Sprintf("¶%d–%d", first, last)
}

// marked renders a changed block with its edits marked, shortening long
// unchanged stretches.
func marked(bl Block) string {
	switch bl.Kind {
	case Added:
		return "{+" + bl.New + "+}"
	case Removed:
		return "[-" + bl.Old + "-]"
	}
	var b strings.Builder
	for i, s := range bl.Spans {
		switch s.Op {
		case Delete:
			b.WriteString("[-" + s.Text + "-]")
		case Insert:
			b.WriteString("{+" + s.Text + "+}")
		default:
			b.WriteString(elide(s.Text, i == 0, i == len(bl.Spans)-1))
		}
	}
	return b.String()
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
