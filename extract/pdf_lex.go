package extract

import (
	"bytes"
	"strconv"
)

// psKind is the kind of a token of a content stream or CMap.
type psKind uint8

const (
	psNone   psKind = iota
	psNumber        // num
	psString        // str: the bytes of a literal or hex string
	psName          // str, without the slash
	psArray         // arr
	psOp            // str: an operator or keyword
)

// psObj is an operand of a content stream operator. Dictionaries (marked
// content properties, inline image parameters) are parsed and dropped.
type psObj struct {
	kind psKind
	num  float64
	str  []byte
	arr  []psObj
}

// Nesting and size limits of the lexer; content past them is dropped, so
// hostile streams cost time linear in their length.
const (
	psMaxDepth    = 16      // arrays and dictionaries within each other
	psMaxArray    = 1 << 16 // elements of one array
	psMaxOperands = 64      // operands kept before an operator
)

// psLexer reads tokens from a content stream or CMap.
type psLexer struct {
	b   []byte
	pos int
}

func isPSSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPSDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *psLexer) skipSpace() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isPSSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// next returns the next object; kind psNone at the end. Closing brackets
// outside an array are returned as operators and ignored by callers.
func (l *psLexer) next(depth int) psObj {
	l.skipSpace()
	for l.pos+1 < len(l.b) && l.b[l.pos] == '<' && l.b[l.pos+1] == '<' {
		l.pos += 2
		l.skipDict(depth + 1)
		l.skipSpace()
	}
	if l.pos >= len(l.b) {
		return psObj{}
	}
	c := l.b[l.pos]
	if depth > psMaxDepth && c == '[' {
		l.skipNested()
		return psObj{kind: psArray}
	}
	switch {
	case c == '(':
		l.pos++
		return psObj{kind: psString, str: l.literal()}
	case c == '<':
		l.pos++
		return psObj{kind: psString, str: l.hex()}
	case c == '/':
		l.pos++
		return psObj{kind: psName, str: l.regular()}
	case c == '[':
		l.pos++
		return psObj{kind: psArray, arr: l.array(depth + 1)}
	case c == '{' || c == '}' || c == ']' || c == ')' || c == '>':
		l.pos++
		return psObj{kind: psOp, str: l.b[l.pos-1 : l.pos]}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		tok := l.regular()
		if f, err := strconv.ParseFloat(string(tok), 64); err == nil {
			return psObj{kind: psNumber, num: f}
		}
		return psObj{kind: psNumber, num: lenientNumber(tok)}
	}
	return psObj{kind: psOp, str: l.regular()}
}

// lenientNumber reads numbers as viewers do: "--5" or "5-" or "1.2.3" keep
// the leading numeric part.
func lenientNumber(tok []byte) float64 {
	tok = bytes.TrimLeft(tok, "+-")
	end := 0
	dot := false
	for end < len(tok) && (tok[end] >= '0' && tok[end] <= '9' || tok[end] == '.' && !dot) {
		dot = dot || tok[end] == '.'
		end++
	}
	f, _ := strconv.ParseFloat(string(tok[:end]), 64)
	return f
}

func (l *psLexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.b) && !isPSSpace(l.b[l.pos]) && !isPSDelim(l.b[l.pos]) {
		l.pos++
	}
	if l.pos == start { // a stray delimiter: consume it so the lexer advances
		l.pos++
	}
	return l.b[start:l.pos]
}

func (l *psLexer) array(depth int) []psObj {
	var out []psObj
	for {
		l.skipSpace()
		if l.pos >= len(l.b) {
			return out
		}
		if l.b[l.pos] == ']' {
			l.pos++
			return out
		}
		o := l.next(depth)
		if depth <= psMaxDepth && len(out) < psMaxArray && o.kind != psOp {
			out = append(out, o)
		}
	}
}

// skipDict skips to the >> that closes a dictionary.
func (l *psLexer) skipDict(depth int) {
	if depth > psMaxDepth {
		l.pos -= 2
		l.skipNested()
		return
	}
	for {
		l.skipSpace()
		if l.pos >= len(l.b) {
			return
		}
		if l.b[l.pos] == '>' {
			l.pos++
			if l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
			}
			return
		}
		l.next(depth)
	}
}

// skipNested skips a too deeply nested array or dictionary starting at
// l.pos without recursion, counting brackets and skipping strings.
func (l *psLexer) skipNested() {
	nest := 0
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '[':
			nest++
		case ']':
			nest--
		case '<':
			if l.pos < len(l.b) && l.b[l.pos] == '<' {
				l.pos++
				nest++
			} else {
				l.hex()
			}
		case '>':
			if l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
				nest--
			}
		case '(':
			l.literal()
		}
		if nest <= 0 {
			return
		}
	}
}

func (l *psLexer) literal() []byte {
	var out []byte
	nest := 0
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			nest++
		case ')':
			if nest == 0 {
				return out
			}
			nest--
		case '\\':
			if l.pos >= len(l.b) {
				return out
			}
			c = l.b[l.pos]
			l.pos++
			switch c {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if c >= '0' && c <= '7' {
					v := int(c - '0')
					for i := 0; i < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; i++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (l *psLexer) hex() []byte {
	var out []byte
	hi, half := byte(0), false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		var v byte
		switch {
		case c == '>':
			if half {
				out = append(out, hi<<4)
			}
			return out
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	return out
}

// skipInlineImage moves past the data of an inline image: from after "ID"
// to after the "EI" that ends it.
func (l *psLexer) skipInlineImage() {
	if l.pos < len(l.b) && isPSSpace(l.b[l.pos]) {
		l.pos++
	}
	for {
		i := bytes.Index(l.b[l.pos:], []byte("EI"))
		if i < 0 {
			l.pos = len(l.b)
			return
		}
		at := l.pos + i
		l.pos = at + 2
		before := at == 0 || isPSSpace(l.b[at-1])
		after := l.pos >= len(l.b) || isPSSpace(l.b[l.pos])
		if before && after {
			return
		}
	}
}
