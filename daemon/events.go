package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/notify"
	"github.com/stet/stet/storage"
)

// Event types sent to webhooks.
const (
	eventFailing   = "source.failing"
	eventRecovered = "source.recovered"
)

// newEventID is random, not a row id, so that ids stay unique for
// receivers even across databases.
func newEventID() string {
	var b [12]byte
	rand.Read(b[:])
	return "evt_" + hex.EncodeToString(b[:])
}

func changeEvent(ch storage.Change, source, summary string) notify.Event {
	return notify.Event{
		ID: newEventID(), Type: "change." + ch.Kind, CreatedAt: ch.DetectedAt,
		Source: source, URL: ch.URL, Title: ch.Title,
		Change: &notify.ChangeInfo{ID: ch.ID, Kind: ch.Kind, DetectedAt: ch.DetectedAt,
			OldVersion: ch.OldVersionID, NewVersion: ch.NewVersionID, Summary: summary, Diff: ch.Diff},
	}
}

// failureEvent reports a source or page failing since the given time (or,
// for source.recovered, that had been failing since then).
func failureEvent(typ string, s subject, failures int, class, reason string, since time.Time) notify.Event {
	return notify.Event{
		ID: newEventID(), Type: typ, CreatedAt: time.Now(), Source: s.source, URL: s.url, Title: s.title,
		Failure: &notify.FailureInfo{ConsecutiveFailures: failures, Class: class, Reason: reason, Since: since},
	}
}

// queueEvents queues each event; see queueEvent.
func (d *Daemon) queueEvents(tx *storage.Tx, evs []notify.Event) (bool, error) {
	queued := false
	for _, ev := range evs {
		q, err := d.queueEvent(tx, ev)
		if err != nil {
			return false, err
		}
		queued = queued || q
	}
	return queued, nil
}

// queueEvent writes one outbox row per webhook that wants ev, inside tx, so
// the event commits with the change it reports. It says whether any row
// was queued.
func (d *Daemon) queueEvent(tx *storage.Tx, ev notify.Event) (bool, error) {
	queued := false
	var body []byte
	for _, w := range d.cfg.Webhooks {
		if !w.Wants(ev.Type) {
			continue
		}
		if body == nil {
			var err error
			if body, err = json.Marshal(ev); err != nil {
				return false, fmt.Errorf("encode event %s: %w", ev.ID, err)
			}
		}
		if err := tx.InsertDelivery(storage.Delivery{EventID: ev.ID, EventType: ev.Type, Subscriber: w.Subscriber(),
			Payload: body, CreatedAt: ev.CreatedAt, NextAttemptAt: ev.CreatedAt}); err != nil {
			return false, err
		}
		queued = true
	}
	if ev.Failure != nil {
		d.log.Warn("event", "type", ev.Type, "url", ev.URL, "failures", ev.Failure.ConsecutiveFailures,
			"reason", ev.Failure.Reason)
	}
	return queued, nil
}

// renderDiff gives the readable report of a change from old to new and a
// one-line summary.
func renderDiff(old, new doc, prev *storage.Version, now time.Time) (string, string) {
	oldLabel := "(none)"
	if prev != nil {
		oldLabel = fmt.Sprintf("version %d, %s", prev.ID, prev.CreatedAt.UTC().Format(time.RFC3339))
	}
	newLabel := "(removed)"
	if new.hash != "" {
		newLabel = "now, " + now.UTC().Format(time.RFC3339)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldLabel, newLabel)
	var parts []string
	if old.title != new.title && new.hash != "" {
		fmt.Fprintf(&b, "@@ title @@\n- %s\n+ %s\n", old.title, new.title)
		parts = append(parts, "title changed")
	}
	r := diff.Compare(old.text, new.text)
	if r.Changed() {
		u := r.Unified(oldLabel, newLabel)
		// Drop the library's own header: ours above also covers the title.
		for range 2 {
			if strings.HasPrefix(u, "--- ") || strings.HasPrefix(u, "+++ ") {
				_, u, _ = strings.Cut(u, "\n")
			}
		}
		b.WriteString(u)
		parts = append(parts, r.Summary().String())
	}
	if len(parts) == 0 {
		return "", "text unchanged"
	}
	return b.String(), strings.Join(parts, "; ")
}

// VersionDiff renders the readable diff between two stored versions.
func VersionDiff(old, new storage.Version) (string, string) {
	d, s := renderDiff(docOfVersion(old), docOfVersion(new), &old, new.CreatedAt)
	return strings.Replace(d, "+++ now, ", fmt.Sprintf("+++ version %d, ", new.ID), 1), s
}
