package extract

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// article extracts the text of every page, then lays it out.
func (d *pdfDoc) article() (*Article, error) {
	pages, err := d.pages()
	if err != nil {
		return nil, err
	}
	var perPage [][]pdfLine
	for i, p := range pages {
		spans, err := d.pageSpans(p)
		if err != nil {
			return nil, err
		}
		perPage = append(perPage, pageLines(i, spans))
	}
	dropRunning(perPage)
	var lines []pdfLine
	for _, p := range perPage {
		lines = append(lines, p...)
	}
	m := measure(keptLines(lines))
	paras := paragraphs(lines, m)
	a := &Article{Charset: "utf-8"}
	var sb strings.Builder
	for _, p := range paras {
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(joinLines(p))
	}
	a.Text = sb.String()
	if len(a.Text) > d.opts.MaxTextBytes {
		return nil, fmt.Errorf("%w: more than %d bytes of text", ErrPDFTooLarge, d.opts.MaxTextBytes)
	}
	d.meta(a)
	if a.Title == "" {
		a.Title = pdfTitleFromText(paras, m)
	}
	return a, nil
}

func keptLines(lines []pdfLine) []pdfLine {
	var out []pdfLine
	for _, l := range lines {
		if !l.drop {
			out = append(out, l)
		}
	}
	return out
}

// meta fills the title, dates and language from the information
// dictionary and the catalog.
func (d *pdfDoc) meta(a *Article) {
	if info := d.info(); info != nil {
		if t := d.textString(info["Title"]); usableTitle(t) {
			a.Title = truncateRunes(t, pdfMaxTitle)
		}
		a.Published = parsePDFDate(d.textString(info["CreationDate"]))
		a.Modified = parsePDFDate(d.textString(info["ModDate"]))
	}
	if cat, err := d.xref.Catalog(); err == nil && cat != nil {
		a.Lang = truncateRunes(d.textString(cat["Lang"]), 35)
	}
}

const pdfMaxTitle = 300 // runes

// junkTitle matches the titles producers put in by themselves: the name of
// the source file or of the template.
var junkTitle = regexp.MustCompile(`(?i)^(microsoft (word|powerpoint|excel) - |untitled|无标题|無標題|slide \d+$|powerpoint presentation$|document\d*$)|\.(docx?|wps|pdf|xlsx?|pptx?|rtf|odt|indd|tmp)$`)

func usableTitle(t string) bool {
	return t != "" && !junkTitle.MatchString(t) && strings.IndexFunc(t, unicode.IsLetter) >= 0
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// pdfTitleFromText is the title of a document without a usable one in its
// information dictionary: the first paragraph on the first page set larger
// than the body text, else the first line.
func pdfTitleFromText(paras [][]pdfLine, m pdfMetrics) string {
	if len(paras) == 0 {
		return ""
	}
	first := paras[0][0].page
	best, size := -1, m.size*1.15
	for i, p := range paras {
		if p[0].page != first {
			break
		}
		if s := p[0].size; s > size+0.01 && !math.IsInf(s, 0) {
			best, size = i, s
		}
	}
	if best >= 0 {
		return truncateRunes(joinLines(paras[best]), pdfMaxTitle)
	}
	return truncateRunes(paras[0][0].text, pdfMaxTitle)
}

// pdfDateRe matches a PDF date, D:YYYYMMDDHHmmSSOHH'mm', of which all but
// the year may be missing.
var pdfDateRe = regexp.MustCompile(`^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+\-])(\d{2})?'?(\d{2})?'?)?`)

// parsePDFDate returns the time a PDF date stands for in UTC, zero when it
// is not one or is implausible. A date without a zone is taken as UTC.
func parsePDFDate(s string) time.Time {
	m := pdfDateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}
	}
	n := make([]int, 9)
	for i := 1; i <= 9; i++ {
		if i == 7 {
			continue
		}
		n[i-1], _ = strconv.Atoi(m[i])
	}
	month, day := max(n[1], 1), max(n[2], 1)
	if month > 12 || day > 31 || n[3] > 23 || n[4] > 59 || n[5] > 59 || n[7] > 23 || n[8] > 59 {
		return time.Time{}
	}
	offset := n[7]*3600 + n[8]*60
	if m[7] == "-" {
		offset = -offset
	}
	t := time.Date(n[0], time.Month(month), day, n[3], n[4], n[5], 0, time.FixedZone("", offset)).UTC()
	if !plausible(t) {
		return time.Time{}
	}
	return t
}
