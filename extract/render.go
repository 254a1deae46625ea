package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxDepth bounds every recursive walk of the tree. x/net/html refuses
// documents nested deeper than 512 elements; this keeps the bound explicit
// for trees built by other means.
const maxDepth = 512

// brkLevel is the separator owed before the next piece of text.
type brkLevel int

const (
	brkNone  brkLevel = iota
	brkSpace          // inline whitespace
	brkCell           // between table cells: " | "
	brkLine           // new line in the same paragraph: list items, table rows
	brkPara           // new paragraph: "\n\n"
)

// textWriter renders nodes as plain text: paragraphs separated by a blank
// line, list items as "- item" lines, data-table rows as "a | b" lines.
// Separators are only written between two pieces of text, so empty elements
// leave no trace.
type textWriter struct {
	sb      strings.Builder
	pending brkLevel
	prefix  string // written at the start of the next line, e.g. "- "
	line    int    // >0 inside a list item or table row: blocks become spaces
	pre     int    // >0 inside <pre>: whitespace is kept
	tables  []bool // per open table: true when it is a data table
}

// String returns the text written so far.
func (w *textWriter) String() string { return w.sb.String() }

func (w *textWriter) brk(l brkLevel) {
	if l > w.pending {
		w.pending = l
	}
}

// block is the break around a block element: a paragraph, or only a space
// inside a list item or table row.
func (w *textWriter) block() {
	if w.line > 0 {
		w.brk(brkSpace)
		return
	}
	w.brk(brkPara)
}

func (w *textWriter) write(s string) {
	if w.sb.Len() > 0 {
		switch w.pending {
		case brkSpace:
			w.sb.WriteByte(' ')
		case brkCell:
			w.sb.WriteString(" | ")
		case brkLine:
			w.sb.WriteByte('\n')
		case brkPara:
			w.sb.WriteString("\n\n")
		}
	}
	if w.prefix != "" && (w.sb.Len() == 0 || w.pending >= brkLine) {
		w.sb.WriteString(w.prefix)
	}
	w.prefix = ""
	w.pending = brkNone
	w.sb.WriteString(s)
}

// text writes a text node, collapsing whitespace outside <pre>.
func (w *textWriter) text(s string) {
	if w.pre > 0 {
		s = strings.Trim(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
		if strings.TrimSpace(s) != "" {
			w.write(s)
		}
		return
	}
	t := collapse(s)
	if t == "" {
		if s != "" {
			w.brk(brkSpace)
		}
		return
	}
	if t[0] != s[0] {
		w.brk(brkSpace)
	}
	w.write(t)
	if t[len(t)-1] != s[len(s)-1] {
		w.brk(brkSpace)
	}
}

// render writes n and its descendants, leaving out any node skip reports.
func (w *textWriter) render(n *html.Node, skip func(*html.Node) bool) {
	w.node(n, skip, 0)
}

func (w *textWriter) node(n *html.Node, skip func(*html.Node) bool, depth int) {
	if depth > maxDepth || (skip != nil && skip(n)) {
		if n.Type == html.ElementNode {
			w.brk(brkSpace) // the left-out element kept the words around it apart
		}
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode, html.DocumentNode:
	default:
		return
	}
	if droppedTags[n.DataAtom] {
		return
	}
	after := w.open(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, skip, depth+1)
	}
	w.close(after)
}

// closer is what to write after an element's children.
type closer int

const (
	closeNone  closer = iota
	closeBlock        // the break around a block
	closeItem         // end of a list item
	closeLine         // a line break after a nested list
	closeRow          // end of a data-table row
	closePre
	closeTable
	closeCell
)

// open writes what comes before n's children and returns what comes after.
func (w *textWriter) open(n *html.Node) closer {
	switch n.DataAtom {
	case atom.Br:
		if w.line > 0 {
			w.brk(brkSpace)
		} else {
			w.brk(brkLine)
		}
	case atom.Hr:
		w.brk(brkPara)
	case atom.Li, atom.Dt, atom.Dd:
		w.item(n)
		return closeItem
	case atom.Ul, atom.Ol, atom.Dl:
		if w.line > 0 {
			w.brk(brkLine)
			return closeLine
		}
	case atom.Pre:
		w.block()
		w.pre++
		return closePre
	case atom.Table:
		w.block()
		w.tables = append(w.tables, isDataTable(n))
		return closeTable
	case atom.Tr:
		if w.inDataTable() {
			w.brk(brkLine)
			w.line++
			return closeRow
		}
	case atom.Td, atom.Th:
		if w.inDataTable() {
			w.brk(brkCell)
			return closeCell
		}
	}
	if blockTags[n.DataAtom] {
		w.block()
		return closeBlock
	}
	return closeNone
}

// close writes what open said comes after an element's children.
func (w *textWriter) close(c closer) {
	switch c {
	case closeBlock:
		w.block()
	case closeItem:
		w.line--
		w.prefix = ""
		w.brk(brkLine)
	case closeLine:
		w.brk(brkLine)
	case closeRow:
		w.line--
		w.brk(brkLine)
	case closePre:
		w.pre--
		w.block()
	case closeTable:
		w.tables = w.tables[:len(w.tables)-1]
		w.block()
	case closeCell:
		w.brk(brkCell)
	}
}

// item opens a list item: a new line starting with "- ".
func (w *textWriter) item(n *html.Node) {
	w.brk(brkLine)
	if n.DataAtom == atom.Li {
		w.prefix = "- "
	}
	w.line++
}

func (w *textWriter) inDataTable() bool {
	return len(w.tables) > 0 && w.tables[len(w.tables)-1]
}

// isDataTable tells a table of data (rendered row by row) from a table used
// for page layout (rendered as blocks): layout tables nest tables or blocks,
// or hold long cells.
func isDataTable(t *html.Node) bool {
	data := true
	rows := 0
	walk(t, func(n *html.Node, depth int) bool {
		if !data || n == t || n.Type != html.ElementNode {
			return data
		}
		switch {
		case n.DataAtom == atom.Table, layoutInTable[n.DataAtom]:
			data = false
		case n.DataAtom == atom.Tr:
			rows++
		case n.DataAtom == atom.Td || n.DataAtom == atom.Th:
			if textLen(n) > 300 {
				data = false
			}
		}
		return data
	})
	return data && rows > 0
}

// collapse replaces runs of whitespace (including NBSP and ideographic
// space) with one space and trims the ends. It also drops invisible
// characters: a CMS re-hyphenating a paragraph (soft hyphens) or a
// template inserting zero-width spaces is not an edit of the text.
//
// It gives what strings.Join(strings.Fields(s), " ") gives, in one pass,
// and returns s itself when there is nothing to change.
func collapse(s string) string {
	if hasInvisible(s) {
		s = strings.Map(dropInvisible, s)
	}
	var sb strings.Builder
	start, tidy := -1, true // tidy: the result so far is s[:i]
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		var space bool
		if r < utf8.RuneSelf {
			space = asciiSpace[s[i]]
		} else {
			r, n = decodeRune(s, i)
			space = r <= maxSpace && unicode.IsSpace(r)
		}
		switch {
		case !space:
			if start < 0 {
				start = i
			}
		case tidy && start >= 0 && r == ' ' && i+1 < len(s) && !isSpace(s, i+1):
			// A lone space between words: keep going without copying.
		default:
			if tidy {
				tidy = false
				sb.Grow(len(s))
				if start >= 0 { // else i is 0: s opens with a space
					sb.WriteString(s[:i])
				}
			} else if start >= 0 {
				if sb.Len() > 0 {
					sb.WriteByte(' ')
				}
				sb.WriteString(s[start:i])
			}
			start = -1
		}
		i += n
	}
	if tidy {
		return s
	}
	if start >= 0 {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(s[start:])
	}
	return sb.String()
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// spaceAt reports whether the rune at s[i:] is white space, and its width
// in bytes (1 for an invalid byte, which is not space).
func spaceAt(s string, i int) (space bool, width int) {
	if s[i] < utf8.RuneSelf {
		return asciiSpace[s[i]], 1
	}
	r, n := decodeRune(s, i)
	return r <= maxSpace && unicode.IsSpace(r), n
}

// maxSpace is the highest white-space rune: CJK text, above it, need not
// be looked up in the Unicode tables.
var maxSpace = func() rune {
	ws := unicode.White_Space
	if len(ws.R32) > 0 {
		return rune(ws.R32[len(ws.R32)-1].Hi)
	}
	return rune(ws.R16[len(ws.R16)-1].Hi)
}()

func isSpace(s string, i int) bool {
	space, _ := spaceAt(s, i)
	return space
}

// hasInvisible is strings.ContainsAny(s, invisible) without its per-rune
// search of the set: a UTF-8 sequence is found where it starts, so a search
// for each encoded character gives the same answer.
func hasInvisible(s string) bool {
	return strings.Contains(s, "\u00ad") || strings.Contains(s, "\u200b") ||
		strings.Contains(s, "\u2060") || strings.Contains(s, "\ufeff")
}

// invisible are format characters a browser does not draw.
const invisible = "\u00ad\u200b\u2060\ufeff"

func dropInvisible(r rune) rune {
	if strings.ContainsRune(invisible, r) {
		return -1
	}
	return r
}

// walk calls f for n and its descendants in document order, down to
// maxDepth; f returning false skips the node's children.
func walk(n *html.Node, f func(n *html.Node, depth int) bool) {
	var rec func(n *html.Node, depth int)
	rec = func(n *html.Node, depth int) {
		if depth > maxDepth || !f(n, depth) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
	}
	rec(n, 0)
}

// textLen is the length in runes of n's collapsed text.
func textLen(n *html.Node) int {
	total := 0
	walk(n, func(c *html.Node, _ int) bool {
		if c.Type == html.TextNode {
			total += len([]rune(collapse(c.Data)))
		}
		return c.Type != html.ElementNode || !droppedTags[c.DataAtom]
	})
	return total
}
