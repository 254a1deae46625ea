package extract

import (
	"fmt"
	"math"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m×n: m applied first, then n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(x, y float64) matrix { return matrix{1, 0, 0, 1, x, y} }

// gstate is the part of the graphics state text extraction needs.
type gstate struct {
	ctm                                               matrix
	font                                              *pdfFont
	size, charSpace, wordSpace, hscale, leading, rise float64
}

// Interpreter limits: deeper nesting is ignored.
const (
	pdfMaxSaves      = 64 // q without Q
	pdfMaxFormDepth  = 8  // form XObjects drawn within each other
	pdfCheckInterval = 4096
	pdfSpanOverhead  = 48 // bytes a span costs besides its text
)

// interp runs content streams and collects the text they show as spans.
type interp struct {
	d        *pdfDoc
	gs       gstate
	saved    []gstate
	tm, tlm  matrix
	spans    spanBuilder
	ops      int
	glyphBuf []glyph
	curRes   types.Dict // resources of the stream being run
	err      error
}

// pageSpans returns the text of one page as positioned spans.
func (d *pdfDoc) pageSpans(p pdfPage) ([]pdfSpan, error) {
	in := &interp{d: d, gs: gstate{ctm: identity, hscale: 1}}
	for _, o := range d.contents(p.dict) {
		b, err := d.stream(o)
		if err != nil {
			return nil, err
		}
		in.run(b, p.resources, 0)
		if in.err != nil {
			return nil, in.err
		}
	}
	return in.spans.finish(), nil
}

// contents lists the content streams of a page.
func (d *pdfDoc) contents(page types.Dict) []types.Object {
	c := page["Contents"]
	if a := d.array(c); a != nil {
		return a
	}
	return []types.Object{c}
}

func (in *interp) run(content []byte, res types.Dict, depth int) {
	prev := in.curRes
	in.curRes = res
	defer func() { in.curRes = prev }()
	l := psLexer{b: content}
	var args []psObj
	for in.err == nil {
		o := l.next(0)
		switch o.kind {
		case psNone:
			return
		case psOp:
			in.op(string(o.str), args, depth, &l)
			args = args[:0]
		default:
			if len(args) < psMaxOperands {
				args = append(args, o)
			}
		}
	}
}

func nums(args []psObj, n int) ([]float64, bool) {
	if len(args) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, a := range args[len(args)-n:] {
		if a.kind != psNumber || math.IsNaN(a.num) || math.IsInf(a.num, 0) {
			return nil, false
		}
		out[i] = a.num
	}
	return out, true
}

func (in *interp) op(op string, args []psObj, depth int, l *psLexer) {
	if in.ops++; in.ops%pdfCheckInterval == 0 {
		if err := in.d.ctx.Err(); err != nil {
			in.err = fmt.Errorf("%w: %w", ErrPDFTooLarge, err)
			return
		}
	}
	if in.textOp(op, args) || in.stateOp(op, args) {
		return
	}
	switch op {
	case "Do":
		if len(args) > 0 && args[len(args)-1].kind == psName {
			in.form(string(args[len(args)-1].str), depth)
		}
	case "BI":
		if indexOp(l, "ID") {
			l.skipInlineImage()
		}
	}
}

// indexOp moves l past the next operator named op; false at the end.
func indexOp(l *psLexer, op string) bool {
	for {
		o := l.next(0)
		if o.kind == psNone {
			return false
		}
		if o.kind == psOp && string(o.str) == op {
			return true
		}
	}
}

// stateOp handles the graphics and text state operators.
func (in *interp) stateOp(op string, args []psObj) bool {
	switch op {
	case "q":
		if len(in.saved) < pdfMaxSaves {
			in.saved = append(in.saved, in.gs)
		}
	case "Q":
		if n := len(in.saved); n > 0 {
			in.gs, in.saved = in.saved[n-1], in.saved[:n-1]
		}
	case "cm":
		if v, ok := nums(args, 6); ok {
			in.gs.ctm = matrix(v).mul(in.gs.ctm)
		}
	case "Tc", "Tw", "Tz", "TL", "Ts":
		v, ok := nums(args, 1)
		if !ok {
			return true
		}
		switch op {
		case "Tc":
			in.gs.charSpace = v[0]
		case "Tw":
			in.gs.wordSpace = v[0]
		case "Tz":
			in.gs.hscale = v[0] / 100
		case "TL":
			in.gs.leading = v[0]
		case "Ts":
			in.gs.rise = v[0]
		}
	default:
		return false
	}
	return true
}

// textOp handles text positioning and showing.
func (in *interp) textOp(op string, args []psObj) bool {
	switch op {
	case "BT":
		in.tm, in.tlm = identity, identity
	case "Tf":
		if len(args) >= 2 && args[len(args)-2].kind == psName && args[len(args)-1].kind == psNumber {
			in.gs.font = in.d.font(in.res(), string(args[len(args)-2].str))
			in.gs.size = args[len(args)-1].num
		}
	case "Td", "TD":
		if v, ok := nums(args, 2); ok {
			if op == "TD" {
				in.gs.leading = -v[1]
			}
			in.tlm = translate(v[0], v[1]).mul(in.tlm)
			in.tm = in.tlm
		}
	case "Tm":
		if v, ok := nums(args, 6); ok {
			in.tm, in.tlm = matrix(v), matrix(v)
		}
	case "T*":
		in.nextLine()
	case "Tj", "'", "\"":
		if len(args) == 0 || args[len(args)-1].kind != psString {
			return true
		}
		if op == "\"" {
			if v, ok := nums(args[:len(args)-1], 2); ok {
				in.gs.wordSpace, in.gs.charSpace = v[0], v[1]
			}
		}
		if op != "Tj" {
			in.nextLine()
		}
		in.show(args[len(args)-1].str)
	case "TJ":
		if len(args) > 0 && args[len(args)-1].kind == psArray {
			for _, e := range args[len(args)-1].arr {
				if e.kind == psString {
					in.show(e.str)
				} else if e.kind == psNumber {
					in.tm = translate(-e.num/1000*in.gs.size*in.gs.hscale, 0).mul(in.tm)
				}
			}
		}
	default:
		return false
	}
	return true
}

func (in *interp) nextLine() {
	in.tlm = translate(0, -in.gs.leading).mul(in.tlm)
	in.tm = in.tlm
}

func (in *interp) res() types.Dict { return in.curRes }

// form runs a form XObject's content with its matrix and resources.
func (in *interp) form(name string, depth int) {
	if depth >= pdfMaxFormDepth {
		return
	}
	xo := in.d.dict(in.curRes["XObject"])
	o, ok := xo[name]
	if !ok {
		return
	}
	fd := in.d.dict(o)
	if in.d.name(fd["Subtype"]) != "Form" {
		return
	}
	b, err := in.d.stream(o)
	if err != nil {
		in.err = err
		return
	}
	res := in.d.dict(fd["Resources"])
	if res == nil {
		res = in.curRes
	}
	saved, tm, tlm := in.gs, in.tm, in.tlm
	if v := in.d.array(fd["Matrix"]); len(v) == 6 {
		var m matrix
		for i := range m {
			m[i], _ = in.d.number(v[i])
		}
		in.gs.ctm = m.mul(in.gs.ctm)
	}
	in.run(b, res, depth+1)
	in.gs, in.tm, in.tlm = saved, tm, tlm
}

// show advances through a shown string and adds its glyphs to the spans.
func (in *interp) show(s []byte) {
	f := in.gs.font
	if f == nil {
		f = &pdfFont{codeLen: 1, dw: 0.5, scale: 0.001}
	}
	gs := &in.gs
	in.glyphBuf = f.decode(s, in.glyphBuf[:0])
	first := true
	for _, g := range in.glyphBuf {
		m := matrix{gs.size * gs.hscale, 0, 0, gs.size, 0, gs.rise}.mul(in.tm).mul(gs.ctm)
		adv := g.width*gs.size + gs.charSpace
		if g.space {
			adv += gs.wordSpace
		}
		adv *= gs.hscale
		end := matrix{1, 0, 0, 1, g.width * gs.size * gs.hscale, 0}.mul(in.tm).mul(gs.ctm)
		if g.text != "" {
			size := math.Hypot(m[2], m[3])
			in.d.text += len(g.text)
			in.spans.add(m[4], m[5], end[4], size, g.text, !first)
			first = false
		}
		in.tm = translate(adv, 0).mul(in.tm)
	}
	if in.d.text+in.spans.count*pdfSpanOverhead > 2*in.d.opts.MaxTextBytes {
		in.err = fmt.Errorf("%w: more than %d bytes of text", ErrPDFTooLarge, in.d.opts.MaxTextBytes)
	}
}
