package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
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
	maxSearchScan = 10000
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

	maxScan int // tests only: a smaller bound of work than maxSearchScan
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
	if o.maxScan == 0 {
		o.maxScan = maxSearchScan
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
	sr := &searcher{s: s, ctx: ctx, conn: conn, q: q, o: o, after: after, stmts: map[string]*sqlStmt{},
		pages: map[int64]pageHead{}, heads: map[int64]versionHead{}}
	defer sr.close()
	if err := sr.run(); err != nil {
		return SearchResult{}, fmt.Errorf("search for %q: %w", q.raw, err)
	}
	return sr.res, nil
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

// versionHead is what a hit shows of a version.
type versionHead struct {
	at    time.Time
	title string
}

// searcher runs one search on one connection. It works in batches of
// matching passages, and reads what the hits of a batch need in a few
// queries per batch rather than a few per hit.
type searcher struct {
	s     *Store
	ctx   context.Context
	conn  *sqlConn
	q     Query
	o     SearchOptions
	after hitKey
	stmts map[string]*sqlStmt
	pages map[int64]pageHead
	heads map[int64]versionHead

	res     SearchResult
	textIDs []int64 // the passage of each hit
	scanned int     // passages and places examined
}

func (sr *searcher) close() {
	for _, st := range sr.stmts {
		st.Close()
	}
}

func (sr *searcher) stmt(query string) (*sqlStmt, error) {
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

// candidates is the FTS query for the ids of matching passages, newest
// first, up to :hi.
func (sr *searcher) candidates() (string, []any) {
	if sr.conn.d.pg {
		return sr.likeCandidates()
	}
	expr, grams := sr.q.expression()
	table := "search_words"
	if grams {
		table = "search_grams"
	}
	query := `SELECT rowid FROM ` + table + ` WHERE ` + table + ` MATCH :expr AND rowid <= :hi`
	args := []any{sql.Named("expr", expr)}
	if sr.o.PageID != 0 {
		query += ` AND rowid IN (SELECT text_id FROM search_spans WHERE page_id = :page)`
		args = append(args, sql.Named("page", sr.o.PageID))
	}
	return query + ` ORDER BY rowid DESC LIMIT :n`, args
}

// likeCandidates is candidates for PostgreSQL, whose search_words and
// search_grams hold the same folded text as SQLite's FTS5 tables, under
// trigram indexes: a word term is its words, space-delimited, inside the
// space-padded word text (a prefix term leaves the last word open), and
// a term in an unspaced script is a substring of the trigram text.
func (sr *searcher) likeCandidates() (string, []any) {
	_, grams := sr.q.expression()
	table, subject := "search_words", "(' ' || text || ' ')"
	if grams {
		table, subject = "search_grams", "text"
	}
	var conds []string
	var args []any
	for i, t := range sr.q.terms {
		name := "t" + strconv.Itoa(i)
		var pat string
		switch {
		case grams:
			pat = "%" + likeEscape(t.grams) + "%"
		case t.prefix:
			pat = "% " + likeEscape(strings.Join(t.words, " ")) + "%"
		default:
			pat = "% " + likeEscape(strings.Join(t.words, " ")) + " %"
		}
		conds = append(conds, subject+" LIKE :"+name)
		args = append(args, sql.Named(name, pat))
	}
	query := `SELECT rowid FROM ` + table + ` WHERE ` + strings.Join(conds, " AND ") + ` AND rowid <= :hi`
	if sr.o.PageID != 0 {
		query += ` AND rowid IN (SELECT text_id FROM search_spans WHERE page_id = :page)`
		args = append(args, sql.Named("page", sr.o.PageID))
	}
	return query + ` ORDER BY rowid DESC LIMIT :n`, args
}

// likeEscape escapes LIKE's wildcards (and its escape character, \).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (sr *searcher) run() error {
	query, args := sr.candidates()
	st, err := sr.stmt(query)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	hi, cur := sr.after.text, sr.after
	batch := max(sr.o.Limit+1, 16)
	// Every round examines at least one passage or place, so a capped
	// search always moves its cursor on.
	for {
		size := min(batch, max(sr.o.maxScan-sr.scanned, 1))
		ids, err := sr.match(st, args, hi, size)
		if err != nil || len(ids) == 0 {
			return err
		}
		sr.scanned += len(ids)
		// The places of the batch's passages, a few at a time: a passage
		// on every page (a footer) must not be read whole for one hit.
		n := max(sr.o.Limit+1-len(sr.res.Hits), 16)
		for {
			groups, more, err := sr.groups(ids, cur, min(n, max(sr.o.maxScan-sr.scanned, 1)))
			if err != nil {
				return err
			}
			done, err := sr.take(groups)
			if err != nil || done {
				return err
			}
			if !more {
				break
			}
			cur = groups[len(groups)-1].key
			if sr.scanned >= sr.o.maxScan {
				sr.capped(cur)
				return nil
			}
			n = min(2*n, 4096)
		}
		hi = ids[len(ids)-1] - 1
		cur = hitKey{text: hi, page: math.MaxInt64, field: math.MaxInt32}
		switch {
		case len(ids) < size:
			return nil // every match examined
		case sr.scanned >= sr.o.maxScan:
			sr.capped(cur)
			return nil
		}
		batch = min(2*batch, 1024)
	}
}

func (sr *searcher) match(st *sqlStmt, args []any, hi int64, n int) ([]int64, error) {
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

// capped ends a search at its bound of work before the page is full;
// Next resumes below key, the last examined. Every hit given is above key.
func (sr *searcher) capped(key hitKey) {
	sr.res.Capped = true
	if key.text > 0 {
		sr.res.Next = key.String()
	}
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

// groups reads the places the passages ids were seen, below cursor c, in
// hit order, at most limit of them; more says more are left.
func (sr *searcher) groups(ids []int64, c hitKey, limit int) (groups []spanGroup, more bool, err error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, false, err
	}
	where := ``
	args := []any{sql.Named("ids", string(list)), sql.Named("ct", c.text), sql.Named("cp", c.page),
		sql.Named("cf", c.field), sql.Named("n", limit+1)}
	if sr.o.PageID != 0 {
		where = ` AND page_id = :page`
		args = append(args, sql.Named("page", sr.o.PageID))
	}
	st, err := sr.stmt(`SELECT text_id, page_id, field, min(first_version_id), max(last_version_id),
			count(*) > count(gone_version_id), coalesce(max(gone_version_id), 0)
		FROM search_spans WHERE text_id IN (SELECT value FROM json_each(:ids))` + where + `
			AND (text_id, page_id, field) < (:ct, :cp, :cf)
		GROUP BY text_id, page_id, field ORDER BY text_id DESC, page_id DESC, field DESC LIMIT :n`)
	if err != nil {
		return nil, false, err
	}
	rows, err := st.QueryContext(sr.ctx, args...)
	if err != nil {
		return nil, false, fmt.Errorf("read where passages were seen: %w", err)
	}
	defer rows.Close()
	var out []spanGroup
	for rows.Next() {
		var g spanGroup
		if err := rows.Scan(&g.key.text, &g.key.page, &g.key.field, &g.first, &g.last, &g.open, &g.gone); err != nil {
			return nil, false, fmt.Errorf("read where passages were seen: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read where passages were seen: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// take adds the hits of groups that pass the filters, and reports whether
// the page of hits is full: a passing hit beyond Limit ends the search,
// so Next is set only when more hits exist.
func (sr *searcher) take(groups []spanGroup) (bool, error) {
	sr.scanned += len(groups)
	if sr.o.Deleted {
		groups = slices.DeleteFunc(slices.Clone(groups), func(g spanGroup) bool { return g.open })
	}
	if err := sr.lookup(groups); err != nil {
		return false, err
	}
	from := len(sr.res.Hits)
	done := false
	for _, g := range groups {
		h, ok := sr.filter(g)
		if !ok {
			continue
		}
		if len(sr.res.Hits) == sr.o.Limit {
			sr.res.Next = sr.res.Hits[len(sr.res.Hits)-1].Cursor
			done = true
			break
		}
		sr.res.Hits = append(sr.res.Hits, h)
		sr.textIDs = append(sr.textIDs, g.key.text)
	}
	return done, sr.fill(from)
}

// lookup reads the pages and versions groups name that are not read yet.
func (sr *searcher) lookup(groups []spanGroup) error {
	var pages, versions []int64
	for _, g := range groups {
		if _, ok := sr.pages[g.key.page]; !ok {
			pages = append(pages, g.key.page)
		}
		for _, id := range []int64{g.first, g.last, g.gone} {
			if _, ok := sr.heads[id]; !ok && id != 0 {
				versions = append(versions, id)
			}
		}
	}
	if len(pages) > 0 {
		err := sr.each(`SELECT id, url, removed,
			CASE WHEN removed = 1 THEN (SELECT detected_at FROM changes WHERE page_id = pages.id AND kind = 'removed'
				ORDER BY id DESC LIMIT 1) END
			FROM pages WHERE id IN (SELECT value FROM json_each(?))`, pages, func(rows *sql.Rows) error {
			var id int64
			var p pageHead
			err := rows.Scan(&id, &p.url, &p.removed, nullTime{&p.removedAt})
			sr.pages[id] = p
			return err
		})
		if err != nil {
			return fmt.Errorf("read pages: %w", err)
		}
	}
	if len(versions) > 0 {
		err := sr.each(`SELECT id, created_at, title FROM versions WHERE id IN (SELECT value FROM json_each(?))`, versions,
			func(rows *sql.Rows) error {
				var id int64
				var v versionHead
				err := rows.Scan(&id, nullTime{&v.at}, &v.title)
				sr.heads[id] = v
				return err
			})
		if err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
	}
	return nil
}

// each runs query with the JSON list of ids and calls fn on every row.
func (sr *searcher) each(query string, ids []int64, fn func(*sql.Rows) error) error {
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	st, err := sr.stmt(query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(sr.ctx, string(list))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// filter decides the status of g and whether the options keep it.
func (sr *searcher) filter(g spanGroup) (SearchHit, bool) {
	p, v := sr.pages[g.key.page], sr.heads[g.last]
	h := SearchHit{PageID: g.key.page, URL: p.url, Title: v.title, Field: SearchFieldText, VersionID: g.last,
		VersionAt: v.at, FirstVersionID: g.first, FirstSeen: sr.heads[g.first].at, Cursor: g.key.String()}
	if g.key.field == fieldTitle {
		h.Field = SearchFieldTitle
	}
	switch {
	case !g.open:
		h.Status, h.EditedVersionID, h.EditedAt = SearchEditedAway, g.gone, sr.heads[g.gone].at
	case p.removed:
		h.Status, h.RemovedAt = SearchRemovedPage, p.removedAt
	default:
		h.Status = SearchLive
	}
	if sr.o.Deleted && h.Status != SearchEditedAway {
		return h, false
	}
	if !sr.o.Since.IsZero() && h.VersionAt.Before(sr.o.Since) && (h.EditedAt.IsZero() || h.EditedAt.Before(sr.o.Since)) {
		return h, false
	}
	return h, true
}

// fill adds the snippets of the hits from index from on.
func (sr *searcher) fill(from int) error {
	if from == len(sr.res.Hits) {
		return nil
	}
	texts, err := sr.s.passageTexts(sr.ctx, sr.conn, sr.textIDs[from:])
	if err != nil {
		return err
	}
	for i := from; i < len(sr.res.Hits); i++ {
		text := texts[sr.textIDs[i]]
		sr.res.Hits[i].Snippet = snippet(text, sr.q.matchSpans(text))
	}
	return nil
}
