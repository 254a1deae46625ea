package storage

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
}

// HashBody returns the hex SHA-256 of a raw body, the key it is stored under.
func HashBody(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// PutBody stores raw compressed, once per hash, and returns the hash.
func (t *Tx) PutBody(raw []byte) (string, error) {
	h := HashBody(raw)
	var exists int
	err := t.tx.QueryRowContext(t.ctx, `SELECT 1 FROM bodies WHERE hash = ?`, h).Scan(&exists)
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("look up body %s: %w", h, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		return "", fmt.Errorf("compress body: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress body: %w", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO bodies (hash, encoding, size, data) VALUES (?, 'gzip', ?, ?)`,
		h, len(raw), buf.Bytes()); err != nil {
		return "", fmt.Errorf("store body %s: %w", h, err)
	}
	return h, nil
}

// Body returns the raw bytes stored under hash.
func (s *Store) Body(ctx context.Context, hash string) ([]byte, error) {
	var enc string
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT encoding, data FROM bodies WHERE hash = ?`, hash).Scan(&enc, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("body %s: %w", hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read body %s: %w", hash, err)
	}
	if enc != "gzip" {
		return nil, fmt.Errorf("body %s: unknown encoding %q", hash, enc)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decompress body %s: %w", hash, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompress body %s: %w", hash, err)
	}
	return raw, nil
}

// InsertCapture records one fetch attempt and returns its id.
func (t *Tx) InsertCapture(c Capture) (int64, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO captures (source_id, page_id, fetched_at, url, final_url, redirects,
		status, class, reason, etag, last_modified, body_hash, bytes, duration_ms, charset, extractor, fallback)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullIfZero(c.SourceID), nullIfZero(c.PageID), fmtTime(c.FetchedAt), c.URL, c.FinalURL, c.Redirects,
		c.Status, c.Class, c.Reason, c.ETag, c.LastModified, nullIfEmpty(c.BodyHash), c.Bytes, c.DurationMS,
		c.Charset, c.Extractor, c.Fallback)
	if err != nil {
		return 0, fmt.Errorf("insert capture of %s: %w", c.URL, err)
	}
	return res.LastInsertId()
}

// Captures lists the latest captures of a page (pageID > 0) or of a source's
// own URL, newest first.
func (s *Store) Captures(ctx context.Context, sourceID, pageID int64, limit int) ([]Capture, error) {
	col, id := "page_id", pageID
	if pageID == 0 {
		col, id = "source_id", sourceID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, source_id, page_id, fetched_at, url, final_url, redirects, status,
		class, reason, etag, last_modified, body_hash, bytes, duration_ms, charset, extractor, fallback
		FROM captures WHERE `+col+` = ? ORDER BY id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list captures: %w", err)
	}
	defer rows.Close()
	var out []Capture
	for rows.Next() {
		var c Capture
		if err := rows.Scan(&c.ID, nullInt{&c.SourceID}, nullInt{&c.PageID}, nullTime{&c.FetchedAt}, &c.URL, &c.FinalURL,
			&c.Redirects, &c.Status, &c.Class, &c.Reason, &c.ETag, &c.LastModified, nullString{&c.BodyHash},
			&c.Bytes, &c.DurationMS, &c.Charset, &c.Extractor, &c.Fallback); err != nil {
			return nil, fmt.Errorf("list captures: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CaptureByID returns one capture.
func (s *Store) CaptureByID(ctx context.Context, id int64) (Capture, error) {
	var c Capture
	err := s.db.QueryRowContext(ctx, `SELECT id, source_id, page_id, fetched_at, url, final_url, redirects, status,
		class, reason, etag, last_modified, body_hash, bytes, duration_ms, charset, extractor, fallback
		FROM captures WHERE id = ?`, id).Scan(&c.ID, nullInt{&c.SourceID}, nullInt{&c.PageID}, nullTime{&c.FetchedAt},
		&c.URL, &c.FinalURL, &c.Redirects, &c.Status, &c.Class, &c.Reason, &c.ETag, &c.LastModified,
		nullString{&c.BodyHash}, &c.Bytes, &c.DurationMS, &c.Charset, &c.Extractor, &c.Fallback)
	if errors.Is(err, sql.ErrNoRows) {
		return Capture{}, fmt.Errorf("capture %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Capture{}, fmt.Errorf("read capture %d: %w", id, err)
	}
	return c, nil
}
