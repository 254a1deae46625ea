package storage

import (
	"context"
	"fmt"
	"time"
)

// Delivery is one webhook outbox row: an event body owed to one receiver.
type Delivery struct {
	ID            int64
	EventID       string
	EventType     string
	WebhookURL    string
	Payload       []byte
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time // zero once delivered or given up
	DeliveredAt   time.Time
	LastError     string
}

// InsertDelivery queues d; a second row for the same event and receiver is
// ignored, so re-running a step cannot send an event twice.
func (t *Tx) InsertDelivery(d Delivery) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO deliveries (event_id, event_type, webhook_url, payload, created_at,
		next_attempt_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, webhook_url) DO NOTHING`,
		d.EventID, d.EventType, d.WebhookURL, d.Payload, fmtTime(d.CreatedAt), fmtTime(d.NextAttemptAt))
	if err != nil {
		return fmt.Errorf("queue %s for %s: %w", d.EventID, d.WebhookURL, err)
	}
	return nil
}

// DueDeliveries returns up to limit undelivered rows whose next attempt is
// at or before now, oldest first.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, event_id, event_type, webhook_url, payload, created_at, attempts,
		next_attempt_at, delivered_at, last_error FROM deliveries
		WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, fmtTime(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list due deliveries: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.ID, &d.EventID, &d.EventType, &d.WebhookURL, &d.Payload, nullTime{&d.CreatedAt},
			&d.Attempts, nullTime{&d.NextAttemptAt}, nullTime{&d.DeliveredAt}, &d.LastError); err != nil {
			return nil, fmt.Errorf("list due deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// MarkDelivered records a successful delivery.
func (s *Store) MarkDelivered(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, delivered_at = ?,
		next_attempt_at = NULL, last_error = '' WHERE id = ?`, fmtTime(at), id)
	if err != nil {
		return fmt.Errorf("mark delivery %d delivered: %w", id, err)
	}
	return nil
}

// MarkFailed records a failed attempt; next is when to try again, or zero
// to give up (the row stays, with its last error, for the operator).
func (s *Store) MarkFailed(ctx context.Context, id int64, next time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ?`, fmtTime(next), reason, id)
	if err != nil {
		return fmt.Errorf("mark delivery %d failed: %w", id, err)
	}
	return nil
}
