package extract

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxTextRun bounds one run of bytes without a '<': a text node, comment or
// tag. encoding/xml buffers a whole token, so without this bound a body of
// 50 MiB of spaces would become one 50 MiB allocation.
const maxTextRun = 1 << 20

// xmlDeclScan is how far into the body the XML declaration is looked for.
const xmlDeclScan = 1024

// TooLargeError reports an input, or one piece of it, over a byte limit.
// errors.Is(err, ErrTooLarge) is true for it, so callers branch on the
// sentinel and log the detail.
type TooLargeError struct {
	What  string // "sitemap", "index page", "sitemap text node"
	Limit int64  // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("extract: %s larger than %d bytes", e.What, e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// capReader returns at most limit bytes of r, then fails with a
// *TooLargeError if r has more: a gzip bomb is refused after limit bytes of
// output, never buffered.
type capReader struct {
	r    io.Reader
	left int64 // bytes still allowed; -1 once over the limit
	err  *TooLargeError
}

func newCapReader(r io.Reader, what string, limit int64) *capReader {
	return &capReader{r: r, left: limit, err: &TooLargeError{What: what, Limit: limit}}
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.err
	}
	if c.left < int64(len(p)) {
		p = p[:c.left+1] // one byte more than allowed tells "over" from "exactly at"
	}
	n, err := c.r.Read(p)
	if int64(n) <= c.left {
		c.left -= int64(n)
		return n, err
	}
	n, c.left = int(c.left), -1
	return n, c.err
}

// readCapped reads r to EOF, refusing more than limit bytes.
func readCapped(r io.Reader, what string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(newCapReader(r, what, limit))
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("extract: read %s: %w", what, err)
	}
	return b, nil
}

// xmlInput turns a fetched sitemap body into UTF-8 that encoding/xml
// accepts: gunzipped if it starts with the gzip magic, capped at limit
// bytes after decompression, decoded from the charset its byte order mark
// or XML declaration names, and cleaned by xmlText.
func xmlInput(r io.Reader, limit int64) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, sitemapError(err) // bufio reports a read error once: do not lose it
	}
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("extract: sitemap: gunzip: %w", err)
		}
		br = bufio.NewReader(zr)
	}
	capped := bufio.NewReaderSize(newCapReader(br, "sitemap", limit), xmlDeclScan)
	head, err := capped.Peek(xmlDeclScan)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, sitemapError(err)
	}
	enc, skip := xmlEncoding(head)
	if _, err := capped.Discard(skip); err != nil {
		return nil, sitemapError(err)
	}
	var in io.Reader = capped
	if enc != unicode.UTF8 {
		in = enc.NewDecoder().Reader(in)
	}
	return transform.NewReader(in, &xmlText{}), nil
}

// xmlDeclRe finds the encoding in an XML declaration.
var xmlDeclRe = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// xmlEncoding chooses the body's encoding from, in order: a byte order
// mark (skip is its length), UTF-16 without a mark (the bytes of "<"), the
// XML declaration, and otherwise UTF-8. An unknown label is read as UTF-8,
// like HTML; lookup maps GB2312 and GBK to GB18030.
func xmlEncoding(head []byte) (enc encoding.Encoding, skip int) {
	if enc, _, n := bomEncoding(head); enc != nil {
		return enc, n
	}
	switch {
	case bytes.HasPrefix(head, []byte("<\x00")):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), 0
	case bytes.HasPrefix(head, []byte("\x00<")):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), 0
	}
	if m := xmlDeclRe.FindSubmatch(head); m != nil {
		if enc, _ := lookup(string(m[1])); enc != nil {
			return enc, 0
		}
	}
	return unicode.UTF8, 0
}

// xmlText is a transform.Transformer that makes any UTF-8-ish stream
// acceptable to encoding/xml: invalid UTF-8, U+FFFE and U+FFFF become
// U+FFFD, C0 controls other than tab, newline and carriage return are
// dropped (publishers paste them into titles), and a run of more than
// maxTextRun bytes without a '<' is an error rather than one huge token.
type xmlText struct{ run int }

func (x *xmlText) Reset() { x.run = 0 }

func (x *xmlText) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r, size := rune(src[nSrc]), 1
		if r >= utf8.RuneSelf {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r, size = utf8.DecodeRune(src[nSrc:])
		}
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			nSrc += size
			continue
		case r == 0xFFFE || r == 0xFFFF:
			r = utf8.RuneError
		}
		if x.run += size; r == '<' {
			x.run = 0
		} else if x.run > maxTextRun {
			return nDst, nSrc, &TooLargeError{What: "sitemap text node", Limit: maxTextRun}
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}
