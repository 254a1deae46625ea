package diff

import (
	"unicode"
	"unicode/utf8"
)

// closers maps each opening quotation mark to the marks that close it.
// The straight marks close themselves.
var closers = map[rune]string{
	'"':      `"`,
	'＂':      "＂",
	'“':      "”",
	'„':      "“”",
	'‘':      "’",
	'‚':      "‘’",
	'«':      "»",
	'»':      "«»",
	'‹':      "›",
	'›':      "‹›",
	'「':      "」",
	'『':      "』",
	'〝':      "〞〟",
	'\uFE41': "\uFE42", // vertical ﹁﹂
	'\uFE43': "\uFE44", // vertical ﹃﹄
}

// quoted returns the byte ranges [start, end) of p that are quotations,
// marks included. A quotation runs from an opening mark to the first mark
// that closes it; quotations nested in it are part of it. One not closed
// in p runs to its end, as a quotation continued in the next paragraph
// does. ’ between two letters is an apostrophe, not a closing mark.
func quoted(p string) [][2]int {
	var spans [][2]int
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		cl, ok := closers[r]
		if !ok {
			i += n
			continue
		}
		end := closeAt(p, i+n, cl)
		spans = append(spans, [2]int{i, end})
		i = end
	}
	return spans
}

// closeAt returns the end of the first mark in cl at or after byte i of p
// that is not an apostrophe, or len(p).
func closeAt(p string, i int, cl string) int {
	prev, _ := utf8.DecodeLastRuneInString(p[:i])
	for i < len(p) {
		r, n := utf8.DecodeRuneInString(p[i:])
		if containsRune(cl, r) {
			next, _ := utf8.DecodeRuneInString(p[i+n:])
			if r != '’' || !unicode.IsLetter(prev) || !unicode.IsLetter(next) {
				return i + n
			}
		}
		prev = r
		i += n
	}
	return len(p)
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// overlaps reports whether [lo, hi) meets one of the ranges.
func overlaps(ranges [][2]int, lo, hi int) bool {
	for _, q := range ranges {
		if lo < q[1] && q[0] < hi {
			return true
		}
	}
	return false
}
