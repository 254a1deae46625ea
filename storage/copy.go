package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Copying a whole database between backends (stet migrate): every table
// that holds what stet has seen is copied row by row, ids kept, in an order
// that satisfies the foreign keys, and then counted and hashed on both
// sides. The search index's own tables differ by backend (FTS5 in SQLite,
// trigram tables in PostgreSQL) and are rebuilt from search_texts; the
// daemons registry and the hosts' politeness slots are the running
// daemons' state, not history, and stay behind.

// copyTable is one table to copy, and the columns that order its rows.
type copyTable struct {
	name  string
	order string
}

// copyTables lists, in foreign-key order, every table CopyDatabase copies.
var copyTables = []copyTable{
	{"sources", "id"},
	{"pages", "id"},
	{"page_aliases", "url"},
	{"body_dicts", "id"},
	{"bodies", "hash"},
	{"header_sets", "id"},
	{"captures", "id"},
	{"versions", "id"},
	{"changes", "id"},
	{"listings", "source_id, page_id"},
	{"deliveries", "id"},
	{"search_texts", "id"},
	{"search_spans", "id"},
	{"chain_summaries", "id"},
	{"capture_gaps", "before_id"},
}

// copySkipped are the tables CopyDatabase leaves behind on purpose (see
// above); a table in neither list fails the copy, so that a table added
// later cannot be forgotten.
var copySkipped = []string{"daemons", "host_slots", "search_words", "search_grams", "stet_schema"}

// TableCheck is one table's row count and content hash on both sides.
type TableCheck struct {
	Table      string
	Rows       int64
	TargetRows int64
	Hash       string // SHA-256 over the rows, in order, column by column
	TargetHash string
}

// OK reports whether both sides hold the same rows.
func (c TableCheck) OK() bool { return c.Rows == c.TargetRows && c.Hash == c.TargetHash }

// CopyReport is what CopyDatabase did and found.
type CopyReport struct {
	Tables   []TableCheck
	Passages int64 // search passages indexed in the target
}

// CopyDatabase copies everything in s into to, which must hold no pages,
// captures or sources yet, and checks every table's count and hash on both
// sides. progress, if not nil, is told of each table as it is done. The
// source should not be written meanwhile (stop its daemons): a row written
// during the copy would be missing from the target, which the final check
// reports.
func (s *Store) CopyDatabase(ctx context.Context, to *Store, progress func(TableCheck)) (CopyReport, error) {
	var rep CopyReport
	if err := s.checkCopyTables(ctx); err != nil {
		return rep, err
	}
	for _, t := range []string{"sources", "pages", "captures"} {
		var n int64
		if err := to.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return rep, fmt.Errorf("look into the target: %w", err)
		}
		if n > 0 {
			return rep, fmt.Errorf("the target database is not empty: it has %d rows in %s", n, t)
		}
	}
	for _, t := range copyTables {
		if err := s.copyRows(ctx, to, t); err != nil {
			return rep, fmt.Errorf("copy %s: %w", t.name, err)
		}
		if t.name == "search_texts" {
			n, err := to.reindexPassages(ctx)
			if err != nil {
				return rep, fmt.Errorf("index search passages: %w", err)
			}
			rep.Passages = n
		}
	}
	if to.db.pg {
		if err := to.resetIdentities(ctx); err != nil {
			return rep, err
		}
	}
	for _, t := range copyTables {
		c := TableCheck{Table: t.name}
		var err error
		if c.Rows, c.Hash, err = s.tableDigest(ctx, t); err != nil {
			return rep, fmt.Errorf("check %s: %w", t.name, err)
		}
		if c.TargetRows, c.TargetHash, err = to.tableDigest(ctx, t); err != nil {
			return rep, fmt.Errorf("check %s in the target: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, c)
		if progress != nil {
			progress(c)
		}
	}
	for _, c := range rep.Tables {
		if !c.OK() {
			return rep, fmt.Errorf("%s differs after the copy: %d rows (sha256 %.12s) in the source, %d (%.12s) in the target",
				c.Table, c.Rows, c.Hash, c.TargetRows, c.TargetHash)
		}
	}
	return rep, nil
}

// tables lists the store's ordinary tables.
func (s *Store) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
		AND name NOT LIKE 'search_words_%' AND name NOT LIKE 'search_grams_%' AND name NOT LIKE 'sqlite_%'`
	if s.db.pg {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s *Store) checkCopyTables(ctx context.Context) error {
	ts, err := s.tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if !slices.ContainsFunc(copyTables, func(c copyTable) bool { return c.name == t }) && !slices.Contains(copySkipped, t) {
			return fmt.Errorf("table %s is neither copied nor known to be left behind; this stet cannot copy the database", t)
		}
	}
	return nil
}

// columns lists a table's columns, in the order they were declared.
func (s *Store) columns(ctx context.Context, table string) ([]string, error) {
	q := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if s.db.pg {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
			ORDER BY ordinal_position`
	}
	rows, err := s.db.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("list the columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// sharedColumns are the columns of t both stores have: PostgreSQL's
// bodies.rowid is its own.
func (s *Store) sharedColumns(ctx context.Context, to *Store, t string) ([]string, error) {
	a, err := s.columns(ctx, t)
	if err != nil {
		return nil, err
	}
	b, err := to.columns(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range a {
		if slices.Contains(b, c) {
			out = append(out, c)
		} else if !(t == "bodies" && c == "rowid") {
			return nil, fmt.Errorf("the target's %s has no column %s: is it at the same schema version?", t, c)
		}
	}
	return out, nil
}

// copyBatch is how many rows one INSERT carries (PostgreSQL takes at most
// 65,535 parameters in a statement, SQLite 32,766).
func copyBatch(cols int) int { return max(1, min(500, 30000/cols)) }

func (s *Store) copyRows(ctx context.Context, to *Store, t copyTable) error {
	cols, err := s.sharedColumns(ctx, to, t.name)
	if err != nil {
		return err
	}
	list := strings.Join(cols, ", ")
	rows, err := s.db.QueryContext(ctx, `SELECT `+list+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return err
	}
	defer rows.Close()
	batch := copyBatch(len(cols))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var args []any
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := `INSERT INTO ` + t.name + ` (` + list + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		err := to.Tx(ctx, func(tx *Tx) error {
			_, err := tx.tx.ExecContext(ctx, q, args...)
			return err
		})
		args, n = args[:0], 0
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		args = append(args, vals...)
		if n++; n == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// reindexPassages fills the backend's own search tables from search_texts.
func (s *Store) reindexPassages(ctx context.Context) (int64, error) {
	var n int64
	after := int64(0)
	for {
		type passage struct {
			id   int64
			text string
		}
		var batch []passage
		rows, err := s.db.QueryContext(ctx, `SELECT id FROM search_texts WHERE id > ? ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return n, err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return n, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return n, err
		}
		texts, err := s.passageTexts(ctx, s.db, ids)
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			batch = append(batch, passage{id, texts[id]})
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			for _, p := range batch {
				f := foldText(p.text)
				if _, err := tx.tx.ExecContext(ctx, `INSERT INTO search_words (rowid, text) VALUES (?, ?)`, p.id, f.wordsText()); err != nil {
					return err
				}
				if f.unspaced {
					if _, err := tx.tx.ExecContext(ctx, `INSERT INTO search_grams (rowid, text) VALUES (?, ?)`, p.id, f.grams); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += int64(len(batch))
		after = batch[len(batch)-1].id
	}
}

// resetIdentities moves each PostgreSQL id sequence past the ids copied in.
func (s *Store) resetIdentities(ctx context.Context) error {
	for _, t := range copyTables {
		if t.order != "id" {
			continue
		}
		if _, err := s.db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'),
			coalesce((SELECT max(id) FROM `+t.name+`), 0) + 1, false)`); err != nil {
			return fmt.Errorf("reset the id sequence of %s: %w", t.name, err)
		}
	}
	return nil
}

// tableDigest counts a table's rows and hashes them in order, each value
// by its kind (NULL, integer, text or bytes), so that both backends give
// the same digest for the same rows.
func (s *Store) tableDigest(ctx context.Context, t copyTable) (int64, string, error) {
	cols, err := s.columns(ctx, t.name)
	if err != nil {
		return 0, "", err
	}
	cols = slices.DeleteFunc(cols, func(c string) bool { return t.name == "bodies" && c == "rowid" })
	slices.Sort(cols)
	rows, err := s.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t.name+` ORDER BY `+t.order)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	h := sha256.New()
	var n int64
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		for _, v := range vals {
			hashValue(h, v)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func hashValue(h hash.Hash, v any) {
	var kind byte
	var b []byte
	switch x := v.(type) {
	case nil:
		kind = 'n'
	case int64:
		kind, b = 'i', strconv.AppendInt(nil, x, 10)
	case string:
		kind, b = 't', []byte(x)
	case []byte:
		kind, b = 'b', x
	case bool:
		kind, b = 'i', []byte("0")
		if x {
			b = []byte("1")
		}
	case float64:
		kind, b = 'f', strconv.AppendFloat(nil, x, 'g', -1, 64)
	case time.Time:
		kind, b = 't', []byte(x.UTC().Format(timeLayout))
	default:
		kind, b = '?', fmt.Appendf(nil, "%v", x)
	}
	var head [9]byte
	head[0] = kind
	l := len(b)
	for i := 8; i > 0; i-- {
		head[i] = byte(l)
		l >>= 8
	}
	h.Write(head[:])
	h.Write(b)
}
