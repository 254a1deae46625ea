package extract

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Glyph names of the Adobe Glyph List that Latin text fonts use, in the
// order of the code points they stand for; "_" marks a gap.
const (
	asciiGlyphs = "space exclam quotedbl numbersign dollar percent ampersand quotesingle parenleft parenright " +
		"asterisk plus comma hyphen period slash zero one two three four five six seven eight nine colon " +
		"semicolon less equal greater question at" // U+0020-U+0040
	asciiGlyphs2 = "bracketleft backslash bracketright asciicircum underscore grave"                       // U+005B-U+0060
	asciiGlyphs3 = "braceleft bar braceright asciitilde"                                                   // U+007B-U+007E
	latin1Glyphs = "nbspace exclamdown cent sterling currency yen brokenbar section dieresis copyright " + // U+00A0-
		"ordfeminine guillemotleft logicalnot sfthyphen registered macron degree plusminus twosuperior " +
		"threesuperior acute mu paragraph periodcentered cedilla onesuperior ordmasculine guillemotright " +
		"onequarter onehalf threequarters questiondown Agrave Aacute Acircumflex Atilde Adieresis Aring AE " +
		"Ccedilla Egrave Eacute Ecircumflex Edieresis Igrave Iacute Icircumflex Idieresis Eth Ntilde Ograve " +
		"Oacute Ocircumflex Otilde Odieresis multiply Oslash Ugrave Uacute Ucircumflex Udieresis Yacute Thorn " +
		"germandbls agrave aacute acircumflex atilde adieresis aring ae ccedilla egrave eacute ecircumflex " +
		"edieresis igrave iacute icircumflex idieresis eth ntilde ograve oacute ocircumflex otilde odieresis " +
		"divide oslash ugrave uacute ucircumflex udieresis yacute thorn ydieresis"
)

// extraGlyphs are named glyphs outside the runs above.
var extraGlyphs = map[string]rune{
	"Euro": '€', "quotesinglbase": '‚', "florin": 'ƒ', "quotedblbase": '„', "ellipsis": '…',
	"dagger": '†', "daggerdbl": '‡', "circumflex": 'ˆ', "perthousand": '‰', "Scaron": 'Š',
	"guilsinglleft": '‹', "OE": 'Œ', "Zcaron": 'Ž', "quoteleft": '‘', "quoteright": '’',
	"quotedblleft": '“', "quotedblright": '”', "bullet": '•', "endash": '–', "emdash": '—',
	"tilde": '˜', "trademark": '™', "scaron": 'š', "guilsinglright": '›', "oe": 'œ', "zcaron": 'ž',
	"Ydieresis": 'Ÿ', "dotlessi": 'ı', "Lslash": 'Ł', "lslash": 'ł', "minus": '−', "fraction": '⁄',
	"breve": '˘', "dotaccent": '˙', "ring": '˚', "hungarumlaut": '˝', "ogonek": '˛', "caron": 'ˇ',
	"space": ' ', "hyphen": '-', "periodcentered": '·', "middot": '·', "nbspace": '\u00a0',
	"sfthyphen": '\u00ad', "mu": 'µ', "Omega": 'Ω', "pi": 'π', "degree": '°', "section": '§',
	"cwm": '\u200c', "dotlessj": 'ȷ', "Gcaron": 'Ǧ', "gcaron": 'ǧ',
}

// ligatureGlyphs expand to more than one letter.
var ligatureGlyphs = map[string]string{"fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl", "st": "st"}

// glyphRunes maps glyph names to text; built once from the tables above.
var glyphRunes = buildGlyphRunes()

func buildGlyphRunes() map[string]string {
	m := make(map[string]string, 400)
	add := func(names string, first rune) {
		for i, n := range strings.Fields(names) {
			if n != "_" {
				m[n] = string(first + rune(i))
			}
		}
	}
	add(asciiGlyphs, 0x20)
	add(asciiGlyphs2, 0x5B)
	add(asciiGlyphs3, 0x7B)
	add(latin1Glyphs, 0xA0)
	for r := 'A'; r <= 'Z'; r++ {
		m[string(r)] = string(r)
		m[string(r+'a'-'A')] = string(r + 'a' - 'A')
	}
	for n, r := range extraGlyphs {
		m[n] = string(r)
	}
	for n, s := range ligatureGlyphs {
		m[n] = s
	}
	return m
}

// glyphText returns the text a glyph name stands for, or "" when unknown:
// AGL names, uniXXXX[XXXX...], uXXXX[XX], ligatures written a_b, and names
// with a variant suffix (a.sc).
func glyphText(name string) string {
	if s, ok := glyphRunes[name]; ok {
		return s
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return glyphText(name[:i])
	}
	if strings.Contains(name, "_") {
		var sb strings.Builder
		for p := range strings.SplitSeq(name, "_") {
			sb.WriteString(glyphText(p))
		}
		return sb.String()
	}
	if hex, ok := strings.CutPrefix(name, "uni"); ok && len(hex) >= 4 && len(hex)%4 == 0 {
		var sb strings.Builder
		for i := 0; i < len(hex); i += 4 {
			if r := hexRune(hex[i : i+4]); r >= 0 {
				sb.WriteRune(r)
			}
		}
		return sb.String()
	}
	if hex, ok := strings.CutPrefix(name, "u"); ok && len(hex) >= 4 && len(hex) <= 6 {
		if r := hexRune(hex); r >= 0 {
			return string(r)
		}
	}
	return ""
}

func hexRune(s string) rune {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || !utf8.ValidRune(rune(v)) {
		return -1
	}
	return rune(v)
}

// baseEncoding returns the text of a one-byte code in a named simple-font
// encoding; StandardEncoding and unknown names read as WinAnsiEncoding with
// the typographic quotes of StandardEncoding.
func baseEncoding(name string, code byte) string {
	var r rune
	switch name {
	case "MacRomanEncoding":
		r = charmap.Macintosh.DecodeByte(code)
	case "StandardEncoding":
		switch code {
		case 0x27:
			r = '’'
		case 0x60:
			r = '‘'
		default:
			r = charmap.Windows1252.DecodeByte(code)
		}
	default:
		r = charmap.Windows1252.DecodeByte(code)
	}
	if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r < 0xa0) {
		return ""
	}
	return string(r)
}
