// Package evidence writes what stet stored about a page as a WARC 1.1 file
// (ISO 28500:2017), the archive format courts, libraries and other archives
// read: for every capture the request as stet sent it, the response with its
// headers and the body as kept, and a metadata record holding the capture's
// place in the hash chain (storage/chain.go), and where stet gc pruned
// captures that changed nothing, a "pruned" record saying how many and
// when; then stet's JSON for each version and change in scope. `stet
// export` and the web UI's download both use it.
//
// Records are streamed: each is built (bodies of more than 1 MiB spill to a
// temporary file), written as its own gzip member and released before the
// next is read from the database.
package evidence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/stet/stet/storage"
)

// ErrNoScope is returned by Resolve for a Scope naming neither a change
// nor a URL, or both.
var ErrNoScope = errors.New("name either a change or a page URL")

// Scope is what to export: one change's page with its captures up to that
// change, or every capture of the page at URL. Since, if set, leaves out
// captures, versions and changes from before it.
type Scope struct {
	ChangeID int64
	URL      string
	Since    time.Time
}

// Options configures an export. The zero value is valid.
type Options struct {
	Software string // warcinfo "software" field; "" means "stet"
	// ChangeJSON renders a change for its metadata record; nil means the
	// storage.Change fields as they are. Callers pass the JSON form their
	// users already know (web.NewChangeJSON).
	ChangeJSON func(storage.Change) any
	TempDir    string           // where large records spill; "" means os.TempDir()
	Now        func() time.Time // the warcinfo record's date; nil means time.Now
}

// Export is a resolved scope, ready to be written.
type Export struct {
	st     *storage.Store
	opts   Options
	page   storage.Page
	change *storage.Change
	upTo   int64 // last capture id in scope; 0 means no bound
	since  time.Time
}

// Summary counts what WriteTo wrote.
type Summary struct {
	Captures, Responses, Versions, Changes int
	// Pruned counts the captures of the page that stet gc deleted (they
	// changed nothing), which the file names in "pruned" records.
	Pruned int64
	Bytes  int64 // compressed size of the file
}

// Resolve finds the page and captures sc names. An unknown change or page
// is an error wrapping storage.ErrNotFound.
func Resolve(ctx context.Context, st *storage.Store, sc Scope, o Options) (*Export, error) {
	if (sc.ChangeID == 0) == (sc.URL == "") {
		return nil, ErrNoScope
	}
	e := &Export{st: st, opts: o, since: sc.Since}
	if sc.URL != "" {
		p, err := st.PageByURL(ctx, sc.URL)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", sc.URL, err)
		}
		e.page = p
		return e, nil
	}
	ch, err := st.Change(ctx, sc.ChangeID)
	if err != nil {
		return nil, err
	}
	if e.page, err = st.Page(ctx, ch.PageID); err != nil {
		return nil, err
	}
	if e.upTo, err = st.ChangeCaptureID(ctx, ch); err != nil {
		return nil, err
	}
	e.change = &ch
	return e, nil
}

// FileName is a name for the file: "stet-change-12.warc.gz" or
// "stet-page-3.warc.gz".
func (e *Export) FileName() string {
	if e.change != nil {
		return fmt.Sprintf("stet-change-%d.warc.gz", e.change.ID)
	}
	return fmt.Sprintf("stet-page-%d.warc.gz", e.page.ID)
}

// captureBatch is how many captures are read from the database at once.
const captureBatch = 50

// WriteTo writes the WARC file to w. On error, what was written is a
// truncated file and should be discarded.
func (e *Export) WriteTo(ctx context.Context, w io.Writer) (Summary, error) {
	ww := newWARCWriter(w, e.opts.TempDir)
	var sum Summary
	now := time.Now
	if e.opts.Now != nil {
		now = e.opts.Now
	}
	if err := ww.warcinfo(e.info(), now()); err != nil {
		return sum, err
	}
	gaps, err := e.st.PageGaps(ctx, e.page.ID, e.upTo, e.since)
	if err != nil {
		return sum, err
	}
	responses := map[int64]string{} // capture id -> its response (or request) record id, for versions to refer to
	f := storage.CaptureFilter{PageID: e.page.ID, UpToID: e.upTo, Since: e.since, Limit: captureBatch}
	for {
		caps, err := e.st.PageCaptures(ctx, f)
		if err != nil {
			return sum, err
		}
		for _, c := range caps {
			if gaps, err = e.writeGaps(ww, gaps, c.ID, &sum); err != nil {
				return sum, err
			}
			if responses[c.ID], err = e.writeCapture(ctx, ww, c, &sum); err != nil {
				return sum, err
			}
		}
		if len(caps) < captureBatch {
			break
		}
		f.AfterID = caps[len(caps)-1].ID
	}
	if _, err := e.writeGaps(ww, gaps, 0, &sum); err != nil {
		return sum, err
	}
	if err := e.writeVersions(ctx, ww, responses, &sum); err != nil {
		return sum, err
	}
	if err := e.writeChanges(ctx, ww, &sum); err != nil {
		return sum, err
	}
	sum.Bytes = ww.n
	return sum, nil
}

// info is the warcinfo record's description of the export.
func (e *Export) info() [][2]string {
	scope := "every capture of " + e.page.URL
	if e.change != nil {
		scope = fmt.Sprintf("change %d (%s) of %s and the captures up to it", e.change.ID, e.change.Kind, e.page.URL)
	}
	if !e.since.IsZero() {
		scope += ", from " + e.since.UTC().Format(time.RFC3339)
	}
	return [][2]string{
		{"software", cmp.Or(e.opts.Software, "stet")},
		{"format", "WARC File Format 1.1"},
		{"conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"},
		{"description", "stet export: " + scope},
		{"stet-chain", "each capture's metadata record holds its link in stet's hash chain " +
			"(stet-capture-link-v1, see storage/chain.go); `stet verify` checks the chain in the database"},
		{"stet-pruned", "a \"pruned\" metadata record stands where stet gc deleted captures of the page that changed " +
			"nothing ([storage] keep_captures): how many, when and of which classes; the database's chain keeps a summary " +
			"of their links, which `stet verify` checks and `stet verify -link CAPTURE:HEX` compares with a link noted before"},
	}
}

func (e *Export) writeCapture(ctx context.Context, ww *warcWriter, c storage.Capture, sum *Summary) (string, error) {
	body, kept, err := e.body(ctx, c)
	if err != nil {
		return "", err
	}
	ids, err := ww.capture(c, body, kept)
	if err != nil {
		return "", fmt.Errorf("write capture %d: %w", c.ID, err)
	}
	sum.Captures++
	if c.Status > 0 {
		sum.Responses++
	}
	return ids, nil
}

// body returns the kept body of c, and whether one was kept; a capture
// that read no body has an empty one, kept.
func (e *Export) body(ctx context.Context, c storage.Capture) ([]byte, bool, error) {
	if c.BodyHash == "" {
		return nil, c.Bytes == 0, nil
	}
	b, err := e.st.Body(ctx, c.BodyHash)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if storage.HashBody(b) != c.BodyHash {
		return nil, false, fmt.Errorf("capture %d: stored body %s does not match its hash: run stet verify", c.ID, c.BodyHash)
	}
	return b, true, nil
}

func (e *Export) writeVersions(ctx context.Context, ww *warcWriter, responses map[int64]string, sum *Summary) error {
	ids, err := e.st.VersionIDs(ctx, e.page.ID, e.upTo, e.since)
	if err != nil {
		return err
	}
	for _, id := range ids {
		v, err := e.st.Version(ctx, id)
		if err != nil {
			return err
		}
		rec := metadata{kind: "version", target: e.page.URL, date: v.CreatedAt, refersTo: responses[v.CaptureID],
			doc: newVersionJSON(v)}
		if err := ww.metadata(rec); err != nil {
			return fmt.Errorf("write version %d: %w", id, err)
		}
		sum.Versions++
	}
	return nil
}

func (e *Export) writeChanges(ctx context.Context, ww *warcWriter, sum *Summary) error {
	var upTo int64
	if e.change != nil {
		upTo = e.change.ID
	}
	ids, err := e.st.ChangeIDs(ctx, e.page.ID, upTo, e.since)
	if err != nil {
		return err
	}
	for _, id := range ids {
		ch, err := e.st.Change(ctx, id)
		if err != nil {
			return err
		}
		var doc any = ch
		if e.opts.ChangeJSON != nil {
			doc = e.opts.ChangeJSON(ch)
		}
		if err := ww.metadata(metadata{kind: "change", target: e.page.URL, date: ch.DetectedAt, doc: doc}); err != nil {
			return fmt.Errorf("write change %d: %w", id, err)
		}
		sum.Changes++
	}
	return nil
}

// writeGaps writes the "pruned" records of the gaps that come before
// capture id before (0: all that are left) and returns the rest.
func (e *Export) writeGaps(ww *warcWriter, gaps []storage.CaptureGap, before int64, sum *Summary) ([]storage.CaptureGap, error) {
	for len(gaps) > 0 && (before == 0 || gaps[0].BeforeID < before) {
		g := gaps[0]
		rec := metadata{kind: "pruned", target: e.page.URL, date: g.FirstFetchedAt, doc: newPrunedJSON(g)}
		if err := ww.metadata(rec); err != nil {
			return gaps, fmt.Errorf("write the captures pruned after capture %d: %w", g.BeforeID, err)
		}
		sum.Pruned += g.Captures
		gaps = gaps[1:]
	}
	return gaps, nil
}
