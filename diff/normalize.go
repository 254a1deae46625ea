package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize puts text into the canonical form that Compare diffs, so that
// differences no reader can see do not count as edits:
//
//   - invalid UTF-8 becomes U+FFFD, and the result is NFC;
//   - CRLF and CR become LF; U+2028 and U+0085 are line breaks and U+2029 is a
//     paragraph break;
//   - every format character (Unicode category Cf: zero-width space and
//     joiners, word joiner, BOM, soft hyphen, bidi marks and embeddings) and
//     every other control character is removed. Bidi marks and ZWNJ are
//     dropped too: they are invisible, CMSs add and strip them freely, and
//     keeping them would report phantom edits; the output is for comparison
//     and display, not for republishing;
//   - every Unicode space (tab, NBSP, U+3000, thin spaces, …) becomes ' ',
//     runs of spaces collapse to one, and lines are trimmed;
//   - paragraphs are blocks separated by one or more blank lines; the lines
//     of a paragraph are joined with a space; paragraphs are joined by "\n\n".
//
// Normalize is idempotent.
func Normalize(s string) string {
	return strings.Join(Paragraphs(s), "\n\n")
}

// Paragraphs returns the paragraphs of Normalize(s); nil when s has no
// visible text.
func Paragraphs(s string) []string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = normalizeBreaks(s)
	var (
		paras []string
		first string // the paragraph's first line
		lines int    // lines in the paragraph so far
		cur   strings.Builder
	)
	flush := func() {
		// NFC last: dropping invisible characters can leave a letter next
		// to a combining mark that now composes with it. NFC returns text
		// already in NFC as it is, so a one-line paragraph is not copied.
		switch {
		case lines == 1:
			paras = append(paras, norm.NFC.String(first))
		case lines > 1:
			paras = append(paras, norm.NFC.String(cur.String()))
			cur.Reset()
		}
		lines = 0
	}
	for line := range strings.SplitSeq(s, "\n") {
		text := cleanLine(line)
		if text == "" {
			flush() // blank line: paragraph boundary
			continue
		}
		lines++
		switch lines {
		case 1:
			first = text
			continue
		case 2:
			cur.WriteString(first)
		}
		cur.WriteByte(' ')
		cur.WriteString(text)
	}
	flush()
	return paras
}

// cleanLine drops invisible characters from one line, maps every space to
// ' ', collapses runs of spaces and trims the ends.
func cleanLine(line string) string {
	if isClean(line) {
		return line
	}
	return cleanSlow(line)
}

// isClean reports whether cleanLine would return line as it is: no space
// but single ' ' between other characters, no format or control
// character. It is the fast path for text normalized before.
func isClean(line string) bool {
	if line == "" || line[0] == ' ' || line[len(line)-1] == ' ' {
		return line == ""
	}
	prevSpace := false
	for i := 0; i < len(line); {
		c := line[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || c == ' ' && prevSpace {
				return false
			}
			prevSpace = c == ' '
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return false
		}
		prevSpace = false
		i += n
	}
	return true
}

func cleanSlow(line string) string {
	var b strings.Builder
	pendingSpace := false
	for _, r := range line {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
		case unicode.Is(unicode.Cf, r) || unicode.IsControl(r):
			// invisible: drop without breaking the word it sits in
		default:
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeBreaks turns CRLF, CR, U+2028 and U+0085 into LF and the
// paragraph separator U+2029 into a blank line, so lines split on LF alone.
func normalizeBreaks(s string) string {
	// Four fast searches beat one ContainsAny, which decodes rune by rune
	// when the set is not ASCII.
	if strings.IndexByte(s, '\r') < 0 && !strings.Contains(s, "\u2028") &&
		!strings.Contains(s, "\u2029") && !strings.Contains(s, "\u0085") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r' && strings.HasPrefix(s[i+n:], "\n"):
			// the LF that follows ends the line
		case r == '\r' || r == '\u2028' || r == '\u0085':
			b.WriteByte('\n')
		case r == '\u2029':
			b.WriteString("\n\n")
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
