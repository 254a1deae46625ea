package diff

import (
	"unicode"
	"unicode/utf8"
)

// tokenize splits a paragraph into the units a word diff works on: each CJK
// character (Han, Hiragana, Katakana, Hangul) alone, since those scripts do
// not separate words with spaces; runs of letters, digits and marks as
// words, keeping "12.5", "1,200" and "China's" whole; runs of whitespace;
// and every other character (punctuation, symbols) alone.
// Concatenating the tokens gives back s.
func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		j := i + n
		switch {
		case isCJK(r):
		case unicode.IsSpace(r):
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += n2
			}
		case isWordRune(r):
			j = wordEnd(s, j, r)
		}
		toks = append(toks, s[i:j])
		i = j
	}
	return toks
}

// wordEnd returns the end of the word starting before j, whose last rune so
// far is prev.
func wordEnd(s string, j int, prev rune) int {
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			j += n
			prev = r
			continue
		}
		next, n2 := utf8.DecodeRuneInString(s[j+n:])
		if j+n >= len(s) || !joins(prev, r, next) {
			break
		}
		j += n + n2
		prev = next
	}
	return j
}

// joins reports whether sep between prev and next belongs inside a word:
// decimal and thousands separators between digits, apostrophes between
// letters.
func joins(prev, sep, next rune) bool {
	switch sep {
	case '.', ',':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	case '\'', '’':
		return unicode.IsLetter(prev) && unicode.IsLetter(next) && !isCJK(prev) && !isCJK(next)
	}
	return false
}

func isCJK(r rune) bool {
	return r >= 0x1100 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isWordRune(r rune) bool {
	return !isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.IsMark(r))
}

// isWord reports whether a token counts as a word in summaries: a word or
// a CJK character, not whitespace or punctuation.
func isWord(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return isCJK(r) || isWordRune(r)
}

func countWords(toks []string) int {
	n := 0
	for _, t := range toks {
		if isWord(t) {
			n++
		}
	}
	return n
}

// maxID is the number of distinct items a codec can hold: every code point
// except the surrogates, which do not survive a round trip through string.
const maxID = utf8.MaxRune + 1 - 0x800

// codec gives each distinct string (a paragraph or a token) its own rune, so
// that diffmatchpatch, which diffs runes, diffs whole items. This is the
// DiffLinesToRunes trick generalized to any split.
type codec struct {
	ids  map[string]rune
	strs []string
}

func newCodec() *codec { return &codec{ids: make(map[string]rune)} }

// encode maps items to runes; ok is false when there are too many distinct
// items to give each a rune.
func (c *codec) encode(items []string) (rs []rune, ok bool) {
	rs = make([]rune, len(items))
	for i, it := range items {
		r, seen := c.ids[it]
		if !seen {
			if len(c.strs) >= maxID {
				return nil, false
			}
			r = idRune(len(c.strs))
			c.ids[it] = r
			c.strs = append(c.strs, it)
		}
		rs[i] = r
	}
	return rs, true
}

// decode maps a diffmatchpatch text back to the items it stands for.
func (c *codec) decode(s string) []string {
	var items []string
	for _, r := range s {
		id := int(r)
		if r > 0xDFFF {
			id -= 0x800
		}
		items = append(items, c.strs[id])
	}
	return items
}

func idRune(id int) rune {
	if id >= 0xD800 {
		id += 0x800
	}
	return rune(id)
}
