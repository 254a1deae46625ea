package web

import "strings"

// Kinds of rendered diff lines; they double as CSS classes.
const (
	lineHeader  = "header"  // "--- old label" / "+++ new label"
	lineHunk    = "hunk"    // "@@ ¶7 @@"
	lineDel     = "del"     // "- old paragraph"
	lineAdd     = "add"     // "+ new paragraph"
	lineInline  = "inline"  // "~ words [-gone-]{+new+} words"
	lineContext = "context" // "  unchanged paragraph"
	lineOther   = "other"   // anything this parser does not know
)

// diffLine is one line of a stored diff. Text is the line as stored, except
// for inline lines, whose content after "~ " is split into Segs.
type diffLine struct {
	Kind string
	Text string
	Segs []segment
}

// segment is a run of an inline line: plain text, or text marked deleted
// or inserted. The template escapes Text; the markup comes from Op alone.
type segment struct {
	Op   string // "", "del" or "ins"
	Text string
}

// parseDiff splits a diff in the format of diff.Result.Unified into lines.
// "---"/"+++" are headers only before the first hunk, so a paragraph that
// happens to start with dashes later on stays a removed or added line.
func parseDiff(s string) []diffLine {
	var out []diffLine
	inHunk := false
	for line := range strings.Lines(strings.TrimRight(s, "\n")) {
		line = strings.TrimSuffix(line, "\n")
		var dl diffLine
		switch {
		case !inHunk && (strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "+++ ")):
			dl = diffLine{Kind: lineHeader, Text: line}
		case strings.HasPrefix(line, "@@ ") && strings.HasSuffix(line, " @@"):
			inHunk = true
			dl = diffLine{Kind: lineHunk, Text: line}
		case strings.HasPrefix(line, "- "):
			dl = diffLine{Kind: lineDel, Text: line}
		case strings.HasPrefix(line, "+ "):
			dl = diffLine{Kind: lineAdd, Text: line}
		case strings.HasPrefix(line, "~ "):
			dl = diffLine{Kind: lineInline, Text: line, Segs: parseMarks(line[len("~ "):])}
		case strings.HasPrefix(line, "  "):
			dl = diffLine{Kind: lineContext, Text: line}
		default:
			dl = diffLine{Kind: lineOther, Text: line}
		}
		out = append(out, dl)
	}
	return out
}

// mark is one kind of edit mark on an inline line.
type mark struct{ open, close, op string }

// marks pairs each opening mark of an inline line with its closer.
var marks = []mark{
	{"[-", "-]", "del"},
	{"{+", "+}", "ins"},
}

// parseMarks splits "a [-b-]{+c+} d" into plain, deleted and inserted
// segments. An opener without a closer is kept as plain text.
func parseMarks(s string) []segment {
	var segs []segment
	plain := func(t string) {
		if t == "" {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].Op == "" {
			segs[n-1].Text += t
			return
		}
		segs = append(segs, segment{Text: t})
	}
	for s != "" {
		i, m := nextMark(s)
		if i < 0 {
			plain(s)
			break
		}
		plain(s[:i])
		rest := s[i+len(m.open):]
		j := strings.Index(rest, m.close)
		if j < 0 {
			plain(m.open)
			s = rest
			continue
		}
		segs = append(segs, segment{Op: m.op, Text: rest[:j]})
		s = rest[j+len(m.close):]
	}
	return segs
}

// nextMark finds the earliest opening mark in s; -1 when there is none.
func nextMark(s string) (int, mark) {
	best, bm := -1, marks[0]
	for _, m := range marks {
		if i := strings.Index(s, m.open); i >= 0 && (best < 0 || i < best) {
			best, bm = i, m
		}
	}
	return best, bm
}
