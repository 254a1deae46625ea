package extract

import (
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// pdfFont turns the codes of a shown string into text and advances.
type pdfFont struct {
	composite bool              // Type0: codes of 1-4 bytes, widths by CID
	toUnicode *pdfCMap          // the font's ToUnicode CMap, or nil
	codespace *pdfCMap          // an embedded encoding CMap's codespace, or nil
	codeLen   int               // code length when no codespace says
	legacy    encoding.Encoding // a predefined CJK CMap read through its charset, or nil
	utf16     bool              // a predefined Uni…-UCS2/UTF16 CMap: codes are UTF-16BE
	names     map[byte]string   // simple font: text of codes from /Differences
	base      string            // simple font: base encoding name
	widths    map[uint32]float64
	dw        float64 // default width, in text space units per unit of size
	scale     float64 // glyph space to text space (1/1000, or a Type 3 FontMatrix)
}

// glyph is one decoded code of a shown string.
type glyph struct {
	text  string
	width float64 // advance in text space units per unit of font size
	space bool    // the single-byte code 32, to which word spacing applies
}

// font returns the font a resource dictionary names, loading it once.
func (d *pdfDoc) font(res types.Dict, name string) *pdfFont {
	fonts := d.dict(res["Font"])
	o, ok := fonts[name]
	if !ok {
		return nil
	}
	ref, isRef := o.(types.IndirectRef)
	if isRef {
		if f, ok := d.fonts[ref]; ok {
			return f
		}
	}
	f := d.loadFont(d.dict(o))
	if isRef {
		d.fonts[ref] = f
	}
	return f
}

func (d *pdfDoc) loadFont(fd types.Dict) *pdfFont {
	f := &pdfFont{codeLen: 1, scale: 0.001, widths: map[uint32]float64{}}
	if fd == nil {
		return f
	}
	if b, err := d.stream(fd["ToUnicode"]); err == nil && b != nil {
		f.toUnicode = parseCMap(b, d.cmapBudget)
		d.cmapBudget -= len(f.toUnicode.text)
	}
	if d.name(fd["Subtype"]) == "Type0" {
		d.loadComposite(f, fd)
		return f
	}
	if d.name(fd["Subtype"]) == "Type3" {
		if m := d.array(fd["FontMatrix"]); len(m) == 6 {
			if v, ok := d.number(m[0]); ok && v > 0 && v < 1 {
				f.scale = v
			}
		}
	}
	d.loadSimpleEncoding(f, fd)
	d.loadSimpleWidths(f, fd)
	return f
}

func (d *pdfDoc) loadSimpleEncoding(f *pdfFont, fd types.Dict) {
	enc := d.deref(fd["Encoding"])
	switch e := enc.(type) {
	case types.Name:
		f.base = string(e)
	case types.Dict:
		f.base = d.name(e["BaseEncoding"])
		code := 0
		for _, o := range d.array(e["Differences"]) {
			if n, ok := d.number(o); ok {
				code = int(n)
				continue
			}
			if n := d.name(o); n != "" && code >= 0 && code < 256 {
				if f.names == nil {
					f.names = map[byte]string{}
				}
				f.names[byte(code)] = glyphText(n)
				code++
			}
		}
	}
}

func (d *pdfDoc) loadSimpleWidths(f *pdfFont, fd types.Dict) {
	f.dw = 0.5
	if desc := d.dict(fd["FontDescriptor"]); desc != nil {
		if w, ok := d.number(desc["MissingWidth"]); ok && w > 0 {
			f.dw = w * f.scale
		}
	}
	first, _ := d.number(fd["FirstChar"])
	for i, o := range d.array(fd["Widths"]) {
		if w, ok := d.number(o); ok && i < 256 {
			f.widths[uint32(int(first)+i)] = w * f.scale
		}
	}
}

// loadComposite reads a Type0 font: its encoding CMap and the widths of
// its descendant CIDFont.
func (d *pdfDoc) loadComposite(f *pdfFont, fd types.Dict) {
	f.composite, f.codeLen, f.dw = true, 2, 1
	switch enc := d.deref(fd["Encoding"]).(type) {
	case types.Name:
		predefinedCMap(f, string(enc))
	case types.StreamDict:
		if b, err := d.stream(enc); err == nil && b != nil {
			f.codespace = parseCMap(b, 0)
		}
	}
	desc := d.dict(firstOf(d.array(fd["DescendantFonts"])))
	if desc == nil {
		return
	}
	if w, ok := d.number(desc["DW"]); ok && w > 0 {
		f.dw = w / 1000
	}
	d.loadCIDWidths(f, d.array(desc["W"]))
}

func firstOf(a types.Array) types.Object {
	if len(a) == 0 {
		return nil
	}
	return a[0]
}

// loadCIDWidths reads a /W array: "c [w1 w2 …]" and "cfirst clast w" runs.
func (d *pdfDoc) loadCIDWidths(f *pdfFont, w types.Array) {
	const maxWidths = 1 << 16
	for i := 0; i+1 < len(w) && len(f.widths) < maxWidths; {
		c, ok := d.number(w[i])
		if !ok || c < 0 {
			return
		}
		if ws := d.array(w[i+1]); ws != nil {
			for j, o := range ws {
				if v, ok := d.number(o); ok && len(f.widths) < maxWidths {
					f.widths[uint32(c)+uint32(j)] = v / 1000
				}
			}
			i += 2
			continue
		}
		if i+2 >= len(w) {
			return
		}
		last, ok1 := d.number(w[i+1])
		v, ok2 := d.number(w[i+2])
		if !ok1 || !ok2 || last < c {
			return
		}
		for cid := uint32(c); cid <= uint32(last) && len(f.widths) < maxWidths; cid++ {
			f.widths[cid] = v / 1000
		}
		i += 3
	}
}

// predefinedCMap sets how a Type0 font with a named CMap reads its codes.
// Identity CMaps carry no text (ToUnicode must); Unicode CMaps and the
// legacy CJK charsets (GBK, Big5, Shift JIS, EUC-KR) are decoded directly.
func predefinedCMap(f *pdfFont, name string) {
	switch {
	case strings.HasPrefix(name, "Identity"):
	case strings.Contains(name, "UCS2") || strings.Contains(name, "UTF16"):
		f.utf16 = true
	case strings.HasPrefix(name, "GB") || strings.HasPrefix(name, "UniGB"):
		f.legacy, f.codeLen = simplifiedchinese.GB18030, 0
	case strings.HasPrefix(name, "B5") || strings.HasPrefix(name, "ETen") || strings.HasPrefix(name, "HKscs"):
		f.legacy, f.codeLen = traditionalchinese.Big5, 0
	case strings.Contains(name, "RKSJ"):
		f.legacy, f.codeLen = japanese.ShiftJIS, 0
	case strings.HasPrefix(name, "EUC") || strings.HasPrefix(name, "83pv"):
		f.legacy, f.codeLen = japanese.EUCJP, 0
	case strings.HasPrefix(name, "KSC"):
		f.legacy, f.codeLen = korean.EUCKR, 0
	}
}

// codeLength returns the length of the code at the start of s.
func (f *pdfFont) codeLength(s []byte) int {
	switch {
	case !f.composite:
		return 1
	case f.codespace != nil && len(f.codespace.space) > 0:
		return f.codespace.split(s, 2)
	case f.toUnicode != nil && len(f.toUnicode.space) > 0 && f.legacy == nil:
		return f.toUnicode.split(s, f.codeLen)
	case f.legacy != nil: // one byte below 0x80, else two
		if s[0] < 0x80 {
			return 1
		}
		return min(2, len(s))
	}
	return min(f.codeLen, len(s))
}

// decode splits a shown string into glyphs.
func (f *pdfFont) decode(s []byte, out []glyph) []glyph {
	for len(s) > 0 {
		n := f.codeLength(s)
		code := s[:n]
		s = s[n:]
		c, _ := codeOf(code)
		g := glyph{text: f.text(code, c), width: f.dw, space: n == 1 && c == 32}
		if w, ok := f.widths[c]; ok {
			g.width = w
		}
		out = append(out, g)
	}
	return out
}

// text returns the text of one code: the ToUnicode mapping, else what the
// encoding says.
func (f *pdfFont) text(code []byte, c uint32) string {
	if s, ok := f.toUnicode.lookup(code); ok && s != "" {
		return s
	}
	switch {
	case f.utf16:
		return utf16Text(code)
	case f.legacy != nil:
		out, err := f.legacy.NewDecoder().Bytes(code)
		if err != nil || strings.ContainsRune(string(out), '\uFFFD') {
			return ""
		}
		return strings.Map(func(r rune) rune {
			if printable(r) == "" {
				return -1
			}
			return r
		}, string(out))
	case f.composite:
		return "" // Identity without ToUnicode: glyph ids carry no text
	}
	if t, ok := f.names[byte(c)]; ok {
		return t
	}
	return baseEncoding(f.base, byte(c))
}
