package storage

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// stmtCache keeps SQLite statements prepared. database/sql hands a
// statement given as text to the driver, which parses and plans it on
// every call, and for most of stet's statements SQLite's parser and
// planner cost more than running them (a fifth of the CPU of a first
// fetch). A kept *sql.Stmt is prepared once per connection, lazily, by
// database/sql, which closes it with the connection; a transaction runs
// it through Tx.StmtContext, which reuses what its connection has
// prepared.
//
// Only statements run stmtCacheAfter times are kept, at most
// stmtCacheMax of them, so statements built with a literal in them do not
// grow it without end; once full, further statements run as before. Only
// SELECT, INSERT, UPDATE, DELETE and WITH statements are kept: PRAGMAs and
// schema changes run as given. PostgreSQL's driver (pgx) keeps its own
// statement cache per connection, so the cache is not used there.
type stmtCache struct {
	kept sync.Map // query -> *sql.Stmt

	mu     sync.Mutex
	seen   map[string]int // query -> times run, while not kept
	n      int            // statements kept or being prepared
	closed bool
}

const (
	stmtCacheAfter = 2   // a statement is kept on its second run
	stmtCacheMax   = 256 // statements kept at most
	stmtSeenMax    = 1024
)

// stmt is query prepared on d, or nil if it is not (yet) kept: run it as
// text then.
func (d *dbh) stmt(ctx context.Context, query string) *sql.Stmt {
	if d.pg {
		return nil
	}
	return d.stmts.get(ctx, d.DB, query)
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	if st, ok := c.kept.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if !cacheable(query) {
		return nil
	}
	c.mu.Lock()
	if c.closed || c.n >= stmtCacheMax {
		c.mu.Unlock()
		return nil
	}
	if c.seen == nil || len(c.seen) >= stmtSeenMax {
		c.seen = map[string]int{} // start counting again
	}
	c.seen[query]++
	if c.seen[query] < stmtCacheAfter {
		c.mu.Unlock()
		return nil
	}
	delete(c.seen, query)
	c.n++
	c.mu.Unlock()

	// Preparing on the database (on any of its connections) can fail where
	// running in a transaction would not: a table the transaction created
	// is not there for the others yet. Such a statement runs as text.
	st, err := db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		c.n--
		if st != nil {
			st.Close()
		}
		return nil
	}
	if had, ok := c.kept.LoadOrStore(query, st); ok {
		c.n--
		st.Close()
		return had.(*sql.Stmt)
	}
	return st
}

// close closes every kept statement; get keeps none after it.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.kept.Range(func(q, st any) bool {
		st.(*sql.Stmt).Close()
		c.kept.Delete(q)
		return true
	})
}

// len is how many statements are kept.
func (c *stmtCache) len() int {
	n := 0
	c.kept.Range(func(any, any) bool { n++; return true })
	return n
}

// cacheable reports whether query is a statement stmtCache may keep.
func cacheable(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	for _, verb := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"} {
		if len(q) > len(verb) && strings.EqualFold(q[:len(verb)], verb) {
			return true
		}
	}
	return false
}
