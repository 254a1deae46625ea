// Package notify owns the webhook wire format: the Event payload, its
// HMAC-SHA256 signature and the bounded POST that delivers it. By default
// that POST reaches public addresses only, and its errors never name the
// parts of a webhook URL that carry credentials.
package notify

import (
	"encoding/json"
	"time"
)

// Event types. Receivers subscribe to them by name (see Matches), so the
// strings are a public contract.
const (
	EventChanged         = "change.changed"   // a tracked article's text was edited
	EventRemoved         = "change.removed"   // a tracked article disappeared
	EventRestored        = "change.restored"  // a removed article came back
	EventFlapping        = "change.flapping"  // an article alternates among texts it showed before
	EventSettled         = "change.settled"   // a flapping article has held one text for the flap window
	EventSourceFailing   = "source.failing"   // a source keeps failing to fetch
	EventSourceRecovered = "source.recovered" // a failing source works again
)

// Event is the JSON body of a webhook. Its field names are a public
// contract: add fields, never rename or remove them.
type Event struct {
	// ID is unique per event and the same on every delivery attempt, so
	// receivers can drop duplicates. It is also sent as X-Stet-Delivery.
	ID   string `json:"id"`
	Type string `json:"type"`
	// CreatedAt is when the event was recorded, not when it was sent;
	// it marshals as RFC 3339.
	CreatedAt time.Time    `json:"created_at"`
	Source    string       `json:"source,omitempty"`
	URL       string       `json:"url"`
	Title     string       `json:"title,omitempty"`
	Change    *ChangeInfo  `json:"change,omitempty"`
	Failure   *FailureInfo `json:"failure,omitempty"`
}

// ChangeInfo describes the change behind a change.* event.
type ChangeInfo struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	DetectedAt time.Time `json:"detected_at"`
	OldVersion int64     `json:"old_version"`
	// NewVersion is 0 when there is no new version (the article was
	// removed).
	NewVersion int64 `json:"new_version"`
	// Summary is one human line, e.g. "1 paragraph changed (+1 −1 words)".
	Summary string `json:"summary"`
	// Diff is the readable unified diff of the two versions' text.
	Diff string `json:"diff"`
	// Blocks is the structured diff Diff was rendered from (JSON of
	// diff.Result); receivers render it as they like.
	Blocks json.RawMessage `json:"blocks,omitempty"`
	// Classes says what kind of edit this is, from the vocabulary in the
	// README ("number", "stealth", "reverted", ...).
	Classes []string `json:"classes"`
	// RevertsTo is the earlier version whose text the page went back to,
	// null when the change is not a revert.
	RevertsTo *int64 `json:"reverts_to"`
	// Versions names, for change.flapping, the versions the page
	// alternates among.
	Versions []int64 `json:"versions,omitempty"`
}

// FailureInfo describes the failures behind a source.* event.
type FailureInfo struct {
	ConsecutiveFailures int       `json:"consecutive_failures"`
	Class               string    `json:"class"`
	Reason              string    `json:"reason"`
	Since               time.Time `json:"since"`
}
