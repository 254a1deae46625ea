package evidence

import (
	"encoding/json"
	"time"

	"github.com/stet/stet/storage"
)

// captureJSON is a capture's metadata record: what the request and response
// records cannot hold, and the capture's place in the hash chain. Chain
// holds every input of the link, so that it can be recomputed from this
// record alone (storage/chain.go gives the formula).
type captureJSON struct {
	ID           int64           `json:"id"`
	PageID       int64           `json:"page_id,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	Redirects    json.RawMessage `json:"redirects,omitempty"`
	ETag         string          `json:"etag,omitempty"`
	LastModified string          `json:"last_modified,omitempty"`
	Bytes        int64           `json:"bytes"`
	DurationMS   int64           `json:"duration_ms"`
	BodyKept     bool            `json:"body_kept"`
	Chain        chainJSON       `json:"chain"`
}

type chainJSON struct {
	PrevLink string             `json:"prev_link"`
	Link     string             `json:"link"`
	Input    storage.ChainInput `json:"input"`
}

// versionJSON is a version's metadata record.
type versionJSON struct {
	ID        int64      `json:"id"`
	PageID    int64      `json:"page_id"`
	CaptureID int64      `json:"capture_id"`
	CreatedAt time.Time  `json:"created_at"`
	Title     string     `json:"title"`
	Byline    string     `json:"byline,omitempty"`
	Published *time.Time `json:"published,omitempty"`
	Modified  *time.Time `json:"modified,omitempty"`
	Lang      string     `json:"lang,omitempty"`
	Canonical string     `json:"canonical,omitempty"`
	Extractor string     `json:"extractor"`
	TextHash  string     `json:"text_hash"`
	Text      string     `json:"text"`
}

func newVersionJSON(v storage.Version) versionJSON {
	j := versionJSON{ID: v.ID, PageID: v.PageID, CaptureID: v.CaptureID, CreatedAt: v.CreatedAt.UTC(), Title: v.Title,
		Byline: v.Byline, Lang: v.Lang, Canonical: v.Canonical, Extractor: v.Extractor, TextHash: v.TextHash, Text: v.Text}
	if !v.Published.IsZero() {
		t := v.Published.UTC()
		j.Published = &t
	}
	if !v.Modified.IsZero() {
		t := v.Modified.UTC()
		j.Modified = &t
	}
	return j
}

// prunedJSON is a "pruned" metadata record: captures of the page stet gc
// deleted between two it kept.
type prunedJSON struct {
	PageID         int64            `json:"page_id"`
	AfterCapture   int64            `json:"after_capture"` // the kept capture they came after
	UntilCapture   int64            `json:"until_capture"` // the kept capture that came after them
	Captures       int64            `json:"captures"`
	FirstFetchedAt time.Time        `json:"first_fetched_at"`
	LastFetchedAt  time.Time        `json:"last_fetched_at"`
	Classes        map[string]int64 `json:"classes"`
	Note           string           `json:"note"`
}

func newPrunedJSON(g storage.CaptureGap) prunedJSON {
	return prunedJSON{PageID: g.PageID, AfterCapture: g.BeforeID, UntilCapture: g.AfterID, Captures: g.Captures,
		FirstFetchedAt: g.FirstFetchedAt.UTC(), LastFetchedAt: g.LastFetchedAt.UTC(), Classes: g.Classes,
		Note: "stet gc deleted these captures, which changed nothing (no version, no change of state), once they were " +
			"older than [storage] keep_captures; the database's hash chain keeps their links in a summary that stet verify checks"}
}
