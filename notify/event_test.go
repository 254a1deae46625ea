package notify_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/stet/stet/notify"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestEventJSON pins the wire format: field names and omitempty rules are
// a contract with receivers.
func TestEventJSON(t *testing.T) {
	detected := time.Date(2025, 3, 28, 9, 15, 0, 0, time.UTC)
	events := map[string]notify.Event{
		"change": {
			ID:        "chg-42",
			Type:      notify.EventChanged,
			CreatedAt: detected.Add(time.Second),
			Source:    "xinhua",
			URL:       "https://example.com/2025/03/white-paper",
			Title:     "China releases white paper on counterterrorism",
			Change: &notify.ChangeInfo{
				ID: 42, Kind: "changed", DetectedAt: detected, OldVersion: 7, NewVersion: 8,
				Summary: "1 paragraph changed (+1 −1 words)",
				Diff:    "--- v7\n+++ v8\n@@ ¶3 @@\n~ joined [-12-]{+24+} conventions\n",
				Classes: []string{"number", "stealth"},
			},
		},
		"removed": {
			ID: "chg-43", Type: notify.EventRemoved, CreatedAt: detected,
			URL:    "https://example.com/gone",
			Change: &notify.ChangeInfo{ID: 43, Kind: "removed", DetectedAt: detected, OldVersion: 9, Classes: []string{}},
		},
		"failing": {
			ID: "src-3-5", Type: notify.EventSourceFailing, CreatedAt: detected, Source: "xinhua",
			URL: "https://example.com/rss",
			Failure: &notify.FailureInfo{
				ConsecutiveFailures: 5, Class: "http", Reason: "status 503",
				Since: time.Date(2025, 3, 27, 23, 0, 0, 0, time.UTC),
			},
		},
	}
	got, err := json.MarshalIndent(events, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/event.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Event JSON:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}
