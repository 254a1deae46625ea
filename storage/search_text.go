package storage

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file turns text into what the search index holds, and a reader's
// query into FTS5 expressions over it, with one folding for both so that
// what the index matches is what the snippet marks.
//
// Folding (foldRune): compatibility forms become plain ones (NFKC: full-width
// Ｌａｔｉｎ, ligatures, circled digits), Latin, Greek and Cyrillic
// diacritics go (café → cafe), letters are lower-cased, and format
// characters (soft hyphens, joiners) vanish. Letters, digits and marks
// make words; everything else separates them. Scripts written without
// spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) are
// "unspaced": each of their characters is a word of its own in the word
// index, and a text holding any of them also goes to the trigram index, so
// that such text is found by substring.

// ErrBadQuery is wrapped by the errors of ParseQuery and Search that name
// a problem with the reader's query or its options: a usage error, not a
// failure of the database.
var ErrBadQuery = errors.New("bad search query")

// Limits of a query.
const (
	MaxQueryBytes = 512 // of the query as typed
	MaxQueryTerms = 16
	// MinPrefixRunes is the shortest stem a prefix search (climat*) takes:
	// a shorter one would expand to a large part of the vocabulary.
	MinPrefixRunes = 3
)

// Query is a parsed search query: terms that must all occur in one
// passage (a paragraph or a title). A term is a word, a "quoted phrase"
// (words in this order, separated by anything but letters and digits) or
// a word followed by * (any word starting so). Text in unspaced scripts
// (北京, 東京都) is matched as a substring wherever it stands. There are no
// operators: AND, OR, NOT, NEAR, parentheses and colons are words or
// separators like any other.
type Query struct {
	raw   string
	terms []queryTerm
}

// queryTerm is one term of a query, folded.
type queryTerm struct {
	words    []string // words for the word index (each unspaced character one word)
	grams    string   // the substring for the trigram index; "" if the word index serves the term
	substr   string   // for unspaced terms: the folded substring the snippet marks
	prefix   bool
	unspaced bool
}

// String is the query as typed.
func (q Query) String() string { return q.raw }

// IsZero reports whether q was never parsed.
func (q Query) IsZero() bool { return len(q.terms) == 0 }

// ParseQuery reads a query as a reader types it. Every problem is an error
// wrapping ErrBadQuery whose message can be shown to the reader; whatever
// ParseQuery accepts is valid FTS5, since terms reach FTS5 only as quoted
// strings of letters, digits and spaces.
func ParseQuery(s string) (Query, error) {
	q := Query{raw: strings.TrimSpace(s)}
	if q.raw == "" {
		return q, fmt.Errorf("%w: the query is empty", ErrBadQuery)
	}
	if len(q.raw) > MaxQueryBytes {
		return q, fmt.Errorf("%w: the query is longer than %d bytes", ErrBadQuery, MaxQueryBytes)
	}
	if !utf8.ValidString(q.raw) {
		return q, fmt.Errorf("%w: the query is not valid UTF-8", ErrBadQuery)
	}
	raws, err := splitTerms(q.raw)
	if err != nil {
		return q, err
	}
	for _, r := range raws {
		t, ok, err := parseTerm(r.text, r.quoted)
		if err != nil {
			return q, err
		}
		if ok {
			q.terms = append(q.terms, t)
		}
	}
	switch {
	case len(q.terms) == 0:
		return q, fmt.Errorf("%w: the query %q has no letters or digits to search for", ErrBadQuery, q.raw)
	case len(q.terms) > MaxQueryTerms:
		return q, fmt.Errorf("%w: the query has %d terms; at most %d are allowed", ErrBadQuery, len(q.terms), MaxQueryTerms)
	}
	return q, nil
}

type rawTerm struct {
	text   string
	quoted bool
}

// splitTerms cuts a query at white space outside double quotes; a quoted
// phrase is one term. Typographic quotes (“ ” „) count as double quotes.
func splitTerms(s string) ([]rawTerm, error) {
	var out []rawTerm
	var cur strings.Builder
	inQuote := false
	flush := func(quoted bool) {
		if cur.Len() > 0 || quoted {
			out = append(out, rawTerm{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”' || r == '„':
			flush(inQuote)
			inQuote = !inQuote
		case !inQuote && unicode.IsSpace(r):
			flush(false)
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("%w: a quote (\") is not closed", ErrBadQuery)
	}
	flush(false)
	return out, nil
}

// parseTerm folds one term; ok is false for a term with nothing to search
// for (a lone dash, an empty pair of quotes).
func parseTerm(s string, quoted bool) (queryTerm, bool, error) {
	var t queryTerm
	stem := s
	if !quoted && strings.HasSuffix(s, "*") {
		stem = strings.TrimRight(s, "*")
		t.prefix = true
	}
	f := foldText(stem)
	t.words = f.words
	t.unspaced = f.unspaced
	if len(t.words) == 0 {
		if t.prefix && strings.TrimSpace(stem) != "" {
			return t, false, fmt.Errorf("%w: %q: a prefix search needs letters or digits before the *", ErrBadQuery, s)
		}
		return t, false, nil
	}
	if t.unspaced {
		t.prefix = false // every unspaced character is a word: a substring is already a prefix
		t.substr = f.grams
		if utf8.RuneCountInString(f.grams) >= 3 {
			t.grams = f.grams // the trigram index answers 3 characters or more
		}
	}
	if t.prefix {
		if len(t.words) > 1 {
			return t, false, fmt.Errorf("%w: %q: a prefix search takes one word before the *", ErrBadQuery, s)
		}
		if utf8.RuneCountInString(t.words[0]) < MinPrefixRunes {
			return t, false, fmt.Errorf("%w: %q: a prefix search needs at least %d letters before the *", ErrBadQuery, s, MinPrefixRunes)
		}
	}
	return t, true, nil
}

// expression is the FTS5 query, and whether it is for the trigram index
// rather than the word index. A query whose every term is a substring of
// 3 or more unspaced characters goes to the trigram index; any other, to
// the word index, where unspaced text is a phrase of one-character words:
// one index answers the whole query, so FTS5 intersects the terms itself.
// Terms are quoted strings of folded words, which hold no quote, so no
// input can make FTS5 syntax.
func (q Query) expression() (expr string, grams bool) {
	grams = true
	for _, t := range q.terms {
		grams = grams && t.grams != ""
	}
	var out []string
	for _, t := range q.terms {
		switch {
		case grams:
			out = append(out, `"`+t.grams+`"`)
		case t.prefix:
			out = append(out, `"`+strings.Join(t.words, " ")+`" *`)
		default:
			out = append(out, `"`+strings.Join(t.words, " ")+`"`)
		}
	}
	return strings.Join(out, " AND "), grams
}

// unspaced reports whether r belongs to a script written without spaces
// between words.
func unspaced(r rune) bool {
	switch {
	case r < 0x0E00:
		return false
	case r >= 0x3040 && r <= 0x30FF, // Hiragana, Katakana (with ー)
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, // Han
		r >= 0xAC00 && r <= 0xD7AF, // Hangul syllables
		r >= 0xFF66 && r <= 0xFF9F: // half-width Katakana
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// wordRune reports whether a folded rune belongs to a word.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || unicode.Is(unicode.Co, r)
}

// foldRune calls emit with the folded form of r: none, one or several
// runes.
func foldRune(r rune, emit func(rune)) {
	if r < utf8.RuneSelf {
		emit(unicode.ToLower(r))
		return
	}
	if r == 0x200B { // zero width space: a word break, not a format mark to drop
		emit(' ')
		return
	}
	if unicode.Is(unicode.Cf, r) {
		return // soft hyphen, joiners, direction marks: invisible inside words
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if p := norm.NFKD.Properties(buf[:n]); len(p.Decomposition()) == 0 {
		emit(unicode.ToLower(r))
		return
	}
	d := norm.NFKD.String(string(r))
	if strings.ContainsFunc(d, isDiacritic) {
		d = strings.Map(func(r rune) rune {
			if isDiacritic(r) {
				return -1
			}
			return r
		}, d)
	}
	for _, c := range norm.NFC.String(d) {
		emit(unicode.ToLower(c))
	}
}

// isDiacritic is the combining block of Latin, Greek and Cyrillic accents;
// marks of other scripts (Devanagari vowel signs, Hebrew points) carry
// meaning and stay.
func isDiacritic(r rune) bool { return r >= 0x0300 && r <= 0x036F }

// folded is a text as the indexes see it.
type folded struct {
	words    []string // words; each unspaced character is one
	grams    string   // the text with every run of separators one space, trimmed
	unspaced bool     // the text holds an unspaced character
}

// foldText folds s for the indexes.
func foldText(s string) folded {
	var f folded
	var word, grams strings.Builder
	space := false
	endWord := func() {
		if word.Len() > 0 {
			f.words = append(f.words, word.String())
			word.Reset()
		}
	}
	emit := func(c rune) {
		switch {
		case unspaced(c):
			endWord()
			f.words = append(f.words, string(c))
			f.unspaced = true
		case wordRune(c):
			word.WriteRune(c)
		default:
			endWord()
			space = grams.Len() > 0
			return
		}
		if space {
			grams.WriteByte(' ')
			space = false
		}
		grams.WriteRune(c)
	}
	for _, r := range s {
		if r >= utf8.RuneSelf {
			foldRune(r, emit)
			continue
		}
		// ASCII, most of most texts, as foldRune and emit would have it:
		// lower case; letters and digits are word runes, the rest separators.
		c := byte(r)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			endWord()
			space = grams.Len() > 0
			continue
		}
		word.WriteByte(c)
		if space {
			grams.WriteByte(' ')
			space = false
		}
		grams.WriteByte(c)
	}
	endWord()
	f.grams = grams.String()
	return f
}

// wordsText is what the word index gets: the words, space-separated.
func (f folded) wordsText() string { return strings.Join(f.words, " ") }

// span is a byte range of a text, [start, end).
type span struct{ start, end int }

// foldedRune is a folded rune and the bytes of the original it came from.
type foldedRune struct {
	r    rune
	orig span
}

// matchSpans returns where in text the query's terms occur, as byte ranges
// of text, sorted and merged; at most maxMarks per term are looked for.
func (q Query) matchSpans(text string) []span {
	const maxMarks = 64
	var runes []foldedRune
	for i, r := range text {
		end := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, size := utf8.DecodeRuneInString(text[i:])
			end = i + size
		}
		foldRune(r, func(c rune) { runes = append(runes, foldedRune{c, span{i, end}}) })
	}
	words, grams := segment(runes)
	var out []span
	for _, t := range q.terms {
		var found []span
		if t.unspaced {
			found = findSubstring(grams, []rune(t.substr), maxMarks)
		} else {
			found = findWords(words, t.words, t.prefix, maxMarks)
		}
		out = append(out, found...)
	}
	return mergeSpans(out)
}

// segment splits folded runes into words (each unspaced rune alone) and
// into the trigram form: separators collapsed to one space.
func segment(runes []foldedRune) (words [][]foldedRune, grams []foldedRune) {
	start := -1
	endWord := func(i int) {
		if start >= 0 {
			words = append(words, runes[start:i])
			start = -1
		}
	}
	for i, fr := range runes {
		switch {
		case unspaced(fr.r):
			endWord(i)
			words = append(words, runes[i:i+1])
		case wordRune(fr.r):
			if start < 0 {
				start = i
			}
		default:
			endWord(i)
			if len(grams) > 0 && grams[len(grams)-1].r != ' ' {
				grams = append(grams, foldedRune{' ', fr.orig})
			}
			continue
		}
		grams = append(grams, fr)
	}
	endWord(len(runes))
	return words, grams
}

// findWords finds the phrase want (a prefix for its last word if prefix)
// among words.
func findWords(words [][]foldedRune, want []string, prefix bool, limit int) []span {
	var out []span
	for i := 0; i+len(want) <= len(words) && len(out) < limit; i++ {
		ok := true
		for j, w := range want {
			if !sameWord(words[i+j], w, prefix && j == len(want)-1) {
				ok = false
				break
			}
		}
		if ok {
			last := words[i+len(want)-1]
			out = append(out, span{words[i][0].orig.start, last[len(last)-1].orig.end})
		}
	}
	return out
}

func sameWord(got []foldedRune, want string, prefix bool) bool {
	i := 0
	for _, r := range want {
		if i >= len(got) || got[i].r != r {
			return false
		}
		i++
	}
	return prefix || i == len(got)
}

// findSubstring finds want in runes.
func findSubstring(runes []foldedRune, want []rune, limit int) []span {
	var out []span
	if len(want) == 0 {
		return nil
	}
	for i := 0; i+len(want) <= len(runes) && len(out) < limit; i++ {
		ok := true
		for j, r := range want {
			if runes[i+j].r != r {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, span{runes[i].orig.start, runes[i+len(want)-1].orig.end})
			i += len(want) - 1
		}
	}
	return out
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(in []span) []span {
	if len(in) == 0 {
		return nil
	}
	// Insertion sort: a passage has few marks.
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && in[j].start < in[j-1].start; j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
	out := in[:1]
	for _, s := range in[1:] {
		last := &out[len(out)-1]
		if s.start <= last.end {
			last.end = max(last.end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// Segment is a piece of a snippet; Mark says it matched the query.
type Segment struct {
	Text string
	Mark bool
}

// Snippet window, in runes: the whole passage if it is this short, else
// this much of it around the first match.
const (
	snippetRunes  = 240
	snippetBefore = 80
)

// snippet cuts a window of text around its first match and marks every
// match in it. Control characters and line breaks become spaces; a cut
// edge is shown as "…". A passage whose match cannot be placed (the index
// matched what the marker cannot see) is shown from its start, unmarked.
func snippet(text string, marks []span) []Segment {
	from, to := window(text, marks)
	var out []Segment
	add := func(s string, mark bool) {
		if s != "" {
			out = append(out, Segment{Text: printable(s), Mark: mark})
		}
	}
	if from > 0 {
		add("…", false)
	}
	at := from
	for _, m := range marks {
		s, e := max(m.start, from), min(m.end, to)
		if s >= e {
			continue
		}
		add(text[at:s], false)
		add(text[s:e], true)
		at = e
	}
	add(text[at:to], false)
	if to < len(text) {
		add("…", false)
	}
	return out
}

// window picks the byte range of text a snippet shows.
func window(text string, marks []span) (from, to int) {
	if utf8.RuneCountInString(text) <= snippetRunes {
		return 0, len(text)
	}
	if len(marks) > 0 {
		from = marks[0].start
		for range snippetBefore {
			if from == 0 {
				break
			}
			_, size := utf8.DecodeLastRuneInString(text[:from])
			from -= size
		}
		// Start at a word if one begins shortly after the cut.
		if i := strings.IndexByte(text[from:marks[0].start], ' '); from > 0 && i >= 0 && i < 24 {
			from += i + 1
		}
	}
	to = from
	for n := 0; n < snippetRunes && to < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	return from, to
}

// printable replaces control characters (line breaks included) with
// spaces, so a snippet is one line of plain text.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// maxPassageBytes bounds one indexed passage: a longer paragraph (a PDF
// page without blank lines) is indexed in pieces of about this size, cut
// at white space where one is near, so snippets stay cheap to cut and a
// match is shown near where it is.
const maxPassageBytes = 16 << 10

// passages splits stored text into what the index keeps: paragraphs (the
// text between blank lines, trimmed), each cut to at most maxPassageBytes.
func passages(text string) []string {
	var out []string
	for p := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		p = strings.TrimSpace(p)
		for len(p) > maxPassageBytes {
			cut := maxPassageBytes
			for !utf8.RuneStart(p[cut]) {
				cut--
			}
			if i := strings.LastIndexAny(p[:cut], " \n\t"); i > maxPassageBytes/2 {
				cut = i
			}
			out = append(out, strings.TrimSpace(p[:cut]))
			p = strings.TrimSpace(p[cut:])
		}
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
