package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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
	info := &notify.ChangeInfo{ID: ch.ID, Kind: ch.Kind, DetectedAt: ch.DetectedAt,
		OldVersion: ch.OldVersionID, NewVersion: ch.NewVersionID, Summary: summary, Diff: ch.Diff,
		Blocks: ch.Blocks, Classes: ch.Classes, Versions: ch.Versions}
	if info.Classes == nil {
		info.Classes = []string{}
	}
	if ch.RevertsTo != 0 {
		info.RevertsTo = &ch.RevertsTo
	}
	return notify.Event{
		ID: newEventID(), Type: "change." + ch.Kind, CreatedAt: ch.DetectedAt,
		Source: source, URL: ch.URL, Title: ch.Title, Change: info,
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
		if ev.Change != nil && !w.WantsChange(ev.Type, ev.Change.Classes) || ev.Change == nil && !w.Wants(ev.Type) {
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

func oldLabel(prev *storage.Version) string {
	if prev == nil {
		return "(none)"
	}
	return fmt.Sprintf("version %d, %s", prev.ID, prev.CreatedAt.UTC().Format(time.RFC3339))
}

func newLabel(new doc, now time.Time) string {
	if new.hash == "" {
		return "(removed)"
	}
	return "now, " + now.UTC().Format(time.RFC3339)
}

// VersionDiff renders the readable diff between two stored versions, and
// says so when different extractor versions read them: then part of the
// difference may be the extractor's, not the publisher's.
func VersionDiff(old, new storage.Version) (string, string) {
	rp := makeReport(docOfVersion(old), docOfVersion(new), oldLabel(&old),
		fmt.Sprintf("version %d, %s", new.ID, new.CreatedAt.UTC().Format(time.RFC3339)), nil)
	if old.Extractor == new.Extractor {
		return rp.text, rp.summary
	}
	note := fmt.Sprintf("extractor changed between the two versions (%s, then %s): some differences may be the extractor's",
		old.Extractor, new.Extractor)
	text := rp.text
	if text != "" {
		head, rest, _ := strings.Cut(text, "\n")
		head2, rest2, _ := strings.Cut(rest, "\n")
		text = head + "\n" + head2 + "\n@@ note: " + note + " @@\n" + rest2
	}
	return text, rp.summary + "; " + note
}
