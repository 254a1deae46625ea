package diff

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The vocabulary of change classes: each names one kind of change a
// reader may want to be told about. Classes computes the text classes from
// a Result; the metadata classes are computed by the caller, which has the
// page's metadata, and are listed here so that the vocabulary is defined
// in one place. Each is documented at Classes.
const (
	ClassAdded      = "added"
	ClassCorrection = "correction"
	ClassMoved      = "moved"
	ClassNumber     = "number"
	ClassQuote      = "quote"
	ClassRemoved    = "removed"
	ClassWording    = "wording"

	ClassByline    = "byline"
	ClassModified  = "modified"
	ClassPublished = "published"
	ClassReverted  = "reverted"
	ClassStealth   = "stealth"
	ClassTitle     = "title"
)

// Classes returns the classes of the text changes in r, sorted, or nil
// when there are none. It reads the blocks only, never a rendered report,
// and only changed blocks, so a compacted Result gives the same classes.
// A paragraph's edits are its Spans: the runs of deleted and inserted
// text in a "replace" block or a moved-and-edited one.
//
// Text classes, from Classes:
//
//   - "added": a paragraph was inserted.
//   - "removed": a paragraph was deleted.
//   - "moved": a paragraph moved to another place (it may also have been
//     edited; its edits are classed like those of a replaced paragraph).
//   - "number": an edit deleted or inserted a number: a token with a
//     digit of any script ("12", "12.5", "１２", "½"), or a Chinese
//     numeral (十二 → 十三) that stands next to another numeral or digit,
//     or that replaces or is replaced by one (三 → 五). Numbers in wholly
//     added or removed paragraphs are "added" or "removed", not "number".
//   - "quote": an edit falls inside quotation marks, or changes the marks
//     themselves: "…", “…”, ‘…’, „…“, «…», »…«, ‹…›, 「…」, 『…』, ＂…＂.
//     A quotation not closed in its paragraph runs to the paragraph's end,
//     as in multi-paragraph quotes. The ASCII apostrophe is not a quote
//     mark, nor is ’ between two letters. "quote" says where an edit is,
//     not what it changed, so it comes with "number" or "wording" (or
//     both); a change of spacing alone inside a quote is "quote" alone.
//   - "wording": an edit changed words that are not numbers, or, changing
//     no word, changed punctuation or symbols. An edit of spacing alone
//     has no class.
//   - "correction": an inserted paragraph, or a replaced or moved one
//     whose text changed, carries a correction, clarification, update or
//     editor's note (see HasCorrection).
//
// Metadata classes, computed by the daemon from the page's metadata:
//
//   - "title": the headline changed.
//   - "byline": the author line changed.
//   - "published": the stated publication date changed.
//   - "modified": the stated modification date changed.
//   - "stealth": the text changed but the stated modification date did
//     not: the page was edited without saying so.
//   - "reverted": the new text is that of an earlier version than the
//     previous one: an edit was undone.
func (r Result) Classes() []string {
	var found [classCount]bool
	for _, b := range r.Blocks {
		switch b.Kind {
		case Added:
			found[cAdded] = true
			found[cCorrection] = found[cCorrection] || HasCorrection(b.New)
		case Removed:
			found[cRemoved] = true
		case Moved, Modified:
			found[cMoved] = found[cMoved] || b.Kind == Moved
			if b.Spans != nil {
				classifyEdits(b, &found)
				found[cCorrection] = found[cCorrection] || HasCorrection(b.New)
			}
		}
	}
	var out []string
	for c, ok := range found {
		if ok {
			out = append(out, classNames[c])
		}
	}
	return out
}

// Text classes in sorted order, for Classes.
const (
	cAdded = iota
	cCorrection
	cMoved
	cNumber
	cQuote
	cRemoved
	cWording
	classCount
)

var classNames = [classCount]string{ClassAdded, ClassCorrection, ClassMoved, ClassNumber, ClassQuote, ClassRemoved, ClassWording}

// classifyEdits sets number, quote and wording for the edits of one
// replaced or moved block.
func classifyEdits(b Block, found *[classCount]bool) {
	// The spans rebuild Old and New; rebuilding them here keeps a Result
	// read from a damaged store from indexing past them.
	var ob, nb strings.Builder
	for _, s := range b.Spans {
		if s.Op != Insert {
			ob.WriteString(s.Text)
		}
		if s.Op != Delete {
			nb.WriteString(s.Text)
		}
	}
	b.Old, b.New = ob.String(), nb.String()
	oldQ, newQ := quoted(b.Old), quoted(b.New)
	var (
		e            edit
		oldAt, newAt int // byte offsets of the current span in Old and New
	)
	for _, s := range b.Spans {
		switch s.Op {
		case Equal:
			e.classify(found)
			e = edit{}
			oldAt += len(s.Text)
			newAt += len(s.Text)
			continue
		case Delete:
			e.del = append(e.del, tokensAt(b.Old, oldAt, s.Text)...)
			found[cQuote] = found[cQuote] || overlaps(oldQ, oldAt, oldAt+len(s.Text))
			oldAt += len(s.Text)
		case Insert:
			e.ins = append(e.ins, tokensAt(b.New, newAt, s.Text)...)
			found[cQuote] = found[cQuote] || overlaps(newQ, newAt, newAt+len(s.Text))
			newAt += len(s.Text)
		}
	}
	e.classify(found)
}

// edit is one run of deleted and inserted tokens between unchanged text.
type edit struct{ del, ins []token }

// token is a changed token; numeral is set for a Chinese numeral that
// stands next to another numeral or a digit in its paragraph.
type token struct {
	text    string
	numeral bool
}

// tokensAt tokenizes span, which starts at byte at of its paragraph p.
func tokensAt(p string, at int, span string) []token {
	var toks []token
	for _, t := range tokenize(span) {
		tok := token{text: t}
		if r, _ := utf8.DecodeRuneInString(t); isNumeral(r) {
			before, _ := utf8.DecodeLastRuneInString(p[:at])
			after, _ := utf8.DecodeRuneInString(p[at+len(t):])
			tok.numeral = isNumeral(before) || isNumeral(after) || hasDigit(string(before)) || hasDigit(string(after))
		}
		toks = append(toks, tok)
		at += len(t)
	}
	return toks
}

func (e edit) classify(found *[classCount]bool) {
	if equalIgnoringSpace(joinTokens(e.del), joinTokens(e.ins)) {
		return // spacing alone: "New York" → "NewYork"
	}
	// A numeral replacing a numeral is a number whatever stands around it.
	swap := hasNumeral(e.del) && hasNumeral(e.ins)
	var number, words, other bool
	for _, t := range slices.Concat(e.del, e.ins) {
		r, _ := utf8.DecodeRuneInString(t.text)
		switch {
		case hasDigit(t.text) || isNumeral(r) && (t.numeral || swap):
			number = true
		case isWord(t.text):
			words = true
		case !unicode.IsSpace(r):
			other = true
		}
	}
	found[cNumber] = found[cNumber] || number
	// Punctuation changed with a number ("12," → "13.") is part of it.
	found[cWording] = found[cWording] || words || other && !number
}

func joinTokens(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

func hasNumeral(toks []token) bool {
	for _, t := range toks {
		if r, _ := utf8.DecodeRuneInString(t.text); isNumeral(r) {
			return true
		}
	}
	return false
}

// hasDigit reports whether s holds a digit or other number character of
// any script: "12", "１２", "½", "Ⅻ", "〇".
func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// isNumeral reports whether r is a Chinese numeral character, in its
// everyday or financial form, simplified or traditional.
func isNumeral(r rune) bool {
	switch r {
	case '〇', '零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '萬', '亿', '億', '兆',
		'两', '兩', '壹', '贰', '貳', '叁', '參', '肆', '伍', '陆', '陸', '柒', '捌', '玖', '拾', '佰', '仟':
		return true
	}
	return false
}
