package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stet/stet/storage"
)

// overdueAfter is how long past its due time a check counts as overdue,
// as in the stet_checks_overdue metric.
const overdueAfter = time.Minute

// statusJSON is `stet status -json`: one object. Its field names are
// stable (README "Watching a running stet").
type statusJSON struct {
	At           time.Time    `json:"at"`
	DaemonsAlive int          `json:"daemons_alive"`
	DaemonsDead  int          `json:"daemons_dead"`
	Daemons      []daemonJSON `json:"daemons"`
	Queue        queueJSON    `json:"queue"`
}

type daemonJSON struct {
	Owner string `json:"owner"`
	// State is alive, stopping (alive, finishing its checks), dead (no
	// heartbeat for three intervals, never stopped), stopped, or
	// unregistered (holds claims but is not in the daemons table).
	State             string     `json:"state"`
	Host              string     `json:"host"`
	PID               int        `json:"pid"`
	Version           string     `json:"version"`
	StartedAt         *time.Time `json:"started_at"`
	HeartbeatAt       *time.Time `json:"heartbeat_at"`
	HeartbeatInterval float64    `json:"heartbeat_interval_seconds"`
	StoppedAt         *time.Time `json:"stopped_at"`
	Workers           int        `json:"workers"`
	WorkersBusy       int        `json:"workers_busy"`
	Queued            int        `json:"queued"`
	Claims            claimsJSON `json:"claims"`
}

type claimsJSON struct {
	Pages      int        `json:"pages"`
	Sources    int        `json:"sources"`
	Deliveries int        `json:"deliveries"`
	Lapsed     int        `json:"lapsed"`
	NextExpiry *time.Time `json:"next_expiry"`
	LastExpiry *time.Time `json:"last_expiry"`
}

type queueJSON struct {
	ChecksDue          int64      `json:"checks_due"`
	ChecksOverdue      int64      `json:"checks_overdue"`
	OverdueAfter       float64    `json:"overdue_after_seconds"`
	OldestDueAt        *time.Time `json:"oldest_due_at"`
	LagSeconds         float64    `json:"lag_seconds"`
	ClaimsHeld         int        `json:"claims_held"`
	ClaimsLapsed       int        `json:"claims_lapsed"`
	NextClaimExpiry    *time.Time `json:"next_claim_expiry"`
	ClaimsOfDead       int        `json:"claims_of_dead"`
	ClaimsOfDeadExpire *time.Time `json:"claims_of_dead_expire_at"`
	OutboxDepth        int64      `json:"outbox_depth"`
	DeliveriesGivenUp  int64      `json:"deliveries_given_up"`
	DatabaseBytes      int64      `json:"database_bytes"`
}

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags("status", e)
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Status(ctx, time.Now(), overdueAfter)
	if err != nil {
		return err
	}
	j := newStatusJSON(s)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	}
	printStatus(e.stdout, j)
	return nil
}

func newStatusJSON(s storage.Status) statusJSON {
	q := s.Queue
	j := statusJSON{At: s.At.UTC(), Daemons: []daemonJSON{}, Queue: queueJSON{
		ChecksDue: q.ChecksDue, ChecksOverdue: q.ChecksOverdue, OverdueAfter: q.Overdue.Seconds(),
		OldestDueAt: timeOrNil(q.OldestDue), ClaimsHeld: q.Claims.Held(), ClaimsLapsed: q.Claims.Lapsed,
		NextClaimExpiry: timeOrNil(q.Claims.NextExpiry), ClaimsOfDead: q.ClaimsOfDead.Held(),
		ClaimsOfDeadExpire: timeOrNil(q.ClaimsOfDead.LastExpiry), OutboxDepth: q.OutboxDepth,
		DeliveriesGivenUp: q.DeliveriesGivenUp, DatabaseBytes: q.DatabaseBytes,
	}}
	if q.ChecksDue > 0 && !q.OldestDue.IsZero() {
		j.Queue.LagSeconds = max(s.At.Sub(q.OldestDue).Seconds(), 0)
	}
	for _, d := range s.Daemons {
		dj := daemonJSON{Owner: d.Owner, State: daemonState(d), Host: d.Host, PID: d.PID, Version: d.Version,
			StartedAt: timeOrNil(d.StartedAt), HeartbeatAt: timeOrNil(d.HeartbeatAt),
			HeartbeatInterval: d.Interval.Seconds(), StoppedAt: timeOrNil(d.StoppedAt), Workers: d.Workers,
			WorkersBusy: d.WorkersBusy, Queued: d.Queued, Claims: claimsJSON{Pages: d.Claims.Pages,
				Sources: d.Claims.Sources, Deliveries: d.Claims.Deliveries, Lapsed: d.Claims.Lapsed,
				NextExpiry: timeOrNil(d.Claims.NextExpiry), LastExpiry: timeOrNil(d.Claims.LastExpiry)}}
		switch {
		case d.Alive:
			j.DaemonsAlive++
		case d.Dead():
			j.DaemonsDead++
		}
		j.Daemons = append(j.Daemons, dj)
	}
	return j
}

func daemonState(d storage.DaemonStatus) string {
	switch {
	case !d.Registered:
		return "unregistered"
	case d.Alive && d.State == storage.DaemonStopping:
		return "stopping"
	case d.Alive:
		return "alive"
	case d.Dead():
		return "dead"
	}
	return "stopped"
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// printStatus writes the text form: the daemons, then the queue.
func printStatus(w io.Writer, j statusJSON) {
	fmt.Fprintf(w, "daemons: %d alive, %d dead\n", j.DaemonsAlive, j.DaemonsDead)
	if len(j.Daemons) == 0 {
		fmt.Fprintln(w, "  none has run on this database (stet run registers itself)")
	}
	for _, d := range j.Daemons {
		printDaemon(w, d, j.At)
	}
	q := j.Queue
	fmt.Fprintln(w, "queue:")
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-20s "+format+"\n", append([]any{label}, args...)...)
	}
	line("checks due", "%d (%d overdue by more than %s)", q.ChecksDue, q.ChecksOverdue,
		time.Duration(q.OverdueAfter*float64(time.Second)))
	if q.OldestDueAt != nil {
		line("queue lag", "%s (due since %s)", round(time.Duration(q.LagSeconds*float64(time.Second))), fmtWhen(*q.OldestDueAt))
	} else {
		line("queue lag", "0s (nothing is waiting)")
	}
	held := fmt.Sprint(q.ClaimsHeld)
	if q.NextClaimExpiry != nil {
		held += ", next lease ends " + fmtWhen(*q.NextClaimExpiry)
	}
	if q.ClaimsOfDead > 0 {
		held += fmt.Sprintf("; %d held by dead daemons until %s", q.ClaimsOfDead, fmtWhen(*q.ClaimsOfDeadExpire))
	}
	if q.ClaimsLapsed > 0 {
		held += fmt.Sprintf("; %d lapsed (due again)", q.ClaimsLapsed)
	}
	line("claims held", "%s", held)
	line("outbox depth", "%d", q.OutboxDepth)
	line("deliveries given up", "%d", q.DeliveriesGivenUp)
	line("database", "%s", fmtBytes(q.DatabaseBytes))
}

func printDaemon(w io.Writer, d daemonJSON, now time.Time) {
	if d.State == "unregistered" {
		fmt.Fprintf(w, "  %-12s %s (not in the daemons table)\n", d.State, d.Owner)
		fmt.Fprintf(w, "  %-12s %s\n", "", claimsText(d.Claims, false))
		return
	}
	state := d.State
	if state == "dead" {
		state = "DEAD"
	}
	fmt.Fprintf(w, "  %-12s %s pid %d, %s, started %s\n", state, d.Host, d.PID, orDash(d.Version), fmtWhen(deref(d.StartedAt)))
	switch d.State {
	case "stopped":
		fmt.Fprintf(w, "  %-12s stopped %s\n", "", fmtWhen(deref(d.StoppedAt)))
		return
	case "dead":
		fmt.Fprintf(w, "  %-12s last heartbeat %s ago (every %gs); %s\n", "", ago(now, d.HeartbeatAt),
			d.HeartbeatInterval, claimsText(d.Claims, true))
		return
	}
	fmt.Fprintf(w, "  %-12s heartbeat %s ago; workers %d/%d busy, %d queued; %s\n", "", ago(now, d.HeartbeatAt),
		d.WorkersBusy, d.Workers, d.Queued, claimsText(d.Claims, false))
}

// claimsText says what a process holds and when its leases end.
func claimsText(c claimsJSON, dead bool) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Pages, "page"}, {c.Sources, "source"}, {c.Deliveries, "delivery"}} {
		if p.n == 1 {
			parts = append(parts, "1 "+p.what)
		} else if p.n > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, plural(p.what)))
		}
	}
	s := "no claims held"
	switch {
	case len(parts) > 0 && dead:
		s = "still holds " + strings.Join(parts, ", ") + " until " + fmtWhen(deref(c.LastExpiry)) + " (then due again)"
	case len(parts) > 0 && deref(c.NextExpiry).Equal(deref(c.LastExpiry)):
		s = "claims " + strings.Join(parts, ", ") + ", lease ends " + fmtWhen(deref(c.LastExpiry))
	case len(parts) > 0:
		s = "claims " + strings.Join(parts, ", ") + ", leases end " + fmtWhen(deref(c.NextExpiry)) + " to " + fmtWhen(deref(c.LastExpiry))
	}
	if c.Lapsed > 0 {
		s += fmt.Sprintf("; %d lapsed (due again)", c.Lapsed)
	}
	return s
}

func plural(s string) string {
	if s == "delivery" {
		return "deliveries"
	}
	return s + "s"
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func ago(now time.Time, t *time.Time) string {
	if t == nil {
		return "never"
	}
	return round(now.Sub(*t)).String()
}

func round(d time.Duration) time.Duration {
	if d > time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// fmtBytes writes a size in B, KB, MB or GB (powers of 1000).
func fmtBytes(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f, i = f/1000, i+1
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
