package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The search index (schema 9) keeps every distinct passage once, however
// many versions and pages hold it, and records where it was seen as spans:
// a passage on a page from one version to another, and the version that
// no longer had it. A version that repeats its predecessor's passages
// (a byline edit, a revert) extends the open spans and adds no rows.
//
//   - search_texts: each distinct passage (a paragraph, or a title), by the
//     SHA-256 of its text.
//   - search_words: FTS5 over the folded words of every passage
//     (search_text.go), contentless: the text lives in search_texts.
//   - search_grams: FTS5 trigram over the passages that hold unspaced
//     script (Chinese, Japanese...), for substrings of 3 characters or more.
//   - search_spans: (passage, page, field) from first_version_id to
//     last_version_id; gone_version_id is the page's next version, which
//     no longer had the passage, or NULL while the latest one has it.
const searchSchema = `CREATE TABLE search_texts (
		id INTEGER PRIMARY KEY,
		hash BLOB NOT NULL UNIQUE,
		text TEXT NOT NULL
	);
	CREATE TABLE search_spans (
		id INTEGER PRIMARY KEY,
		text_id INTEGER NOT NULL REFERENCES search_texts (id),
		page_id INTEGER NOT NULL REFERENCES pages (id),
		field INTEGER NOT NULL, -- 0: the text, 1: the title
		first_version_id INTEGER NOT NULL REFERENCES versions (id),
		last_version_id INTEGER NOT NULL REFERENCES versions (id),
		gone_version_id INTEGER REFERENCES versions (id)
	);
	CREATE INDEX search_spans_text ON search_spans (text_id, page_id, field);
	CREATE INDEX search_spans_page ON search_spans (page_id, text_id);
	CREATE INDEX search_spans_open ON search_spans (page_id) WHERE gone_version_id IS NULL;
	CREATE VIRTUAL TABLE search_words USING fts5 (text, content = '', columnsize = 0,
		tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
	CREATE VIRTUAL TABLE search_grams USING fts5 (text, content = '', columnsize = 0, tokenize = 'trigram');`

// Fields of a passage.
const (
	fieldText  = 0
	fieldTitle = 1
)

// migrateSearch creates the search index and fills it from the versions
// already stored, page by page in version order, reading them in batches
// so memory stays bounded whatever the size of the database.
func migrateSearch(ctx context.Context, tx *sqlTx) error {
	if _, err := tx.ExecContext(ctx, searchSchema); err != nil {
		return err
	}
	ix := &indexer{ctx: ctx, tx: tx}
	defer ix.close()
	const batch = 500
	var after int64
	for {
		n, err := indexBatch(ix, after, batch)
		if err != nil {
			return err
		}
		if n.count < batch {
			return nil
		}
		after = n.last
	}
}

type batchEnd struct {
	count int
	last  int64
}

// indexBatch indexes up to limit versions with ids above after, in id
// order, which is each page's version order.
func indexBatch(ix *indexer, after int64, limit int) (batchEnd, error) {
	rows, err := ix.tx.QueryContext(ix.ctx, `SELECT id, page_id, title, text FROM versions WHERE id > ? ORDER BY id LIMIT ?`,
		after, limit)
	if err != nil {
		return batchEnd{}, fmt.Errorf("read versions to index: %w", err)
	}
	var vs []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.ID, &v.PageID, &v.Title, &v.Text); err != nil {
			rows.Close()
			return batchEnd{}, fmt.Errorf("read versions to index: %w", err)
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return batchEnd{}, fmt.Errorf("read versions to index: %w", err)
	}
	for _, v := range vs {
		if err := ix.index(v.PageID, v.ID, v.Title, v.Text); err != nil {
			return batchEnd{}, err
		}
	}
	end := batchEnd{count: len(vs)}
	if len(vs) > 0 {
		end.last = vs[len(vs)-1].ID
	}
	return end, nil
}

// indexer writes versions into the search index inside one transaction,
// with its statements prepared once.
type indexer struct {
	ctx   context.Context
	tx    *sqlTx
	stmts map[string]*sqlStmt
	// slices: a new passage that is a slice of the version's text is
	// stored as that slice (schema 15, texts.go), not as text.
	slices bool
	// words are the new passages' rows of the FTS tables, written after
	// the version's search_texts rows (see writeWords).
	words []passageWords
}

// passageWords is what the FTS tables get of a new passage.
type passageWords struct {
	id   int64
	text folded
}

func (ix *indexer) stmt(query string) (*sqlStmt, error) {
	if st, ok := ix.stmts[query]; ok {
		return st, nil
	}
	st, err := ix.tx.PrepareContext(ix.ctx, query)
	if err != nil {
		return nil, err
	}
	if ix.stmts == nil {
		ix.stmts = map[string]*sqlStmt{}
	}
	ix.stmts[query] = st
	return st, nil
}

func (ix *indexer) close() {
	for _, st := range ix.stmts {
		st.Close()
	}
}

func (ix *indexer) exec(query string, args ...any) (sql.Result, error) {
	st, err := ix.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ix.ctx, args...)
}

// passageKey is a passage of a version: its text, and where it stands.
type passageKey struct {
	textID int64
	field  int
}

// index adds version versionID of page pageID, the page's newest, to the
// search index.
func (ix *indexer) index(pageID, versionID int64, title, text string) error {
	if err := ix.indexPassages(pageID, versionID, title, text); err != nil {
		return fmt.Errorf("index version %d of page %d for search: %w", versionID, pageID, err)
	}
	return nil
}

func (ix *indexer) indexPassages(pageID, versionID int64, title, text string) error {
	have := map[passageKey]bool{}
	var keys []passageKey
	from := 0 // where the next paragraph is looked for in text
	add := func(s string, field int) error {
		at := -1
		if field == fieldText && ix.slices {
			if i := strings.Index(text[from:], s); i >= 0 {
				at = from + i
				from = at + len(s)
			}
		}
		id, err := ix.ensureText(s, versionID, at)
		if err != nil {
			return err
		}
		k := passageKey{id, field}
		if !have[k] {
			have[k] = true
			keys = append(keys, k)
		}
		return nil
	}
	for _, t := range passages(title) {
		if err := add(t, fieldTitle); err != nil {
			return err
		}
	}
	for _, p := range passages(text) {
		if err := add(p, fieldText); err != nil {
			return err
		}
	}
	if err := ix.writeWords(); err != nil {
		return err
	}
	return ix.updateSpans(pageID, versionID, have, keys)
}

// writeWords adds the new passages to the FTS tables, all after their
// search_texts rows: an INSERT ... RETURNING into search_texts opens a
// statement savepoint, at which FTS5 writes what it holds in memory to
// disk as a new segment, so interleaved, every passage became a segment
// of its own (a fifth of the CPU of a first fetch, in flushes and
// merges), where now a version's passages make one.
func (ix *indexer) writeWords() error {
	defer func() { ix.words = ix.words[:0] }()
	for _, w := range ix.words {
		if _, err := ix.exec(`INSERT INTO search_words (rowid, text) VALUES (?, ?)`, w.id, w.text.wordsText()); err != nil {
			return fmt.Errorf("index passage words: %w", err)
		}
		if w.text.unspaced {
			if _, err := ix.exec(`INSERT INTO search_grams (rowid, text) VALUES (?, ?)`, w.id, w.text.grams); err != nil {
				return fmt.Errorf("index passage trigrams: %w", err)
			}
		}
	}
	return nil
}

// ensureText returns the id of passage s, adding it to search_texts if it
// is new (and to ix.words, for writeWords): as the slice of version
// versionID's text that starts at byte at, or as text if at is negative.
func (ix *indexer) ensureText(s string, versionID int64, at int) (int64, error) {
	sum := sha256.Sum256([]byte(s))
	st, err := ix.stmt(`SELECT id FROM search_texts WHERE hash = ?`)
	if err != nil {
		return 0, err
	}
	var id int64
	err = st.QueryRowContext(ix.ctx, sum[:]).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("look up passage: %w", err)
	}
	if at >= 0 {
		ins, err := ix.stmt(`INSERT INTO search_texts (hash, text, version_id, text_at, text_bytes) VALUES (?, '', ?, ?, ?) RETURNING id`)
		if err != nil {
			return 0, err
		}
		err = ins.QueryRowContext(ix.ctx, sum[:], versionID, at, len(s)).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("add passage: %w", err)
		}
	} else {
		ins, err := ix.stmt(`INSERT INTO search_texts (hash, text) VALUES (?, ?) RETURNING id`)
		if err != nil {
			return 0, err
		}
		if err := ins.QueryRowContext(ix.ctx, sum[:], s).Scan(&id); err != nil {
			return 0, fmt.Errorf("add passage: %w", err)
		}
	}
	ix.words = append(ix.words, passageWords{id, foldText(s)})
	return id, nil
}

// updateSpans closes the page's open spans whose passage the new version
// lacks, extends the others to it, and opens spans for its new passages.
func (ix *indexer) updateSpans(pageID, versionID int64, have map[passageKey]bool, keys []passageKey) error {
	st, err := ix.stmt(`SELECT id, text_id, field FROM search_spans WHERE page_id = ? AND gone_version_id IS NULL`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ix.ctx, pageID)
	if err != nil {
		return fmt.Errorf("read open spans: %w", err)
	}
	var closing []int64
	open := map[passageKey]bool{}
	for rows.Next() {
		var id int64
		var k passageKey
		if err := rows.Scan(&id, &k.textID, &k.field); err != nil {
			rows.Close()
			return fmt.Errorf("read open spans: %w", err)
		}
		if have[k] {
			open[k] = true
		} else {
			closing = append(closing, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read open spans: %w", err)
	}
	if len(closing) > 0 {
		ids, _ := json.Marshal(closing)
		if _, err := ix.exec(`UPDATE search_spans SET gone_version_id = ? WHERE id IN (SELECT value FROM json_each(?))`,
			versionID, string(ids)); err != nil {
			return fmt.Errorf("close spans: %w", err)
		}
	}
	if len(open) > 0 {
		if _, err := ix.exec(`UPDATE search_spans SET last_version_id = ? WHERE page_id = ? AND gone_version_id IS NULL`,
			versionID, pageID); err != nil {
			return fmt.Errorf("extend spans: %w", err)
		}
	}
	for _, k := range keys {
		if open[k] {
			continue
		}
		if _, err := ix.exec(`INSERT INTO search_spans (text_id, page_id, field, first_version_id, last_version_id)
			VALUES (?, ?, ?, ?, ?)`, k.textID, pageID, k.field, versionID, versionID); err != nil {
			return fmt.Errorf("open span: %w", err)
		}
	}
	return nil
}
