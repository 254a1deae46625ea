package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The daemons registry: every `stet run` records itself in the daemons
// table when it starts, heartbeats while it runs and marks itself stopped
// when it stops cleanly, so anyone reading the database can tell which
// daemons are alive, which died (their heartbeat went stale) and what
// claims each still holds on pages, sources and webhook deliveries.

// Daemon states as stored.
const (
	DaemonRunning  = "running"
	DaemonStopping = "stopping" // asked to stop, finishing the checks in flight
	DaemonStopped  = "stopped"
)

// Daemon is one `stet run` process as it registered itself.
type Daemon struct {
	// Owner is the string the process claims work with (pages.claimed_by,
	// sources.claimed_by, deliveries.claimed_by).
	Owner     string
	Host      string
	PID       int
	Version   string
	StartedAt time.Time
	// HeartbeatAt is when it last said it was alive; it promised to do
	// so every Interval.
	HeartbeatAt time.Time
	Interval    time.Duration
	State       string    // DaemonRunning, DaemonStopping or DaemonStopped
	StoppedAt   time.Time // zero unless stopped
	// Workers is the size of its worker pool, WorkersBusy how many were
	// running a check at the last heartbeat, Queued how many jobs waited.
	Workers, WorkersBusy, Queued int
}

// daemonRetention is how long the row of a daemon that stopped or died
// is kept: rows whose last heartbeat is older go when a daemon registers.
const daemonRetention = 24 * time.Hour

// RegisterDaemon records d as started (replacing a row of the same
// owner) and removes the rows of daemons silent for over a day.
func (s *Store) RegisterDaemon(ctx context.Context, d Daemon) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `DELETE FROM daemons WHERE heartbeat_at < ?`,
			fmtTime(d.HeartbeatAt.Add(-daemonRetention))); err != nil {
			return fmt.Errorf("prune daemons: %w", err)
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO daemons (owner, host, pid, version, started_at,
			heartbeat_at, interval_ms, state, stopped_at, workers, workers_busy, queued)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
			ON CONFLICT (owner) DO UPDATE SET host = excluded.host, pid = excluded.pid, version = excluded.version,
				started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, interval_ms = excluded.interval_ms,
				state = excluded.state, stopped_at = NULL, workers = excluded.workers,
				workers_busy = excluded.workers_busy, queued = excluded.queued`,
			d.Owner, d.Host, d.PID, d.Version, fmtTime(d.StartedAt), fmtTime(d.HeartbeatAt), d.Interval.Milliseconds(),
			DaemonRunning, d.Workers, d.WorkersBusy, d.Queued)
		if err != nil {
			return fmt.Errorf("register daemon %s: %w", d.Owner, err)
		}
		return nil
	})
}

// DaemonBeat is what a heartbeat records.
type DaemonBeat struct {
	At                  time.Time
	State               string // DaemonRunning or DaemonStopping
	WorkersBusy, Queued int
}

// HeartbeatDaemon records that owner is alive at b.At, and what it is
// doing. A daemon whose row is gone (pruned while it was silent for a
// day) gets ErrNotFound and should register again.
func (s *Store) HeartbeatDaemon(ctx context.Context, owner string, b DaemonBeat) error {
	res, err := s.db.ExecContext(ctx, `UPDATE daemons SET heartbeat_at = ?, state = ?, workers_busy = ?, queued = ?
		WHERE owner = ?`, fmtTime(b.At), b.State, b.WorkersBusy, b.Queued, owner)
	if err != nil {
		return fmt.Errorf("heartbeat of daemon %s: %w", owner, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("heartbeat of daemon %s: %w", owner, err)
	} else if n == 0 {
		return fmt.Errorf("heartbeat of daemon %s: %w", owner, ErrNotFound)
	}
	return nil
}

// StopDaemon records that owner stopped cleanly at.
func (s *Store) StopDaemon(ctx context.Context, owner string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE daemons SET state = ?, stopped_at = ?, heartbeat_at = ?,
		workers_busy = 0, queued = 0 WHERE owner = ?`, DaemonStopped, fmtTime(at), fmtTime(at), owner)
	if err != nil {
		return fmt.Errorf("stop daemon %s: %w", owner, err)
	}
	return nil
}

// staleBeats is how many heartbeat intervals may pass before a daemon
// that has not stopped counts as dead.
const staleBeats = 3

// Claims counts the work one process has claimed: pages, sources and
// webhook deliveries whose lease is still running, and those whose lease
// ended before the work was done (that work is anyone's again).
type Claims struct {
	Pages, Sources, Deliveries int
	Lapsed                     int
	// NextExpiry and LastExpiry are the earliest and the latest end of
	// the running leases; zero when none runs.
	NextExpiry, LastExpiry time.Time
}

// Held is how many claims have a running lease.
func (c Claims) Held() int { return c.Pages + c.Sources + c.Deliveries }

// DaemonStatus is a daemon as `stet status` shows it.
type DaemonStatus struct {
	Daemon
	// Registered is false for a claim owner with no row in the daemons
	// table: a process that predates the registry, or whose row was
	// pruned. Only Owner and Claims are then set.
	Registered bool
	// Alive: it has not stopped and its last heartbeat is within
	// staleBeats intervals. A registered daemon neither alive nor
	// stopped died (killed, or its host went away).
	Alive  bool
	Claims Claims
}

// Dead reports whether the daemon stopped heartbeating without stopping
// cleanly.
func (d DaemonStatus) Dead() bool { return d.Registered && !d.Alive && d.State != DaemonStopped }

// Status is what `stet status` reports: the daemons and the queue.
type Status struct {
	At      time.Time
	Daemons []DaemonStatus // newest start first; owners of claims without a row last
	Queue   Queue
}

// Queue is the state of the work queue at one moment.
type Queue struct {
	Backlog // checks due, overdue and the oldest due; outbox depth; database size
	// Overdue is how long past its due time a check counts as overdue.
	Overdue time.Duration
	// DeliveriesGivenUp counts webhook deliveries that failed their last
	// attempt and will not be retried.
	DeliveriesGivenUp int64
	// Claims sums the claims of every process; ClaimsOfDead those held
	// by daemons that died (they lapse when their lease ends, then the
	// work is due again).
	Claims, ClaimsOfDead Claims
}

// DaemonsAlive counts the daemons whose heartbeat is fresh at now.
func (s *Store) DaemonsAlive(ctx context.Context, now time.Time) (int, error) {
	ds, err := readDaemons(ctx, s.db, now)
	n := 0
	for _, d := range ds {
		if d.Alive {
			n++
		}
	}
	return n, err
}

// Status reads the daemons registry, the claims every process holds and
// the queue as of now; a check due before now-overdue is overdue. Every
// count is a range of a small index (claims, due times, the outbox), so
// its cost follows what is waiting and running, not what is stored.
func (s *Store) Status(ctx context.Context, now time.Time, overdue time.Duration) (Status, error) {
	st := Status{At: now, Queue: Queue{Overdue: overdue}}
	b, err := s.Backlog(ctx, now, overdue)
	if err != nil {
		return st, err
	}
	st.Queue.Backlog = b
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("status: %w", err)
	}
	defer tx.Rollback()
	if st.Daemons, err = readDaemons(ctx, tx, now); err != nil {
		return st, err
	}
	claims, err := readClaims(ctx, tx, now)
	if err != nil {
		return st, err
	}
	st.Daemons = attachClaims(st.Daemons, claims)
	for _, d := range st.Daemons {
		st.Queue.Claims = st.Queue.Claims.add(d.Claims)
		if d.Dead() {
			st.Queue.ClaimsOfDead = st.Queue.ClaimsOfDead.add(d.Claims)
		}
	}
	if err := tx.QueryRowContext(ctx, givenUpQuery).Scan(&st.Queue.DeliveriesGivenUp); err != nil {
		return st, fmt.Errorf("status: deliveries given up: %w", err)
	}
	return st, nil
}

// readDaemons lists the registry (a row per daemon started in the last
// day or so, so a few rows).
func readDaemons(ctx context.Context, tx interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, now time.Time) ([]DaemonStatus, error) {
	rows, err := tx.QueryContext(ctx, `SELECT owner, host, pid, version, started_at, heartbeat_at, interval_ms, state,
		stopped_at, workers, workers_busy, queued FROM daemons ORDER BY started_at DESC, owner`)
	if err != nil {
		return nil, fmt.Errorf("list daemons: %w", err)
	}
	defer rows.Close()
	var out []DaemonStatus
	for rows.Next() {
		d := DaemonStatus{Registered: true}
		var ms int64
		if err := rows.Scan(&d.Owner, &d.Host, &d.PID, &d.Version, nullTime{&d.StartedAt}, nullTime{&d.HeartbeatAt}, &ms,
			&d.State, nullTime{&d.StoppedAt}, &d.Workers, &d.WorkersBusy, &d.Queued); err != nil {
			return nil, fmt.Errorf("list daemons: %w", err)
		}
		d.Interval = time.Duration(ms) * time.Millisecond
		d.Alive = d.State != DaemonStopped && !d.HeartbeatAt.Before(now.Add(-staleBeats*d.Interval))
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list daemons: %w", err)
	}
	return out, nil
}

// claimsQuery sums the claims on pages, sources and deliveries by owner,
// as of ?1, through the partial indexes of claimed rows (pages_claimed,
// sources_claimed, deliveries_claimed): its cost follows the claims held.
const claimsQuery = `
	SELECT 'pages', claimed_by, sum(CASE WHEN next_check_at > ?1 THEN 1 ELSE 0 END), sum(CASE WHEN next_check_at <= ?1 THEN 1 ELSE 0 END),
		min(CASE WHEN next_check_at > ?1 THEN next_check_at END), max(CASE WHEN next_check_at > ?1 THEN next_check_at END)
	FROM pages WHERE claimed_by != '' GROUP BY claimed_by
	UNION ALL
	SELECT 'sources', claimed_by, sum(CASE WHEN next_check_at > ?1 THEN 1 ELSE 0 END), sum(CASE WHEN next_check_at <= ?1 THEN 1 ELSE 0 END),
		min(CASE WHEN next_check_at > ?1 THEN next_check_at END), max(CASE WHEN next_check_at > ?1 THEN next_check_at END)
	FROM sources WHERE claimed_by != '' GROUP BY claimed_by
	UNION ALL
	SELECT 'deliveries', claimed_by, sum(CASE WHEN claim_until > ?1 THEN 1 ELSE 0 END), sum(CASE WHEN claim_until IS NULL OR claim_until <= ?1 THEN 1 ELSE 0 END),
		min(CASE WHEN claim_until > ?1 THEN claim_until END), max(CASE WHEN claim_until > ?1 THEN claim_until END)
	FROM deliveries WHERE claimed_by != '' GROUP BY claimed_by`

// givenUpQuery counts the deliveries given up, through deliveries_given_up.
const givenUpQuery = `SELECT count(*) FROM deliveries WHERE delivered_at IS NULL AND next_attempt_at IS NULL`

// readClaims sums the claims of each owner as of now.
func readClaims(ctx context.Context, tx *sqlTx, now time.Time) (map[string]Claims, error) {
	rows, err := tx.QueryContext(ctx, claimsQuery, fmtTime(now))
	if err != nil {
		return nil, fmt.Errorf("read claims: %w", err)
	}
	defer rows.Close()
	out := map[string]Claims{}
	for rows.Next() {
		var table, owner string
		var held, lapsed int
		var next, last time.Time
		if err := rows.Scan(&table, &owner, &held, &lapsed, nullTime{&next}, nullTime{&last}); err != nil {
			return nil, fmt.Errorf("read claims: %w", err)
		}
		c := Claims{Lapsed: lapsed}
		switch table {
		case "pages":
			c.Pages = held
		case "sources":
			c.Sources = held
		default:
			c.Deliveries = held
		}
		c.NextExpiry, c.LastExpiry = next, last
		out[owner] = out[owner].add(c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read claims: %w", err)
	}
	return out, nil
}

// attachClaims gives each daemon its claims, and lists owners of claims
// that have no row after the registered daemons, by owner.
func attachClaims(ds []DaemonStatus, claims map[string]Claims) []DaemonStatus {
	for i := range ds {
		ds[i].Claims = claims[ds[i].Owner]
		delete(claims, ds[i].Owner)
	}
	var rest []DaemonStatus
	for owner, c := range claims {
		rest = append(rest, DaemonStatus{Daemon: Daemon{Owner: owner}, Claims: c})
	}
	slices.SortFunc(rest, func(a, b DaemonStatus) int { return strings.Compare(a.Owner, b.Owner) })
	return append(ds, rest...)
}

// add sums two sets of claims.
func (c Claims) add(o Claims) Claims {
	c.Pages += o.Pages
	c.Sources += o.Sources
	c.Deliveries += o.Deliveries
	c.Lapsed += o.Lapsed
	if !o.NextExpiry.IsZero() && (c.NextExpiry.IsZero() || o.NextExpiry.Before(c.NextExpiry)) {
		c.NextExpiry = o.NextExpiry
	}
	if o.LastExpiry.After(c.LastExpiry) {
		c.LastExpiry = o.LastExpiry
	}
	return c
}
