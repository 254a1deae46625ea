package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfDoc is one PDF being extracted. It is used by one goroutine.
type pdfDoc struct {
	ctx     context.Context
	xref    *model.XRefTable
	opts    PDFOptions
	decoded int64                          // bytes of streams decoded so far
	text    int                            // bytes of text (and span overhead) collected so far
	fonts   map[types.IndirectRef]*pdfFont // fonts by object, shared by pages

	cmapBudget int // CMap entries all fonts may still hold
}

// pdfMaxCMapEntries bounds the ToUnicode entries of all fonts of a file.
const pdfMaxCMapEntries = 1 << 20

// encryptKey finds an /Encrypt entry in the file's uncompressed parts (a
// trailer or an xref stream's dictionary), whatever the parser makes of it.
var encryptKey = regexp.MustCompile(`/Encrypt[\s<\[/0-9]`)

// openPDF parses b. The parser's own limits are set from o, so an object
// stream or xref stream cannot expand past o.MaxStreamBytes either.
func openPDF(ctx context.Context, b []byte, o PDFOptions) (*pdfDoc, error) {
	if !bytes.Contains(b[:min(len(b), 1024)], []byte("%PDF-")) { // viewers allow junk before the header
		return nil, errors.New("extract: parse PDF: no %PDF- header")
	}
	if encryptKey.Match(b) {
		return nil, ErrEncrypted
	}
	limits := model.DefaultResourceLimits()
	limits.MaxStreamBytes = o.MaxStreamBytes
	limits.MaxDecodeBytes = o.MaxStreamBytes
	limits.MaxObjectCount = 1 << 20
	limits.MaxXRefEntries = 1 << 20
	limits.MaxRecursionDepth = 64
	conf := &model.Configuration{ // not model.NewDefaultConfiguration: that one reads and writes a config dir
		Reader15:                  true,
		ValidationMode:            model.ValidationRelaxed,
		UnsupportedResourcePolicy: model.UnsupportedResourceSkip,
		Offline:                   true,
		Limits:                    limits,
	}
	c, err := pdfcpu.ReadWithContext(ctx, bytes.NewReader(b), conf)
	if err != nil {
		return nil, classifyReadError(ctx, err)
	}
	if c.Encrypt != nil || c.E != nil {
		return nil, ErrEncrypted
	}
	return &pdfDoc{ctx: ctx, xref: c.XRefTable, opts: o, fonts: map[types.IndirectRef]*pdfFont{}, cmapBudget: pdfMaxCMapEntries}, nil
}

// classifyReadError maps the parser's errors onto this package's.
func classifyReadError(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %w", ErrPDFTooLarge, ctx.Err())
	case errors.Is(err, pdfcpu.ErrEncrypted):
		return ErrEncrypted
	case isLimitError(err):
		return fmt.Errorf("%w: %w", ErrPDFTooLarge, err)
	}
	return fmt.Errorf("extract: parse PDF: %w", err)
}

// isLimitError reports whether err is one of the parser's resource limits.
func isLimitError(err error) bool {
	return errors.Is(err, model.ErrMaxRecursionDepthExceeded) || errors.Is(err, filter.ErrDecodeLimitExceeded)
}

// deref resolves indirect references, following a chain of at most a few.
func (d *pdfDoc) deref(o types.Object) types.Object {
	for range 8 {
		ref, ok := o.(types.IndirectRef)
		if !ok {
			return o
		}
		var err error
		if o, err = d.xref.Dereference(ref); err != nil {
			return nil
		}
	}
	return nil
}

func (d *pdfDoc) dict(o types.Object) types.Dict {
	switch v := d.deref(o).(type) {
	case types.Dict:
		return v
	case types.StreamDict:
		return v.Dict
	}
	return nil
}

func (d *pdfDoc) array(o types.Object) types.Array {
	a, _ := d.deref(o).(types.Array)
	return a
}

func (d *pdfDoc) number(o types.Object) (float64, bool) {
	switch v := d.deref(o).(type) {
	case types.Integer:
		return float64(v), true
	case types.Float:
		return float64(v), true
	}
	return 0, false
}

func (d *pdfDoc) name(o types.Object) string {
	n, _ := d.deref(o).(types.Name)
	return string(n)
}

// stream decodes the stream o refers to, charging its size to the budget of
// decoded bytes. It returns nil for an object that is not a stream.
func (d *pdfDoc) stream(o types.Object) ([]byte, error) {
	sd, ok := d.deref(o).(types.StreamDict)
	if !ok {
		return nil, nil
	}
	if err := d.ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPDFTooLarge, err)
	}
	err := sd.DecodeWithLimit(d.opts.MaxStreamBytes)
	if isLimitError(err) {
		return nil, fmt.Errorf("%w: a stream decodes to more than %d bytes", ErrPDFTooLarge, d.opts.MaxStreamBytes)
	}
	if err != nil {
		return nil, nil // a damaged stream is skipped, as viewers do
	}
	d.decoded += int64(len(sd.Content))
	if d.decoded > d.opts.MaxDecodedBytes {
		return nil, fmt.Errorf("%w: content streams decode to more than %d bytes", ErrPDFTooLarge, d.opts.MaxDecodedBytes)
	}
	return sd.Content, nil
}

// pdfPage is a leaf of the page tree with its inherited resources.
type pdfPage struct {
	dict      types.Dict
	resources types.Dict
}

// pages walks the page tree in order. It refuses more than o.MaxPages pages
// and ignores nodes it has already seen, so a tree with loops ends.
func (d *pdfDoc) pages() ([]pdfPage, error) {
	cat, err := d.xref.Catalog()
	if err != nil || cat == nil {
		return nil, fmt.Errorf("extract: parse PDF: no catalog: %w", err)
	}
	var out []pdfPage
	seen := map[types.IndirectRef]bool{}
	var walk func(o types.Object, res types.Dict, depth int) error
	walk = func(o types.Object, res types.Dict, depth int) error {
		if ref, ok := o.(types.IndirectRef); ok {
			if seen[ref] {
				return nil
			}
			seen[ref] = true
		}
		node := d.dict(o)
		if node == nil || depth > 64 {
			return nil
		}
		if r := d.dict(node["Resources"]); r != nil {
			res = r
		}
		kids, isTree := node["Kids"]
		if !isTree || d.name(node["Type"]) == "Page" {
			if len(out) == d.opts.MaxPages {
				return fmt.Errorf("%w: more than %d pages", ErrPDFTooLarge, d.opts.MaxPages)
			}
			out = append(out, pdfPage{dict: node, resources: res})
			return nil
		}
		for _, k := range d.array(kids) {
			if err := walk(k, res, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(cat["Pages"], nil, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// info returns the document information dictionary, or nil.
func (d *pdfDoc) info() types.Dict {
	if d.xref.Info == nil {
		return nil
	}
	return d.dict(*d.xref.Info)
}

// textString decodes a PDF text string: UTF-16BE with a byte order mark,
// UTF-8 with one, else PDFDocEncoding.
func (d *pdfDoc) textString(o types.Object) string {
	var s string
	var err error
	switch v := d.deref(o).(type) {
	case types.StringLiteral:
		s, err = types.StringLiteralToString(v)
	case types.HexLiteral:
		s, err = types.HexLiteralToString(v)
	default:
		return ""
	}
	if err != nil {
		return ""
	}
	return cleanPDFString(s)
}
