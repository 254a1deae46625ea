package diff

import "strings"

// words diffs two paragraphs token by token and cleans the result up for
// reading.
func (c comparer) words(old, new string) []Span {
	ops := cleanup(c.diffSeq(tokenize(old), tokenize(new)))
	spans := make([]Span, len(ops))
	for i, o := range ops {
		spans[i] = Span{Op: o.op, Text: strings.Join(o.items, "")}
	}
	return spans
}

// cleanup merges an equality into the edits around it when it is at most
// half as long (in words) as the larger edit on each side, in the spirit of
// diffmatchpatch's DiffCleanupSemantic: "[-in-]{+on+} the [-morning-]{+evening+}"
// reads worse than "[-in the morning-]{+on the evening+}" once edits
// outweigh what they leave alone. A whitespace or punctuation equality
// between two edits always merges, so "[-12-]{+24+} [-global-]{+world+}"
// becomes "[-12 global-]{+24 world+}". Merging less eagerly than
// DiffCleanupSemantic keeps shared phrases of a rewrite visible. (DiffCleanupSemantic itself is
// not used: in go-diff v1.4.0 its lossless pass slices strings by rune
// counts, which corrupts multi-byte text such as our item runes.)
func cleanup(ops []seqOp) []seqOp {
	ops = merge(ops)
	for i := 1; i < len(ops)-1; i++ {
		if ops[i].op != Equal {
			continue
		}
		w := countWords(ops[i].items)
		if 2*w > editWeight(ops, i, -1) || 2*w > editWeight(ops, i, +1) {
			continue
		}
		var start int
		ops, start = absorb(ops, i)
		// The grown edit may now outweigh the equality before it: recheck
		// from there (the loop's i++ lands on it).
		i = max(start-2, 0)
	}
	return ops
}

// absorb turns the equality ops[i] and the edits on both sides of it into
// one deletion and one insertion, returning the new ops and where the
// merged edit starts.
func absorb(ops []seqOp, i int) ([]seqOp, int) {
	start, end := i, i+1
	for start > 0 && ops[start-1].op != Equal {
		start--
	}
	for end < len(ops) && ops[end].op != Equal {
		end++
	}
	var del, ins []string
	for _, o := range ops[start:end] {
		if o.op != Insert {
			del = append(del, o.items...)
		}
		if o.op != Delete {
			ins = append(ins, o.items...)
		}
	}
	merged := []seqOp{{Delete, del}, {Insert, ins}} // both non-empty: ops[i] is in each
	return append(ops[:start:start], append(merged, ops[end:]...)...), start
}

// editWeight is the larger of the deleted and inserted word counts in the
// edits next to ops[i], looking in direction dir.
func editWeight(ops []seqOp, i, dir int) int {
	del, ins := 0, 0
	for k := i + dir; k >= 0 && k < len(ops) && ops[k].op != Equal; k += dir {
		if ops[k].op == Delete {
			del += countWords(ops[k].items)
		} else {
			ins += countWords(ops[k].items)
		}
	}
	return max(del, ins)
}

// merge joins adjacent equalities, and gathers each run of edits into one
// deletion followed by one insertion.
func merge(ops []seqOp) []seqOp {
	var out []seqOp
	var del, ins []string
	flush := func() {
		if len(del) > 0 {
			out = append(out, seqOp{Delete, del})
		}
		if len(ins) > 0 {
			out = append(out, seqOp{Insert, ins})
		}
		del, ins = nil, nil
	}
	for _, o := range ops {
		switch o.op {
		case Delete:
			del = append(del, o.items...)
		case Insert:
			ins = append(ins, o.items...)
		default:
			flush()
			if n := len(out); n > 0 && out[n-1].op == Equal {
				out[n-1].items = append(out[n-1].items, o.items...)
			} else {
				out = append(out, seqOp{Equal, append([]string(nil), o.items...)})
			}
		}
	}
	flush()
	return out
}
