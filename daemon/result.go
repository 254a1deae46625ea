package daemon

import (
	"github.com/stet/stet/crawler"
	"github.com/stet/stet/extract"
)

// Check statuses reported by Result.Status.
const (
	StatusNew       = "new"       // first version stored
	StatusChanged   = "changed"   // a new version differs from the last
	StatusUnchanged = "unchanged" // same text as the last version (or 304)
	StatusRemoved   = "removed"   // gone on enough consecutive checks: removal reported
	StatusRestored  = "restored"  // back after a reported removal
	StatusGone      = "gone"      // 404/410 seen, removal not reported yet
	StatusError     = "error"     // fetch or extraction failed; see Reason
	StatusFeed      = "feed"      // a feed was read (see NewPages)
)

// Result is what one check did, for logs, hooks and `stet check`.
type Result struct {
	URL       string
	SourceID  int64
	PageID    int64
	Status    string
	Class     crawler.Class
	Reason    string
	Title     string
	Text      string // extracted text of the page now (when fetched and extracted)
	Diff      string // readable diff of a change
	Summary   string
	VersionID int64 // version the page is at after the check
	ChangeID  int64 // change reported by this check, 0 if none
	NewPages  int   // pages discovered (feeds)
	Response  *crawler.Response
	Article   *extract.Article
	Err       error // fetch or extraction error, if any
}

// uncommitted is the result of a check whose transaction failed: nothing
// it found was stored, so it reports an error with the reason, never the
// version or change it would have written.
func (r Result) uncommitted(err error) Result {
	r.Status, r.Reason, r.Err = StatusError, err.Error(), err
	r.VersionID, r.ChangeID, r.Diff, r.Summary, r.NewPages = 0, 0, "", "", 0
	return r
}
