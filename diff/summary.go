package diff

import (
	"fmt"
	"strings"
)

// Summary counts the changes of a Result. Words are counted as tokenized
// for the word diff: each CJK character is a word, punctuation is not.
type Summary struct {
	ParagraphsAdded, ParagraphsRemoved, ParagraphsChanged int
	// ParagraphsMoved counts Moved paragraphs; they are not counted as
	// added, removed or changed, and only their edits count as words.
	ParagraphsMoved          int
	WordsAdded, WordsRemoved int
}

// Summary counts paragraphs and words added, removed, changed and moved.
// It reads changed blocks only, so a compacted Result gives the same
// Summary.
func (r Result) Summary() Summary {
	var s Summary
	for _, b := range r.Blocks {
		switch b.Kind {
		case Added:
			s.ParagraphsAdded++
			s.WordsAdded += countWords(tokenize(b.New))
		case Removed:
			s.ParagraphsRemoved++
			s.WordsRemoved += countWords(tokenize(b.Old))
		case Modified, Moved:
			if b.Kind == Moved {
				s.ParagraphsMoved++
			} else {
				s.ParagraphsChanged++
			}
			for _, sp := range b.Spans {
				switch sp.Op {
				case Insert:
					s.WordsAdded += countWords(tokenize(sp.Text))
				case Delete:
					s.WordsRemoved += countWords(tokenize(sp.Text))
				}
			}
		}
	}
	return s
}

// String renders the summary for people, e.g.
// "1 paragraph changed, 2 paragraphs added (+31 −1 words)", or "no changes".
func (s Summary) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{
		{s.ParagraphsChanged, "changed"},
		{s.ParagraphsAdded, "added"},
		{s.ParagraphsRemoved, "removed"},
		{s.ParagraphsMoved, "moved"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s %s", p.n, plural(p.n, "paragraph"), p.verb))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	out := strings.Join(parts, ", ")
	if s.WordsAdded+s.WordsRemoved > 0 {
		out += fmt.Sprintf(" (+%d −%d words)", s.WordsAdded, s.WordsRemoved)
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
