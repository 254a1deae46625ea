package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats counts what the database holds, for summaries.
type Stats struct {
	Sources           int
	Pages             int
	Captures          int
	Versions          int
	Bodies            int
	ChangesByKind     map[string]int
	CapturesByClass   map[string]int
	DeliveriesSent    int
	DeliveriesPending int
	DeliveriesGivenUp int
}

// Stats counts rows in one read transaction so the numbers agree.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ChangesByKind: map[string]int{}, CapturesByClass: map[string]int{}}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	defer tx.Rollback()
	counts := []struct {
		dst *int
		q   string
	}{
		{&st.Sources, `SELECT count(*) FROM sources`},
		{&st.Pages, `SELECT count(*) FROM pages`},
		{&st.Captures, `SELECT count(*) FROM captures`},
		{&st.Versions, `SELECT count(*) FROM versions`},
		{&st.Bodies, `SELECT count(*) FROM bodies`},
		{&st.DeliveriesSent, `SELECT count(*) FROM deliveries WHERE delivered_at IS NOT NULL`},
		{&st.DeliveriesPending, `SELECT count(*) FROM deliveries WHERE next_attempt_at IS NOT NULL`},
		{&st.DeliveriesGivenUp, `SELECT count(*) FROM deliveries WHERE delivered_at IS NULL AND next_attempt_at IS NULL`},
	}
	for _, c := range counts {
		if err := tx.QueryRowContext(ctx, c.q).Scan(c.dst); err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
	}
	for q, m := range map[string]map[string]int{
		`SELECT kind, count(*) FROM changes GROUP BY kind`:    st.ChangesByKind,
		`SELECT class, count(*) FROM captures GROUP BY class`: st.CapturesByClass,
	} {
		if err := groupCount(ctx, tx, q, m); err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
	}
	return st, nil
}

func groupCount(ctx context.Context, tx interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, m map[string]int) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m[k] = n
	}
	return rows.Err()
}

// Tally counts the versions and changes stored after a mark: their number,
// changes by kind, and the mark to pass next time. Versions and changes are
// only ever appended (never deleted, their kinds never updated) and ids grow
// with every insert, so a caller that adds each Tally to running totals
// reads every row once: the first call counts the tables through their
// smallest indexes, later ones only the rows added since.
//
// Classes are not counted here: they live in a JSON column after the diff,
// so counting them means reading every change whole (1.3 s for a million
// small changes; far more with real diffs).
type Tally struct {
	Versions      int64
	Changes       int64
	ChangesByKind map[string]int64
	// LastVersion and LastChange are the highest ids counted (the marks
	// given, when nothing was added).
	LastVersion, LastChange int64
}

// TallySince counts the versions with an id above afterVersion and the
// changes with an id above afterChange, in one read transaction (one
// snapshot, so the counts agree with the marks).
func (s *Store) TallySince(ctx context.Context, afterVersion, afterChange int64) (Tally, error) {
	t := Tally{ChangesByKind: map[string]int64{}, LastVersion: afterVersion, LastChange: afterChange}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return t, fmt.Errorf("tally: %w", err)
	}
	defer tx.Rollback()
	// Without a mark, count(*) with no WHERE reads the smallest index and
	// GROUP BY kind reads changes_kind alone; with one, each is a short
	// range of the primary key.
	versions, changes, kinds := `SELECT count(*), coalesce(max(id), 0) FROM versions`,
		`SELECT count(*), coalesce(max(id), 0) FROM changes`,
		`SELECT kind, count(*) FROM changes GROUP BY kind`
	var vargs, cargs []any
	if afterVersion > 0 {
		versions = `SELECT count(*), coalesce(max(id), ?) FROM versions WHERE id > ?`
		vargs = []any{afterVersion, afterVersion}
	}
	if afterChange > 0 {
		changes = `SELECT count(*), coalesce(max(id), ?) FROM changes WHERE id > ?`
		kinds = `SELECT kind, count(*) FROM changes NOT INDEXED WHERE id > ? GROUP BY kind` // a rowid range, not all of changes_kind
		cargs = []any{afterChange, afterChange}
	}
	if err := tx.QueryRowContext(ctx, versions, vargs...).Scan(&t.Versions, &t.LastVersion); err != nil {
		return t, fmt.Errorf("tally versions: %w", err)
	}
	if err := tx.QueryRowContext(ctx, changes, cargs...).Scan(&t.Changes, &t.LastChange); err != nil {
		return t, fmt.Errorf("tally changes: %w", err)
	}
	if t.Changes == 0 {
		return t, nil
	}
	if len(cargs) > 0 {
		cargs = cargs[1:]
	}
	if err := groupCount64(ctx, tx, kinds, t.ChangesByKind, cargs...); err != nil {
		return t, fmt.Errorf("tally changes by kind: %w", err)
	}
	return t, nil
}

// Backlog is the state of the work queues at one moment: what the
// metrics endpoint reports as gauges.
type Backlog struct {
	// ChecksDue counts the pages, and the listing sources (feeds, sitemaps,
	// index pages), whose next check time has passed; work claimed by a
	// running daemon is not due until its lease ends.
	ChecksDue int64
	// ChecksOverdue counts those due for longer than the grace given.
	ChecksOverdue int64
	// OldestDue is the due time of the check waiting longest; zero when
	// none is due.
	OldestDue time.Time
	// OutboxDepth counts the webhook deliveries waiting to be sent or
	// retried (not delivered, not given up).
	OutboxDepth int64
	// DatabaseBytes is the size of the database: its page count times its
	// page size, as this connection sees it (the WAL included).
	DatabaseBytes int64
}

// Backlog reads the queues as of now; a check due before now-grace is
// overdue. Every count is a range of an index (pages_due, deliveries_due),
// so the cost follows what is waiting, not the size of the tables.
func (s *Store) Backlog(ctx context.Context, now time.Time, grace time.Duration) (Backlog, error) {
	var b Backlog
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return b, fmt.Errorf("backlog: %w", err)
	}
	defer tx.Rollback()
	at, late := fmtTime(now), fmtTime(now.Add(-grace))
	var oldest sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT count(*), CAST(coalesce(sum(CASE WHEN due <= ? THEN 1 ELSE 0 END), 0) AS BIGINT), min(due) FROM (
			SELECT next_check_at AS due FROM pages WHERE next_check_at IS NOT NULL AND next_check_at <= ?
			UNION ALL
			SELECT coalesce(next_check_at, created_at) FROM sources
			WHERE kind NOT IN (?, ?) AND coalesce(next_check_at, created_at) <= ?) AS due`,
		late, at, KindPage, KindAdhoc, at).Scan(&b.ChecksDue, &b.ChecksOverdue, &oldest)
	if err != nil {
		return b, fmt.Errorf("backlog: due checks: %w", err)
	}
	if oldest.Valid {
		if b.OldestDue, err = time.Parse(timeLayout, oldest.String); err != nil {
			return b, fmt.Errorf("backlog: due time %q: %w", oldest.String, err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE next_attempt_at IS NOT NULL`).Scan(&b.OutboxDepth); err != nil {
		return b, fmt.Errorf("backlog: outbox: %w", err)
	}
	sizeQuery := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if tx.d.pg {
		sizeQuery = `SELECT pg_database_size(current_database())`
	}
	err = tx.QueryRowContext(ctx, sizeQuery).Scan(&b.DatabaseBytes)
	if err != nil {
		return b, fmt.Errorf("backlog: database size: %w", err)
	}
	return b, nil
}

func groupCount64(ctx context.Context, tx *sqlTx, q string, m map[string]int64, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m[k] += n
	}
	return rows.Err()
}
