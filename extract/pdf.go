package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"
)

// ErrEncrypted is returned for a PDF with an /Encrypt dictionary, even one
// that opens without a password: its text cannot be read reliably without
// honouring the publisher's permissions.
var ErrEncrypted = errors.New("extract: encrypted PDF")

// ErrPDFTooLarge is returned when a PDF exceeds one of the PDFOptions limits
// (input bytes, pages, decoded stream bytes, extracted text, time). The
// caller classifies it like ErrTooLarge.
var ErrPDFTooLarge = errors.New("extract: PDF too large")

// PDFOptions bounds one PDF extraction. The zero value means the defaults.
type PDFOptions struct {
	MaxInputBytes   int64         // size of the file; 0 means 64 MiB
	MaxPages        int           // 0 means 2000
	MaxTextBytes    int           // extracted text; 0 means 16 MiB
	MaxStreamBytes  int64         // one decoded stream; 0 means 32 MiB
	MaxDecodedBytes int64         // all decoded content streams together; 0 means 256 MiB
	Timeout         time.Duration // 0 means 20 s
}

func (o PDFOptions) withDefaults() PDFOptions {
	if o.MaxInputBytes <= 0 {
		o.MaxInputBytes = 64 << 20
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 2000
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = 16 << 20
	}
	if o.MaxStreamBytes <= 0 {
		o.MaxStreamBytes = 32 << 20
	}
	if o.MaxDecodedBytes <= 0 {
		o.MaxDecodedBytes = 256 << 20
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	return o
}

// PDF extracts the text and metadata of a PDF document. It reads r to EOF
// and does not close it. Text holds the body paragraphs separated by "\n\n":
// the lines of a paragraph are joined (without a space between CJK lines,
// with one between Latin lines, line-end hyphens removed), and headers,
// footers and page numbers repeated on the pages are dropped. Title, dates
// and Lang come from the document information dictionary and the catalog;
// a missing title is taken from the largest text on the first page.
//
// The same bytes always give the same Article. Every resource is bounded by
// o: a limit that is hit returns an error wrapping ErrPDFTooLarge, an
// /Encrypt dictionary returns ErrEncrypted, and a damaged file returns an
// error naming the reason. A panic in the parser becomes an error.
//
// Extraction runs in its own goroutine. When o.Timeout passes, PDF returns
// an error wrapping ErrPDFTooLarge and context.DeadlineExceeded at once; the
// goroutine notices the deadline at its next check (between objects and
// every few thousand content operators) and ends soon after, holding at most
// the memory the limits allow until then.
func PDF(r io.Reader, o PDFOptions) (*Article, error) {
	o = o.withDefaults()
	b, err := readPDFInput(r, o.MaxInputBytes)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	type result struct {
		a   *Article
		err error
	}
	done := make(chan result, 1) // buffered: a late result is dropped, not blocked on
	go func() {
		a, err := extractPDF(ctx, b, o)
		done <- result{a, err}
	}()
	select {
	case res := <-done:
		return res.a, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: not done within %v: %w", ErrPDFTooLarge, o.Timeout, ctx.Err())
	}
}

// extractPDF does the work of PDF; a panic in it, or in the parser under
// it, becomes an error.
func extractPDF(ctx context.Context, b []byte, o PDFOptions) (a *Article, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("extract: parse PDF: internal error: %v\n%s", p, firstFrames(debug.Stack()))
		}
	}()
	d, err := openPDF(ctx, b, o)
	if err != nil {
		return nil, err
	}
	return d.article()
}

// firstFrames keeps the top of a stack trace, enough to find the fault.
func firstFrames(stack []byte) []byte {
	const keep = 2048
	if len(stack) > keep {
		return stack[:keep]
	}
	return stack
}

// readPDFInput reads r to EOF, refusing more than limit bytes.
func readPDFInput(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok {
		buf.Grow(int(min(int64(max(l.Len(), 0)), limit)) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("extract: read input: %w", err)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: file larger than %d bytes", ErrPDFTooLarge, limit)
	}
	return buf.Bytes(), nil
}
