package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// MaxInputBytes is the largest input HTML and Feed accept. Larger inputs are
// refused with ErrTooLarge rather than silently truncated.
const MaxInputBytes = 32 << 20

// ErrTooLarge is returned when the input is larger than MaxInputBytes.
var ErrTooLarge = errors.New("extract: input larger than 32 MiB")

// metaScanBytes is how far into the document <meta charset> is looked for.
// HTML5 says 1024 bytes; real pages put long comments and scripts first.
const metaScanBytes = 4096

// readInput reads r to EOF, refusing more than MaxInputBytes. A reader that
// knows its length (bytes.Reader, strings.Reader) is read into one buffer
// of that size instead of a doubling series.
func readInput(r io.Reader) ([]byte, error) {
	size := 512
	if l, ok := r.(interface{ Len() int }); ok {
		size = min(max(l.Len(), 0), MaxInputBytes) + 1 // +1 for the read that sees EOF
	}
	lr := io.LimitReader(r, MaxInputBytes+1)
	b := make([]byte, 0, size)
	for {
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("extract: read input: %w", err)
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the next capacity
		}
	}
	if len(b) > MaxInputBytes {
		return nil, ErrTooLarge
	}
	return b, nil
}

// Decode converts b to UTF-8 text and names the charset it was decoded from.
// The charset is chosen from, in order: a byte order mark; the charset of the
// HTTP contentType; a <meta> declaration in the first 4 KiB; the content
// itself (valid UTF-8, then the CJK encodings, then windows-1252). A
// declaration of UTF-8 is not trusted when the bytes are not UTF-8, because
// servers and templates often claim UTF-8 for legacy pages. GB2312 and GBK are
// decoded as their superset GB18030. The result is always valid UTF-8:
// undecodable bytes become U+FFFD.
func Decode(b []byte, contentType string) (string, string, error) {
	out, name, err := decode(b, contentType)
	if err != nil {
		return "", "", err
	}
	return string(out), name, nil
}

// decode is Decode returning bytes, which may share b's memory: HTML parses
// them straight away and need not copy a page that already is UTF-8.
func decode(b []byte, contentType string) ([]byte, string, error) {
	if enc, name, n := bomEncoding(b); enc != nil {
		return decodeWith(enc, name, b[n:])
	}
	if enc, name := declared(charsetParam(contentType), b); enc != nil {
		return decodeWith(enc, name, b)
	}
	if enc, name := declared(metaCharset(b), b); enc != nil {
		return decodeWith(enc, name, b)
	}
	enc, name, out := sniff(b)
	if out != nil {
		return validUTF8(out), name, nil // sniffing decoded all of b already
	}
	return decodeWith(enc, name, b)
}

// bomEncoding recognises a UTF-8 or UTF-16 byte order mark and returns its
// length.
func bomEncoding(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	}
	return nil, "", 0
}

// declared resolves a charset label, or returns nil if the label is unknown,
// unusable, or claims UTF-8 for bytes that are not.
func declared(label string, b []byte) (encoding.Encoding, string) {
	if label == "" {
		return nil, ""
	}
	enc, name := lookup(label)
	if enc == nil || (name == "utf-8" && !mostlyUTF8(b)) {
		return nil, ""
	}
	return enc, name
}

// lookup maps a WHATWG charset label to an encoding. UTF-16 labels without a
// BOM are read as UTF-8, as HTML5 requires; the "replacement" encoding would
// turn the page into one U+FFFD, so it counts as unknown.
func lookup(label string) (encoding.Encoding, string) {
	enc, name := charset.Lookup(label)
	switch {
	case enc == nil, name == "replacement":
		return nil, ""
	case name == "gbk", name == "gb18030":
		return simplifiedchinese.GB18030, name
	case strings.HasPrefix(name, "utf-16"), name == "utf-8":
		return unicode.UTF8, "utf-8"
	}
	return enc, name
}

// charsetParam returns the charset parameter of a Content-Type value.
func charsetParam(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

// metaCharset finds <meta charset> or <meta http-equiv="content-type"> in
// the first metaScanBytes of b.
func metaCharset(b []byte) string {
	if len(b) > metaScanBytes {
		b = b[:metaScanBytes]
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			if label := metaTagCharset(z); label != "" {
				return label
			}
		}
	}
}

func metaTagCharset(z *html.Tokenizer) string {
	name, hasAttr := z.TagName()
	if string(name) != "meta" {
		return ""
	}
	var content string
	var httpEquiv bool
	for hasAttr {
		var k, v []byte
		k, v, hasAttr = z.TagAttr()
		switch strings.ToLower(string(k)) {
		case "charset":
			return strings.TrimSpace(string(v))
		case "http-equiv":
			httpEquiv = strings.EqualFold(strings.TrimSpace(string(v)), "content-type")
		case "content":
			content = string(v)
		}
	}
	if !httpEquiv {
		return ""
	}
	if label := charsetParam(content); label != "" {
		return label
	}
	// Lenient form seen in the wild: content="text/html; charset=gb2312;".
	if i := strings.Index(strings.ToLower(content), "charset="); i >= 0 {
		return strings.Trim(content[i+len("charset="):], " \t;\"'")
	}
	return ""
}

// decodeWith decodes b and guarantees valid UTF-8 output. Valid UTF-8
// input is returned as is, without a copy.
func decodeWith(enc encoding.Encoding, name string, b []byte) ([]byte, string, error) {
	out := b
	if enc != unicode.UTF8 {
		var err error
		if out, err = enc.NewDecoder().Bytes(b); err != nil {
			return nil, "", fmt.Errorf("extract: decode %s: %w", name, err)
		}
	}
	return validUTF8(out), name, nil
}

// validUTF8 replaces invalid bytes in b with U+FFFD; valid b is returned as
// is.
func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}
