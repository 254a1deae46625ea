package extract

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"unicode/utf16"
)

// pdfWriter writes small PDF files for tests: the hand-made CJK fixture and
// the hostile cases. Object n is objs[n-1]; object 1 is the catalog.
type pdfWriter struct {
	objs []string
}

func (w *pdfWriter) add(body string) int {
	w.objs = append(w.objs, body)
	return len(w.objs)
}

func (w *pdfWriter) set(n int, body string) { w.objs[n-1] = body }

// stream returns the body of a stream object holding data.
func stream(dict string, data []byte) string {
	return fmt.Sprintf("<<%s /Length %d>>\nstream\n%s\nendstream", dict, len(data), data)
}

// flateStream returns the body of a FlateDecode stream object.
func flateStream(dict string, data []byte) string {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	return stream(dict+" /Filter /FlateDecode", b.Bytes())
}

// bytes writes the file: header, objects, classic xref table, trailer.
// trailer holds extra trailer entries, e.g. "/Info 9 0 R".
func (w *pdfWriter) bytes(trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(w.objs))
	for i, o := range w.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(w.objs)+1, trailer, xref)
	return b.Bytes()
}

// utf16Hex is a PDF text string in UTF-16BE with a byte order mark.
func utf16Hex(s string) string {
	var sb strings.Builder
	sb.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&sb, "%04X", u)
	}
	sb.WriteString(">")
	return sb.String()
}

// simplePages writes a catalog, a page tree and one page per content
// stream, all using the Helvetica font F1. It returns the writer so a test
// can add objects before calling bytes.
func simplePages(contents ...string) *pdfWriter {
	w := &pdfWriter{}
	w.add("<</Type /Catalog /Pages 2 0 R>>")
	w.add("") // page tree, set below
	font := w.add("<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding>>")
	var kids []string
	for _, c := range contents {
		content := w.add(stream("", []byte(c)))
		page := w.add(fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Resources <</Font <</F1 %d 0 R>>>> /Contents %d 0 R>>", font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	w.set(2, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids)))
	return w
}

// cjkFont numbers the runes a document uses as CIDs of a font without
// embedded glyphs, Identity-H encoded, with a ToUnicode CMap.
type cjkFont struct {
	cids  map[rune]int
	order []rune
}

func newCJKFont() *cjkFont {
	f := &cjkFont{cids: map[rune]int{}}
	f.encode("0123456789") // CIDs 1-10: one bfrange in the CMap
	return f
}

// encode returns the hex string that shows s, numbering new runes.
func (f *cjkFont) encode(s string) string {
	var sb strings.Builder
	sb.WriteByte('<')
	for _, r := range s {
		cid, ok := f.cids[r]
		if !ok {
			f.order = append(f.order, r)
			cid = len(f.order)
			f.cids[r] = cid
		}
		fmt.Fprintf(&sb, "%04X", cid)
	}
	sb.WriteByte('>')
	return sb.String()
}

func runeWidth(r rune) int {
	if r < 0x80 {
		return 500
	}
	return 1000
}

// toUnicode is the font's ToUnicode CMap: the digits as a bfrange, the
// rest as bfchar sections of at most 100 entries.
func (f *cjkFont) toUnicode() string {
	var sb strings.Builder
	sb.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0001> <000A> <0030>\nendbfrange\n")
	rest := f.order[10:]
	for len(rest) > 0 {
		n := min(100, len(rest))
		fmt.Fprintf(&sb, "%d beginbfchar\n", n)
		for _, r := range rest[:n] {
			u := utf16.Encode([]rune{r})
			fmt.Fprintf(&sb, "<%04X> <", f.cids[r])
			for _, x := range u {
				fmt.Fprintf(&sb, "%04X", x)
			}
			sb.WriteString(">\n")
		}
		sb.WriteString("endbfchar\n")
		rest = rest[n:]
	}
	sb.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return sb.String()
}

func (f *cjkFont) widths() string {
	var sb strings.Builder
	sb.WriteString("[1 [")
	for i, r := range f.order {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprint(&sb, runeWidth(r))
	}
	sb.WriteString("]]")
	return sb.String()
}

// noticeZH is the text of the hand-made fixture: a title, a line with the
// issuer and date, and body paragraphs.
var noticeZH = struct {
	title, issuer string
	paras         []string
}{
	title:  "关于印发《公共数据资源开发利用管理办法》的通知",
	issuer: "国办发〔2025〕12号",
	paras: []string{
		"各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
		"《公共数据资源开发利用管理办法》已经国务院同意，现印发给你们，请认真贯彻执行。",
		"公共数据资源开发利用应当坚持统筹发展和安全，坚持依法合规、分类分级、有序开放。到2027年，公共数据资源开发利用制度规则基本建立，资源供给规模和质量明显提升，数据产品和服务更加丰富。",
		"各地区各部门要加强组织领导，明确责任分工，结合实际制定具体实施方案，及时研究解决工作中遇到的重大问题，重大事项及时向国务院报告。",
		"国务院办公厅　2025年1月15日",
	},
}

// Page geometry of the hand-made fixture, in points.
const (
	genPageW, genPageH = 300, 420
	genLeft, genRight  = 40, 260
	genBodySize        = 12
	genLeading         = 20
)

// genLine is one line placed on a page of the hand-made fixture.
type genLine struct {
	x, y, size float64
	text       string
}

// wrapCJK breaks a paragraph into lines of at most width points, the first
// indented by two characters.
func wrapCJK(p string, size, width float64, indent bool) []string {
	var lines []string
	var cur []rune
	w := 0.0
	limit := width
	if indent {
		limit -= 2 * size
	}
	for _, r := range p {
		rw := float64(runeWidth(r)) / 1000 * size
		if w+rw > limit+0.01 && len(cur) > 0 {
			lines = append(lines, string(cur))
			cur, w, limit = nil, 0, width
		}
		cur = append(cur, r)
		w += rw
	}
	return append(lines, string(cur))
}

func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += float64(runeWidth(r)) / 1000 * size
	}
	return w
}

// noticeZHPDF builds the hand-made CJK fixture: two pages, a Type0 font
// (Identity-H, ToUnicode, no embedded glyphs), a running header and page
// numbers, paragraphs marked by a first-line indent only, and an
// information dictionary with a UTF-16 title and +08'00' dates.
func noticeZHPDF() []byte {
	var pages [][]genLine
	var page []genLine
	y := float64(genPageH - 70)
	place := func(l genLine) {
		if y < 50 {
			pages, page, y = append(pages, page), nil, genPageH-70
		}
		l.y = y
		page = append(page, l)
		y -= genLeading
	}
	center := func(s string, size float64) float64 { return (genLeft+genRight)/2 - textWidth(s, size)/2 }
	for _, l := range wrapCJK(noticeZH.title, 16, genRight-genLeft, false) {
		place(genLine{x: center(l, 16), size: 16, text: l})
		y -= 4
	}
	place(genLine{x: center(noticeZH.issuer, genBodySize), size: genBodySize, text: noticeZH.issuer})
	y -= genLeading
	for i, p := range noticeZH.paras {
		indent := i > 0 && i < len(noticeZH.paras)-1
		for j, l := range wrapCJK(p, genBodySize, genRight-genLeft, indent) {
			x := float64(genLeft)
			if indent && j == 0 {
				x += 2 * genBodySize
			}
			if i == len(noticeZH.paras)-1 {
				x = genRight - textWidth(l, genBodySize) // signature, right-aligned
			}
			place(genLine{x: x, size: genBodySize, text: l})
		}
	}
	pages = append(pages, page)

	f := newCJKFont()
	header := "国务院办公厅文件"
	w := &pdfWriter{}
	w.add(`<</Type /Catalog /Pages 2 0 R /Lang (zh-CN)>>`)
	w.add("") // page tree
	var contents []string
	for n, p := range pages {
		var c strings.Builder
		fmt.Fprintf(&c, "BT /F1 9 Tf 1 0 0 1 %.2f %d Tm %s Tj ET\n", center(header, 9), genPageH-30, f.encode(header))
		for i, l := range p {
			if i%2 == 0 { // some lines as TJ with a kerning adjustment of zero
				fmt.Fprintf(&c, "BT /F1 %g Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET\n", l.size, l.x, l.y, f.encode(l.text))
			} else {
				r := []rune(l.text)
				fmt.Fprintf(&c, "BT /F1 %g Tf %.2f %.2f Td [%s 0 %s] TJ ET\n", l.size, l.x, l.y,
					f.encode(string(r[:len(r)/2])), f.encode(string(r[len(r)/2:])))
			}
		}
		num := fmt.Sprintf("- %d -", n+1)
		fmt.Fprintf(&c, "BT /F1 10 Tf 1 0 0 1 %.2f 25 Tm %s Tj ET\n", center(num, 10), f.encode(num))
		contents = append(contents, c.String())
	}
	cidFont := w.add("") // set once every rune has its CID
	toUni := w.add("")
	font := w.add(fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", cidFont, toUni))
	var kids []string
	for _, c := range contents {
		content := w.add(stream("", []byte(c)))
		page := w.add(fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources <</Font <</F1 %d 0 R>>>> /Contents %d 0 R>>",
			genPageW, genPageH, font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	w.set(2, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids)))
	w.set(cidFont, fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /DW 1000 /W %s>>", f.widths()))
	w.set(toUni, stream("", []byte(f.toUnicode())))
	info := w.add(fmt.Sprintf("<</Title %s /Producer (stet pdf_gen_test.go) /CreationDate (D:20250115093000+08'00') /ModDate (D:20250116100000+08'00')>>", utf16Hex(noticeZH.title)))
	return w.bytes(fmt.Sprintf("/Info %d 0 R", info))
}
