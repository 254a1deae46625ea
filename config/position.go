package config

import (
	"fmt"
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
}

// keyIndex maps indexed key paths to document positions. It lets errors
// found after decoding (duplicates, bad selectors) point at a line, and
// turns the decoder's unindexed key ("feed.url") into "feed[2].url".
type keyIndex struct {
	doc   []byte
	spans []keySpan
}

// indexKeys walks the document's expressions. It stops quietly at a syntax
// error: the decoder reports that one itself.
func indexKeys(doc []byte) *keyIndex {
	ix := &keyIndex{doc: doc}
	var p unstable.Parser
	p.Reset(doc)
	counts := map[string]int{} // array-table path -> entries seen
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = tablePath(e, counts)
			first := e.Key()
			if first.Next() {
				r := first.Node().Raw
				start, end := int(r.Offset), int(r.Offset+r.Length)
				ix.spans = append(ix.spans, keySpan{path: table, start: start, end: end, at: ix.lineStart(start)})
			}
		case unstable.KeyValue:
			ix.addKeyValue(table, e)
		}
	}
	return ix
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
	start := strings.LastIndexByte(string(ix.doc[:off]), '\n') + 1
	for start < off && (ix.doc[start] == ' ' || ix.doc[start] == '\t') {
		start++
	}
	return start
}

// find returns the line and column of the first span indexed as path.
func (ix *keyIndex) find(path string) (line, col int, ok bool) {
	for _, s := range ix.spans {
		if s.path == path {
			line, col = ix.position(s.at)
			return line, col, true
		}
	}
	return 0, 0, false
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
func (ix *keyIndex) pathAt(line, col int, plain string) string {
	off := ix.offset(line, col)
	best := keySpan{start: -1}
	for _, s := range ix.spans {
		if u := unindex(s.path); off < s.start || off > s.end || (u != plain && !strings.HasPrefix(u, plain+".")) {
			continue
		}
		if best.start < 0 || s.end-s.start < best.end-best.start {
			best = s
		}
	}
	return best.path
}

// position converts a byte offset to a 1-based line and column.
func (ix *keyIndex) position(off int) (line, col int) {
	before := ix.doc[:off]
	line = strings.Count(string(before), "\n") + 1
	return line, off - (strings.LastIndexByte(string(before), '\n') + 1) + 1
}

// offset converts a 1-based line and column to a byte offset.
func (ix *keyIndex) offset(line, col int) int {
	starts := []int{0}
	for i, b := range ix.doc {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	i := line - 1
	if i < 0 || i >= len(starts) {
		return -1
	}
	return starts[i] + col - 1
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
