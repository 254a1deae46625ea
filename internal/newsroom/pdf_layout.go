package newsroom

import (
	"fmt"
	"strings"
)

// Page geometry of the newsroom's PDFs, in points: A5, one column.
const (
	pdfPageW, pdfPageH = 420, 595
	pdfLeft, pdfRight  = 60, 360 // 300 points: 25 Chinese characters at 12 points
	pdfTop, pdfBottom  = 530, 70 // highest and lowest body baseline
	pdfRunningSize     = 8       // running header and page number
)

// pdfStyle is how one language's documents are set.
type pdfStyle struct {
	font      pdfFont
	cjk       bool    // lines break between any two characters; no justification
	body      float64 // body text size
	leading   float64 // line spacing of body text, as a multiple of the size
	title     float64 // title size
	heading   float64 // section heading size
	indent    float64 // first-line indent of a body paragraph, in ems
	header    string  // running header on every page
	dateStamp string  // layout of the date line under the title
}

func pdfStyleFor(a *article) pdfStyle {
	if a.Lang == langZH {
		return pdfStyle{font: newCJKFont(), cjk: true, body: 12, leading: 1.6, title: 16, heading: 14, indent: 2,
			header: "《" + a.Title + "》白皮书", dateStamp: "2006年1月"}
	}
	return pdfStyle{font: helvetica{}, body: 10.5, leading: 1.45, title: 15, heading: 12.5, indent: 1.5,
		header: "White paper: " + a.Title, dateStamp: "January 2006"}
}

// pdfLine is one line of text placed on a page.
type pdfLine struct {
	x, y, size float64
	wordSpace  float64 // extra advance of each space, justifying the line
	text       string
}

// pdfLayout places blocks of text down the pages. A paragraph is never
// split across pages, and a heading always has its first paragraph under
// it, so every page starts with a new block.
type pdfLayout struct {
	st    pdfStyle
	pages [][]pdfLine
	y     float64
}

// layoutPDF sets a document: title, issuer and date centred, then each
// section's heading and paragraphs.
func layoutPDF(a *article) *pdfLayout {
	st := pdfStyleFor(a)
	l := &pdfLayout{st: st, pages: [][]pdfLine{nil}, y: pdfTop}
	l.centred(a.Title, st.title)
	l.centred(a.Byline, st.body)
	l.centred(a.Published.Format(st.dateStamp), st.body)
	for _, s := range a.Sections {
		l.block(l.wrap(s.Heading, st.heading, 0), st.heading, 2)
		for _, p := range s.Paras {
			l.block(l.wrap(p, st.body, st.indent*st.body), st.body, 0)
		}
	}
	return l
}

// lead is the line spacing of text set at size.
func (l *pdfLayout) lead(size float64) float64 { return size * l.st.leading }

// gap is the extra space after a block: more than the line spacing, so a
// reader sees a new paragraph even after a line that fills the width.
func (l *pdfLayout) gap() float64 { return 0.7 * l.lead(l.st.body) }

// block places lines, moving to a new page unless they, and keep body
// lines after them, fit on this one; then leaves a paragraph gap.
func (l *pdfLayout) block(lines []pdfLine, size float64, keep int) {
	need := float64(len(lines)-1) * l.lead(size)
	if keep > 0 {
		need += l.gap() + float64(keep)*l.lead(l.st.body)
	}
	if l.y-need < pdfBottom && len(l.pages[len(l.pages)-1]) > 0 {
		l.pages, l.y = append(l.pages, nil), pdfTop
	}
	page := &l.pages[len(l.pages)-1]
	for _, ln := range lines {
		ln.y = l.y
		*page = append(*page, ln)
		l.y -= l.lead(size)
	}
	l.y -= l.gap()
}

// centred places s centred, in lines of balanced length.
func (l *pdfLayout) centred(s string, size float64) {
	total := l.measure(s, size)
	n := int(total/(pdfRight-pdfLeft)) + 1
	var lines []pdfLine
	for _, text := range l.breakLines(s, size, total/float64(n)+size, 0) {
		lines = append(lines, pdfLine{x: (pdfLeft+pdfRight)/2 - l.measure(text, size)/2, size: size, text: text})
	}
	l.block(lines, size, 0)
}

// wrap breaks a paragraph into lines filling the text width, the first
// indented; Latin lines but the last are justified by word spacing.
func (l *pdfLayout) wrap(s string, size, indent float64) []pdfLine {
	var lines []pdfLine
	for i, text := range l.breakLines(s, size, pdfRight-pdfLeft, indent) {
		ln := pdfLine{x: pdfLeft, size: size, text: text}
		if i == 0 {
			ln.x += indent
		}
		lines = append(lines, ln)
	}
	if l.st.cjk {
		return lines
	}
	for i := range lines[:len(lines)-1] {
		ln := &lines[i]
		if spaces := strings.Count(ln.text, " "); spaces > 0 {
			ln.wordSpace = (pdfRight - ln.x - l.measure(ln.text, size)) / float64(spaces)
		}
	}
	return lines
}

// breakLines cuts s greedily: between words for Latin text, between any
// two characters for Chinese.
func (l *pdfLayout) breakLines(s string, size, width, indent float64) []string {
	var units []string
	if l.st.cjk {
		for _, r := range s {
			units = append(units, string(r))
		}
	} else {
		units = strings.Fields(s)
	}
	sep := " "
	if l.st.cjk {
		sep = ""
	}
	var lines []string
	cur, limit := "", width-indent
	for _, u := range units {
		next := u
		if cur != "" {
			next = cur + sep + u
		}
		if cur != "" && l.measure(next, size) > limit+0.01 {
			lines, cur, limit = append(lines, cur), u, width
			continue
		}
		cur = next
	}
	return append(lines, cur)
}

// measure is the advance of s at size, in points.
func (l *pdfLayout) measure(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += l.st.font.width(r)
	}
	return w / 1000 * size
}

// content is a page's content stream: the running header, the lines, and
// the page number.
func (l *pdfLayout) content(lines []pdfLine, pageNo int) []byte {
	var b strings.Builder
	running := func(s string, y float64) {
		x := (pdfLeft+pdfRight)/2 - l.measure(s, pdfRunningSize)/2
		fmt.Fprintf(&b, "BT /F1 %d Tf 0 Tw 1 0 0 1 %.2f %.2f Tm %s Tj ET\n", pdfRunningSize, x, y, l.st.font.show(s))
	}
	running(l.st.header, pdfPageH-36)
	for _, ln := range lines {
		fmt.Fprintf(&b, "BT /F1 %g Tf %.3f Tw 1 0 0 1 %.2f %.2f Tm %s Tj ET\n",
			ln.size, ln.wordSpace, ln.x, ln.y, l.st.font.show(ln.text))
	}
	running(fmt.Sprintf("- %d -", pageNo), 36)
	return []byte(b.String())
}
