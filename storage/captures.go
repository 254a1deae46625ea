package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Capture is one fetch attempt, whatever its outcome.
type Capture struct {
	ID           int64
	SourceID     int64 // set for feed and page sources' own fetches
	PageID       int64 // set for page fetches
	FetchedAt    time.Time
	URL          string
	FinalURL     string
	Redirects    string // JSON array of hops, "" when none
	Status       int
	Class        string // ok, not_modified, blocked, gone, error, too_large
	Reason       string
	ETag         string
	LastModified string
	BodyHash     string // "" when no body was kept
	Bytes        int64
	DurationMS   int64
	Charset      string
	Extractor    string // extractor version that read the body, "" if not extracted
	Fallback     bool   // a site rule matched nothing and the generic extractor was used

	// Evidence of the final request and response (empty for captures
	// stored before schema 5). Headers are stored in FormatHeader's form.
	Header        http.Header // response headers, as received
	RequestHeader http.Header // headers stet set on the request (Host and cookies are added by Go)
	RemoteIP      string      // address the response came from, no port
	TLSVersion    string      // "TLS 1.3"; "" over plain HTTP
	CertSHA256    string      // hex SHA-256 of the server's leaf certificate; "" over plain HTTP

	// Link is the capture's place in the hash chain (see chain.go), set by
	// InsertCapture; PrevLink is the link of the capture before it, which
	// Link covers ("" for the first capture). Both are read only.
	Link     string
	PrevLink string
}

// HashBody returns the hex SHA-256 of a raw body, the key it is stored under.
func HashBody(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// InsertCapture records one fetch attempt, links it to the chain of
// captures (chain.go) and returns its id. The link reads the latest
// capture's link inside the transaction, whose write lock keeps any other
// process from inserting in between.
func (t *Tx) InsertCapture(c Capture) (int64, error) {
	if c.FetchedAt.IsZero() {
		return 0, fmt.Errorf("insert capture of %s: no fetch time", c.URL)
	}
	prev, err := latestLink(t.ctx, t.tx)
	if err != nil {
		return 0, fmt.Errorf("insert capture of %s: read chain: %w", c.URL, err)
	}
	in := c.ChainInput()
	reqHeaders, reqSet, err := t.storeRequestHeaders(in.RequestHeaders)
	if err != nil {
		return 0, fmt.Errorf("insert capture of %s: %w", c.URL, err)
	}
	var id int64
	err = t.tx.QueryRowContext(t.ctx, `INSERT INTO captures (source_id, page_id, fetched_at, url, final_url, redirects,
		status, class, reason, etag, last_modified, body_hash, bytes, duration_ms, charset, extractor, fallback,
		headers, request_headers, request_headers_set, remote_ip, tls_version, cert_sha256, link)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullIfZero(c.SourceID), nullIfZero(c.PageID), in.FetchedAt, c.URL, c.FinalURL, c.Redirects,
		c.Status, c.Class, c.Reason, c.ETag, c.LastModified, nullIfEmpty(c.BodyHash), c.Bytes, c.DurationMS,
		c.Charset, c.Extractor, c.Fallback, in.Headers, reqHeaders, reqSet, c.RemoteIP, c.TLSVersion, c.CertSHA256,
		ChainLink(prev, in)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert capture of %s: %w", c.URL, err)
	}
	return id, nil
}

// captureColumns are the columns scanCapture reads, from captures c.
const captureColumns = `c.id, c.source_id, c.page_id, c.fetched_at, c.url, c.final_url, c.redirects, c.status,
	c.class, c.reason, c.etag, c.last_modified, c.body_hash, c.bytes, c.duration_ms, c.charset, c.extractor,
	c.fallback, c.headers, c.request_headers, ` + headerSetText + `, c.remote_ip, c.tls_version, c.cert_sha256, c.link,
	coalesce(` + prevLinkOfC + `, '')`

func scanCapture(sc interface{ Scan(...any) error }) (Capture, error) {
	var c Capture
	var hdr, reqHdr, reqSet string
	err := sc.Scan(&c.ID, nullInt{&c.SourceID}, nullInt{&c.PageID}, nullTime{&c.FetchedAt}, &c.URL, &c.FinalURL,
		&c.Redirects, &c.Status, &c.Class, &c.Reason, &c.ETag, &c.LastModified, nullString{&c.BodyHash},
		&c.Bytes, &c.DurationMS, &c.Charset, &c.Extractor, &c.Fallback, &hdr, &reqHdr, &reqSet, &c.RemoteIP,
		&c.TLSVersion, &c.CertSHA256, &c.Link, &c.PrevLink)
	c.Header, c.RequestHeader = parseHeader(hdr), parseHeader(joinHeaderText(reqSet, reqHdr))
	return c, err
}

// Captures lists the latest captures of a page (pageID > 0) or of a source's
// own URL, newest first.
func (s *Store) Captures(ctx context.Context, sourceID, pageID int64, limit int) ([]Capture, error) {
	col, id := "page_id", pageID
	if pageID == 0 {
		col, id = "source_id", sourceID
	}
	return s.captures(ctx, `WHERE c.`+col+` = ? ORDER BY c.id DESC LIMIT ?`, id, limit)
}

// CaptureFilter selects captures of one page, oldest first; zero fields
// other than PageID select everything.
type CaptureFilter struct {
	PageID  int64
	AfterID int64     // only ids greater than this (for paging on)
	UpToID  int64     // only ids up to and including this
	Since   time.Time // fetched at or after
	Limit   int       // 0 means no limit
}

// PageCaptures lists the captures of f.PageID matching f, oldest first.
func (s *Store) PageCaptures(ctx context.Context, f CaptureFilter) ([]Capture, error) {
	q, args := `WHERE c.page_id = ? AND c.id > ?`, []any{f.PageID, f.AfterID}
	if f.UpToID > 0 {
		q, args = q+` AND c.id <= ?`, append(args, f.UpToID)
	}
	if !f.Since.IsZero() {
		q, args = q+` AND c.fetched_at >= ?`, append(args, fmtTime(f.Since))
	}
	q += ` ORDER BY c.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return s.captures(ctx, q, args...)
}

func (s *Store) captures(ctx context.Context, where string, args ...any) ([]Capture, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+captureColumns+` FROM captures c `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list captures: %w", err)
	}
	defer rows.Close()
	var out []Capture
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return nil, fmt.Errorf("list captures: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CaptureByID returns one capture.
func (s *Store) CaptureByID(ctx context.Context, id int64) (Capture, error) {
	c, err := scanCapture(s.db.QueryRowContext(ctx, `SELECT `+captureColumns+` FROM captures c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, fmt.Errorf("capture %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Capture{}, fmt.Errorf("read capture %d: %w", id, err)
	}
	return c, nil
}

// ChangeCaptureID returns the id of the capture that reported ch: the
// page's last capture fetched at or before the change was detected (a check
// stamps its change after its fetch, before its commit), else the page's
// first capture. It is 0 when the page has no captures.
func (s *Store) ChangeCaptureID(ctx context.Context, ch Change) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(
		(SELECT max(id) FROM captures WHERE page_id = ?1 AND fetched_at <= ?2),
		(SELECT min(id) FROM captures WHERE page_id = ?1), 0)`, ch.PageID, fmtTime(ch.DetectedAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("find the capture of change %d: %w", ch.ID, err)
	}
	return id, nil
}
