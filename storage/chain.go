package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
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
//  2. the link before it in the chain: that of the previous capture (the row with the next lower
//     id), "" for the first capture; after stet gc pruned captures, that of the item before it in
//     the chain order given under "Pruned captures" below
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
//
// Pruned captures (stet gc, gc.go). A run of captures consecutive in the
// chain that gc deletes leaves one row in chain_summaries, which plays
// two parts in the chain:
//
//   - its range stands in place of captures first_id to last_id: the item
//     before them in the chain has link prev_link, and the item after them
//     chains from last_link, the link of the last of them (unchanged, so
//     the capture after the range still verifies);
//   - its seal is an item of its own, standing right after capture
//     after_id (the newest capture when gc wrote it; later seals after the
//     same capture follow in summary id order). The capture stored next
//     chains from the seal, so every link noted down after a gc run
//     commits to what that run pruned.
//
// So the chain is: captures by id, each range at the place of its first
// id, each seal between capture after_id and the one after it; gc never
// prunes the capture a seal follows, nor the newest capture.
//
// links = for each pruned capture in id order, its id as 8 bytes big-endian
// and its link as 32 raw bytes.
//
// digest = lowercase hex SHA-256 over netstrings of "stet-chain-pruned-v1"
// and then, for each pruned capture in id order, its id (decimal) and its
// link (hex): "20:stet-chain-pruned-v1,2:17,64:<link>,2:18,64:<link>,".
//
// seal = lowercase hex SHA-256 over netstrings of these 13 fields, as
// stored: "stet-chain-summary-v1", the link of the item before the seal in
// the chain, first_id, last_id, count (decimal), prev_link, last_link,
// digest, first_fetched_at, last_fetched_at, pruned_at (as in fetched_at
// above) and after_id (decimal).
//
// VerifyChain checks each range in its place (prev_link is the link before
// it; no capture is left inside it; links holds count entries with ids
// from first_id to last_id, the last one's link is last_link, and digest
// is theirs) and each seal in its place. A link noted down earlier, of a
// capture since pruned, is still in its summary's links (CaptureLink).
const chainVersion = "stet-capture-link-v1"

// Domain strings of the summaries' digest and seal (see above).
const (
	prunedVersion  = "stet-chain-pruned-v1"
	summaryVersion = "stet-chain-summary-v1"
)

// prunedLinkSize is the size of one entry of a summary's links.
const prunedLinkSize = 8 + sha256.Size

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
	return netstringHash(chainVersion, prev, in.URL, in.FinalURL, in.FetchedAt, strconv.Itoa(in.Status),
		in.Class, in.BodyHash, in.RemoteIP, in.TLSVersion, in.CertSHA256, in.RequestHeaders, in.Headers)
}

// netstringHash is the lowercase hex SHA-256 of fields written as netstrings.
func netstringHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s,", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// PrunedRange is a row of chain_summaries: a run of captures stet gc
// pruned, as the chain keeps it (see the top of this file). Times are the
// stored text, which the seal covers.
type PrunedRange struct {
	ID              int64
	FirstID, LastID int64 // the pruned captures' ids, first and last
	Count           int64
	PrevLink        string // the chain's link before them
	LastLink        string // the last one's link
	Digest          string
	Links           []byte // per capture: 8-byte big-endian id, 32-byte link
	FirstFetchedAt  string
	LastFetchedAt   string
	PrunedAt        string
	AfterID         int64  // the seal follows this capture
	Seal            string // the seal's link
}

// SealLink computes the seal of summary s when the chain's link before
// the seal is prev.
func SealLink(prev string, s PrunedRange) string {
	return netstringHash(summaryVersion, prev, strconv.FormatInt(s.FirstID, 10), strconv.FormatInt(s.LastID, 10),
		strconv.FormatInt(s.Count, 10), s.PrevLink, s.LastLink, s.Digest, s.FirstFetchedAt, s.LastFetchedAt,
		s.PrunedAt, strconv.FormatInt(s.AfterID, 10))
}

// PrunedDigest computes the digest of a summary's links (see the top of
// this file).
func PrunedDigest(links []byte) string {
	fields := []string{prunedVersion}
	for e := range slices.Chunk(links, prunedLinkSize) {
		if len(e) < prunedLinkSize {
			fields = append(fields, hex.EncodeToString(e)) // malformed: the digest cannot match
			break
		}
		fields = append(fields, strconv.FormatUint(binary.BigEndian.Uint64(e), 10), hex.EncodeToString(e[8:]))
	}
	return netstringHash(fields...)
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

// rowQuerier is a *sql.DB or a *sqlTx.
type rowQuerier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// latestLink is the chain's last link: that of the capture with the
// highest id, or of a seal gc wrote after it; "" if there are none.
// Inside the caller's IMMEDIATE transaction nobody can insert between this
// read and the insert that uses it.
func latestLink(ctx context.Context, q rowQuerier) (string, error) {
	var link string
	err := q.QueryRowContext(ctx, `SELECT link FROM (
		SELECT 2 * id AS pos, link FROM (SELECT id, link FROM captures ORDER BY id DESC LIMIT 1) AS c
		UNION ALL
		SELECT 2 * after_id + 1, seal FROM (SELECT after_id, seal FROM chain_summaries ORDER BY after_id DESC, id DESC LIMIT 1) AS s
	) AS tail ORDER BY pos DESC LIMIT 1`).Scan(&link)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return link, err
}

// prevLinkOfC is the SQL of the link the capture whose id is c.id chains
// from: that of the item just before it in the chain (a capture, a pruned
// range or a seal), NULL for the first. The captures column list uses it,
// so every capture read carries the same prev link PrevLink gives.
const prevLinkOfC = `(SELECT link FROM (
		SELECT 2 * id AS pos, link FROM (SELECT id, link FROM captures WHERE id < c.id ORDER BY id DESC LIMIT 1) AS p
		UNION ALL
		SELECT 2 * last_id, last_link FROM (SELECT last_id, last_link FROM chain_summaries WHERE first_id < c.id
			ORDER BY first_id DESC LIMIT 1) AS r
		UNION ALL
		SELECT 2 * after_id + 1, seal FROM (SELECT after_id, seal FROM chain_summaries WHERE after_id < c.id
			ORDER BY after_id DESC, id DESC LIMIT 1) AS s
	) AS before ORDER BY pos DESC LIMIT 1)`

// chainPrev is the link capture id chains from, "" for the first.
func chainPrev(ctx context.Context, q rowQuerier, id int64) (string, error) {
	var link string
	err := q.QueryRowContext(ctx, `SELECT coalesce(`+prevLinkOfC+`, '') FROM (SELECT CAST(? AS BIGINT) AS id) c`, id).Scan(&link)
	if err != nil {
		return "", fmt.Errorf("read the link before capture %d: %w", id, err)
	}
	return link, nil
}

// PrevLink is the link capture id chains from, which its own link covers:
// the previous capture's, or after stet gc pruned the captures before it,
// the pruned range's last link or a seal (see the top of this file).
func (s *Store) PrevLink(ctx context.Context, id int64) (string, error) {
	return chainPrev(ctx, s.db, id)
}

// CaptureLink returns the link capture id has in the chain, kept or
// pruned: for a capture gc pruned, the link its summary keeps, and that
// summary's id (0 for a kept capture). An id the chain never held is an
// error wrapping ErrNotFound.
func (s *Store) CaptureLink(ctx context.Context, id int64) (string, int64, error) {
	var link string
	err := s.db.QueryRowContext(ctx, `SELECT link FROM captures WHERE id = ?`, id).Scan(&link)
	if err == nil {
		return link, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("read the link of capture %d: %w", id, err)
	}
	var sid int64
	var links []byte
	err = s.db.QueryRowContext(ctx, `SELECT id, links FROM chain_summaries WHERE first_id <= ?1 AND last_id >= ?1`, id).
		Scan(&sid, &links)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("capture %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("read the link of capture %d: %w", id, err)
	}
	entryID := func(i int) int64 { return int64(binary.BigEndian.Uint64(links[i*prunedLinkSize:])) }
	n := len(links) / prunedLinkSize
	i := sort.Search(n, func(i int) bool { return entryID(i) >= id })
	if i == n || entryID(i) != id {
		return "", 0, fmt.Errorf("capture %d: %w (summary %d covers its id but holds no link for it)", id, ErrNotFound, sid)
	}
	return hex.EncodeToString(links[i*prunedLinkSize+8 : (i+1)*prunedLinkSize]), sid, nil
}

// ChainSummary is what VerifyChain checked.
type ChainSummary struct {
	Captures  int64
	Bodies    int64
	Summaries int64 // summaries of captures stet gc pruned, each checked in its place
	Pruned    int64 // the captures those summaries stand for
	LastID    int64 // id of the last capture, 0 if none
	// LastLink is the chain's last link: LastID's, or the seal of summary
	// LastSummary when gc wrote one after it. Note it down, since only it
	// shows that nothing was removed from the end.
	LastLink    string
	LastSummary int64
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

// SummaryError names the first summary of pruned captures that does not
// hold up.
type SummaryError struct {
	SummaryID       int64
	FirstID, LastID int64
	Problem         string // "prev link mismatch", "seal mismatch", ...
}

func (e *SummaryError) Error() string {
	return fmt.Sprintf("summary %d (captures %d to %d, pruned): %s", e.SummaryID, e.FirstID, e.LastID, e.Problem)
}

// VerifyChain re-hashes every kept body and walks the chain of captures
// from the first, recomputing each link, and each summary of pruned
// captures and its seal in its place (see the top of this file). It
// returns a *ChainError naming the first capture (by id) whose link does
// not match or whose body is damaged, or a *SummaryError; a body no
// capture refers to is named by its hash. It reads one snapshot of the
// database, one row at a time.
//
// A deleted capture shows as a link mismatch on the capture after it. Only
// the last capture's deletion leaves no trace in the chain: compare
// LastLink with one noted down earlier.
func (s *Store) VerifyChain(ctx context.Context) (ChainSummary, error) {
	var sum ChainSummary
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: s.snapshotLevel()})
	if err != nil {
		return sum, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	bad, n, err := s.checkBodies(ctx, tx)
	if err != nil {
		return sum, err
	}
	sum.Bodies = n
	// The walk reads three streams at once. SQLite serves them in one
	// transaction; a PostgreSQL connection serves one query at a time, so
	// the summaries are read in two more transactions that share the
	// first one's snapshot.
	side := [2]*sqlTx{tx, tx}
	if s.db.pg {
		for i := range side {
			t, err := s.sharedSnapshot(ctx, tx)
			if err != nil {
				return sum, fmt.Errorf("begin: %w", err)
			}
			defer t.Rollback()
			side[i] = t
		}
	}
	if err := walkChain(ctx, tx, side, bad, &sum); err != nil {
		return sum, err
	}
	if unused := slices.Sorted(maps.Keys(bad)); len(unused) > 0 {
		return sum, fmt.Errorf("%s; no capture refers to that body", bad[unused[0]])
	}
	if err := checkPrunedRefs(ctx, tx, sum); err != nil {
		return sum, err
	}
	return sum, checkTextBodies(ctx, tx)
}

// checkPrunedRefs checks what refers to captures from outside the chain:
// every version's capture is still there (gc never prunes one), and the
// pages' counts of pruned captures add up to the summaries'.
func checkPrunedRefs(ctx context.Context, tx *sqlTx, sum ChainSummary) error {
	var vid, cid int64
	err := tx.QueryRowContext(ctx, `SELECT v.id, v.capture_id FROM versions v
		WHERE NOT EXISTS (SELECT 1 FROM captures c WHERE c.id = v.capture_id) ORDER BY v.id LIMIT 1`).Scan(&vid, &cid)
	if err == nil {
		return fmt.Errorf("version %d was made from capture %d, which is missing", vid, cid)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read versions: %w", err)
	}
	var gaps int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(captures), 0) FROM capture_gaps`).Scan(&gaps); err != nil {
		return fmt.Errorf("read capture gaps: %w", err)
	}
	if gaps != sum.Pruned {
		return fmt.Errorf("the pages' counts of pruned captures (%d) disagree with the chain's summaries (%d)", gaps, sum.Pruned)
	}
	return nil
}

// checkBodies decompresses and hashes every stored body, one at a time,
// and returns the problems found by hash (normally none).
func (s *Store) checkBodies(ctx context.Context, tx *sqlTx) (map[string]string, int64, error) {
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

// walkChain recomputes every link in chain order: captures by id, each
// pruned range in the place of its first id, each seal right after its
// capture. A body found bad is reported at the first capture that refers
// to it, and then forgotten.
func walkChain(ctx context.Context, tx *sqlTx, side [2]*sqlTx, bad map[string]string, sum *ChainSummary) error {
	w := &chainWalk{bad: bad, sum: sum}
	var err error
	if w.caps, err = tx.QueryContext(ctx, `SELECT id, link, url, final_url, fetched_at, status, class, coalesce(body_hash, ''),
		remote_ip, tls_version, cert_sha256, request_headers, `+headerSetText+`, headers FROM captures c ORDER BY id`); err != nil {
		return fmt.Errorf("read captures: %w", err)
	}
	defer w.caps.Close()
	if w.ranges, err = side[0].QueryContext(ctx, `SELECT `+summaryColumns+` FROM chain_summaries ORDER BY first_id`); err != nil {
		return fmt.Errorf("read chain summaries: %w", err)
	}
	defer w.ranges.Close()
	if w.seals, err = side[1].QueryContext(ctx, `SELECT `+summaryColumns+` FROM chain_summaries ORDER BY after_id, id`); err != nil {
		return fmt.Errorf("read chain summaries: %w", err)
	}
	defer w.seals.Close()
	return w.run()
}

const summaryColumns = `id, first_id, last_id, count, prev_link, last_link, digest, links, first_fetched_at,
	last_fetched_at, pruned_at, after_id, seal`

func scanSummary(sc interface{ Scan(...any) error }) (PrunedRange, error) {
	var r PrunedRange
	err := sc.Scan(&r.ID, &r.FirstID, &r.LastID, &r.Count, &r.PrevLink, &r.LastLink, &r.Digest, &r.Links,
		&r.FirstFetchedAt, &r.LastFetchedAt, &r.PrunedAt, &r.AfterID, &r.Seal)
	return r, err
}

// chainWalk merges three ordered streams into the chain: captures, the
// summaries' ranges and their seals.
type chainWalk struct {
	caps, ranges, seals *sql.Rows
	bad                 map[string]string
	sum                 *ChainSummary

	cap          *walkCapture
	rng, seal    *PrunedRange
	prev         string
	covered      int64 // the highest capture id accounted for, kept or pruned
	lastRangeEnd int64
}

type walkCapture struct {
	id   int64
	link string
	in   ChainInput
}

func (w *chainWalk) run() error {
	for _, next := range []func() error{w.nextCapture, w.nextRange, w.nextSeal} {
		if err := next(); err != nil {
			return err
		}
	}
	for w.cap != nil || w.rng != nil || w.seal != nil {
		// Positions: capture k at 2k, a range at 2*first_id, a seal at 2*after_id+1.
		const none = int64(1<<62 - 1)
		pc, pr, ps := none, none, none
		if w.cap != nil {
			pc = 2 * w.cap.id
		}
		if w.rng != nil {
			pr = 2 * w.rng.FirstID
		}
		if w.seal != nil {
			ps = 2*w.seal.AfterID + 1
		}
		var err error
		switch {
		case pr <= pc && pr < ps:
			err = w.checkRange()
		case ps < pc:
			err = w.checkSeal()
		default:
			err = w.checkCapture()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *chainWalk) nextCapture() error {
	w.cap = nil
	if !w.caps.Next() {
		if err := w.caps.Err(); err != nil {
			return fmt.Errorf("read captures: %w", err)
		}
		return nil
	}
	c := &walkCapture{}
	in := &c.in
	var reqSet string
	if err := w.caps.Scan(&c.id, &c.link, &in.URL, &in.FinalURL, &in.FetchedAt, &in.Status, &in.Class, &in.BodyHash,
		&in.RemoteIP, &in.TLSVersion, &in.CertSHA256, &in.RequestHeaders, &reqSet, &in.Headers); err != nil {
		return fmt.Errorf("read captures: %w", err)
	}
	in.RequestHeaders = joinHeaderText(reqSet, in.RequestHeaders)
	w.cap = c
	return nil
}

func (w *chainWalk) nextRange() error { return nextSummary(w.ranges, &w.rng) }
func (w *chainWalk) nextSeal() error  { return nextSummary(w.seals, &w.seal) }

func nextSummary(rows *sql.Rows, to **PrunedRange) error {
	*to = nil
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read chain summaries: %w", err)
		}
		return nil
	}
	r, err := scanSummary(rows)
	if err != nil {
		return fmt.Errorf("read chain summaries: %w", err)
	}
	*to = &r
	return nil
}

func (w *chainWalk) checkCapture() error {
	c := w.cap
	if want := ChainLink(w.prev, c.in); c.link != want {
		problem := "link mismatch"
		if w.covered+1 < c.id {
			problem += fmt.Sprintf(" (no capture between %d and %d: deleted?)", w.covered, c.id)
		}
		return &ChainError{CaptureID: c.id, URL: c.in.URL, FetchedAt: c.in.FetchedAt, Problem: problem}
	}
	if problem, ok := w.bad[c.in.BodyHash]; ok {
		return &ChainError{CaptureID: c.id, URL: c.in.URL, FetchedAt: c.in.FetchedAt, Problem: problem}
	}
	w.prev, w.covered = c.link, c.id
	w.sum.LastID, w.sum.LastLink, w.sum.LastSummary = c.id, c.link, 0
	w.sum.Captures++
	return w.nextCapture()
}

func (w *chainWalk) checkRange() error {
	r := w.rng
	fail := func(format string, args ...any) error {
		return &SummaryError{SummaryID: r.ID, FirstID: r.FirstID, LastID: r.LastID, Problem: fmt.Sprintf(format, args...)}
	}
	switch {
	case r.FirstID <= w.lastRangeEnd:
		return fail("overlaps the range of an earlier summary")
	case w.cap != nil && w.cap.id <= r.LastID:
		return fail("capture %d, which it says was pruned, is still there", w.cap.id)
	case w.seal != nil && w.seal.AfterID < r.LastID:
		return fail("the seal of summary %d, after capture %d, falls inside it", w.seal.ID, w.seal.AfterID)
	case r.PrevLink != w.prev:
		return fail("prev link mismatch (the chain before it ends in %s, it starts from %s)", w.prev, r.PrevLink)
	}
	if problem := r.linksProblem(); problem != "" {
		return fail("%s", problem)
	}
	w.prev, w.covered, w.lastRangeEnd = r.LastLink, r.LastID, r.LastID
	w.sum.Summaries++
	w.sum.Pruned += r.Count
	return w.nextRange()
}

// linksProblem says what is wrong with a summary's links, "" if nothing.
func (r *PrunedRange) linksProblem() string {
	if r.Count < 1 || int64(len(r.Links)) != r.Count*prunedLinkSize {
		return fmt.Sprintf("holds %d bytes of links for %d captures", len(r.Links), r.Count)
	}
	var last int64
	for i, e := range slices.Collect(slices.Chunk(r.Links, prunedLinkSize)) {
		id := int64(binary.BigEndian.Uint64(e))
		switch {
		case i == 0 && id != r.FirstID, i > 0 && id <= last, id > r.LastID:
			return fmt.Sprintf("its links name capture %d out of order or outside the range", id)
		}
		last = id
	}
	switch {
	case last != r.LastID:
		return fmt.Sprintf("its links end at capture %d", last)
	case hex.EncodeToString(r.Links[len(r.Links)-sha256.Size:]) != r.LastLink:
		return "its last link differs from the links it holds"
	case PrunedDigest(r.Links) != r.Digest:
		return "digest mismatch"
	}
	return ""
}

func (w *chainWalk) checkSeal() error {
	r := w.seal
	if want := SealLink(w.prev, *r); r.Seal != want {
		return &SummaryError{SummaryID: r.ID, FirstID: r.FirstID, LastID: r.LastID,
			Problem: fmt.Sprintf("seal mismatch (its place is after capture %d)", r.AfterID)}
	}
	if r.LastID > w.covered || r.AfterID < r.LastID {
		return &SummaryError{SummaryID: r.ID, FirstID: r.FirstID, LastID: r.LastID,
			Problem: fmt.Sprintf("sealed after capture %d, before its own range", r.AfterID)}
	}
	w.prev = r.Seal
	w.sum.LastLink, w.sum.LastSummary = r.Seal, r.ID
	return w.nextSeal()
}

// linkBatch is how many captures migrateCaptureLinks holds at once.
const linkBatch = 500

// migrateCaptureLinks adds the evidence columns and links the captures
// already stored, in id order, a batch at a time so that memory stays
// bounded whatever the table's size.
func migrateCaptureLinks(ctx context.Context, tx *sqlTx) error {
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
func captureBatch(ctx context.Context, tx *sqlTx, after int64) ([]int64, []ChainInput, error) {
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
