package storage

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The storage code writes its SQL once, in the dialect SQLite and
// PostgreSQL share: "?" placeholders, ON CONFLICT, RETURNING, window
// functions, times as fixed-width text (fmtTime) and flags as integers
// compared explicitly. dbh, sqlTx and sqlConn wrap database/sql and, for
// PostgreSQL, rewrite each statement once (and remember it):
//
//   - "?" outside quotes becomes $1, $2, …, and so does a :name (its
//     sql.Named arguments are put in order);
//   - "SELECT value FROM json_each(?)", a list of ids passed as one JSON
//     array, becomes PostgreSQL's jsonb_array_elements_text, as bigints
//     ("SELECT atom FROM json_each(?)", a list of strings, as text);
//   - the marker /*SKIP LOCKED*/ becomes FOR UPDATE SKIP LOCKED, so rows
//     claimed by one daemon are passed over by the others rather than
//     waited for (SQLite has one writer at a time and needs no lock);
//   - SQLite's NOT INDEXED and INDEXED BY hints go, instr becomes strpos,
//     and json_each over a change's classes jsonb_array_elements_text.
//
// What the dialects cannot share is chosen by s.pg where it is needed.

// dbh is the database handle the Store uses: a *sql.DB whose query methods
// speak the Store's dialect.
type dbh struct {
	*sql.DB
	pg    bool
	cache sync.Map  // query -> rewritten query (PostgreSQL)
	stmts stmtCache // statements kept prepared (SQLite)
}

// pgQuery is a statement rewritten for PostgreSQL, and the names of its
// :named parameters in the order of their numbers.
type pgQuery struct {
	sql   string
	names []string
}

// q returns query in this database's dialect.
func (d *dbh) q(query string) string { return d.rewrite(query).sql }

func (d *dbh) rewrite(query string) pgQuery {
	if !d.pg {
		return pgQuery{sql: query}
	}
	if r, ok := d.cache.Load(query); ok {
		return r.(pgQuery)
	}
	r := rewritePostgres(query)
	d.cache.Store(query, r)
	return r
}

// bind returns query and args in this database's dialect: for PostgreSQL,
// sql.Named arguments are put in the order of their numbers.
func (d *dbh) bind(query string, args []any) (string, []any) {
	if !d.pg {
		return query, args
	}
	r := d.rewrite(query)
	return r.sql, bindNamed(r.names, args)
}

// bindNamed puts the sql.Named arguments among args in the order names
// gives, after the positional ones.
func bindNamed(names []string, args []any) []any {
	args = pgBools(args)
	if len(names) == 0 {
		return args
	}
	named := make(map[string]any, len(args))
	var plain []any
	for _, a := range args {
		if na, ok := a.(sql.NamedArg); ok {
			named[na.Name] = na.Value
		} else {
			plain = append(plain, a)
		}
	}
	out := plain
	for _, n := range names {
		out = append(out, named[n])
	}
	return out
}

// pgBools gives PostgreSQL a Go bool as the 0 or 1 stet's integer flag
// columns hold, as SQLite's driver does.
func pgBools(args []any) []any {
	var out []any
	for i, a := range args {
		v := a
		na, named := a.(sql.NamedArg)
		if named {
			v = na.Value
		}
		b, ok := v.(bool)
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		n := int64(0)
		if b {
			n = 1
		}
		if named {
			na.Value = n
			out[i] = na
		} else {
			out[i] = n
		}
	}
	if out == nil {
		return args
	}
	return out
}

// sqlStmt is a prepared statement of a dbh.
type sqlStmt struct {
	*sql.Stmt
	pg    bool
	names []string
}

func (d *dbh) prepared(st *sql.Stmt, query string, err error) (*sqlStmt, error) {
	if err != nil {
		return nil, err
	}
	return &sqlStmt{Stmt: st, pg: d.pg, names: d.rewrite(query).names}, nil
}

func (s *sqlStmt) args(args []any) []any {
	if !s.pg {
		return args
	}
	return bindNamed(s.names, args)
}

func (s *sqlStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.Stmt.ExecContext(ctx, s.args(args)...)
}

func (s *sqlStmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.Stmt.QueryContext(ctx, s.args(args)...)
}

func (s *sqlStmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return s.Stmt.QueryRowContext(ctx, s.args(args)...)
}

func (d *dbh) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	query, args = d.bind(query, args)
	return d.DB.ExecContext(ctx, query, args...)
}

func (d *dbh) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	query, args = d.bind(query, args)
	return d.DB.QueryContext(ctx, query, args...)
}

func (d *dbh) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	query, args = d.bind(query, args)
	return d.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the statements kept prepared, then the database.
func (d *dbh) Close() error {
	d.stmts.close()
	return d.DB.Close()
}

func (d *dbh) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sqlTx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: tx, d: d}, nil
}

func (d *dbh) Conn(ctx context.Context) (*sqlConn, error) {
	c, err := d.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{Conn: c, d: d}, nil
}

// sqlTx is a transaction of a dbh.
type sqlTx struct {
	*sql.Tx
	d *dbh

	mu   sync.Mutex
	rows map[*sql.Stmt]*sql.Rows // the last rows of each kept statement queried
}

// The methods of sqlTx run a statement the dbh keeps prepared through
// Tx.StmtContext, which reuses what is already prepared on the
// transaction's connection; the transaction's copy is closed after use
// (the connection's stays with the dbh's statement).

func (t *sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.d.stmt(ctx, query); st != nil && t.free(st) {
		ts := t.Tx.StmtContext(ctx, st)
		defer ts.Close()
		return ts.ExecContext(ctx, args...)
	}
	query, args = t.d.bind(query, args)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.d.stmt(ctx, query); st != nil && t.free(st) {
		ts := t.Tx.StmtContext(ctx, st)
		defer ts.Close() // the rows keep what they need
		rows, err := ts.QueryContext(ctx, args...)
		if err == nil {
			t.mu.Lock()
			t.rows[st] = rows
			t.mu.Unlock()
		}
		return rows, err
	}
	query, args = t.d.bind(query, args)
	return t.Tx.QueryContext(ctx, query, args...)
}

// free reports whether the kept statement st can be queried: on the
// transaction's one connection a statement runs once at a time, so while
// rows of an earlier query of it are open (the same query nested in a
// loop over its own rows) the query runs as text.
func (t *sqlTx) free(st *sql.Stmt) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows == nil {
		t.rows = map[*sql.Stmt]*sql.Rows{}
	}
	r, ok := t.rows[st]
	if !ok {
		return true
	}
	if _, err := r.Columns(); err == nil {
		return false // still open
	}
	delete(t.rows, st)
	return true
}

func (t *sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.d.stmt(ctx, query); st != nil && t.free(st) {
		ts := t.Tx.StmtContext(ctx, st)
		defer ts.Close()
		return ts.QueryRowContext(ctx, args...)
	}
	query, args = t.d.bind(query, args)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *sqlTx) PrepareContext(ctx context.Context, query string) (*sqlStmt, error) {
	if st := t.d.stmt(ctx, query); st != nil {
		return &sqlStmt{Stmt: t.Tx.StmtContext(ctx, st)}, nil
	}
	st, err := t.Tx.PrepareContext(ctx, t.d.q(query))
	return t.d.prepared(st, query, err)
}

// sqlConn is one connection of a dbh.
type sqlConn struct {
	*sql.Conn
	d *dbh
}

func (c *sqlConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = c.d.bind(query, args)
	return c.Conn.ExecContext(ctx, query, args...)
}

func (c *sqlConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query, args = c.d.bind(query, args)
	return c.Conn.QueryContext(ctx, query, args...)
}

func (c *sqlConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = c.d.bind(query, args)
	return c.Conn.QueryRowContext(ctx, query, args...)
}

func (c *sqlConn) PrepareContext(ctx context.Context, query string) (*sqlStmt, error) {
	st, err := c.Conn.PrepareContext(ctx, c.d.q(query))
	return c.d.prepared(st, query, err)
}

func (c *sqlConn) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sqlTx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &sqlTx{Tx: tx, d: c.d}, nil
}

// indexedBy is SQLite's INDEXED BY hint, which PostgreSQL's planner does
// without.
var indexedBy = regexp.MustCompile(` INDEXED BY [a-z_]+`)

// jsonIDList is a list of ids passed as one JSON array, by ? or :name.
var jsonIDList = regexp.MustCompile(`SELECT value FROM json_each\((\?|:[a-z]+)\)`)

// rewritePostgres turns a statement of the shared dialect into
// PostgreSQL's (see above).
func rewritePostgres(query string) pgQuery {
	query = jsonIDList.ReplaceAllString(query,
		"SELECT value::bigint FROM jsonb_array_elements_text(CAST($1 AS jsonb)) AS j(value)")
	query = strings.ReplaceAll(query, "SELECT atom FROM json_each(?)",
		"SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb)) AS j(value)")
	query = strings.ReplaceAll(query, "/*SKIP LOCKED*/", "FOR UPDATE SKIP LOCKED")
	query = strings.ReplaceAll(query, " NOT INDEXED", "")
	query = indexedBy.ReplaceAllString(query, "")
	query = strings.ReplaceAll(query, "FROM json_each(c.classes)",
		"FROM jsonb_array_elements_text(CAST(c.classes AS jsonb)) AS j(value)")
	query = strings.ReplaceAll(query, "instr(", "strpos(")
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var names []string
	var quote byte // ' or " while inside a quoted literal or name
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			// a comment runs to the end of the line, and may hold a "?"
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
			continue
		case c == '?' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			b.WriteByte('$') // ?NNN, a numbered parameter: $NNN
			continue
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		case c == ':' && i+1 < len(query) && isNameByte(query[i+1], true) && (i == 0 || query[i-1] != ':'):
			// :name, SQLite's named parameter (not PostgreSQL's :: cast)
			j := i + 1
			for j < len(query) && isNameByte(query[j], false) {
				j++
			}
			name := query[i+1 : j]
			k := slices.Index(names, name)
			if k < 0 {
				names = append(names, name)
				k = len(names) - 1
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(k + 1))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	if len(names) > 0 && n > 0 {
		panic("storage: a statement mixes ? and :name parameters: " + query)
	}
	return pgQuery{sql: b.String(), names: names}
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9'
}
