package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// SearchStatus says whether a passage found by Search is still published.
type SearchStatus string

// Statuses of a search hit.
const (
	// SearchLive: the page's latest version holds the passage and the page
	// is not removed.
	SearchLive SearchStatus = "live"
	// SearchEditedAway: some version held the passage; the latest does not.
	SearchEditedAway SearchStatus = "edited_away"
	// SearchRemovedPage: the latest version holds the passage, and the
	// page has since been reported removed (gone_after 404/410 answers).
	SearchRemovedPage SearchStatus = "removed_page"
)

// Label is the status as people read it: "live", "edited away" or
// "removed page".
func (s SearchStatus) Label() string { return strings.ReplaceAll(string(s), "_", " ") }

// Fields a passage is found in.
const (
	SearchFieldText  = "text"
	SearchFieldTitle = "title"
)

// Limits of one search.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 1000
	// maxSearchScan bounds the work of one call: at most this many
	// matching passages and places they were seen are examined. A
	// selective filter (-deleted, -since, a page) over a common word can
	// stop short of a full page of hits; Next then continues the search.
	maxSearchScan = 20000
)

// SearchOptions narrow and page a search. The zero value finds every
// match, DefaultSearchLimit at a time.
type SearchOptions struct {
	Deleted bool  // only passages edited away
	PageID  int64 // only this page; 0: every page
	// Since keeps only passages that a version stored at or after it held,
	// or that were edited away at or after it; zero: no bound.
	Since  time.Time
	Limit  int    // 1 to MaxSearchLimit; 0: DefaultSearchLimit
	Cursor string // SearchResult.Next of the previous page; "": the first page
}

// SearchHit is one passage (a paragraph, or a title) found on one page.
type SearchHit struct {
	PageID int64
	URL    string
	Title  string // the title of version VersionID
	Field  string // SearchFieldText or SearchFieldTitle
	Status SearchStatus
	// VersionID is the newest version holding the passage (the page's
	// latest unless the passage was edited away), VersionAt when it was
	// stored.
	VersionID int64
	VersionAt time.Time
	// FirstVersionID is the first version that held the passage.
	FirstVersionID int64
	FirstSeen      time.Time
	// EditedVersionID is, for a passage edited away, the version that no
	// longer held it, and EditedAt when that was stored; 0 otherwise.
	EditedVersionID int64
	EditedAt        time.Time
	// RemovedAt is, on a removed page, when its removal was detected.
	RemovedAt time.Time
	Snippet   []Segment
	// Cursor continues a search after this hit.
	Cursor string
}

// SearchResult is one page of hits.
type SearchResult struct {
	Hits []SearchHit
	// Next continues the search after the last hit (or after the last
	// passage examined, when Capped); "" when nothing matches beyond.
	Next string
	// Capped says the search stopped after examining its bound of
	// matches before it had Limit hits; more may follow Next.
	Capped bool
}

// Search finds passages matching q in every version ever stored, titles
// included, newest passage first: by when stet first stored the passage,
// then by page (newest page first), a title before the text. Each passage
// is one hit per page and place (title or text) it was seen in, however
// many versions held it. An option out of range or a bad cursor is an
// error wrapping ErrBadQuery.
func (s *Store) Search(ctx context.Context, q Query, o SearchOptions) (SearchResult, error) {
	if q.IsZero() {
		return SearchResult{}, fmt.Errorf("%w: the query is empty", ErrBadQuery)
	}
	if o.Limit == 0 {
		o.Limit = DefaultSearchLimit
	}
	if o.Limit < 1 || o.Limit > MaxSearchLimit {
		return SearchResult{}, fmt.Errorf("%w: the limit must be between 1 and %d, not %d", ErrBadQuery, MaxSearchLimit, o.Limit)
	}
	after, err := parseCursor(o.Cursor)
	if err != nil {
		return SearchResult{}, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
	}
	defer conn.Close()
	sr := &searcher{ctx: ctx, conn: conn, q: q, o: o, stmts: map[string]*sql.Stmt{},
		pages: map[int64]pageHead{}, heads: map[int64]versionHead{}}
	defer sr.close()
	res, err := sr.run(after)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search for %q: %w", q.raw, err)
	}
	return res, nil
}

// hitKey orders hits: passage id, page id and field, all descending. A
// cursor is the key of the last hit given; the search goes on below it.
type hitKey struct {
	text, page int64
	field      int
}

func (k hitKey) String() string {
	return fmt.Sprintf("%d.%d.%d", k.text, k.page, k.field)
}

// parseCursor reads a cursor; "" is the start, above every key.
func parseCursor(s string) (hitKey, error) {
	start := hitKey{text: math.MaxInt64, page: math.MaxInt64, field: math.MaxInt32}
	if s == "" {
		return start, nil
	}
	parts := strings.Split(s, ".")
	var n [3]int64
	ok := len(parts) == 3
	for i := 0; ok && i < 3; i++ {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		ok = err == nil && v >= 0 && (i < 2 || v <= math.MaxInt32)
		n[i] = v
	}
	if !ok || n[0] == 0 {
		return start, fmt.Errorf("%w: the cursor %q is not one a search returned", ErrBadQuery, s)
	}
	return hitKey{text: n[0], page: n[1], field: int(n[2])}, nil
}

// pageHead is what a hit shows of its page.
type pageHead struct {
	url       string
	removed   bool
	removedAt time.Time
}

// searcher runs one search on one connection.
type searcher struct {
	ctx   context.Context
	conn  *sql.Conn
	q     Query
	o     SearchOptions
	stmts map[string]*sql.Stmt
	pages map[int64]pageHead
	heads map[int64]versionHead

	res     SearchResult
	scanned int
	last    hitKey // the last key examined
}

func (sr *searcher) close() {
	for _, st := range sr.stmts {
		st.Close()
	}
}

func (sr *searcher) stmt(query string) (*sql.Stmt, error) {
	if st, ok := sr.stmts[query]; ok {
		return st, nil
	}
	st, err := sr.conn.PrepareContext(sr.ctx, query)
	if err != nil {
		return nil, err
	}
	sr.stmts[query] = st
	return st, nil
}

// candidates is the FTS query for matching passage ids, newest first:
// the trigram index for substrings of unspaced script, the word index for
// the rest, both when the query has both.
func (sr *searcher) candidates() (string, []any) {
	words, grams := sr.q.expressions()
	var b strings.Builder
	args := []any{}
	switch {
	case grams == "":
		b.WriteString(`SELECT rowid FROM search_words WHERE search_words MATCH :w AND rowid <= :hi`)
		args = append(args, sql.Named("w", words))
	case words == "":
		b.WriteString(`SELECT rowid FROM search_grams WHERE search_grams MATCH :g AND rowid <= :hi`)
		args = append(args, sql.Named("g", grams))
	default:
		b.WriteString(`SELECT rowid FROM search_grams WHERE search_grams MATCH :g AND rowid <= :hi
			AND rowid IN (SELECT rowid FROM search_words WHERE search_words MATCH :w AND rowid <= :hi)`)
		args = append(args, sql.Named("g", grams), sql.Named("w", words))
	}
	if sr.o.PageID != 0 {
		b.WriteString(` AND rowid IN (SELECT text_id FROM search_spans WHERE page_id = :page)`)
		args = append(args, sql.Named("page", sr.o.PageID))
	}
	b.WriteString(` ORDER BY rowid DESC LIMIT :n`)
	return b.String(), args
}

func (sr *searcher) run(after hitKey) (SearchResult, error) {
	query, args := sr.candidates()
	st, err := sr.stmt(query)
	if err != nil {
		return sr.res, fmt.Errorf("prepare: %w", err)
	}
	hi := after.text
	batch := max(sr.o.Limit+1, 16)
	for {
		ids, err := sr.textIDs(st, args, hi, batch)
		if err != nil {
			return sr.res, err
		}
		for _, id := range ids {
			cur := hitKey{text: id, page: math.MaxInt64, field: math.MaxInt32}
			if id == after.text {
				cur = after
			}
			done, err := sr.passage(id, cur)
			if err != nil || done {
				return sr.res, err
			}
			hi = id - 1
		}
		if len(ids) < batch {
			return sr.res, nil // every match examined
		}
		batch = min(2*batch, 1024)
	}
}

func (sr *searcher) textIDs(st *sql.Stmt, args []any, hi int64, n int) ([]int64, error) {
	rows, err := st.QueryContext(sr.ctx, append(args, sql.Named("hi", hi), sql.Named("n", n))...)
	if err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("match: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	return ids, nil
}

// spanGroup is a passage on one page in one field, over all its spans.
// A page's spans of one passage follow each other, so an open span is the
// newest, and the newest closed one has the highest gone_version_id.
type spanGroup struct {
	key   hitKey
	first int64 // first version holding it
	last  int64 // newest version holding it
	gone  int64 // the version that dropped it, if it is not open
	open  bool  // the page's latest version holds it
}

// passage examines the places passage id was seen, below cursor c, and
// reports whether the search is done (the page is full, or the bound of
// work reached).
func (sr *searcher) passage(id int64, c hitKey) (bool, error) {
	sr.scanned++
	if sr.scanned > maxSearchScan {
		sr.capped()
		return true, nil
	}
	groups, truncated, err := sr.groups(id, c, maxSearchScan-sr.scanned+1)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		sr.scanned++
		done, err := sr.consider(g)
		if err != nil || done {
			return true, err
		}
	}
	if truncated {
		sr.capped()
		return true, nil
	}
	sr.last = hitKey{text: id, page: 0, field: -1}
	return false, nil
}

// capped ends a search at its bound of work; Next resumes below the last
// key examined.
func (sr *searcher) capped() {
	sr.res.Capped = true
	switch {
	case sr.last.field >= 0:
		sr.res.Next = sr.last.String()
	case sr.last.text > 1:
		// Every place of passage sr.last.text was examined: go on below it.
		sr.res.Next = hitKey{text: sr.last.text - 1, page: math.MaxInt64, field: math.MaxInt32}.String()
	}
}

// groups reads the places passage id was seen below cursor c, newest page
// first, at most limit of them; truncated says more are left.
func (sr *searcher) groups(id int64, c hitKey, limit int) ([]spanGroup, bool, error) {
	where := ``
	args := []any{sql.Named("t", id), sql.Named("cp", c.page), sql.Named("cf", c.field), sql.Named("n", limit+1)}
	if sr.o.PageID != 0 {
		where = ` AND page_id = :page`
		args = append(args, sql.Named("page", sr.o.PageID))
	}
	st, err := sr.stmt(`SELECT page_id, field, min(first_version_id), max(last_version_id),
			count(*) > count(gone_version_id), coalesce(max(gone_version_id), 0)
		FROM search_spans WHERE text_id = :t` + where + ` AND (page_id < :cp OR (page_id = :cp AND field < :cf))
		GROUP BY page_id, field ORDER BY page_id DESC, field DESC LIMIT :n`)
	if err != nil {
		return nil, false, err
	}
	rows, err := st.QueryContext(sr.ctx, args...)
	if err != nil {
		return nil, false, fmt.Errorf("read spans of passage %d: %w", id, err)
	}
	defer rows.Close()
	var out []spanGroup
	for rows.Next() {
		g := spanGroup{key: hitKey{text: id}}
		if err := rows.Scan(&g.key.page, &g.key.field, &g.first, &g.last, &g.open, &g.gone); err != nil {
			return nil, false, fmt.Errorf("read spans of passage %d: %w", id, err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read spans of passage %d: %w", id, err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// consider adds the hit of g if it passes the filters, and reports whether
// the page of hits is full: a hit beyond Limit ends the search, so Next
// is set only when more hits exist.
func (sr *searcher) consider(g spanGroup) (bool, error) {
	h, ok, err := sr.filter(g)
	if err != nil || !ok {
		sr.last = g.key
		return false, err
	}
	if len(sr.res.Hits) == sr.o.Limit {
		sr.res.Next = sr.res.Hits[len(sr.res.Hits)-1].Cursor
		return true, nil
	}
	sr.last = g.key
	if err := sr.fill(&h, g); err != nil {
		return false, err
	}
	sr.res.Hits = append(sr.res.Hits, h)
	return false, nil
}

// filter decides the status of g and whether the options keep it.
func (sr *searcher) filter(g spanGroup) (SearchHit, bool, error) {
	h := SearchHit{PageID: g.key.page, Field: SearchFieldText, VersionID: g.last, FirstVersionID: g.first, Cursor: g.key.String()}
	if g.key.field == fieldTitle {
		h.Field = SearchFieldTitle
	}
	p, err := sr.page(g.key.page)
	if err != nil {
		return h, false, err
	}
	h.URL = p.url
	switch {
	case !g.open:
		h.Status, h.EditedVersionID = SearchEditedAway, g.gone
	case p.removed:
		h.Status, h.RemovedAt = SearchRemovedPage, p.removedAt
	default:
		h.Status = SearchLive
	}
	if sr.o.Deleted && h.Status != SearchEditedAway {
		return h, false, nil
	}
	v, err := sr.version(g.last)
	if err != nil {
		return h, false, err
	}
	h.VersionAt, h.Title = v.at, v.title
	if h.EditedVersionID != 0 {
		if v, err = sr.version(h.EditedVersionID); err != nil {
			return h, false, err
		}
		h.EditedAt = v.at
	}
	if !sr.o.Since.IsZero() && h.VersionAt.Before(sr.o.Since) && (h.EditedAt.IsZero() || h.EditedAt.Before(sr.o.Since)) {
		return h, false, nil
	}
	return h, true, nil
}

// fill adds what only a shown hit needs: its first version and snippet.
func (sr *searcher) fill(h *SearchHit, g spanGroup) error {
	v, err := sr.version(g.first)
	if err != nil {
		return err
	}
	h.FirstSeen = v.at
	text, err := sr.text(g.key.text)
	if err != nil {
		return err
	}
	h.Snippet = snippet(text, sr.q.matchSpans(text))
	return nil
}

func (sr *searcher) page(id int64) (pageHead, error) {
	if p, ok := sr.pages[id]; ok {
		return p, nil
	}
	st, err := sr.stmt(`SELECT url, removed,
		CASE WHEN removed THEN (SELECT detected_at FROM changes WHERE page_id = pages.id AND kind = 'removed'
			ORDER BY id DESC LIMIT 1) END
		FROM pages WHERE id = ?`)
	if err != nil {
		return pageHead{}, err
	}
	var p pageHead
	if err := st.QueryRowContext(sr.ctx, id).Scan(&p.url, &p.removed, nullTime{&p.removedAt}); err != nil {
		return pageHead{}, fmt.Errorf("read page %d: %w", id, err)
	}
	sr.pages[id] = p
	return p, nil
}

// versionHead is what a hit shows of a version.
type versionHead struct {
	at    time.Time
	title string
}

func (sr *searcher) version(id int64) (versionHead, error) {
	if v, ok := sr.heads[id]; ok {
		return v, nil
	}
	st, err := sr.stmt(`SELECT created_at, title FROM versions WHERE id = ?`)
	if err != nil {
		return versionHead{}, err
	}
	var v versionHead
	if err := st.QueryRowContext(sr.ctx, id).Scan(nullTime{&v.at}, &v.title); err != nil {
		return versionHead{}, fmt.Errorf("read version %d: %w", id, err)
	}
	sr.heads[id] = v
	return v, nil
}

func (sr *searcher) text(id int64) (string, error) {
	st, err := sr.stmt(`SELECT text FROM search_texts WHERE id = ?`)
	if err != nil {
		return "", err
	}
	var s string
	if err := st.QueryRowContext(sr.ctx, id).Scan(&s); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return "", fmt.Errorf("read passage %d: %w", id, err)
	}
	return s, nil
}
