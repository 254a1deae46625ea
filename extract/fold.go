package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The trimming patterns are case-insensitive alternations of words, which
// Go's regexp runs slowly, and most paragraphs match none of them. A
// pattern is only run on text that holds one of its needles: words that
// every match of the pattern contains. Needles are compared case-folded
// as regexp's (?i) folds (so "ſ" and "S", "K" and "K" are alike), which
// makes the test exact: it never turns away a text the pattern matches.

// needles is a set of case-folded words, one of which every match of a
// pattern contains.
type needles []string

func newNeedles(ws ...string) needles {
	out := make(needles, len(ws))
	for i, w := range ws {
		out[i] = foldString(w)
	}
	return out
}

// in reports whether s holds one of the needles, case-folded.
func (nd needles) in(s string) bool {
	f := foldString(s)
	for _, w := range nd {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// foldKey maps r to the least rune of its case-folding orbit
// (unicode.SimpleFold), so two runes match under (?i) exactly when their
// keys are equal.
func foldKey(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// foldString maps every rune of s to its foldKey; invalid bytes become
// U+FFFD, which no needle holds.
func foldString(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		sb.WriteRune(foldKey(r))
	}
	return sb.String()
}
