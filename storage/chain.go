package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The captures table is a hash chain: each capture's link column commits to
// the link of the capture before it (by id) and to what this capture saw, so
// editing, inserting or deleting a row breaks every link from there on.
// Store.VerifyChain walks it; an auditor can re-implement it from this text.
//
// link = lowercase hex of SHA-256 over the concatenation of these 13 fields,
// in this order, each written as a netstring: its length in bytes as a
// decimal number, ":", the bytes themselves, "," ("3:abc,", "0:,"). All text
// is UTF-8, exactly as stored in the captures columns named:
//
//  1. the constant "stet-capture-link-v1"
//  2. the link of the previous capture (the row with the next lower id), "" for the first capture
//  3. url: the URL requested
//  4. final_url: the URL the final response came from, after redirects ("" if never fetched)
//  5. fetched_at: the time the fetch started, UTC, as "2006-01-02T15:04:05.000Z"
//  6. status: the HTTP status as a decimal number without leading zeros, "0" without a response
//  7. class: "ok", "not_modified", "blocked", "gone", "error" or "too_large"
//  8. body_hash: lowercase hex SHA-256 of the raw (decompressed) body, "" when none was read;
//     the body itself, when kept, is in bodies under this hash
//  9. remote_ip: the IP address the final response came from ("" if unknown)
//  10. tls_version: "TLS 1.2", "TLS 1.3", or "" over plain HTTP
//  11. cert_sha256: lowercase hex SHA-256 of the server's leaf certificate (DER), "" over plain HTTP
//  12. request_headers: the headers stet set on the final request, in the header text form below
//  13. headers: the final response's headers, in the header text form below
//
// Header text form (FormatHeader): for each header name in ascending byte
// order of the names (as Go's HTTP client canonicalises them, such as
// "Content-Type"), for each of its values in the order received, the line
// name ": " value CR LF. A CR or LF inside a value (never produced by the
// HTTP parser) is written as a space. No headers is the empty string.
//
// Rows stored before schema 5 (migration 5 links them) have no headers, address or TLS fields; they
// hash with those fields empty.
const chainVersion = "stet-capture-link-v1"

// ChainInput is what a capture's link covers, as the strings stored. Its
// JSON form is what `stet export` writes beside each capture, so the link
// can be recomputed from the export alone.
type ChainInput struct {
	URL            string `json:"url"`
	FinalURL       string `json:"final_url"`
	FetchedAt      string `json:"fetched_at"`
	Status         int    `json:"status"`
	Class          string `json:"class"`
	BodyHash       string `json:"body_hash"`
	RemoteIP       string `json:"remote_ip"`
	TLSVersion     string `json:"tls_version"`
	CertSHA256     string `json:"cert_sha256"`
	RequestHeaders string `json:"request_headers"`
	Headers        string `json:"headers"`
}

// ChainInput returns the fields of c its link covers.
func (c Capture) ChainInput() ChainInput {
	return ChainInput{URL: c.URL, FinalURL: c.FinalURL, FetchedAt: c.FetchedAt.UTC().Format(timeLayout),
		Status: c.Status, Class: c.Class, BodyHash: c.BodyHash, RemoteIP: c.RemoteIP, TLSVersion: c.TLSVersion,
		CertSHA256: c.CertSHA256, RequestHeaders: FormatHeader(c.RequestHeader), Headers: FormatHeader(c.Header)}
}

// ChainLink computes the link of a capture whose predecessor's link is prev.
func ChainLink(prev string, in ChainInput) string {
	h := sha256.New()
	for _, f := range []string{chainVersion, prev, in.URL, in.FinalURL, in.FetchedAt, strconv.Itoa(in.Status),
		in.Class, in.BodyHash, in.RemoteIP, in.TLSVersion, in.CertSHA256, in.RequestHeaders, in.Headers} {
		fmt.Fprintf(h, "%d:%s,", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// FormatHeader writes h in the header text form the chain hashes and the
// captures table stores (see the top of chain.go).
func FormatHeader(h http.Header) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(strings.NewReplacer("\r", " ", "\n", " ").Replace(v))
			b.WriteString("\r\n")
		}
	}
	return b.String()
}

// parseHeader reads FormatHeader's output back. Names are kept as written,
// so FormatHeader(parseHeader(s)) == s for every s FormatHeader returned.
func parseHeader(s string) http.Header {
	if s == "" {
		return nil
	}
	h := http.Header{}
	for line := range strings.SplitSeq(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		name, value, _ := strings.Cut(line, ": ")
		h[name] = append(h[name], value)
	}
	return h
}

// latestLink is the link of the capture with the highest id, "" if none.
// Inside the caller's IMMEDIATE transaction nobody can insert between this
// read and the insert that uses it.
func latestLink(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (string, error) {
	var link string
	err := q.QueryRowContext(ctx, `SELECT link FROM captures ORDER BY id DESC LIMIT 1`).Scan(&link)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return link, err
}

// ChainSummary is what VerifyChain checked.
type ChainSummary struct {
	Captures int64
	Bodies   int64
	LastID   int64  // id of the last capture, 0 if none
	LastLink string // its link: note it down, since only it shows that no capture was removed from the end
}

// ChainError names the first capture whose stored data does not hold up.
type ChainError struct {
	CaptureID int64
	URL       string
	FetchedAt string // as stored
	Problem   string // "link mismatch", "body hash mismatch", ...
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("capture %d (%s, fetched %s): %s", e.CaptureID, e.URL, e.FetchedAt, e.Problem)
}

// VerifyChain re-hashes every kept body and walks the chain of captures
// from the first, recomputing each link. It returns a *ChainError naming
// the first capture (by id) whose link does not match or whose body is
// damaged; a body no capture refers to is named by its hash. It reads one
// snapshot of the database, one row at a time.
//
// A deleted capture shows as a link mismatch on the capture after it. Only
// the last capture's deletion leaves no trace in the chain: compare
// LastLink with one noted down earlier.
func (s *Store) VerifyChain(ctx context.Context) (ChainSummary, error) {
	var sum ChainSummary
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return sum, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	bad, n, err := s.checkBodies(ctx, tx)
	if err != nil {
		return sum, err
	}
	sum.Bodies = n
	if err := walkChain(ctx, tx, bad, &sum); err != nil {
		return sum, err
	}
	if unused := slices.Sorted(maps.Keys(bad)); len(unused) > 0 {
		return sum, fmt.Errorf("%s; no capture refers to that body", bad[unused[0]])
	}
	return sum, nil
}

// checkBodies decompresses and hashes every stored body, one at a time,
// and returns the problems found by hash (normally none).
func (s *Store) checkBodies(ctx context.Context, tx *sql.Tx) (map[string]string, int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT hash, encoding, coalesce(dict_id, 0), size, data FROM bodies ORDER BY hash`)
	if err != nil {
		return nil, 0, fmt.Errorf("read bodies: %w", err)
	}
	defer rows.Close()
	bad := map[string]string{}
	var n int64
	for rows.Next() {
		var hash, enc string
		var dictID, size int64
		var data []byte
		if err := rows.Scan(&hash, &enc, &dictID, &size, &data); err != nil {
			return nil, 0, fmt.Errorf("read bodies: %w", err)
		}
		n++
		if problem := s.bodyProblem(ctx, hash, enc, dictID, size, data); problem != "" {
			bad[hash] = problem
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read bodies: %w", err)
	}
	return bad, n, nil
}

// walkChain recomputes every link in id order. A body found bad is reported
// at the first capture that refers to it, and then forgotten.
func walkChain(ctx context.Context, tx *sql.Tx, bad map[string]string, sum *ChainSummary) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, link, url, final_url, fetched_at, status, class, coalesce(body_hash, ''),
		remote_ip, tls_version, cert_sha256, request_headers, headers FROM captures ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read captures: %w", err)
	}
	defer rows.Close()
	prev := ""
	for rows.Next() {
		var id int64
		var link string
		var in ChainInput
		if err := rows.Scan(&id, &link, &in.URL, &in.FinalURL, &in.FetchedAt, &in.Status, &in.Class, &in.BodyHash,
			&in.RemoteIP, &in.TLSVersion, &in.CertSHA256, &in.RequestHeaders, &in.Headers); err != nil {
			return fmt.Errorf("read captures: %w", err)
		}
		if want := ChainLink(prev, in); link != want {
			problem := "link mismatch"
			if sum.LastID+1 < id {
				problem += fmt.Sprintf(" (no capture between %d and %d: deleted?)", sum.LastID, id)
			}
			return &ChainError{CaptureID: id, URL: in.URL, FetchedAt: in.FetchedAt, Problem: problem}
		}
		if problem, ok := bad[in.BodyHash]; ok {
			return &ChainError{CaptureID: id, URL: in.URL, FetchedAt: in.FetchedAt, Problem: problem}
		}
		prev, sum.LastID, sum.LastLink = link, id, link
		sum.Captures++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read captures: %w", err)
	}
	return nil
}

// linkBatch is how many captures migrateCaptureLinks holds at once.
const linkBatch = 500

// migrateCaptureLinks adds the evidence columns and links the captures
// already stored, in id order, a batch at a time so that memory stays
// bounded whatever the table's size.
func migrateCaptureLinks(ctx context.Context, tx *sql.Tx) error {
	for _, col := range []string{"headers", "request_headers", "remote_ip", "tls_version", "cert_sha256", "link"} {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE captures ADD COLUMN `+col+` TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
	}
	prev, after := "", int64(0)
	for {
		ids, inputs, err := captureBatch(ctx, tx, after)
		if err != nil || len(ids) == 0 {
			return err
		}
		for i, id := range ids {
			prev = ChainLink(prev, inputs[i])
			if _, err := tx.ExecContext(ctx, `UPDATE captures SET link = ? WHERE id = ?`, prev, id); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}

// captureBatch reads the chain inputs of up to linkBatch captures after id
// after, for the migration: old rows have none of the newer fields.
func captureBatch(ctx context.Context, tx *sql.Tx, after int64) ([]int64, []ChainInput, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, url, final_url, fetched_at, status, class, coalesce(body_hash, '')
		FROM captures WHERE id > ? ORDER BY id LIMIT ?`, after, linkBatch)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ids []int64
	var inputs []ChainInput
	for rows.Next() {
		var id int64
		var in ChainInput
		if err := rows.Scan(&id, &in.URL, &in.FinalURL, &in.FetchedAt, &in.Status, &in.Class, &in.BodyHash); err != nil {
			return nil, nil, err
		}
		ids, inputs = append(ids, id), append(inputs, in)
	}
	return ids, inputs, rows.Err()
}
