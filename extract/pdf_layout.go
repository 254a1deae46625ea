package extract

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pdfLine is one line of text on a page.
type pdfLine struct {
	page            int
	x0, x1, y, size float64
	text            string
	drop            bool // a running header, footer or page number
}

// pageLines joins the spans of a page into lines: a span continues the
// previous line when it sits on its baseline to its right.
func pageLines(page int, spans []pdfSpan) []pdfLine {
	var lines []pdfLine
	for _, s := range spans {
		text := cleanPDFString(s.text)
		if text == "" {
			continue
		}
		if n := len(lines); n > 0 {
			l := &lines[n-1]
			em := math.Max(l.size, s.size)
			if math.Abs(l.y-s.y) <= 0.35*em && s.x0 >= l.x1-0.6*em {
				l.text = l.text + " " + text
				l.x1, l.size = math.Max(l.x1, s.x1), math.Max(l.size, s.size)
				continue
			}
		}
		lines = append(lines, pdfLine{page: page, x0: s.x0, x1: s.x1, y: s.y, size: s.size, text: text})
	}
	return lines
}

var (
	ligatures    = strings.NewReplacer("ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl", "ﬃ", "ffi", "ﬄ", "ffl", "ﬅ", "st", "ﬆ", "st")
	pageNumberRe = regexp.MustCompile(`(?i)^[\s\-–—_·•|(（\[]*(?:(?:page|p\.|第)\s*)?\d{1,5}(?:\s*[页頁])?(?:\s*(?:/|of|共|／)\s*\d{1,5}\s*[页頁]?)?[\s\-–—_·•|)）\]]*$`)
	digitsRe     = regexp.MustCompile(`\d+`)
)

// cleanPDFString removes what readers do not see and normalises spacing:
// ligatures become letters, soft hyphens and controls go, runs of white
// space become one space.
func cleanPDFString(s string) string {
	s = ligatures.Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u00ad' || r == '\u200b' || r == '\ufeff' || r == utf8.RuneError:
			return -1
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// dropRunning marks running headers and footers: among the two top and the
// two bottom lines of each page, those whose text (digits aside) recurs in
// the same place on at least half the pages, and lone page numbers.
func dropRunning(pages [][]pdfLine) {
	for _, zone := range []func([]pdfLine) []*pdfLine{topLines, bottomLines} {
		count := map[string]int{}
		for _, p := range pages {
			seen := map[string]bool{}
			for _, l := range zone(p) {
				if k := runningKey(l.text); !seen[k] {
					seen[k] = true
					count[k]++
				}
			}
		}
		need := max(2, (len(pages)+1)/2)
		for _, p := range pages {
			for _, l := range zone(p) {
				if count[runningKey(l.text)] >= need || pageNumberRe.MatchString(l.text) {
					l.drop = true
				}
			}
		}
	}
}

func runningKey(s string) string {
	return strings.ReplaceAll(digitsRe.ReplaceAllString(s, "#"), " ", "")
}

// topLines returns the two highest lines of a page; bottomLines the two
// lowest. PDF y grows upwards.
func topLines(p []pdfLine) []*pdfLine    { return extremeLines(p, 1) }
func bottomLines(p []pdfLine) []*pdfLine { return extremeLines(p, -1) }

func extremeLines(p []pdfLine, sign float64) []*pdfLine {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return sign*p[idx[a]].y > sign*p[idx[b]].y })
	var out []*pdfLine
	for _, i := range idx[:min(2, len(idx))] {
		out = append(out, &p[i])
	}
	return out
}

// pdfMetrics are the measures of the body text paragraphs are cut by.
type pdfMetrics struct {
	size, gap, left, right float64
}

// measure finds the body text size (the size most text is set in), its
// line spacing, left margin and right edge.
func measure(lines []pdfLine) pdfMetrics {
	sizes := map[float64]int{}
	for _, l := range lines {
		sizes[math.Round(l.size*2)/2] += utf8.RuneCountInString(l.text)
	}
	m := pdfMetrics{size: mode(sizes)}
	gaps, lefts := map[float64]int{}, map[float64]int{}
	var rights []float64
	for i, l := range lines {
		if math.Abs(l.size-m.size) > 0.12*m.size {
			continue
		}
		lefts[math.Round(l.x0)]++
		rights = append(rights, l.x1)
		if i > 0 && lines[i-1].page == l.page && math.Abs(lines[i-1].size-m.size) <= 0.12*m.size {
			if dy := lines[i-1].y - l.y; dy > 0.5*m.size && dy < 3*m.size {
				gaps[math.Round(dy*2)/2]++
			}
		}
	}
	m.gap, m.left = mode(gaps), mode(lefts)
	if m.gap == 0 {
		m.gap = 1.2 * m.size
	}
	if len(rights) > 0 {
		sort.Float64s(rights)
		m.right = rights[len(rights)*4/5]
	}
	return m
}

// mode returns the most frequent key, the smallest on a tie, so the result
// does not depend on map order.
func mode(m map[float64]int) float64 {
	best, n := 0.0, 0
	for k, c := range m {
		if c > n || c == n && k < best {
			best, n = k, c
		}
	}
	return best
}

// paragraphs cuts the kept lines into paragraphs. A paragraph ends before
// a line set in another size, after a vertical gap wider than the line
// spacing, after a line that stops short of the right edge, and before an
// indented line. Centred lines of one size stay together.
func paragraphs(lines []pdfLine, m pdfMetrics) [][]pdfLine {
	var out [][]pdfLine
	var cur []pdfLine
	for _, l := range lines {
		if l.drop {
			continue
		}
		if len(cur) > 0 && breaksBefore(cur[len(cur)-1], l, m) {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func breaksBefore(a, b pdfLine, m pdfMetrics) bool {
	em := math.Max(a.size, b.size)
	if math.Abs(a.size-b.size) > 0.12*em {
		return true
	}
	centred := m.centred(a, em) && m.centred(b, em) && a.x0 > m.left+em/4 && b.x0 > m.left+em/4 &&
		(a.x0 > m.left+em || b.x0 > m.left+em)
	if a.page == b.page {
		dy := a.y - b.y
		if dy < -0.35*em {
			return true // back up the page: another column or block
		}
		if dy > 1.35*m.gap*b.size/m.size {
			return true
		}
		if dy <= 0.35*em {
			return false // the same baseline, drawn out of order
		}
	}
	if centred {
		return false
	}
	return a.x1 < m.right-1.5*em || b.x0 > a.x0+0.8*em
}

// centred reports whether l is as far from the left margin as from the
// right edge.
func (m pdfMetrics) centred(l pdfLine, em float64) bool {
	return math.Abs((l.x0-m.left)-(m.right-l.x1)) < em
}

// joinLines joins the lines of a paragraph: CJK lines without a space,
// Latin lines with one, and a word hyphenated at a line end made whole.
// In CJK text, a break between two non-letters (digits, punctuation) is no
// space either.
func joinLines(p []pdfLine) string {
	var sb strings.Builder
	for i, l := range p {
		if i == 0 {
			sb.WriteString(l.text)
			continue
		}
		prev := sb.String()
		last, _ := utf8.DecodeLastRuneInString(prev)
		first, _ := utf8.DecodeRuneInString(l.text)
		switch {
		case dehyphenate(prev, first):
			cut := strings.TrimRightFunc(prev, isHyphen)
			sb.Reset()
			sb.WriteString(cut)
		case unspaced(last) || unspaced(first):
		case !unicode.IsLetter(last) && !unicode.IsLetter(first) && strings.IndexFunc(prev, unspaced) >= 0:
			// CJK lines break anywhere, also inside a number: "36." / "5%"
		default:
			sb.WriteByte(' ')
		}
		sb.WriteString(l.text)
	}
	return sb.String()
}

func isHyphen(r rune) bool { return r == '-' || r == '\u2010' }

// dehyphenate reports whether prev ends with a letter and a hyphen and the
// next line starts with a lower-case letter: a word broken at the line end.
func dehyphenate(prev string, next rune) bool {
	h, n := utf8.DecodeLastRuneInString(prev)
	if !isHyphen(h) || !unicode.IsLower(next) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-n])
	return unicode.IsLetter(before)
}
