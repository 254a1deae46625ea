package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// correctionPhrases are notes that announce a correction or an update,
// lower case, with straight apostrophes and ASCII colons. The English ones
// must start a word; the Chinese ones are matched anywhere.
var correctionPhrases = []string{
	"correction:", "corrections:", "clarification:", "clarifications:",
	"editor's note", "editors' note", "editor's update",
	"update:", "updated:",
	"this article has been updated", "this story has been updated",
	"this article was updated", "this story was updated",
	"this article has been corrected", "this story has been corrected",
	"an earlier version of this article", "an earlier version of this story",
	"a previous version of this article", "a previous version of this story",
	"编者按", "编者注", "編者按", "編者注", "勘误", "勘誤", "本文已更新", "本文已作更新",
}

// noteStarts are words that make a note when they open a paragraph and
// are followed by punctuation, as in "Correction (March 3): …" or
// "UPDATE, 4 p.m. — …".
var noteStarts = []string{"correction", "corrections", "clarification", "update", "updated", "editor's note"}

// correctionFold puts text in the form correctionPhrases are written in.
var correctionFold = strings.NewReplacer("’", "'", "‘", "'", "：", ":", "\u00a0", " ")

// HasCorrection reports whether text carries a correction, clarification,
// update or editor's note, in English or Chinese: "Correction:",
// "Corrections:", "Clarification:", "Editor's note", "Update:", "This
// article has been updated", "An earlier version of this article", 更正
// (as a heading or "特此更正", not in 更正常 "more normal"), 更正声明, 编者按,
// 编者注, 勘误, 本文已更新, and their traditional forms; case does not
// matter, nor do curly apostrophes or full-width colons. It is the test
// behind the "correction" class, exported for metadata the daemon checks
// itself.
func HasCorrection(text string) bool {
	s := strings.ToLower(correctionFold.Replace(text))
	for _, p := range correctionPhrases {
		if containsWord(s, p) {
			return true
		}
	}
	return opensWithNote(s) || hasGengzheng(s)
}

// containsWord reports whether phrase occurs in s, starting a word when it
// starts with a letter of a script that separates words.
func containsWord(s, phrase string) bool {
	first, _ := utf8.DecodeRuneInString(phrase)
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		i += j
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		if isCJK(first) || i == 0 || !unicode.IsLetter(before) && !unicode.IsDigit(before) {
			return true
		}
		i += len(phrase)
	}
}

// opensWithNote reports whether s, past leading punctuation, starts with
// one of noteStarts followed by punctuation.
func opensWithNote(s string) bool {
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, w := range noteStarts {
		rest, ok := strings.CutPrefix(s, w)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " ")
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && unicode.IsPunct(r) {
			return true
		}
	}
	return false
}

// hasGengzheng reports whether s holds 更正 ("correction") as a word of its
// own: followed by punctuation, a space, the end, or 声明/启事 ("notice"),
// rather than starting a longer word as in 更正常 ("more normal").
func hasGengzheng(s string) bool {
	for rest := s; ; {
		_, after, ok := strings.Cut(rest, "更正")
		if !ok {
			return false
		}
		next, _ := utf8.DecodeRuneInString(after)
		if after == "" || !isCJK(next) && !unicode.IsLetter(next) ||
			strings.HasPrefix(after, "声明") || strings.HasPrefix(after, "聲明") ||
			strings.HasPrefix(after, "启事") || strings.HasPrefix(after, "啟事") {
			return true
		}
		rest = after
	}
}
