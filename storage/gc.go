package storage

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Retention. Every check stores a capture, and most checks change
// nothing: a page re-checked for 30 days leaves some 170 captures, more
// bytes than its first version. GC deletes the captures that changed
// nothing once they are older than [storage] keep_captures, and keeps the
// hash chain verifiable: each run of pruned captures (consecutive in the
// chain, whatever their pages) leaves a summary in chain_summaries whose
// links and seal are defined in chain.go, and each page a count in
// capture_gaps of what it lost between two captures it kept.
//
// A capture is pruned only if every one of these holds:
//   - it was fetched before GCOptions.Before;
//   - no version was made from it, and it is no change's capture (the
//     page's last capture fetched when the change was detected, which is
//     what ChangeCaptureID and the evidence export name);
//   - it has an earlier and a later capture of the same page (of the same
//     source and URL for a listing's own fetches): the first and the last
//     are kept;
//   - its class, status and final URL equal both of theirs, so every
//     change of state (ok to gone, blocked, error, a redirect) keeps the
//     captures on both sides of it;
//   - a listing's fetch read the same body as the one before it (a
//     listing whose body changed may have announced pages); with
//     keep_bodies = "versions", a page's capture that brought a stored
//     body (one the one before it did not have) is kept with it;
//   - it is not the newest capture, nor one a summary's seal follows.
// A body is deleted only with keep_bodies = "all" (PruneBodies), and only
// once no capture left refers to it; a version's capture is never pruned,
// so neither is its body.
//
// Each batch deletes its captures, writes their summaries and updates the
// gaps in one transaction, so a process killed during gc leaves a chain
// that verifies. Before deleting, gc recomputes the links of what it
// prunes from the link before them: it refuses to summarise a chain that
// does not hold, which would hide the damage.

// gcSchema is migration 12 (migrations.go). It must never change: a
// later change is a new migration. capture_gaps names captures without
// foreign keys, since gc moves a gap's ends as it prunes them; versions
// gets an index on capture_id because deleting a capture makes SQLite
// look for versions made from it (a foreign key), which would otherwise
// read every version.
const gcSchema = `CREATE TABLE chain_summaries (
		id INTEGER PRIMARY KEY,
		first_id INTEGER NOT NULL,  -- the pruned captures' ids: the first and the last
		last_id INTEGER NOT NULL,
		count INTEGER NOT NULL,     -- captures pruned
		prev_link TEXT NOT NULL,    -- the chain's link before the first of them
		last_link TEXT NOT NULL,    -- the link of the last of them, which the chain continues from
		digest TEXT NOT NULL,       -- over their ids and links (chain.go)
		links BLOB NOT NULL,        -- per pruned capture: 8-byte big-endian id, 32-byte link
		first_fetched_at TEXT NOT NULL,
		last_fetched_at TEXT NOT NULL,
		pruned_at TEXT NOT NULL,
		after_id INTEGER NOT NULL,  -- the summary's seal stands in the chain right after this capture
		seal TEXT NOT NULL          -- the seal's link (chain.go)
	);
	CREATE UNIQUE INDEX chain_summaries_range ON chain_summaries (first_id);
	CREATE INDEX chain_summaries_seal ON chain_summaries (after_id, id);
	CREATE TABLE capture_gaps (
		before_id INTEGER PRIMARY KEY, -- the kept capture the pruned ones came after
		after_id INTEGER NOT NULL,     -- the kept capture that came after them
		page_id INTEGER,               -- NULL for a listing source's own fetches
		source_id INTEGER,
		captures INTEGER NOT NULL,
		first_fetched_at TEXT NOT NULL,
		last_fetched_at TEXT NOT NULL,
		classes TEXT NOT NULL          -- JSON object: captures by class
	);
	CREATE INDEX capture_gaps_page ON capture_gaps (page_id, before_id) WHERE page_id IS NOT NULL;
	CREATE INDEX versions_capture ON versions (capture_id);`

// DefaultGCBatch is how many captures one gc transaction examines: about
// 50 ms of holding the write lock.
const DefaultGCBatch = 500

// GCOptions says which captures GC may prune, and how.
type GCOptions struct {
	// Before is the cutoff: only captures fetched before it are pruned
	// (now less [storage] keep_captures). Required.
	Before time.Time
	// PruneBodies deletes the stored bodies that no capture refers to
	// once their captures are pruned (keep_bodies = "all"). The first
	// such run indexes captures by body hash, which takes one
	// transaction as long as reading the table.
	PruneBodies bool
	// DryRun counts what would be pruned and writes nothing. Its body
	// count is an upper bound (Result.Bodies counts the stored bodies the
	// pruned captures refer to).
	DryRun bool
	Batch  int           // captures examined per transaction; 0 means DefaultGCBatch
	Pause  time.Duration // between transactions, so that other writers get the lock
	Now    time.Time     // recorded as pruned_at; zero means time.Now()
}

// GCResult counts what GC did (or, in a dry run, would do).
type GCResult struct {
	Examined  int64 // captures examined
	Pruned    int64 // captures deleted
	Summaries int64 // summaries written to the chain
	Bodies    int64 // bodies deleted
	Bytes     int64 // estimate of the bytes freed: rows and bodies deleted, less what the summaries take
	Batches   int   // transactions
}

func (r *GCResult) add(o GCResult) {
	r.Examined += o.Examined
	r.Pruned += o.Pruned
	r.Summaries += o.Summaries
	r.Bodies += o.Bodies
	r.Bytes += o.Bytes
	r.Batches += o.Batches
}

// GC prunes the captures that changed nothing (see the top of this file)
// in batches of o.Batch, one transaction each, until it meets a capture
// fetched at or after o.Before. It starts after the last range already
// pruned, so a capture kept as its page's last and passed over stays
// kept. Cancelling ctx stops it between (or inside, rolled back) batches.
func (s *Store) GC(ctx context.Context, o GCOptions) (GCResult, error) {
	var res GCResult
	if o.Before.IsZero() {
		return res, errors.New("gc: no cutoff time")
	}
	o.Batch = cmp.Or(o.Batch, DefaultGCBatch)
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.PruneBodies && !o.DryRun {
		err := s.withTempFiles(ctx, func(conn *sqlConn) error {
			_, err := conn.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS captures_body ON captures (body_hash)
				WHERE body_hash IS NOT NULL`)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("gc: index captures by body: %w", err)
		}
	}
	var after int64
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(last_id), 0) FROM chain_summaries`).Scan(&after); err != nil {
		return res, fmt.Errorf("gc: read the last pruned range: %w", err)
	}
	for {
		step, next, done, err := s.gcBatch(ctx, o, after)
		res.add(step)
		if err != nil || done {
			return res, err
		}
		after = next
		if o.Pause > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(o.Pause):
			}
		}
	}
}

// gcBatch examines up to o.Batch captures after id after, in one
// transaction, and returns what it did, the last id examined and whether
// gc is done (it met the cutoff or the end of the table).
func (s *Store) gcBatch(ctx context.Context, o GCOptions, after int64) (GCResult, int64, bool, error) {
	var res GCResult
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: o.DryRun})
	if err != nil {
		return res, after, false, fmt.Errorf("gc: begin: %w", err)
	}
	defer tx.Rollback()
	p := &gcPlan{ctx: ctx, tx: tx, o: o, changes: map[int64]map[int64]bool{}, stmts: map[string]*sqlStmt{}}
	defer p.close()
	next, done, err := p.examine(after)
	if err != nil {
		return res, after, false, err
	}
	p.res.Batches = 1
	if o.DryRun || p.res.Pruned == 0 {
		return p.res, next, done, nil
	}
	if err := p.apply(); err != nil {
		return GCResult{}, after, false, err
	}
	if err := tx.Commit(); err != nil {
		return GCResult{}, after, false, fmt.Errorf("gc: commit: %w", err)
	}
	return p.res, next, done, nil
}

// gcCapture is one capture as gc sees it.
type gcCapture struct {
	id, pageID, sourceID int64
	in                   ChainInput
	link                 string
	size                 int64 // bytes of its row and index entries, roughly
	version              bool  // a version was made from it
	stored               bool  // its body is in bodies
	prune                bool
}

// group names the captures a capture is compared with: its page's, or
// its source's fetches of the same URL.
func (c gcCapture) group() (string, []any) {
	if c.pageID != 0 {
		return `page_id = ?`, []any{c.pageID}
	}
	return `source_id = ? AND page_id IS NULL AND url = ?`, []any{c.sourceID, c.in.URL}
}

// gcRun is a run of captures pruned together, consecutive in the chain.
type gcRun struct {
	caps []*gcCapture
	sum  PrunedRange
}

// gcPlan is one batch: what it read, and what it will write.
type gcPlan struct {
	ctx     context.Context
	tx      *sqlTx
	o       GCOptions
	caps    []*gcCapture
	runs    []*gcRun
	anchors map[int64]bool           // captures a seal follows
	breaks  map[int]bool             // a summary stands between caps[i-1] and caps[i]
	changes map[int64]map[int64]bool // page -> its changes' captures
	stmts   map[string]*sqlStmt      // prepared once per batch: gc asks the same few questions of each capture
	res     GCResult
}

// stmt prepares q once per batch.
func (p *gcPlan) stmt(q string) (*sqlStmt, error) {
	if st, ok := p.stmts[q]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(p.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("gc: prepare: %w", err)
	}
	p.stmts[q] = st
	return st, nil
}

func (p *gcPlan) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}

// queryRow runs q, prepared once per batch.
func (p *gcPlan) queryRow(q string, args ...any) *sqlRow {
	st, err := p.stmt(q)
	if err != nil {
		return &sqlRow{err: err}
	}
	return &sqlRow{row: st.QueryRowContext(p.ctx, args...)}
}

// sqlRow is a *sql.Row, or the error of preparing its statement.
type sqlRow struct {
	row *sql.Row
	err error
}

func (r *sqlRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// gcColumns are what gc reads of a capture: the chain's fields, a size,
// whether a version was made from it and whether its body is stored.
const gcColumns = `c.id, coalesce(c.page_id, 0), coalesce(c.source_id, 0), c.url, c.final_url, c.fetched_at, c.status,
	c.class, coalesce(c.body_hash, ''), c.remote_ip, c.tls_version, c.cert_sha256, c.request_headers, ` + headerSetText + `,
	c.headers, c.link,
	length(c.redirects) + length(c.reason) + length(c.etag) + length(c.last_modified) + length(c.charset) +
		length(c.extractor) + 80,
	EXISTS (SELECT 1 FROM versions v WHERE v.capture_id = c.id),
	c.body_hash IS NOT NULL AND EXISTS (SELECT 1 FROM bodies b WHERE b.hash = c.body_hash)`

// examine reads the batch's captures and decides which to prune.
func (p *gcPlan) examine(after int64) (next int64, done bool, err error) {
	rows, err := p.tx.QueryContext(p.ctx, `SELECT `+gcColumns+` FROM captures c WHERE c.id > ? ORDER BY c.id LIMIT ?`,
		after, p.o.Batch)
	if err != nil {
		return after, false, fmt.Errorf("gc: read captures: %w", err)
	}
	cutoff := p.o.Before.UTC().Format(timeLayout)
	read := 0
	for rows.Next() {
		read++
		c := &gcCapture{}
		in := &c.in
		var reqSet string
		if err := rows.Scan(&c.id, &c.pageID, &c.sourceID, &in.URL, &in.FinalURL, &in.FetchedAt, &in.Status, &in.Class,
			&in.BodyHash, &in.RemoteIP, &in.TLSVersion, &in.CertSHA256, &in.RequestHeaders, &reqSet, &in.Headers, &c.link,
			&c.size, &c.version, &c.stored); err != nil {
			rows.Close()
			return after, false, fmt.Errorf("gc: read captures: %w", err)
		}
		in.RequestHeaders = joinHeaderText(reqSet, in.RequestHeaders)
		if in.FetchedAt >= cutoff {
			done = true
			break
		}
		c.size += int64(len(in.URL) + len(in.FinalURL) + len(in.FetchedAt) + len(in.Class) + len(in.BodyHash) +
			len(in.RemoteIP) + len(in.TLSVersion) + len(in.CertSHA256) + len(in.RequestHeaders) + len(in.Headers) + len(c.link))
		p.caps = append(p.caps, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return after, false, fmt.Errorf("gc: read captures: %w", err)
	}
	done = done || read < p.o.Batch
	if len(p.caps) == 0 {
		return after, done, nil
	}
	next = p.caps[len(p.caps)-1].id
	p.res.Examined = int64(len(p.caps))
	if err := p.readSummaries(after, next); err != nil {
		return after, false, err
	}
	if err := p.decide(); err != nil {
		return after, false, err
	}
	if err := p.formRuns(); err != nil {
		return after, false, err
	}
	return next, done, nil
}

// readSummaries finds the summaries that stand between the batch's
// captures (their ranges and seals) and the captures a seal follows.
func (p *gcPlan) readSummaries(after, last int64) error {
	p.anchors, p.breaks = map[int64]bool{}, map[int]bool{}
	rows, err := p.tx.QueryContext(p.ctx, `SELECT first_id, 0 FROM chain_summaries WHERE first_id > ? AND first_id <= ?
		UNION ALL SELECT 0, after_id FROM chain_summaries WHERE after_id > ? AND after_id <= ?`, after, last, after, last)
	if err != nil {
		return fmt.Errorf("gc: read summaries: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, len(p.caps))
	for i, c := range p.caps {
		ids[i] = c.id
	}
	for rows.Next() {
		var first, anchor int64
		if err := rows.Scan(&first, &anchor); err != nil {
			return fmt.Errorf("gc: read summaries: %w", err)
		}
		if anchor != 0 {
			// The seal stands after the anchor: between it and the next capture.
			p.anchors[anchor] = true
			i, found := slices.BinarySearch(ids, anchor)
			if found {
				i++
			}
			p.breaks[i] = true
			continue
		}
		i, _ := slices.BinarySearch(ids, first) // the range stands before caps[i]
		p.breaks[i] = true
	}
	return rows.Err()
}

// neighbour is what gc compares a capture with.
type neighbour struct {
	class, finalURL, bodyHash string
	status                    int
}

// decide marks the captures to prune.
func (p *gcPlan) decide() error {
	var head int64
	if err := p.tx.QueryRowContext(p.ctx, `SELECT coalesce(max(id), 0) FROM captures`).Scan(&head); err != nil {
		return fmt.Errorf("gc: read the newest capture: %w", err)
	}
	for _, c := range p.caps {
		if c.id == head || p.anchors[c.id] || c.version || (c.pageID == 0 && c.sourceID == 0) {
			continue
		}
		prev, okPrev, err := p.neighbour(c, `<`, `DESC`)
		if err != nil {
			return err
		}
		next, okNext, err := p.neighbour(c, `>`, ``)
		if err != nil {
			return err
		}
		if !okPrev || !okNext || !prev.same(c.in) || !next.same(c.in) {
			continue
		}
		if c.pageID == 0 && c.in.BodyHash != prev.bodyHash {
			continue // the listing changed
		}
		if c.pageID != 0 && !p.o.PruneBodies && c.stored && c.in.BodyHash != prev.bodyHash {
			continue // it brought a body kept as evidence
		}
		if c.pageID != 0 {
			changed, err := p.changeCaptures(c.pageID)
			if err != nil {
				return err
			}
			if changed[c.id] {
				continue
			}
		}
		c.prune = true
	}
	return nil
}

func (n neighbour) same(in ChainInput) bool {
	return n.class == in.Class && n.status == in.Status && n.finalURL == in.FinalURL
}

// neighbour reads the capture of c's group just before (op "<", order
// "DESC") or after (">", "") it.
func (p *gcPlan) neighbour(c *gcCapture, op, order string) (neighbour, bool, error) {
	where, args := c.group()
	var n neighbour
	err := p.queryRow(`SELECT class, final_url, coalesce(body_hash, ''), status FROM captures
		WHERE `+where+` AND id `+op+` ? ORDER BY id `+order+` LIMIT 1`, append(args, c.id)...).
		Scan(&n.class, &n.finalURL, &n.bodyHash, &n.status)
	if errors.Is(err, sql.ErrNoRows) {
		return n, false, nil
	}
	if err != nil {
		return n, false, fmt.Errorf("gc: read the captures beside %d: %w", c.id, err)
	}
	return n, true, nil
}

// changeCaptures is the set of captures of a page's changes, as
// ChangeCaptureID finds them.
func (p *gcPlan) changeCaptures(pageID int64) (map[int64]bool, error) {
	if m, ok := p.changes[pageID]; ok {
		return m, nil
	}
	st, err := p.stmt(`SELECT coalesce((SELECT max(c.id) FROM captures c
		WHERE c.page_id = ch.page_id AND c.fetched_at <= ch.detected_at), 0) FROM changes ch WHERE ch.page_id = ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(p.ctx, pageID)
	if err != nil {
		return nil, fmt.Errorf("gc: read the changes of page %d: %w", pageID, err)
	}
	defer rows.Close()
	m := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("gc: read the changes of page %d: %w", pageID, err)
		}
		m[id] = true
	}
	p.changes[pageID] = m
	return m, rows.Err()
}

// formRuns groups the captures to prune into runs, consecutive in the
// chain, and checks each run's links from the link before it.
func (p *gcPlan) formRuns() error {
	var run *gcRun
	for i, c := range p.caps {
		if !c.prune {
			run = nil
			continue
		}
		if run == nil || p.breaks[i] {
			run = &gcRun{}
			p.runs = append(p.runs, run)
		}
		run.caps = append(run.caps, c)
	}
	for _, r := range p.runs {
		prev, err := chainPrev(p.ctx, p.tx, r.caps[0].id)
		if err != nil {
			return fmt.Errorf("gc: %w", err)
		}
		if err := r.summarise(prev); err != nil {
			return err
		}
		p.res.Pruned += r.sum.Count
		p.res.Summaries++
		for _, c := range r.caps {
			p.res.Bytes += c.size
		}
		p.res.Bytes -= int64(len(r.sum.Links)) + 400
	}
	if p.o.DryRun && p.o.PruneBodies {
		seen := map[string]bool{}
		for _, r := range p.runs {
			for _, c := range r.caps {
				if c.stored && !seen[c.in.BodyHash] {
					seen[c.in.BodyHash] = true
					p.res.Bodies++
				}
			}
		}
	}
	return nil
}

// summarise checks the run's links, starting from prev, and fills in its
// summary (all but the seal).
func (r *gcRun) summarise(prev string) error {
	s := &r.sum
	s.PrevLink = prev
	s.FirstID, s.LastID, s.Count = r.caps[0].id, r.caps[len(r.caps)-1].id, int64(len(r.caps))
	s.FirstFetchedAt, s.LastFetchedAt = r.caps[0].in.FetchedAt, r.caps[0].in.FetchedAt
	s.Links = make([]byte, 0, len(r.caps)*prunedLinkSize)
	for _, c := range r.caps {
		if want := ChainLink(prev, c.in); c.link != want {
			return fmt.Errorf("gc: refusing to prune: %w; run stet verify",
				&ChainError{CaptureID: c.id, URL: c.in.URL, FetchedAt: c.in.FetchedAt, Problem: "link mismatch"})
		}
		raw, err := hex.DecodeString(c.link)
		if err != nil || len(raw) != sha256.Size {
			return fmt.Errorf("gc: capture %d: link %q is not a SHA-256", c.id, c.link)
		}
		s.Links = binary.BigEndian.AppendUint64(s.Links, uint64(c.id))
		s.Links = append(s.Links, raw...)
		s.FirstFetchedAt, s.LastFetchedAt = min(s.FirstFetchedAt, c.in.FetchedAt), max(s.LastFetchedAt, c.in.FetchedAt)
		prev = c.link
	}
	s.LastLink = prev
	s.Digest = PrunedDigest(s.Links)
	return nil
}

// apply writes the batch: the summaries (sealed after the newest capture),
// the gaps, the deletions and, with PruneBodies, the bodies left alone.
func (p *gcPlan) apply() error {
	var head int64
	if err := p.tx.QueryRowContext(p.ctx, `SELECT coalesce(max(id), 0) FROM captures`).Scan(&head); err != nil {
		return fmt.Errorf("gc: read the newest capture: %w", err)
	}
	top, err := latestLink(p.ctx, p.tx)
	if err != nil {
		return fmt.Errorf("gc: read the chain's last link: %w", err)
	}
	prunedAt := p.o.Now.UTC().Format(timeLayout)
	for _, r := range p.runs {
		s := &r.sum
		s.PrunedAt, s.AfterID = prunedAt, head
		s.Seal = SealLink(top, *s)
		top = s.Seal
		if _, err := p.tx.ExecContext(p.ctx, `INSERT INTO chain_summaries (first_id, last_id, count, prev_link, last_link,
			digest, links, first_fetched_at, last_fetched_at, pruned_at, after_id, seal)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.FirstID, s.LastID, s.Count, s.PrevLink, s.LastLink,
			s.Digest, s.Links, s.FirstFetchedAt, s.LastFetchedAt, s.PrunedAt, s.AfterID, s.Seal); err != nil {
			return fmt.Errorf("gc: write the summary of captures %d to %d: %w", s.FirstID, s.LastID, err)
		}
	}
	if err := p.updateGaps(); err != nil {
		return err
	}
	for _, r := range p.runs {
		res, err := p.tx.ExecContext(p.ctx, `DELETE FROM captures WHERE id BETWEEN ? AND ?`, r.sum.FirstID, r.sum.LastID)
		if err != nil {
			return fmt.Errorf("gc: delete captures %d to %d: %w", r.sum.FirstID, r.sum.LastID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != r.sum.Count {
			return fmt.Errorf("gc: deleting captures %d to %d deleted %d rows, want %d (%v)", r.sum.FirstID, r.sum.LastID, n, r.sum.Count, err)
		}
	}
	if p.o.PruneBodies {
		return p.deleteBodies()
	}
	return nil
}

// deleteBodies deletes the stored bodies of the pruned captures that no
// capture left refers to.
func (p *gcPlan) deleteBodies() error {
	seen := map[string]bool{}
	for _, r := range p.runs {
		for _, c := range r.caps {
			if !c.stored || seen[c.in.BodyHash] {
				continue
			}
			seen[c.in.BodyHash] = true
			var size int64
			err := p.queryRow(`DELETE FROM bodies WHERE hash = ?1
				AND NOT EXISTS (SELECT 1 FROM captures WHERE body_hash = ?1) RETURNING length(data)`, c.in.BodyHash).Scan(&size)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("gc: delete body %s: %w", c.in.BodyHash, err)
			}
			p.res.Bodies++
			p.res.Bytes += size + 100
		}
	}
	return nil
}

// CaptureGap is what a page (or a listing source's URL) lost to gc
// between two captures it kept.
type CaptureGap struct {
	BeforeID, AfterID int64 // the kept captures around the pruned ones
	PageID, SourceID  int64
	Captures          int64 // how many were pruned
	FirstFetchedAt    time.Time
	LastFetchedAt     time.Time
	Classes           map[string]int64 // how many of each class
}

// updateGaps adds each pruned capture to the gap after the kept capture
// before it, merging the gap that followed it if it had been kept.
func (p *gcPlan) updateGaps() error {
	before, after, err := p.keptAround()
	if err != nil {
		return err
	}
	gaps := map[int64]*CaptureGap{} // by BeforeID; nil: to delete
	load := func(id int64) (*CaptureGap, error) {
		if g, ok := gaps[id]; ok {
			return g, nil
		}
		g, err := p.readGap(id)
		gaps[id] = g
		return g, err
	}
	for _, c := range p.caps {
		if !c.prune {
			continue
		}
		g, err := load(before[c.id])
		if err != nil {
			return err
		}
		if g == nil {
			g = &CaptureGap{BeforeID: before[c.id], PageID: c.pageID, SourceID: c.sourceID, Classes: map[string]int64{}}
			gaps[before[c.id]] = g
		}
		at, err := time.Parse(timeLayout, c.in.FetchedAt)
		if err != nil {
			return fmt.Errorf("gc: capture %d: %w", c.id, err)
		}
		g.merge(CaptureGap{Captures: 1, FirstFetchedAt: at, LastFetchedAt: at, Classes: map[string]int64{c.in.Class: 1}})
		g.AfterID = after[c.id]
		own, err := load(c.id)
		if err != nil {
			return err
		}
		if own != nil {
			g.merge(*own)
			gaps[c.id] = nil
		}
	}
	for _, id := range slices.Sorted(maps.Keys(gaps)) {
		if err := p.writeGap(id, gaps[id]); err != nil {
			return err
		}
	}
	return nil
}

// keptAround finds, for each pruned capture, the captures of its group
// nearest before and after it that stay: a kept capture of the batch, or
// the group's nearest outside the batch (which the batch does not prune).
func (p *gcPlan) keptAround() (before, after map[int64]int64, err error) {
	before, after = map[int64]int64{}, map[int64]int64{}
	type seen struct {
		kept  int64 // the last capture of the group seen if it stays, else the one it found
		valid bool
	}
	walk := func(order []*gcCapture, op, dir string, out map[int64]int64) error {
		last := map[string]seen{}
		for _, c := range order {
			key := groupKey(c)
			s := last[key]
			if c.prune {
				k := s.kept
				if !s.valid {
					id, err := p.beside(c, op, dir)
					if err != nil {
						return err
					}
					k = id
				}
				out[c.id] = k
				last[key] = seen{kept: k, valid: true}
				continue
			}
			last[key] = seen{kept: c.id, valid: true}
		}
		return nil
	}
	if err := walk(p.caps, `<`, `DESC`, before); err != nil {
		return nil, nil, err
	}
	reversed := slices.Clone(p.caps)
	slices.Reverse(reversed)
	return before, after, walk(reversed, `>`, ``, after)
}

func groupKey(c *gcCapture) string {
	if c.pageID != 0 {
		return fmt.Sprint("p", c.pageID)
	}
	return fmt.Sprint("s", c.sourceID, " ", c.in.URL)
}

// beside is the id of the capture of c's group just before (op "<",
// order "DESC") or after (">", "") it; the rules that pruned c say there
// is one.
func (p *gcPlan) beside(c *gcCapture, op, order string) (int64, error) {
	where, args := c.group()
	var id int64
	err := p.queryRow(`SELECT id FROM captures WHERE `+where+` AND id `+op+` ? ORDER BY id `+order+` LIMIT 1`,
		append(args, c.id)...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("gc: read the capture beside %d: %w", c.id, err)
	}
	return id, nil
}

func (g *CaptureGap) merge(o CaptureGap) {
	if g.Captures == 0 || o.FirstFetchedAt.Before(g.FirstFetchedAt) {
		g.FirstFetchedAt = o.FirstFetchedAt
	}
	if o.LastFetchedAt.After(g.LastFetchedAt) {
		g.LastFetchedAt = o.LastFetchedAt
	}
	g.Captures += o.Captures
	for k, n := range o.Classes {
		g.Classes[k] += n
	}
}

const gapColumns = `before_id, after_id, coalesce(page_id, 0), coalesce(source_id, 0), captures, first_fetched_at,
	last_fetched_at, classes`

func scanGap(sc interface{ Scan(...any) error }) (CaptureGap, error) {
	var g CaptureGap
	var classes string
	err := sc.Scan(&g.BeforeID, &g.AfterID, &g.PageID, &g.SourceID, &g.Captures, nullTime{&g.FirstFetchedAt},
		nullTime{&g.LastFetchedAt}, &classes)
	if err != nil {
		return g, err
	}
	g.Classes = map[string]int64{}
	return g, json.Unmarshal([]byte(classes), &g.Classes)
}

// readGap returns the gap after capture before, nil if there is none.
func (p *gcPlan) readGap(before int64) (*CaptureGap, error) {
	g, err := scanGap(p.queryRow(`SELECT `+gapColumns+` FROM capture_gaps WHERE before_id = ?`, before))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gc: read the gap after capture %d: %w", before, err)
	}
	return &g, nil
}

// writeGap stores g as the gap after capture before, or deletes that gap
// when g is nil.
func (p *gcPlan) writeGap(before int64, g *CaptureGap) error {
	q, args := `DELETE FROM capture_gaps WHERE before_id = ?`, []any{before}
	if g != nil {
		classes, _ := json.Marshal(g.Classes) // a map of strings to numbers always encodes
		q, args = `INSERT INTO capture_gaps (before_id, after_id, page_id, source_id, captures,
			first_fetched_at, last_fetched_at, classes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (before_id) DO UPDATE SET after_id = excluded.after_id, captures = excluded.captures,
			first_fetched_at = excluded.first_fetched_at, last_fetched_at = excluded.last_fetched_at,
			classes = excluded.classes`, []any{before, g.AfterID, nullIfZero(g.PageID), nullIfZero(g.SourceID), g.Captures,
			fmtTime(g.FirstFetchedAt), fmtTime(g.LastFetchedAt), string(classes)}
	}
	st, err := p.stmt(q)
	if err == nil {
		_, err = st.ExecContext(p.ctx, args...)
	}
	if err != nil {
		return fmt.Errorf("gc: write the gap after capture %d: %w", before, err)
	}
	return nil
}

// PageGaps lists what gc pruned of a page, by the kept capture each gap
// follows: gaps before capture upTo (0: all) that end at or after since
// (zero: all).
func (s *Store) PageGaps(ctx context.Context, pageID, upTo int64, since time.Time) ([]CaptureGap, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+gapColumns+` FROM capture_gaps WHERE page_id = ? AND (? = 0 OR before_id < ?)
		AND last_fetched_at >= ? ORDER BY before_id`, pageID, upTo, upTo, sinceText(since))
	if err != nil {
		return nil, fmt.Errorf("list the pruned captures of page %d: %w", pageID, err)
	}
	defer rows.Close()
	var out []CaptureGap
	for rows.Next() {
		g, err := scanGap(rows)
		if err != nil {
			return nil, fmt.Errorf("list the pruned captures of page %d: %w", pageID, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Vacuum rebuilds the database file without its free pages and turns on
// incremental auto-vacuum, so that later gc runs hand the pages they free
// back to the file system (IncrementalVacuum). It blocks every writer for
// as long as it runs and needs free disk space about the database's size.
func (s *Store) Vacuum(ctx context.Context) error {
	if s.db.pg {
		// PostgreSQL reuses the space of deleted rows itself (autovacuum);
		// VACUUM here also refreshes the planner's statistics at once.
		if _, err := s.db.ExecContext(ctx, `VACUUM (ANALYZE) captures, bodies, chain_summaries, capture_gaps`); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
		return nil
	}
	// The setting waits, in this connection, for the VACUUM that applies it.
	err := s.withTempFiles(ctx, func(conn *sqlConn) error {
		for _, q := range []string{`PRAGMA auto_vacuum = INCREMENTAL`, `VACUUM`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// withTempFiles runs fn on one connection whose temporary data (the copy
// VACUUM builds, the sort of a new index) goes to files, as SQLite's
// default has it, rather than to memory, where Open puts it
// (temp_store): both grow with the database. The connection goes back to
// the pool with Open's setting.
func (s *Store) withTempFiles(ctx context.Context, fn func(conn *sqlConn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.db.pg {
		return fn(conn)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return err
	}
	err = fn(conn)
	if _, rerr := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// incrementalStep is how many free pages one incremental vacuum statement
// returns to the file system (4 MiB of 4 KiB pages).
const incrementalStep = 1024

// IncrementalVacuum returns the free pages to the file system, a step at
// a time, if the database has incremental auto-vacuum on (after Vacuum);
// it returns the pages released. Otherwise SQLite keeps the free pages in
// the file and reuses them for new rows, and it does nothing.
func (s *Store) IncrementalVacuum(ctx context.Context) (int64, error) {
	if s.db.pg {
		return 0, nil // autovacuum's work
	}
	var mode int
	if err := s.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		return 0, err
	}
	var total int64
	for {
		var free int64
		if err := s.db.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
			return total, fmt.Errorf("incremental vacuum: %w", err)
		}
		if free == 0 {
			return total, nil
		}
		if _, err := s.db.ExecContext(ctx, `PRAGMA incremental_vacuum(`+strconv.Itoa(incrementalStep)+`)`); err != nil {
			return total, fmt.Errorf("incremental vacuum: %w", err)
		}
		total += min(free, incrementalStep)
	}
}

// FileStats is the size of the database file and how much of it is free
// pages, kept for reuse.
type FileStats struct {
	Bytes, FreeBytes int64
	AutoVacuum       string // "none", "full" or "incremental"
}

// FileStats reads the database's size from SQLite's page counts.
func (s *Store) FileStats(ctx context.Context) (FileStats, error) {
	if s.db.pg {
		var b int64
		if err := s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&b); err != nil {
			return FileStats{}, fmt.Errorf("read the database size: %w", err)
		}
		return FileStats{Bytes: b, AutoVacuum: "postgres"}, nil
	}
	var pageSize, pages, free, mode int64
	for q, v := range map[string]*int64{`PRAGMA page_size`: &pageSize, `PRAGMA page_count`: &pages,
		`PRAGMA freelist_count`: &free, `PRAGMA auto_vacuum`: &mode} {
		if err := s.db.QueryRowContext(ctx, q).Scan(v); err != nil {
			return FileStats{}, fmt.Errorf("read %s: %w", q, err)
		}
	}
	return FileStats{Bytes: pageSize * pages, FreeBytes: pageSize * free,
		AutoVacuum: [...]string{"none", "full", "incremental"}[min(max(mode, 0), 2)]}, nil
}
