package storage

import (
	"context"
	"fmt"
	"time"
)

// hostSlotsSchema is migration 13, the same on SQLite and PostgreSQL.
const hostSlotsSchema = `CREATE TABLE host_slots (
	host TEXT PRIMARY KEY,  -- politeness key: lower-case host, default port dropped
	next_at TEXT NOT NULL   -- earliest start of the host's next request
)`

// hostSlotSkew is how far beyond one interval a host's stored next start
// may lie before ReserveHost takes it anyway: a slot that far ahead was
// booked by a daemon whose clock runs ahead of ours (or with a longer
// interval), and must not park the host for as long.
const hostSlotSkew = time.Minute

// ReserveHost takes host's next request start for a request starting at
// now, if that start has come: the host's next start becomes now+interval
// and wait is 0. Otherwise nothing changes and wait is how long until the
// start comes; the caller waits and asks again. Daemons sharing the
// database thus start requests to one host at least interval apart, as far
// as their clocks agree. It is one statement, atomic on its own; it does
// not wait for the write transactions of checks.
func (s *Store) ReserveHost(ctx context.Context, host string, interval time.Duration, now time.Time) (time.Duration, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO host_slots (host, next_at) VALUES (?, ?)
		ON CONFLICT (host) DO UPDATE SET next_at = excluded.next_at
		WHERE host_slots.next_at <= ? OR host_slots.next_at > ?`,
		host, fmtTime(now.Add(interval)), fmtTime(now), fmtTime(now.Add(interval+hostSlotSkew)))
	if err != nil {
		return 0, fmt.Errorf("reserve host %s: %w", host, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("reserve host %s: %w", host, err)
	}
	if n > 0 {
		return 0, nil
	}
	var next time.Time
	if err := s.db.QueryRowContext(ctx, `SELECT next_at FROM host_slots WHERE host = ?`, host).Scan(nullTime{&next}); err != nil {
		return 0, fmt.Errorf("read host slot %s: %w", host, err)
	}
	// At least a millisecond: the slot was taken after now, so it has
	// not come yet, even if the clock says so by the time it is read.
	return max(next.Sub(now), time.Millisecond), nil
}
