package config

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// keySpan is where one key (with its value) or table header sits in the
// document, under its indexed path such as "feed[2].url".
type keySpan struct {
	path       string
	start, end int           // byte offsets of the whole key = value, or of a header's key
	at         int           // byte offset errors point at: the value, or the header's line
	kind       unstable.Kind // of the value; Invalid for headers
	top        bool          // a header or a key = value of a table, not nested in a value
}

// keyIndex maps indexed key paths to document positions. It lets errors
// found after decoding (duplicates, bad selectors) point at a line, and
// turns the decoder's unindexed key ("feed.url") into "feed[2].url".
//
// Building it is linear in the size of the document, and every lookup is a
// map access or a binary search, so a file of 100,000 sources loads in
// linear time however many of its keys an error names.
type keyIndex struct {
	doc        []byte
	spans      []keySpan      // in document order of their start
	first      map[string]int // path -> index in spans of its first span
	lineStarts []int          // byte offset of the start of each line
}

// indexKeys walks the document's expressions. It stops quietly at a syntax
// error: the decoder reports that one itself.
func indexKeys(doc []byte) *keyIndex {
	ix := &keyIndex{doc: doc, lineStarts: lineStarts(doc)}
	ix.spans = make([]keySpan, 0, len(ix.lineStarts)) // about one key per line
	var p unstable.Parser
	p.Reset(doc)
	counts := map[string]int{} // array-table path -> entries seen
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		n := len(ix.spans)
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = tablePath(e, counts)
			first := e.Key()
			if first.Next() {
				r := first.Node().Raw
				start, end := int(r.Offset), int(r.Offset+r.Length)
				ix.spans = append(ix.spans, keySpan{path: table, start: start, end: end, at: ix.lineStart(start), top: true})
			}
		case unstable.KeyValue:
			ix.addKeyValue(table, e)
			ix.spans[n].top = true
		}
	}
	ix.first = make(map[string]int, len(ix.spans))
	for i, s := range ix.spans {
		if _, ok := ix.first[s.path]; !ok {
			ix.first[s.path] = i
		}
	}
	return ix
}

// lineStarts returns the byte offset at which each line of doc starts.
func lineStarts(doc []byte) []int {
	starts := make([]int, 1, bytes.Count(doc, []byte{'\n'})+1)
	for i, b := range doc {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// tablePath resolves a header to its indexed path: a part naming an array
// of tables refers to its latest entry, and an [[array table]] header adds
// a new entry.
func tablePath(e *unstable.Node, counts map[string]int) string {
	path := ""
	it := e.Key()
	for it.Next() {
		path = join(path, string(it.Node().Data))
		last := it.IsLast()
		if e.Kind == unstable.ArrayTable && last {
			counts[path]++
		}
		if n := counts[path]; n > 0 {
			path = fmt.Sprintf("%s[%d]", path, n-1)
		}
	}
	return path
}

func (ix *keyIndex) addKeyValue(prefix string, kv *unstable.Node) {
	path := prefix
	it := kv.Key()
	for it.Next() {
		path = join(path, string(it.Node().Data))
	}
	v := kv.Value()
	at := int(kv.Raw.Offset)
	if v.Raw.Length > 0 { // arrays carry no range: point at their key
		at = int(v.Raw.Offset)
	}
	ix.spans = append(ix.spans, keySpan{path: path, start: int(kv.Raw.Offset), end: int(kv.Raw.Offset + kv.Raw.Length), at: at, kind: v.Kind})
	ix.addValue(path, v)
}

// addValue indexes the elements of arrays and the keys of inline tables.
func (ix *keyIndex) addValue(path string, v *unstable.Node) {
	switch v.Kind {
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				ix.addKeyValue(path, c)
			}
		}
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			elem := fmt.Sprintf("%s[%d]", path, i)
			i++
			if c.Kind != unstable.Array && c.Kind != unstable.InlineTable {
				start := int(c.Raw.Offset)
				ix.spans = append(ix.spans, keySpan{path: elem, start: start, end: start + int(c.Raw.Length), at: start, kind: c.Kind})
			}
			ix.addValue(elem, c)
		}
	}
}

// lineStart returns the offset of the first non-blank byte on off's line.
func (ix *keyIndex) lineStart(off int) int {
	start := ix.lineStarts[ix.line(off)]
	for start < off && (ix.doc[start] == ' ' || ix.doc[start] == '\t') {
		start++
	}
	return start
}

// line returns the 0-based line holding the byte offset off.
func (ix *keyIndex) line(off int) int {
	i, found := slices.BinarySearch(ix.lineStarts, off)
	if !found {
		i--
	}
	return i
}

// find returns the line and column of the first span indexed as path.
func (ix *keyIndex) find(path string) (line, col int, ok bool) {
	i, ok := ix.first[path]
	if !ok {
		return 0, 0, false
	}
	line, col = ix.position(ix.spans[i].at)
	return line, col, true
}

// findNearest is find for path or, when path is absent (a missing required
// key), for its closest ancestor. It returns zeros when nothing matches.
func (ix *keyIndex) findNearest(path string) (line, col int) {
	for path != "" {
		if line, col, ok := ix.find(path); ok {
			return line, col
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0, 0
}

// pathAt returns the indexed path of the innermost key-value holding the
// given position whose unindexed form is plain or lies under plain, or ""
// when none does. The decoder names "recheck.steps" for an error inside
// steps[1].every; the index knows better.
//
// Spans nest properly and are kept in order of their start, so the
// innermost span holding off is the one with the latest start at or before
// off that also ends at or after it: the search walks back from there, and
// stops at the first top-level span, since no earlier span can hold off.
func (ix *keyIndex) pathAt(line, col int, plain string) string {
	off := ix.offset(line, col)
	if off < 0 {
		return ""
	}
	i, _ := slices.BinarySearchFunc(ix.spans, off+1, func(s keySpan, t int) int { return cmp.Compare(s.start, t) })
	for i--; i >= 0; i-- {
		s := ix.spans[i]
		if off <= s.end {
			if u := unindex(s.path); u == plain || strings.HasPrefix(u, plain+".") {
				return s.path
			}
		}
		if s.top {
			break
		}
	}
	return ""
}

// position converts a byte offset to a 1-based line and column.
func (ix *keyIndex) position(off int) (line, col int) {
	i := ix.line(off)
	return i + 1, off - ix.lineStarts[i] + 1
}

// offset converts a 1-based line and column to a byte offset, or -1 when
// the line is not in the document.
func (ix *keyIndex) offset(line, col int) int {
	i := line - 1
	if i < 0 || i >= len(ix.lineStarts) {
		return -1
	}
	return ix.lineStarts[i] + col - 1
}

// unindex drops "[n]" parts: "feed[2].url" -> "feed.url".
func unindex(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
