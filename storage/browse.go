package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The queries of this file serve the browsing views (the web UI, its JSON
// API and the read-only commands), whose answers must stay small whatever
// the stored texts weigh. A version's text and a change's diff can each
// run to megabytes; SQLite keeps such a value on overflow pages after the
// row's other columns, and octet_length() reads its size from the record
// header without touching them. So these queries select sizes and bounded
// prefixes, never whole texts or diffs, and take the columns stored after
// a large value (a version's text_hash) from an index instead of the row.

// ChangeHead is a change as a list shows it: every field but the diff,
// the stored size of each form of the diff, and a bounded prefix of each.
type ChangeHead struct {
	Change // Diff and Blocks are empty: a head never holds a whole diff
	// DiffBytes and BlocksBytes are the stored sizes of Change.Diff and
	// Change.Blocks in bytes (0 when empty).
	DiffBytes, BlocksBytes int64
	// DiffPrefix and BlocksPrefix are the first characters of the diff's
	// text and of its blocks' JSON, at most as many as asked for; they are
	// the whole value when the prefix is as long as the value.
	DiffPrefix   string
	BlocksPrefix []byte
}

// ChangeHeads lists the changes matching f, newest first, as heads whose
// prefixes hold at most prefix characters of each form of the diff.
func (s *Store) ChangeHeads(ctx context.Context, f ChangeFilter, prefix int) ([]ChangeHead, error) {
	q, args := changeHeadsQuery(f, prefix)
	return s.queryChangeHeads(ctx, "list changes", q, args...)
}

func changeHeadsQuery(f ChangeFilter, prefix int) (string, []any) {
	where, args := changeWhere(f)
	q := changeHeadQuery(where) + " ORDER BY c.id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return q, append([]any{prefix, prefix}, args...)
}

// ChangeHeadsByID returns the heads of the changes with these ids, by id;
// ids that do not exist are left out.
func (s *Store) ChangeHeadsByID(ctx context.Context, ids []int64, prefix int) (map[int64]ChangeHead, error) {
	out := make(map[int64]ChangeHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	hs, err := s.queryChangeHeads(ctx, "read changes", changeHeadQuery([]string{"c.id IN (SELECT value FROM json_each(?))"}),
		prefix, prefix, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		out[h.ID] = h
	}
	return out, nil
}

func changeHeadQuery(where []string) string {
	q := `SELECT c.id, c.page_id, c.kind, c.detected_at, c.old_version_id, c.new_version_id, c.title, c.summary,
		octet_length(c.diff), coalesce(octet_length(c.blocks), 0), substr(c.diff, 1, ?), substr(c.blocks, 1, ?),
		c.classes, c.reverts_to, c.suppressed, c.versions, p.url FROM changes c JOIN pages p ON p.id = c.page_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return q
}

func (s *Store) queryChangeHeads(ctx context.Context, what, q string, args ...any) ([]ChangeHead, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []ChangeHead
	for rows.Next() {
		var h ChangeHead
		var blocks string
		c := &h.Change
		err := rows.Scan(&c.ID, &c.PageID, &c.Kind, nullTime{&c.DetectedAt}, nullInt{&c.OldVersionID}, nullInt{&c.NewVersionID},
			&c.Title, &c.Summary, &h.DiffBytes, &h.BlocksBytes, nullString{&h.DiffPrefix}, nullString{&blocks},
			jsonStrings{&c.Classes}, nullInt{&c.RevertsTo}, &c.Suppressed, jsonInts{&c.Versions}, &c.URL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if blocks != "" {
			h.BlocksPrefix = []byte(blocks)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// changeWhere is the WHERE clause of f, over changes aliased c; Changes
// and ChangeHeads both use it. Every filter is served by an index
// (TestOperatorQueriesUseIndexes checks the plans):
//
//   - newest first, by class or not: changes_newest (suppressed, id,
//     classes), whose classes are read from the index, not from the row
//     after its diff and blocks;
//   - by kind: changes_kind (kind, suppressed, id, classes);
//   - by page or source: changes_page. The suppressed term is written
//     +c.suppressed there, so SQLite does not take it for an index
//     constraint and prefer changes_newest, which would walk every change
//     to find a page's few;
//   - since a time: the lowest id detected since then bounds the ids
//     (changes_detected finds it), so the newest-first walk stops there,
//     however few changes the window holds.
func changeWhere(f ChangeFilter) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, arg ...any) {
		where, args = append(where, cond), append(args, arg...)
	}
	if !f.Since.IsZero() {
		add("c.detected_at >= ?", fmtTime(f.Since))
		// Any change detected since then has an id at least this one's.
		add("c.id >= coalesce((SELECT min(id) FROM changes INDEXED BY changes_detected WHERE detected_at >= ?), 9223372036854775807)",
			fmtTime(f.Since))
	}
	if f.PageID > 0 {
		add("c.page_id = ?", f.PageID)
	}
	if f.SourceID > 0 {
		add("c.page_id IN (SELECT id FROM pages WHERE source_id = ?)", f.SourceID)
	}
	if f.AfterID > 0 {
		add("c.id > ?", f.AfterID)
	}
	if f.BeforeID > 0 {
		add("c.id < ?", f.BeforeID)
	}
	if f.Kind != "" {
		add("c.kind = ?", f.Kind)
	}
	if f.Class != "" {
		// instr is a cheap first test of the JSON text; json_each decides.
		add(`instr(c.classes, '"' || ? || '"') > 0 AND EXISTS (SELECT 1 FROM json_each(c.classes) WHERE value = ?)`,
			f.Class, f.Class)
	}
	if !f.WithSuppressed {
		if f.PageID > 0 || f.SourceID > 0 {
			add("+c.suppressed = 0")
		} else {
			add("c.suppressed = 0")
		}
	}
	return where, args
}

// VersionHead is a version without its text.
type VersionHead struct {
	Version // Text and Extractor are empty: both are stored after the text
	// Bytes is the size of the text in bytes.
	Bytes int64
	// Number is the version's place among its page's versions, from 1 for
	// the first; 0 where the query does not say (VersionHeads).
	Number int
}

// versionHeadColumns read a version (aliased v) without its text; the text
// hash comes from the versions_recent index, which holds it, since the row
// keeps it after the text.
const versionHeadColumns = `v.id, v.page_id, v.capture_id, v.created_at, v.title, v.byline, v.published, v.modified,
	v.lang, v.canonical, coalesce(v.text_bytes, octet_length(v.text)),
	(SELECT w.text_hash FROM versions w INDEXED BY versions_recent
		WHERE w.page_id = v.page_id AND w.created_at = v.created_at AND w.id = v.id)`

func scanVersionHead(sc interface{ Scan(...any) error }) (VersionHead, error) {
	var h VersionHead
	v := &h.Version
	err := sc.Scan(&v.ID, &v.PageID, &v.CaptureID, nullTime{&v.CreatedAt}, &v.Title, &v.Byline, nullTime{&v.Published},
		nullTime{&v.Modified}, &v.Lang, &v.Canonical, &h.Bytes, nullString{&v.TextHash})
	return h, err
}

func (s *Store) queryVersionHeads(ctx context.Context, what, q string, args ...any) ([]VersionHead, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []VersionHead
	for rows.Next() {
		h, err := scanVersionHead(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// VersionHeads returns the versions with these ids without their texts,
// by id; ids that do not exist are left out. Their Number is 0.
func (s *Store) VersionHeads(ctx context.Context, ids []int64) (map[int64]VersionHead, error) {
	out := make(map[int64]VersionHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	hs, err := s.queryVersionHeads(ctx, "read versions", `SELECT `+versionHeadColumns+` FROM versions v
		WHERE v.id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		out[h.ID] = h
	}
	return out, nil
}

// PageVersions lists up to limit versions of a page older than version
// before (all when before is 0), newest first, without their texts.
func (s *Store) PageVersions(ctx context.Context, pageID, before int64, limit int) ([]VersionHead, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	what := fmt.Sprintf("list versions of page %d", pageID)
	hs, err := s.queryVersionHeads(ctx, what, `SELECT `+versionHeadColumns+` FROM versions v
		WHERE v.page_id = ? AND v.id < ? ORDER BY v.id DESC LIMIT ?`, pageID, before, limit)
	if err != nil || len(hs) == 0 {
		return hs, err
	}
	// Versions of one page in id order are numbered consecutively: count
	// once, for the newest listed.
	n, err := s.VersionNumber(ctx, pageID, hs[0].ID)
	if err != nil {
		return nil, err
	}
	for i := range hs {
		hs[i].Number = n - i
	}
	return hs, nil
}

// VersionNumber is the place of version id among the versions of its page,
// from 1 for the first (through the versions_page index).
func (s *Store) VersionNumber(ctx context.Context, pageID, id int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM versions WHERE page_id = ? AND id <= ?`, pageID, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("number version %d: %w", id, err)
	}
	return n, nil
}

// AdjacentVersions returns the ids of the versions of the page just
// before and just after version id; 0 where there is none.
func (s *Store) AdjacentVersions(ctx context.Context, pageID, id int64) (prev, next int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT max(id) FROM versions WHERE page_id = ?1 AND id < ?2),
		(SELECT min(id) FROM versions WHERE page_id = ?1 AND id > ?2)`, pageID, id).Scan(nullInt{&prev}, nullInt{&next})
	if err != nil {
		return 0, 0, fmt.Errorf("versions next to %d: %w", id, err)
	}
	return prev, next, nil
}

// TextInfo is what a version's row keeps after its text: read apart,
// since it costs reading the text.
type TextInfo struct {
	Chars     int // characters of the text
	Extractor string
}

// VersionTextInfo returns the TextInfo of each version of a page, by id.
// SQLite reads each text in turn to count it, so the cost is the texts'
// size, but they are never held together.
func (s *Store) VersionTextInfo(ctx context.Context, pageID int64) (map[int64]TextInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, coalesce(text_chars, length(text)), extractor FROM versions WHERE page_id = ?`, pageID)
	if err != nil {
		return nil, fmt.Errorf("read text info of page %d: %w", pageID, err)
	}
	defer rows.Close()
	out := map[int64]TextInfo{}
	for rows.Next() {
		var id int64
		var ti TextInfo
		if err := rows.Scan(&id, &ti.Chars, &ti.Extractor); err != nil {
			return nil, fmt.Errorf("read text info of page %d: %w", pageID, err)
		}
		out[id] = ti
	}
	return out, rows.Err()
}

// PageFilter selects pages for PageHeads; zero fields select everything.
type PageFilter struct {
	SourceID int64
	Failing  bool  // only pages whose checks are failing
	After    int64 // only ids greater than this
	Limit    int   // 0: no limit
}

// PageHead is a page as a list shows it.
type PageHead struct {
	Page
	Unlisted        bool  // no listing that announced it lists it any more
	Versions        int   // how many versions are stored
	LatestVersionID int64 // 0 when none
}

// PageHeads lists pages matching f in id order, with their version
// counts. Each count reads the versions_page index only.
func (s *Store) PageHeads(ctx context.Context, f PageFilter) ([]PageHead, error) {
	q, args := pageHeadsQuery(f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	var out []PageHead
	for rows.Next() {
		var h PageHead
		p := &h.Page
		err := rows.Scan(&p.ID, &p.SourceID, &p.URL, &p.Title, nullTime{&p.DiscoveredAt}, nullTime{&p.PublishedAt},
			nullTime{&p.NextCheckAt}, nullTime{&p.LastCheckedAt}, &p.LastClass, &p.LastReason, &p.ETag,
			&p.LastModified, &p.LastBodyHash, &p.GoneCount, &p.Removed, &p.ConsecutiveFailures, &p.Failing,
			nullTime{&p.BackoffUntil}, nullTime{&p.FailingSince}, nullTime{&p.FlappingSince}, jsonStrings{&p.FlapSet},
			&h.Unlisted, &h.Versions, &h.LatestVersionID)
		if err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, nil
}

// pageHeadsQuery selects the pages of f: by id, through pages_source for
// a source's, pages_failing for the failing ones, or pages_health for a
// source's failing ones.
func pageHeadsQuery(f PageFilter) (string, []any) {
	where := []string{"id > ?"}
	args := []any{f.After}
	if f.SourceID > 0 {
		where, args = append(where, "source_id = ?"), append(args, f.SourceID)
	}
	if f.Failing {
		where = append(where, "failing = 1")
	}
	q := `SELECT ` + pageColumns + `, unlisted, (SELECT count(*) FROM versions v WHERE v.page_id = pages.id),
		(SELECT coalesce(max(v.id), 0) FROM versions v WHERE v.page_id = pages.id)
		FROM pages WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return q, args
}

// PageHead returns one page as PageHeads shows it.
func (s *Store) PageHead(ctx context.Context, id int64) (PageHead, error) {
	hs, err := s.PageHeads(ctx, PageFilter{After: id - 1, Limit: 1})
	if err != nil {
		return PageHead{}, err
	}
	if len(hs) == 0 || hs[0].ID != id {
		return PageHead{}, fmt.Errorf("page %d: %w", id, ErrNotFound)
	}
	return hs[0], nil
}

// SourceFilter selects sources for SourceHeads.
type SourceFilter struct {
	Failing bool  // only sources that are failing, or have failing pages
	After   int64 // only ids greater than this
	Limit   int   // 0: no limit
}

// SourceHead is a source with the health of its pages.
type SourceHead struct {
	Source
	Pages, PagesFailing, PagesRemoved int
}

// SourceHeads lists sources matching f in id order, each with how many
// pages it found and how many of those are failing or removed.
func (s *Store) SourceHeads(ctx context.Context, f SourceFilter) ([]SourceHead, error) {
	q, args := sourceHeadsQuery(f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []SourceHead
	var ids []int64
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out, ids = append(out, SourceHead{Source: src}), append(ids, src.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	rows.Close()
	counts, err := s.pageCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		c := counts[out[i].ID]
		out[i].Pages, out[i].PagesFailing, out[i].PagesRemoved = c[0], c[1], c[2]
	}
	return out, nil
}

// sourceHeadsQuery selects the sources of f; whether a source has failing
// pages is one probe of pages_health.
func sourceHeadsQuery(f SourceFilter) (string, []any) {
	q := `SELECT ` + sourceColumns + ` FROM sources s WHERE id > ?`
	if f.Failing {
		q += ` AND (failing = 1 OR EXISTS (SELECT 1 FROM pages p WHERE p.source_id = s.id AND p.failing = 1))`
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return q, []any{f.After}
}

// pageCountsQuery counts the pages of the sources in a JSON list from
// pages_health alone, which holds every column it reads.
const pageCountsQuery = `SELECT source_id, count(*), sum(failing), sum(removed) FROM pages
	WHERE source_id IN (SELECT value FROM json_each(?)) GROUP BY source_id`

// pageCounts counts the pages, failing pages and removed pages of each
// source.
func (s *Store) pageCounts(ctx context.Context, sourceIDs []int64) (map[int64][3]int, error) {
	out := make(map[int64][3]int, len(sourceIDs))
	if len(sourceIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, pageCountsQuery, jsonIDs(sourceIDs))
	if err != nil {
		return nil, fmt.Errorf("count pages of sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c [3]int
		if err := rows.Scan(&id, &c[0], &c[1], &c[2]); err != nil {
			return nil, fmt.Errorf("count pages of sources: %w", err)
		}
		out[id] = c
	}
	return out, rows.Err()
}

// Health counts what the sources view summarises.
type Health struct {
	Sources, SourcesFailing, SourcesBackedOff int
	Pages, PagesFailing, PagesRemoved         int
	PagesBackedOff, PagesUnlisted             int
}

// healthQuery counts pages from pages_health, which holds every column it
// reads (a tenth of the size of the pages themselves), and sources whole.
const healthQuery = `SELECT
	(SELECT count(*) FROM sources), (SELECT count(*) FROM sources WHERE failing = 1),
	(SELECT count(*) FROM sources WHERE backoff_until > ?1),
	count(*), coalesce(sum(failing), 0), coalesce(sum(removed), 0),
	coalesce(sum(CASE WHEN backoff_until > ?1 THEN 1 ELSE 0 END), 0), coalesce(sum(unlisted), 0) FROM pages`

// Health counts sources and pages, and those failing, backed off at now,
// removed or unlisted.
func (s *Store) Health(ctx context.Context, now time.Time) (Health, error) {
	var h Health
	err := s.db.QueryRowContext(ctx, healthQuery, fmtTime(now)).Scan(
		&h.Sources, &h.SourcesFailing, &h.SourcesBackedOff, &h.Pages, &h.PagesFailing, &h.PagesRemoved,
		&h.PagesBackedOff, &h.PagesUnlisted)
	if err != nil {
		return h, fmt.Errorf("count health: %w", err)
	}
	return h, nil
}

// TimelineKey names one item of a page's timeline: a version or a change.
type TimelineKey struct {
	Version bool
	ID      int64
}

// TimelineItem is one entry of a page's history: a version, with the
// change that stored it (nil for the page's first version and for a
// version stored when only the extractor changed), or a change that stored
// no version of its own: a removal, a restoration of the same text,
// settling, unlisting, relisting.
type TimelineItem struct {
	Key     TimelineKey
	At      time.Time
	Version *VersionHead // set for a version
	Change  *ChangeHead  // the event, or the change that stored the version
}

// VersionStamp is a version's id, number within its page and time.
type VersionStamp struct {
	ID        int64
	Number    int
	CreatedAt time.Time
}

// Timeline is one stretch of a page's history, newest first.
type Timeline struct {
	Items []TimelineItem
	// More says whether older items exist; the last item's Key is then
	// the cursor of the next stretch.
	More bool
	// Versions stamps every version of the page, oldest first.
	Versions []VersionStamp
}

// PageTimeline returns up to limit items of a page's history older than
// the item before (from the newest when before is zero), newest first;
// change heads carry prefix characters of their diffs. It orders the
// history from indexes and the short leading columns of change rows, then
// reads only the items returned.
func (s *Store) PageTimeline(ctx context.Context, pageID int64, before TimelineKey, limit, prefix int) (Timeline, error) {
	var tl Timeline
	keys, stamps, intro, err := s.timelineKeys(ctx, pageID)
	if err != nil {
		return tl, err
	}
	tl.Versions = stamps
	start := 0
	if before.ID != 0 {
		start = slices.IndexFunc(keys, func(k timelineKey) bool { return k.TimelineKey == before })
		if start < 0 {
			return tl, fmt.Errorf("timeline of page %d: item %v: %w", pageID, before, ErrNotFound)
		}
		start++
	}
	end := min(start+limit, len(keys))
	tl.More = end < len(keys)
	page := keys[start:end]
	var vids, cids []int64
	for _, k := range page {
		if !k.Version {
			cids = append(cids, k.ID)
			continue
		}
		vids = append(vids, k.ID)
		if c := intro[k.ID]; c != 0 {
			cids = append(cids, c)
		}
	}
	vs, err := s.VersionHeads(ctx, vids)
	if err != nil {
		return tl, err
	}
	chs, err := s.ChangeHeadsByID(ctx, cids, prefix)
	if err != nil {
		return tl, err
	}
	numbers := make(map[int64]int, len(stamps))
	for _, st := range stamps {
		numbers[st.ID] = st.Number
	}
	for _, k := range page {
		it := TimelineItem{Key: k.TimelineKey, At: k.at}
		cid := k.ID
		if k.Version {
			v, ok := vs[k.ID]
			if !ok {
				continue // deleted under us
			}
			v.Number = numbers[v.ID]
			it.Version, cid = &v, intro[k.ID]
		}
		if c, ok := chs[cid]; ok {
			it.Change = &c
		} else if !k.Version {
			continue
		}
		tl.Items = append(tl.Items, it)
	}
	return tl, nil
}

// VersionStamps stamps every version of a page, oldest first, from the
// versions_recent index alone.
func (s *Store) VersionStamps(ctx context.Context, pageID int64) ([]VersionStamp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, created_at FROM versions INDEXED BY versions_recent
		WHERE page_id = ? ORDER BY id`, pageID)
	if err != nil {
		return nil, fmt.Errorf("list versions of page %d: %w", pageID, err)
	}
	defer rows.Close()
	var out []VersionStamp
	for rows.Next() {
		st := VersionStamp{Number: len(out) + 1}
		if err := rows.Scan(&st.ID, nullTime{&st.CreatedAt}); err != nil {
			return nil, fmt.Errorf("list versions of page %d: %w", pageID, err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// timelineKey is a TimelineKey with its time, for sorting.
type timelineKey struct {
	TimelineKey
	at time.Time
}

// timelineKeys orders a page's whole history, newest first: every version
// and every change that stored no version. It also stamps the versions and
// says which change stored each (intro: version id → change id). A change
// stores its new version when it names an old version and a different new
// one (the daemon reports no change for a page's first version); should
// two claim the same version, the first does and the second is an event. Only indexes and the columns stored before a change's diff are
// read, so the cost is a few bytes per item, whatever the texts weigh.
func (s *Store) timelineKeys(ctx context.Context, pageID int64) ([]timelineKey, []VersionStamp, map[int64]int64, error) {
	what := fmt.Sprintf("timeline of page %d", pageID)
	stamps, err := s.VersionStamps(ctx, pageID)
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]timelineKey, 0, len(stamps))
	for _, st := range stamps {
		keys = append(keys, timelineKey{TimelineKey{Version: true, ID: st.ID}, st.CreatedAt})
	}
	intro := map[int64]int64{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, detected_at, old_version_id, new_version_id FROM changes
		WHERE page_id = ? ORDER BY id`, pageID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, old, new int64
		var at time.Time
		if err := rows.Scan(&id, nullTime{&at}, nullInt{&old}, nullInt{&new}); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
		}
		if _, taken := intro[new]; old != 0 && new != 0 && new != old && !taken {
			intro[new] = id
			continue
		}
		keys = append(keys, timelineKey{TimelineKey{ID: id}, at})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	slices.SortFunc(keys, func(a, b timelineKey) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		if a.Version != b.Version { // at one instant, the version before the events against it
			if a.Version {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return keys, stamps, intro, nil
}
