package storage

import (
	"context"
	"database/sql"
	"fmt"
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
