package web

import (
	"strconv"

	"github.com/stet/stet/diff"
)

// Kinds of paragraphs in the HTML form of a diff; they double as CSS
// classes.
const (
	paraContext = "context" // unchanged, next to a change
	paraGap     = "gap"     // a run of unchanged paragraphs not shown
	paraInsert  = "insert"
	paraDelete  = "delete"
	paraReplace = "replace" // rewritten in place: Spans
	paraMove    = "move"    // moved, with Spans when also edited
)

// para is one paragraph of a diff as the change page shows it. Its text is
// page text: the template escapes it, and the markup around it comes from
// Kind and the span ops alone, never from the text.
type para struct {
	Kind  string
	Label string // "¶3", "old ¶10", "¶3 → ¶7"; "" for context and gaps
	Text  string // the paragraph, for context, insert, delete and an unedited move
	Spans []span // the edits of a replaced or moved-and-edited paragraph
	Gap   int    // paragraphs folded into a gap
}

// span is a run of a replaced or moved paragraph: unchanged text (Op ""),
// or text deleted ("del") or inserted ("ins").
type span struct {
	Op, Text string
}

// diffParas lays out r for HTML in reading order of the new version, each
// removed paragraph at its old place: changed paragraphs, the unchanged
// paragraph on each side of a change as context, and every longer run of
// unchanged paragraphs folded into one gap, whether or not the stored
// Result was compacted.
func diffParas(r diff.Result) []para {
	var out []para
	bs := r.Blocks
	for i, b := range bs {
		if b.Kind != diff.Unchanged {
			out = append(out, changedPara(b))
			continue
		}
		near := i > 0 && bs[i-1].Kind != diff.Unchanged || i+1 < len(bs) && bs[i+1].Kind != diff.Unchanged
		if near && b.New != "" {
			out = append(out, para{Kind: paraContext, Text: b.New})
			continue
		}
		if n := len(out); n > 0 && out[n-1].Kind == paraGap {
			out[n-1].Gap++
			continue
		}
		out = append(out, para{Kind: paraGap, Gap: 1})
	}
	return out
}

func changedPara(b diff.Block) para {
	switch b.Kind {
	case diff.Added:
		return para{Kind: paraInsert, Label: pilcrow(b.NewIndex), Text: b.New}
	case diff.Removed:
		return para{Kind: paraDelete, Label: "old " + pilcrow(b.OldIndex), Text: b.Old}
	case diff.Moved:
		return para{Kind: paraMove, Label: pilcrow(b.OldIndex) + " → " + pilcrow(b.NewIndex), Text: b.New, Spans: spans(b.Spans)}
	}
	p := para{Kind: paraReplace, Label: pilcrow(b.NewIndex), Spans: spans(b.Spans)}
	if p.Spans == nil { // a replace without a word diff: show both forms whole
		p.Spans = []span{{Op: "del", Text: b.Old}, {Op: "ins", Text: b.New}}
	}
	return p
}

func spans(ss []diff.Span) []span {
	if ss == nil {
		return nil
	}
	out := make([]span, 0, len(ss))
	for _, s := range ss {
		var op string
		switch s.Op {
		case diff.Delete:
			op = "del"
		case diff.Insert:
			op = "ins"
		}
		out = append(out, span{Op: op, Text: s.Text})
	}
	return out
}

func pilcrow(i int) string {
	if i <= 0 {
		return "¶?"
	}
	return "¶" + strconv.Itoa(i)
}
