package extract

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pdfSpan is text drawn left to right on one baseline, in user space.
type pdfSpan struct {
	x0, x1, y, size float64
	text            string
}

// spanBuilder joins glyphs into spans as they are drawn. A glyph continues
// the current span when it sits on the same baseline at or right of its
// end; a gap wider than a word space becomes a space.
type spanBuilder struct {
	spans []pdfSpan
	cur   pdfSpan
	sb    strings.Builder
	open  bool
	count int
	cjk   bool    // the current span holds text written without spaces
	last  rune    // last rune of the current span
	lastX float64 // where the last glyph started
	lastT string  // and what it was
}

// add appends a glyph at (x, y) ending at x1. inString tells that it follows
// another glyph of the same shown string, whose spacing is the font's own.
func (b *spanBuilder) add(x, y, x1, size float64, text string, inString bool) {
	if size <= 0 || math.IsNaN(x+y+x1+size) || math.IsInf(x+y+x1+size, 0) {
		return
	}
	em := math.Max(size, b.cur.size)
	if b.open && math.Abs(y-b.cur.y) <= 0.35*em {
		if text == b.lastT && math.Abs(x-b.lastX) < 0.2*em {
			return // the same glyph drawn again, slightly offset: fake bold
		}
		if x >= b.cur.x1-0.6*em {
			first, _ := utf8.DecodeRuneInString(text)
			if gap := x - b.cur.x1; !inString && gap > b.spaceGap(first)*em &&
				!unicode.IsSpace(b.last) && !unicode.IsSpace(first) {
				b.sb.WriteByte(' ')
			}
			b.append(x, x1, size, text)
			return
		}
	}
	b.flush()
	b.open = true
	b.cur = pdfSpan{x0: x, x1: x, y: y, size: size}
	b.append(x, x1, size, text)
}

func (b *spanBuilder) append(x, x1, size float64, text string) {
	b.sb.WriteString(text)
	b.cur.x1 = math.Max(b.cur.x1, math.Max(x1, x))
	b.cur.size = math.Max(b.cur.size, size)
	b.last, _ = utf8.DecodeLastRuneInString(text)
	b.cjk = b.cjk || unspaced(b.last)
	b.lastX, b.lastT = x, text
}

// spaceGap is the gap, in ems, above which the next glyph starts a new
// word. CJK text has no spaces: producers justify it by spreading every
// glyph, digits included, and put a quarter em between CJK and Latin
// letters, and none of that is a space.
func (b *spanBuilder) spaceGap(next rune) float64 {
	if b.cjk || unspaced(next) {
		return 0.8
	}
	return 0.2
}

func (b *spanBuilder) flush() {
	if !b.open {
		return
	}
	b.cur.text = b.sb.String()
	b.sb.Reset()
	if strings.TrimSpace(b.cur.text) != "" {
		b.spans = append(b.spans, b.cur)
		b.count++
	}
	b.open, b.cjk = false, false
	b.lastT = ""
}

func (b *spanBuilder) finish() []pdfSpan {
	b.flush()
	return b.spans
}

// unspaced reports whether r belongs to text written without spaces
// between words: Han, kana, and CJK and full-width punctuation (Hangul is
// written with spaces).
func unspaced(r rune) bool {
	return isCJK(r) && (r < 0xAC00 || r > 0xD7A3) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF || r >= 0x2E80 && r <= 0x2FDF
}
