package extract

import (
	"unicode/utf16"
	"unicode/utf8"
)

// cmapMaxEntries bounds the codes one CMap maps; ranges past it are ignored.
const cmapMaxEntries = 1 << 17

// codeRange is a codespace range: codes of n bytes from lo to hi.
type codeRange struct {
	n      int
	lo, hi uint32
}

// pdfCMap maps character codes to text: a ToUnicode CMap, or the
// codespace of an embedded encoding CMap.
type pdfCMap struct {
	space []codeRange
	text  map[uint64]string // key: n<<32 | code
	max   int               // entries text may hold
}

func cmapKey(n int, code uint32) uint64 { return uint64(n)<<32 | uint64(code) }

// parseCMap reads the codespace ranges and bfchar/bfrange mappings of a
// CMap, at most limit of them. It never fails: what cannot be read is left
// out.
func parseCMap(b []byte, limit int) *pdfCMap {
	m := &pdfCMap{text: map[uint64]string{}, max: min(limit, cmapMaxEntries)}
	l := psLexer{b: b}
	var ops []psObj
	for {
		o := l.next(0)
		if o.kind == psNone {
			return m
		}
		if o.kind != psOp {
			if len(ops) < 3*256 { // a CMap section holds at most 100 entries
				ops = append(ops, o)
			}
			continue
		}
		switch string(o.str) {
		case "endcodespacerange":
			for i := 0; i+1 < len(ops); i += 2 {
				m.addSpace(ops[i].str, ops[i+1].str)
			}
		case "endbfchar":
			for i := 0; i+1 < len(ops); i += 2 {
				m.addChar(ops[i].str, ops[i+1])
			}
		case "endbfrange":
			for i := 0; i+2 < len(ops); i += 3 {
				m.addRange(ops[i].str, ops[i+1].str, ops[i+2])
			}
		}
		ops = ops[:0]
	}
}

func codeOf(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 4 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v, true
}

func (m *pdfCMap) addSpace(lo, hi []byte) {
	l, ok1 := codeOf(lo)
	h, ok2 := codeOf(hi)
	if ok1 && ok2 && len(lo) == len(hi) && len(m.space) < 256 {
		m.space = append(m.space, codeRange{len(lo), l, h})
	}
}

func (m *pdfCMap) addChar(src []byte, dst psObj) {
	code, ok := codeOf(src)
	if !ok || dst.kind != psString || len(m.text) >= m.max {
		return
	}
	m.text[cmapKey(len(src), code)] = utf16Text(dst.str)
}

// addRange maps lo..hi either to consecutive text (the last UTF-16 unit of
// dst incremented) or to the strings of an array.
func (m *pdfCMap) addRange(lo, hi []byte, dst psObj) {
	l, ok1 := codeOf(lo)
	h, ok2 := codeOf(hi)
	if !ok1 || !ok2 || len(lo) != len(hi) || h < l {
		return
	}
	n := len(lo)
	for i := uint32(0); i <= h-l && len(m.text) < m.max; i++ {
		switch dst.kind {
		case psString:
			m.text[cmapKey(n, l+i)] = utf16Text(incrementUTF16(dst.str, i))
		case psArray:
			if int(i) >= len(dst.arr) {
				return
			}
			m.text[cmapKey(n, l+i)] = utf16Text(dst.arr[i].str)
		default:
			return
		}
	}
}

// incrementUTF16 adds i to the last code unit of a UTF-16BE string.
func incrementUTF16(b []byte, i uint32) []byte {
	if len(b) < 2 || i == 0 {
		return b
	}
	out := append([]byte(nil), b...)
	k := len(out) - 2
	v := uint32(out[k])<<8 | uint32(out[k+1]) + i
	out[k], out[k+1] = byte(v>>8), byte(v)
	return out
}

// utf16Text decodes UTF-16BE; a single byte reads as Latin-1. Controls and
// unpaired surrogates are dropped.
func utf16Text(b []byte) string {
	if len(b) == 1 {
		return printable(rune(b[0]))
	}
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	var out []byte
	for _, r := range utf16.Decode(u) {
		out = append(out, printable(r)...)
	}
	return string(out)
}

func printable(r rune) string {
	if r < 0x20 && r != '\t' || r == 0x7f || r == utf8.RuneError || r >= 0x80 && r < 0xa0 || r >= 0xfff0 && r <= 0xffff {
		return ""
	}
	if r == '\t' {
		return " "
	}
	return string(r)
}

// split returns the length of the code at the start of b: the shortest
// codespace range that holds it, else def bytes.
func (m *pdfCMap) split(b []byte, def int) int {
	if m != nil {
		for n := 1; n <= 4 && n <= len(b); n++ {
			code, _ := codeOf(b[:n])
			for _, r := range m.space {
				if r.n == n && code >= r.lo && code <= r.hi {
					return n
				}
			}
		}
	}
	return min(def, len(b))
}

// lookup returns the text of a code and whether the CMap maps it.
func (m *pdfCMap) lookup(code []byte) (string, bool) {
	if m == nil {
		return "", false
	}
	c, ok := codeOf(code)
	if !ok {
		return "", false
	}
	s, ok := m.text[cmapKey(len(code), c)]
	return s, ok
}
