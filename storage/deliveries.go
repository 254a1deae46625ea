package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrClaimLost is returned when a process records the outcome of a delivery
// whose claim it no longer holds: its lease expired and another process
// claimed the row.
var ErrClaimLost = errors.New("delivery claim lost")

// Delivery is one webhook outbox row: an event body owed to one subscriber.
type Delivery struct {
	ID        int64
	EventID   string
	EventType string
	// Subscriber names the [[webhook]] entry the event is owed to; the
	// entry's URL is never stored, since it can carry credentials.
	Subscriber    string
	Payload       []byte
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time // zero once delivered or given up
	DeliveredAt   time.Time
	LastError     string
	ClaimedBy     string    // the process holding the row, "" if none
	ClaimUntil    time.Time // when that claim lapses
}

// InsertDelivery queues d; a second row for the same event and subscriber is
// ignored, so re-running a step cannot send an event twice.
func (t *Tx) InsertDelivery(d Delivery) error {
	if d.Subscriber == "" {
		return fmt.Errorf("queue %s: no subscriber", d.EventID)
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO deliveries (event_id, event_type, subscriber, payload, created_at,
		next_attempt_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, subscriber) DO NOTHING`,
		d.EventID, d.EventType, d.Subscriber, d.Payload, fmtTime(d.CreatedAt), fmtTime(d.NextAttemptAt))
	if err != nil {
		return fmt.Errorf("queue %s for %s: %w", d.EventID, d.Subscriber, err)
	}
	return nil
}

const deliveryColumns = `id, event_id, event_type, subscriber, payload, created_at, attempts,
	next_attempt_at, delivered_at, last_error, claimed_by, claim_until`

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	err := sc.Scan(&d.ID, &d.EventID, &d.EventType, &d.Subscriber, &d.Payload, nullTime{&d.CreatedAt},
		&d.Attempts, nullTime{&d.NextAttemptAt}, nullTime{&d.DeliveredAt}, &d.LastError, &d.ClaimedBy,
		nullTime{&d.ClaimUntil})
	return d, err
}

// DueDeliveries returns up to limit undelivered rows whose next attempt is
// at or before now, oldest first, claimed or not. It is for reading; a
// sender uses ClaimDeliveries.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, fmtTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("list due deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimDeliveries leases up to limit due, unclaimed rows to owner until
// now+lease and returns them, oldest first. The claim is taken in one write
// transaction, so any number of processes sharing the database each get
// different rows; a row whose claimant died becomes claimable again when
// its lease lapses. Only the owner may then record the outcome
// (MarkDelivered, MarkFailed).
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	var out []Delivery
	err := s.claimTx(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(ctx, `UPDATE deliveries SET claimed_by = ?, claim_until = ?
			WHERE id IN (SELECT id FROM deliveries
				WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND (claim_until IS NULL OR claim_until <= ?)
				ORDER BY next_attempt_at, id LIMIT ? /*SKIP LOCKED*/)
			RETURNING `+deliveryColumns, owner, fmtTime(now.Add(lease)), fmtTime(now), fmtTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim due deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b Delivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

// MarkDelivered records a successful delivery by the claim's owner and
// releases the claim. ErrClaimLost means another process holds the row now.
func (s *Store) MarkDelivered(ctx context.Context, id int64, owner string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, delivered_at = ?,
		next_attempt_at = NULL, last_error = '', claimed_by = '', claim_until = NULL
		WHERE id = ? AND claimed_by = ?`, fmtTime(at), id, owner)
	return claimResult(res, err, "mark delivery %d delivered", id)
}

// MarkFailed records a failed attempt by the claim's owner and releases the
// claim; next is when to try again, or zero to give up (the row stays, with
// its last error, for the operator).
func (s *Store) MarkFailed(ctx context.Context, id int64, owner string, next time.Time, reason string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
		claimed_by = '', claim_until = NULL WHERE id = ? AND claimed_by = ?`, fmtTime(next), reason, id, owner)
	return claimResult(res, err, "mark delivery %d failed", id)
}

func claimResult(res sql.Result, err error, format string, id int64) error {
	if err != nil {
		return fmt.Errorf(format+": %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf(format+": %w", id, err)
	} else if n == 0 {
		return fmt.Errorf(format+": %w", id, ErrClaimLost)
	}
	return nil
}

// LegacySubscriber is the subscriber recorded for outbox rows queued before
// rows named their subscriber (schema version 3): it is derived from the
// webhook URL, which those rows held, so a daemon can match them to the
// configured entry with that URL.
func LegacySubscriber(webhookURL string) string {
	sum := sha256.Sum256([]byte(webhookURL))
	return "legacy-" + hex.EncodeToString(sum[:6])
}

// migrateDeliveriesToSubscribers rebuilds the outbox: webhook_url gives way
// to subscriber, claims get their columns, and stored errors lose the URL.
func migrateDeliveriesToSubscribers(ctx context.Context, tx *sqlTx) error {
	_, err := tx.ExecContext(ctx, `CREATE TABLE deliveries_v3 (
		id INTEGER PRIMARY KEY,
		event_id TEXT NOT NULL,
		event_type TEXT NOT NULL,
		subscriber TEXT NOT NULL,
		payload BLOB NOT NULL,
		created_at TEXT NOT NULL,
		attempts INTEGER NOT NULL DEFAULT 0,
		next_attempt_at TEXT,
		delivered_at TEXT,
		last_error TEXT NOT NULL DEFAULT '',
		claimed_by TEXT NOT NULL DEFAULT '',
		claim_until TEXT,
		UNIQUE (event_id, subscriber)
	)`)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, event_id, event_type, webhook_url, payload, created_at, attempts,
		next_attempt_at, delivered_at, last_error FROM deliveries ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO deliveries_v3 (id, event_id, event_type, subscriber, payload,
		created_at, attempts, next_attempt_at, delivered_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for rows.Next() {
		var id int64
		var eventID, eventType, hook, created, lastErr string
		var payload []byte
		var attempts int
		var next, delivered sql.NullString
		if err := rows.Scan(&id, &eventID, &eventType, &hook, &payload, &created, &attempts, &next, &delivered, &lastErr); err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, id, eventID, eventType, LegacySubscriber(hook), payload, created, attempts,
			next, delivered, scrubURL(lastErr, hook)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE deliveries;
		ALTER TABLE deliveries_v3 RENAME TO deliveries;
		CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
		CREATE INDEX deliveries_claimed ON deliveries (claimed_by) WHERE claimed_by != '';`)
	return err
}

// scrubURL replaces a webhook URL, in full or with its password redacted,
// by its origin in a stored error message.
func scrubURL(msg, hook string) string {
	u, err := url.Parse(hook)
	if err != nil || u.Host == "" {
		return strings.ReplaceAll(msg, hook, "webhook")
	}
	origin := u.Scheme + "://" + u.Host
	for _, s := range []string{hook, u.Redacted()} {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, origin)
		}
	}
	return msg
}

// ReleaseDeliveries drops owner's claims on the given rows without recording
// an attempt, so that they are due for anyone at once.
func (s *Store) ReleaseDeliveries(ctx context.Context, owner string, ids []int64) error {
	return s.claimTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE deliveries SET claimed_by = '', claim_until = NULL
				WHERE id = ? AND claimed_by = ?`, id, owner); err != nil {
				return fmt.Errorf("release delivery %d: %w", id, err)
			}
		}
		return nil
	})
}

// ClaimOwners lists the processes holding claims on outbox rows, lapsed or
// not.
func (s *Store) ClaimOwners(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT claimed_by FROM deliveries WHERE claimed_by != ''`)
	if err != nil {
		return nil, fmt.Errorf("list claim owners: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("list claim owners: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ReleaseClaimsOf drops every claim owner holds, for a process known to be
// dead, so its rows need not wait for their leases to lapse. It returns how
// many rows were released.
func (s *Store) ReleaseClaimsOf(ctx context.Context, owner string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE deliveries SET claimed_by = '', claim_until = NULL WHERE claimed_by = ?`, owner)
	if err != nil {
		return 0, fmt.Errorf("release claims of %s: %w", owner, err)
	}
	return res.RowsAffected()
}
