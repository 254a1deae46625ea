package crawler

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/andybalholm/brotli"
)

// rawSlack is how many more raw (compressed) bytes than MaxBodyBytes a
// response may carry. Compressed data is never much larger than its output
// unless it is hostile (say, endless empty gzip members).
const rawSlack = 64 << 10

// maxEncodings bounds stacked Content-Encoding values ("gzip, br").
const maxEncodings = 3

var (
	errRawTooLarge = errors.New("raw body too large")
	errBadEncoding = errors.New("unsupported content-encoding")
)

// decodeError marks a failure inside a decompressor, as opposed to a network
// failure underneath it.
type decodeError struct {
	enc string
	err error
}

func (e *decodeError) Error() string { return fmt.Sprintf("corrupt %s body: %v", e.enc, e.err) }
func (e *decodeError) Unwrap() error { return e.err }

// capReader fails once more than n bytes have been read, instead of
// truncating silently.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errRawTooLarge
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n < 0 {
		return n, errRawTooLarge
	}
	return n, err
}

// readBody reads and decompresses res.Body. More than limit decompressed
// bytes yields ErrTooLarge; the raw stream is capped too.
func readBody(res *http.Response, limit int64) ([]byte, error) {
	encs, err := encodings(res.Header.Get("Content-Encoding"))
	if err != nil {
		return nil, err
	}
	if len(encs) == 0 && res.ContentLength > limit {
		return nil, ErrTooLarge
	}
	var r io.Reader = &capReader{r: res.Body, n: limit + rawSlack}
	for i := len(encs) - 1; i >= 0; i-- { // the last encoding applied is undone first
		if r, err = decoder(encs[i], r); err != nil {
			return nil, err
		}
	}
	hint := int64(0)
	if len(encs) == 0 {
		hint = res.ContentLength
	}
	body, err := readLimited(r, limit, hint)
	if errors.Is(err, errRawTooLarge) {
		return nil, ErrTooLarge
	}
	return body, err
}

// Chunk sizes of readLimited.
const (
	firstChunk = 16 << 10
	maxChunk   = 4 << 20
)

// readLimited reads r to EOF, or fails with ErrTooLarge once more than limit
// bytes have come. hint, a declared length (0 or less if unknown), sizes the
// first read so a body of known length is read in place.
//
// It reads into chunks that double from 16 KiB to 4 MiB and joins them once
// at the end, so n bytes cost about 2n of allocation and the result holds
// exactly n, whatever the stream does. bytes.Buffer doubles a single slice:
// up to 4n allocated, and up to 2n kept alive with the result.
func readLimited(r io.Reader, limit, hint int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	size := int64(firstChunk)
	if hint > 0 {
		size = hint + 1 // room to see EOF without a second chunk
	}
	for {
		c, err := fill(r, make([]byte, 0, min(size, limit+1-total)))
		total += int64(len(c))
		chunks = append(chunks, c)
		switch {
		case total > limit:
			return nil, ErrTooLarge
		case err == io.EOF:
			return join(chunks, total, hint), nil
		case err != nil:
			return nil, err
		}
		size = min(2*int64(cap(c)), maxChunk)
	}
}

// fill reads into c until it is full or r fails; io.EOF is returned as is.
func fill(r io.Reader, c []byte) ([]byte, error) {
	for len(c) < cap(c) {
		n, err := r.Read(c[len(c):cap(c)])
		c = c[:len(c)+n]
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

// join returns the chunks as one slice of exactly total bytes (nil if
// empty). A lone chunk sized by the hint is returned as it is.
func join(chunks [][]byte, total, hint int64) []byte {
	switch {
	case total == 0:
		return nil
	case len(chunks) == 1 && hint > 0:
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// encodings splits a Content-Encoding header, dropping identity.
func encodings(h string) ([]string, error) {
	var out []string
	for e := range strings.SplitSeq(h, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		switch e {
		case "", "identity":
			continue
		case "gzip", "x-gzip", "deflate", "br":
			out = append(out, e)
		default:
			return nil, fmt.Errorf("%w %q", errBadEncoding, e)
		}
	}
	if len(out) > maxEncodings {
		return nil, fmt.Errorf("%w: %d stacked encodings", errBadEncoding, len(out))
	}
	return out, nil
}

func decoder(enc string, r io.Reader) (io.Reader, error) {
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, wrapDecode(enc, err)
		}
		return &decodeReader{enc: enc, r: zr}, nil
	case "deflate":
		return deflateReader(r)
	default: // "br"
		return &decodeReader{enc: enc, r: brotli.NewReader(r)}, nil
	}
}

// deflateReader handles both meanings of "deflate" found in the wild: the
// zlib wrapper the RFC asks for and the raw stream some servers send.
func deflateReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if err != nil && len(h) < 2 {
		return nil, wrapDecode("deflate", err)
	}
	if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, wrapDecode("deflate", err)
		}
		return &decodeReader{enc: "deflate", r: zr}, nil
	}
	return &decodeReader{enc: "deflate", r: flate.NewReader(br)}, nil
}

// decodeReader tags decompressor errors so they are not mistaken for
// network errors; errors from the network pass through unchanged.
type decodeReader struct {
	enc string
	r   io.Reader
}

func (d *decodeReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = wrapDecode(d.enc, err)
	}
	return n, err
}

func wrapDecode(enc string, err error) error {
	if isDecodeFormatError(err) {
		return &decodeError{enc: enc, err: err}
	}
	return err
}

// isDecodeFormatError tells a malformed stream from a failing transport.
func isDecodeFormatError(err error) bool {
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum),
		errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrChecksum),
		errors.Is(err, zlib.ErrDictionary), errors.As(err, &ce):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF):
		return true // truncated stream
	}
	return strings.HasPrefix(err.Error(), "brotli:")
}
