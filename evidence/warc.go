package evidence

import (
	"compress/gzip"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/stet/stet/storage"
)

// warcWriter writes records, each as its own gzip member, the layout
// .warc.gz readers expect (one record can be read without the others).
type warcWriter struct {
	w      io.Writer
	n      int64 // bytes written to w
	gz     *gzip.Writer
	m      gowarc.Marshaler
	opts   []gowarc.WarcRecordOption
	infoID string // the warcinfo record's id, named by every later record
}

func newWARCWriter(w io.Writer, tempDir string) *warcWriter {
	ww := &warcWriter{m: gowarc.NewMarshaler()}
	ww.w = countingWriter{w: w, n: &ww.n}
	ww.gz = gzip.NewWriter(ww.w)
	// Digests are SHA-256 in Base32, like WARC-Payload-Digest from other
	// crawlers; anything the builder finds malformed is an error, not a
	// warning, so a file that leaves here validates.
	ww.opts = []gowarc.WarcRecordOption{
		gowarc.WithVersion(gowarc.V1_1),
		gowarc.WithDefaultDigestAlgorithm("sha256"),
		gowarc.WithDefaultDigestEncoding(gowarc.Base32),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrFail),
		gowarc.WithSpecViolationPolicy(gowarc.ErrFail),
		gowarc.WithBlockErrorPolicy(gowarc.ErrFail),
	}
	if tempDir != "" {
		ww.opts = append(ww.opts, gowarc.WithBufferTmpDir(tempDir))
	}
	return ww
}

type countingWriter struct {
	w io.Writer
	n *int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

func newID() string { return uuid.New().URN() }

// builder starts a record with the fields every record has.
func (ww *warcWriter) builder(t gowarc.RecordType, id string, date time.Time, contentType string) gowarc.WarcRecordBuilder {
	rb := gowarc.NewRecordBuilder(t, ww.opts...)
	rb.AddWarcHeader(gowarc.WarcRecordID, "<"+id+">")
	rb.AddWarcHeaderTime(gowarc.WarcDate, date)
	rb.AddWarcHeader(gowarc.ContentType, contentType)
	if ww.infoID != "" {
		rb.AddWarcHeader(gowarc.WarcWarcinfoID, "<"+ww.infoID+">")
	}
	return rb
}

// write builds rb and appends it to the file as one gzip member.
func (ww *warcWriter) write(rb gowarc.WarcRecordBuilder) error {
	rec, validation, err := rb.Build()
	if err != nil {
		return fmt.Errorf("build WARC record: %w", err)
	}
	defer rec.Close()
	if len(validation) > 0 {
		return fmt.Errorf("build WARC record: %w", errors.Join(validation...))
	}
	ww.gz.Reset(ww.w)
	if _, _, err := ww.m.Marshal(ww.gz, rec, 0); err != nil {
		return fmt.Errorf("write WARC record: %w", err)
	}
	if err := ww.gz.Close(); err != nil {
		return fmt.Errorf("write WARC record: %w", err)
	}
	return nil
}

// warcinfo writes the file's first record.
func (ww *warcWriter) warcinfo(fields [][2]string, now time.Time) error {
	id := newID()
	rb := ww.builder(gowarc.Warcinfo, id, now, gowarc.ApplicationWarcFields)
	for _, f := range fields {
		fmt.Fprintf(rb, "%s: %s\r\n", f[0], f[1])
	}
	if err := ww.write(rb); err != nil {
		return err
	}
	ww.infoID = id
	return nil
}

// capture writes the request, the response (if one came back) and the
// capture's metadata, and returns the id of the response record (of the
// request record if there was no response).
func (ww *warcWriter) capture(c storage.Capture, body []byte, kept bool) (string, error) {
	reqID, respID := newID(), ""
	if c.Status > 0 {
		respID = newID()
	}
	target := targetOf(c)
	req := ww.builder(gowarc.Request, reqID, c.FetchedAt, "application/http; msgtype=request")
	addTarget(req, target, c.RemoteIP)
	if respID != "" {
		req.AddWarcHeader(gowarc.WarcConcurrentTo, "<"+respID+">")
	}
	if len(c.RequestHeader) == 0 {
		req.AddWarcHeader("WARC-Stet-Request", "headers not recorded (captured before stet kept them): request line and Host only")
	}
	if _, err := req.WriteString(requestBlock(c, target)); err != nil {
		return "", err
	}
	if err := ww.write(req); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	last := reqID
	if respID != "" {
		if err := ww.response(c, respID, reqID, target, body, kept); err != nil {
			return "", fmt.Errorf("response: %w", err)
		}
		last = respID
	}
	doc := captureJSON{ID: c.ID, PageID: c.PageID, Reason: c.Reason, Redirects: json.RawMessage(c.Redirects),
		ETag: c.ETag, LastModified: c.LastModified, Bytes: c.Bytes, DurationMS: c.DurationMS, BodyKept: kept,
		Chain: chainJSON{PrevLink: c.PrevLink, Link: c.Link, Input: c.ChainInput()}}
	if c.Redirects == "" {
		doc.Redirects = nil
	}
	err := ww.metadata(metadata{kind: "capture", target: target, date: c.FetchedAt, concurrentTo: last, ip: c.RemoteIP, doc: doc})
	return last, err
}

func (ww *warcWriter) response(c storage.Capture, id, reqID, target string, body []byte, kept bool) error {
	rb := ww.builder(gowarc.Response, id, c.FetchedAt, "application/http; msgtype=response")
	addTarget(rb, target, c.RemoteIP)
	rb.AddWarcHeader(gowarc.WarcConcurrentTo, "<"+reqID+">")
	rb.AddWarcHeader(gowarc.WarcPayloadDigest, payloadDigest(c, body, kept))
	if !kept {
		// The block holds the status line and headers only.
		rb.AddWarcHeader(gowarc.WarcTruncated, "unspecified")
		note := fmt.Sprintf("not kept: stet keeps the bodies of captures that made a version; %d bytes were read", c.Bytes)
		if c.BodyHash != "" {
			note += ", SHA-256 " + c.BodyHash
		}
		rb.AddWarcHeader("WARC-Stet-Body", note)
	}
	if _, err := rb.WriteString(responseHead(c, len(body))); err != nil {
		return err
	}
	if _, err := rb.Write(body); err != nil {
		return err
	}
	return ww.write(rb)
}

// payloadDigest is the SHA-256 of the body as kept (the same hash stet
// stores it under, in Base32), or of the empty payload.
func payloadDigest(c storage.Capture, body []byte, kept bool) string {
	hash := storage.HashBody(body)
	if kept && c.BodyHash != "" {
		hash = c.BodyHash
	}
	sum, _ := hex.DecodeString(hash) // HashBody's and the stored hashes are hex
	return "sha256:" + base32.StdEncoding.EncodeToString(sum)
}

func addTarget(rb gowarc.WarcRecordBuilder, target, ip string) {
	rb.AddWarcHeader(gowarc.WarcTargetURI, target)
	if ip != "" {
		rb.AddWarcHeader(gowarc.WarcIPAddress, ip)
	}
}

// metadata is one metadata record of stet's JSON.
type metadata struct {
	kind         string // "capture", "version", "change", "pruned": the JSON's "type"
	target       string
	date         time.Time
	concurrentTo string // record id, if any
	refersTo     string // record id, if any
	ip           string
	doc          any
}

func (ww *warcWriter) metadata(m metadata) error {
	b, err := json.Marshal(struct {
		Type string `json:"type"`
		Doc  any    `json:"stet"`
	}{m.kind, m.doc})
	if err != nil {
		return fmt.Errorf("encode %s: %w", m.kind, err)
	}
	rb := ww.builder(gowarc.Metadata, newID(), m.date, "application/json")
	addTarget(rb, m.target, m.ip)
	if m.concurrentTo != "" {
		rb.AddWarcHeader(gowarc.WarcConcurrentTo, "<"+m.concurrentTo+">")
	}
	if m.refersTo != "" {
		rb.AddWarcHeader(gowarc.WarcRefersTo, "<"+m.refersTo+">")
	}
	if _, err := rb.Write(append(b, '\n')); err != nil {
		return err
	}
	return ww.write(rb)
}

// targetOf is the URL the final response came from.
func targetOf(c storage.Capture) string {
	if c.FinalURL != "" {
		return c.FinalURL
	}
	return c.URL
}

// noCRLF keeps a stored value from breaking a header line.
var noCRLF = strings.NewReplacer("\r", " ", "\n", " ")
