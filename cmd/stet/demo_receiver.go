package main

import (
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stet/stet/notify"
)

// receiver is the demo's webhook endpoint: it checks every signature, drops
// duplicate event ids, and fails its first requests to show retries.
type receiver struct {
	secret    []byte
	out       io.Writer
	failFirst int

	mu       sync.Mutex
	lines    []string // what to print next, drained by the demo loop
	requests int
	seen     map[string]bool
	badSig   int
	dupes    int
	byType   map[string]int
	byChange map[int64]string // event type by change id
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if rc.requests <= rc.failFirst {
		rc.lines = append(rc.lines, fmt.Sprintf("  [webhook receiver] simulated outage: answered 503 to %s", r.Header.Get("X-Stet-Delivery")))
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if !notify.Verify(rc.secret, body, r.Header.Get("X-Stet-Signature")) || !verifyStandard(rc.secret, r.Header, body, time.Now()) {
		rc.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev notify.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	if rc.seen == nil {
		rc.seen, rc.byType, rc.byChange = map[string]bool{}, map[string]int{}, map[int64]string{}
	}
	if rc.seen[ev.ID] || ev.Change != nil && rc.byChange[ev.Change.ID] != "" {
		rc.dupes++ // delivered again, or a second event for one change
		return
	}
	rc.seen[ev.ID] = true
	rc.byType[ev.Type]++
	what := ""
	if ev.Change != nil {
		rc.byChange[ev.Change.ID] = ev.Type
		what = fmt.Sprintf(" for change #%d [%s]", ev.Change.ID, strings.Join(ev.Change.Classes, " "))
	}
	rc.lines = append(rc.lines, fmt.Sprintf("  [webhook receiver] %s%s, both signatures ok: %q", ev.Type, what, ev.Title))
}

// flush prints what the receiver saw since the last call, so that its lines
// follow the change reports they belong to.
func (rc *receiver) flush() {
	rc.mu.Lock()
	lines := rc.lines
	rc.lines = nil
	rc.mu.Unlock()
	for _, l := range lines {
		fmt.Fprintln(rc.out, l)
	}
	if len(lines) > 0 {
		fmt.Fprintln(rc.out)
	}
}

func (rc *receiver) counts() (events int, byType map[string]int, badSig, dupes int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	m := map[string]int{}
	for k, v := range rc.byType {
		m[k] = v
	}
	return len(rc.seen), m, rc.badSig, rc.dupes
}

// changeEvents returns the type of the event received for each change id.
func (rc *receiver) changeEvents() map[int64]string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return maps.Clone(rc.byChange)
}

// verifyStandard checks a delivery as a Standard Webhooks receiver does:
// the webhook-signature over id.timestamp.body, with a timestamp within
// five minutes of now (older ones would be replays).
func verifyStandard(secret []byte, h http.Header, body []byte, now time.Time) bool {
	key, err := notify.SigningKey(string(secret))
	if err != nil {
		return false
	}
	sec, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return false
	}
	sent := time.Unix(sec, 0)
	if d := now.Sub(sent); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	want := notify.SignStandard(key, h.Get("webhook-id"), sent, body)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
