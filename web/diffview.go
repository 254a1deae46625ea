package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stet/stet/diff"
)

// Kinds of paragraphs in the HTML form of a diff; they double as CSS
// classes.
const (
	paraContext = "context" // unchanged, next to a change
	paraGap     = "gap"     // a run of unchanged paragraphs folded away
	paraInsert  = "insert"
	paraDelete  = "delete"
	paraReplace = "replace" // rewritten in place: Spans
	paraMove    = "move"    // moved, with Spans when also edited
)

// Bounds of what one change or comparison page shows. A diff longer than
// partBytes of text, or partParas paragraphs, is shown in parts (?part=N),
// and a paragraph (or a fold of unchanged ones) longer than paraBytes is
// cut, with the full texts one link away; so one page holds at most about
// partBytes+paraBytes of page text, whatever the diff weighs.
const (
	partBytes = 256 << 10
	partParas = 400
	paraBytes = 64 << 10
)

// para is one paragraph of a diff as the pages show it. Its text is page
// text: the templates escape it, and the markup around it comes from Kind
// and the span ops alone, never from the text.
type para struct {
	Kind  string
	Label string // "¶3", "old ¶10", "¶3 → ¶7"; "" for context and gaps
	Text  string // the paragraph, for context, insert, delete and an unedited move
	Spans []span // the edits of a replaced or moved-and-edited paragraph
	Gap   int    // paragraphs folded into a gap
	// Folded holds the text of each paragraph of a gap when all are known
	// (a comparison, or a change whose versions could be read), so that
	// the reader can unfold it; nil otherwise.
	Folded []string
	// Cut says the paragraph, or the fold, is longer than a page shows:
	// its end is left out.
	Cut bool
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
// Result was compacted. With fold, a gap keeps the texts of its
// paragraphs when the Result holds them all.
func diffParas(r diff.Result, fold bool) []para {
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
			out[n-1].Folded = append(out[n-1].Folded, b.New)
			continue
		}
		out = append(out, para{Kind: paraGap, Gap: 1, Folded: []string{b.New}})
	}
	for i := range out {
		p := &out[i]
		if p.Kind == paraGap && (!fold || containsEmpty(p.Folded)) {
			p.Folded = nil
		}
		p.cut(paraBytes)
	}
	return out
}

func containsEmpty(ss []string) bool {
	for _, s := range ss {
		if s == "" {
			return true
		}
	}
	return false
}

func changedPara(b diff.Block) para {
	switch b.Kind {
	case diff.Added:
		return para{Kind: paraInsert, Label: pilcrow(b.NewIndex), Text: b.New}
	case diff.Removed:
		return para{Kind: paraDelete, Label: "old " + pilcrow(b.OldIndex), Text: b.Old}
	case diff.Moved:
		p := para{Kind: paraMove, Label: pilcrow(b.OldIndex) + " → " + pilcrow(b.NewIndex), Spans: spans(b.Spans)}
		if p.Spans == nil {
			p.Text = b.New
		}
		return p
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

// size is the bytes of page text p shows.
func (p para) size() int {
	n := len(p.Text)
	for _, s := range p.Spans {
		n += len(s.Text)
	}
	for _, s := range p.Folded {
		n += len(s)
	}
	return n
}

// cut shortens p to at most limit bytes of text, keeping its start, and
// marks it Cut if anything was left out.
func (p *para) cut(limit int) {
	if p.size() <= limit {
		return
	}
	p.Cut = true
	left := limit
	take := func(s string) (string, bool) {
		if len(s) <= left {
			left -= len(s)
			return s, true
		}
		s = cutUTF8(s, left)
		left = 0
		return s, false
	}
	p.Text, _ = take(p.Text)
	for i := range p.Spans {
		var whole bool
		if p.Spans[i].Text, whole = take(p.Spans[i].Text); !whole {
			p.Spans = p.Spans[:i+1]
			break
		}
	}
	for i := range p.Folded {
		var whole bool
		if p.Folded[i], whole = take(p.Folded[i]); !whole {
			p.Folded = p.Folded[:i+1]
			break
		}
	}
}

// cutUTF8 is the longest prefix of s of at most n bytes that does not
// split a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// splitParas cuts a diff into parts of at most partParas paragraphs and
// about partBytes of text; there is always at least one part.
func splitParas(ps []para) [][]para {
	var parts [][]para
	var cur []para
	size := 0
	for _, p := range ps {
		n := p.size()
		if len(cur) > 0 && (size+n > partBytes || len(cur) >= partParas) {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, p), size+n
	}
	return append(parts, cur)
}

// splitText cuts a stored text diff into parts of at most partBytes, at
// line ends where it can; there is always at least one part.
func splitText(s string) []string {
	var parts []string
	for len(s) > partBytes {
		n := strings.LastIndexByte(s[:partBytes], '\n') + 1
		if n == 0 { // one line longer than a part
			n = len(cutUTF8(s, partBytes))
		}
		parts, s = append(parts, s[:n]), s[n:]
	}
	return append(parts, s)
}

// Views of a diff: the article as reading text with the edits in place,
// or the two versions side by side.
const (
	viewInline = "inline"
	viewSide   = "side"
)

// viewQuery is how a diff page is asked to show its diff.
type viewQuery struct {
	View string // viewInline or viewSide
	Part int    // from 1
}

// parseViewQuery reads ?view= (inline, the default, or side) and ?part=.
func parseViewQuery(q url.Values) (viewQuery, error) {
	vq := viewQuery{View: viewInline, Part: 1}
	switch v := q.Get("view"); v {
	case "", viewInline:
	case viewSide:
		vq.View = viewSide
	default:
		return vq, fmt.Errorf("%w: view must be inline or side, not %q", errBadRequest, v)
	}
	if s := q.Get("part"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return vq, fmt.Errorf("%w: part must be a positive number, not %q", errBadRequest, s)
		}
		vq.Part = n
	}
	return vq, nil
}

// diffDoc is the diff a change or comparison page shows: one part of it,
// in one view, with the links to the other view and the other parts.
type diffDoc struct {
	View      string
	HasBlocks bool   // false: a change stored before schema 4, shown as Legacy
	Changed   bool   // the text differs
	Paras     []para // of this part
	Legacy    string // this part of a stored text diff
	Part      int
	Parts     int
	Tabs      []link
	PartLinks []link // one per part when there are several
	Prev      string // the previous part; "" on the first
	Next      string // the next part; "" on the last
	// OldLabel and NewLabel head the columns of the side-by-side view.
	OldLabel, NewLabel string
}

// link is an entry of a navigation bar.
type link struct {
	Label   string
	Href    string
	Current bool
}

// newDiffDoc picks part vq.Part of paras (or of the legacy text when
// paras is nil and legacy is set) for the page at u. A part beyond the
// last is a bad request.
func newDiffDoc(u *url.URL, vq viewQuery, r diff.Result, hasBlocks bool, legacy string) (diffDoc, error) {
	d := diffDoc{View: vq.View, HasBlocks: hasBlocks, Changed: r.Changed(), Part: vq.Part}
	if hasBlocks {
		parts := splitParas(diffParas(r, true))
		if d.Parts = len(parts); vq.Part <= d.Parts {
			d.Paras = parts[vq.Part-1]
		}
	} else {
		parts := splitText(legacy)
		if d.Parts = len(parts); vq.Part <= d.Parts {
			d.Legacy = parts[vq.Part-1]
		}
	}
	if vq.Part > d.Parts {
		return d, fmt.Errorf("%w: part must be from 1 to %d, not %d", errBadRequest, d.Parts, vq.Part)
	}
	href := func(view string, part int) string {
		q := u.Query()
		q.Del("view")
		q.Del("part")
		if view != viewInline {
			q.Set("view", view)
		}
		if part > 1 {
			q.Set("part", strconv.Itoa(part))
		}
		if len(q) == 0 {
			return u.Path
		}
		return u.Path + "?" + q.Encode()
	}
	d.Tabs = []link{
		{Label: "Reading view", Href: href(viewInline, vq.Part), Current: vq.View == viewInline},
		{Label: "Side by side", Href: href(viewSide, vq.Part), Current: vq.View == viewSide},
	}
	if d.Parts > 1 {
		for i := 1; i <= d.Parts; i++ {
			d.PartLinks = append(d.PartLinks, link{Label: strconv.Itoa(i), Href: href(vq.View, i), Current: i == vq.Part})
		}
		if vq.Part > 1 {
			d.Prev = href(vq.View, vq.Part-1)
		}
		if vq.Part < d.Parts {
			d.Next = href(vq.View, vq.Part+1)
		}
	}
	return d, nil
}

// hydrate fills in the texts Compact dropped from the unchanged blocks of
// a stored Result, from the texts of the two versions it compares, so the
// reading view can show the whole article. It returns r as it is when the
// versions' paragraphs do not match the blocks that kept their text (the
// versions are not the ones compared, or were normalized differently).
func hydrate(r diff.Result, oldText, newText string) diff.Result {
	olds, news := diff.Paragraphs(oldText), diff.Paragraphs(newText)
	at := func(ps []string, i int) (string, bool) {
		if i < 1 || i > len(ps) {
			return "", false
		}
		return ps[i-1], true
	}
	for _, b := range r.Blocks {
		if s, ok := at(olds, b.OldIndex); b.Old != "" && (!ok || s != b.Old) {
			return r
		}
		if s, ok := at(news, b.NewIndex); b.New != "" && (!ok || s != b.New) {
			return r
		}
	}
	out := diff.Result{Blocks: make([]diff.Block, len(r.Blocks))}
	copy(out.Blocks, r.Blocks)
	for i := range out.Blocks {
		b := &out.Blocks[i]
		if b.Kind != diff.Unchanged || b.New != "" {
			continue
		}
		if s, ok := at(news, b.NewIndex); ok {
			b.Old, b.New = s, s
		}
	}
	return out
}

// compacted reports whether Compact dropped the text of some block of r.
func compacted(r diff.Result) bool {
	for _, b := range r.Blocks {
		if b.Kind == diff.Unchanged && b.New == "" && b.Old == "" {
			return true
		}
	}
	return false
}
