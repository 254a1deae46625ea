package newsroom

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// The newsroom's PDFs are written here, at request time, by a minimal
// writer: numbered objects, Flate-compressed content streams, a classic
// cross-reference table, and an information dictionary with the title and
// the dates. The same article always gives the same bytes: nothing in a
// file depends on the clock, the request or map order.
//
// Latin text is set in the standard Helvetica font (WinAnsiEncoding, with
// its widths written out, so a reader measures lines as the writer did).
// Chinese text is set in a Type0 font with the Identity-H encoding whose
// CIDs are the characters' Unicode code points; its ToUnicode CMap maps
// each CID used back to its character. No glyphs are embedded: a viewer
// substitutes a font, and text extraction needs only the CMap.

// pdfObjects is a PDF file under construction; object n is objs[n-1].
type pdfObjects struct {
	objs []string
}

func (w *pdfObjects) add(body string) int {
	w.objs = append(w.objs, body)
	return len(w.objs)
}

func (w *pdfObjects) set(n int, body string) { w.objs[n-1] = body }

// bytes writes the file: header, objects, cross-reference table, trailer.
func (w *pdfObjects) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") // binary marker: high bytes in a comment
	offsets := make([]int, len(w.objs))
	for i, o := range w.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off) // each entry exactly 20 bytes
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n",
		len(w.objs)+1, root, info, xref)
	return b.Bytes()
}

// pdfStream is the body of a stream object holding data, Flate-compressed.
// zlib at a fixed level is deterministic.
func pdfStream(dict string, data []byte) string {
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		panic("newsroom: zlib level: " + err.Error()) // only for an invalid level
	}
	zw.Write(data) //nolint:errcheck // writes to a bytes.Buffer do not fail
	zw.Close()     //nolint:errcheck // as above
	return fmt.Sprintf("<<%s /Filter /FlateDecode /Length %d>>\nstream\n%s\nendstream", dict, z.Len(), z.Bytes())
}

// pdfText is a PDF text string: a literal for printable ASCII, else
// UTF-16BE with a byte order mark, in hex.
func pdfText(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r > '~' }) < 0 {
		return pdfLiteral(s)
	}
	var sb strings.Builder
	sb.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&sb, "%04X", u)
	}
	sb.WriteByte('>')
	return sb.String()
}

// pdfLiteral is a literal string, with its delimiters and backslash escaped.
func pdfLiteral(s string) string {
	return "(" + strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s) + ")"
}

// pdfDate is a PDF date, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off/60%60)
}

// pdfFont is the one font a document is set in.
type pdfFont interface {
	width(r rune) float64         // advance in thousandths of the font size
	show(s string) string         // s as a string operand of Tj
	objects(w *pdfObjects) string // adds the font's objects; returns its reference
}

// helvetica is the standard Type 1 font, printable ASCII only.
type helvetica struct{}

// helveticaWidths are Helvetica's advances for codes 32-126 in
// WinAnsiEncoding (Adobe's AFM; code 39 is quotesingle, 96 grave).
var helveticaWidths = [...]float64{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
}

func (helvetica) width(r rune) float64 {
	if r < ' ' || r > '~' {
		panic(fmt.Sprintf("newsroom: %q is not printable ASCII; the English PDF font has no such glyph", r))
	}
	return helveticaWidths[r-' ']
}

func (h helvetica) show(s string) string {
	for _, r := range s {
		h.width(r) // refuses what the encoding cannot show
	}
	return pdfLiteral(s)
}

func (helvetica) objects(w *pdfObjects) string {
	ws := make([]string, len(helveticaWidths))
	for i, v := range helveticaWidths {
		ws[i] = fmt.Sprint(v)
	}
	return fmt.Sprintf("%d 0 R", w.add(fmt.Sprintf(
		"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths [%s]>>",
		strings.Join(ws, " "))))
}

// cjkFont is a Type0 font, Identity-H, CID = code point, without glyphs.
// It records the characters shown, for its widths and its ToUnicode CMap.
type cjkFont struct {
	used map[rune]bool
}

func newCJKFont() *cjkFont { return &cjkFont{used: map[rune]bool{}} }

func (*cjkFont) width(r rune) float64 {
	if r < 0x80 {
		return 500 // Latin letters and digits are half width
	}
	return 1000
}

func (f *cjkFont) show(s string) string {
	var sb strings.Builder
	sb.WriteByte('<')
	for _, r := range s {
		if r > 0xFFFF {
			panic(fmt.Sprintf("newsroom: %q is outside the BMP; the Chinese PDF font has two-byte codes", r))
		}
		f.used[r] = true
		fmt.Fprintf(&sb, "%04X", r)
	}
	sb.WriteByte('>')
	return sb.String()
}

// objects adds the font, its CIDFont, descriptor and ToUnicode CMap. Call
// it after every show, so the CMap covers every character.
func (f *cjkFont) objects(w *pdfObjects) string {
	runes := make([]rune, 0, len(f.used))
	for r := range f.used {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	var widths strings.Builder
	for _, r := range runes {
		if r < 0x80 {
			fmt.Fprintf(&widths, "%d [500] ", r)
		}
	}
	desc := w.add("<</Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80>>")
	cid := w.add(fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000 /W [%s]>>",
		desc, strings.TrimSpace(widths.String())))
	cmap := w.add(pdfStream("", toUnicode(runes)))
	return fmt.Sprintf("%d 0 R", w.add(fmt.Sprintf(
		"<</Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", cid, cmap)))
}

// toUnicode is a ToUnicode CMap mapping each rune's CID (its code point)
// to itself, in bfchar sections of at most 100 entries, as the format asks.
func toUnicode(runes []rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for chunk := range slices.Chunk(runes, 100) {
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, r := range chunk {
			fmt.Fprintf(&b, "<%04X> <%04X>\n", r, r)
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// renderPDF makes the PDF edition of a document from its title, byline,
// date and sections. ModDate is the article's modification date, so an
// edit the script makes without one leaves it as it was.
func renderPDF(a *article) []byte {
	l := layoutPDF(a)
	contents := make([][]byte, len(l.pages))
	for i, p := range l.pages {
		contents[i] = l.content(p, i+1) // before the font's objects: they list what was shown
	}
	lang := "en-US"
	if a.Lang == langZH {
		lang = "zh-CN"
	}
	w := &pdfObjects{}
	root := w.add(fmt.Sprintf("<</Type /Catalog /Pages 2 0 R /Lang %s>>", pdfLiteral(lang)))
	w.add("") // the page tree, once its kids are numbered
	font := l.st.font.objects(w)
	kids := make([]string, len(contents))
	for i, c := range contents {
		content := w.add(pdfStream("", c))
		kids[i] = fmt.Sprintf("%d 0 R", w.add(fmt.Sprintf(
			"<</Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources <</Font <</F1 %s>>>> /Contents %d 0 R>>",
			pdfPageW, pdfPageH, font, content)))
	}
	w.set(2, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids)))
	info := w.add(fmt.Sprintf("<</Title %s /Author %s /Creator (Newsroom) /Producer (stet newsroom PDF writer) /CreationDate %s /ModDate %s>>",
		pdfText(a.Title), pdfText(a.Byline), pdfLiteral(pdfDate(a.Published)), pdfLiteral(pdfDate(a.modified()))))
	return w.bytes(root, info)
}
