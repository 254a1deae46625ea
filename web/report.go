package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// Report is one change with what its views show beyond the stored row: the
// structured diff decoded from Change.Blocks, the versions it names, and
// the metadata fields that changed between them. The browser, the API and
// the command line each render a Report in their own way; none of them
// reads another's output, and none parses the stored Diff text.
type Report struct {
	Change storage.Change
	// Result is the decoded Change.Blocks. HasBlocks is false for a change
	// stored before schema 4, or one whose blocks do not decode: its views
	// show the stored Diff text as it is, without interpreting it.
	Result    diff.Result
	HasBlocks bool
	// Old and New are the versions the change compares, Back the one a
	// revert goes back to; nil when the change names none or when the
	// Report was made without a store (NewReport).
	Old, New, Back *storage.Version
	// Meta lists the metadata fields the change's classes say changed,
	// with their values in Old and New; empty without both versions.
	Meta []MetaChange
}

// MetaChange is one changed metadata field of a page: its name ("title",
// "byline", "published" or "modified") and its values before and after.
type MetaChange struct {
	Field, Old, New string
}

// metaClasses are the classes that name a metadata field, in the order
// reports list them.
var metaClasses = []string{diff.ClassTitle, diff.ClassByline, diff.ClassPublished, diff.ClassModified}

// NewReport decodes c's blocks without reading anything else: its Report
// has no versions and no Meta.
func NewReport(c storage.Change) Report {
	r := Report{Change: c}
	if len(c.Blocks) > 0 && json.Unmarshal(c.Blocks, &r.Result) == nil {
		r.HasBlocks = true
	}
	return r
}

// Reports makes the Report of each change in chs, reading the versions
// they name from st. A version read once is reused, so a page's run of
// changes costs about one read each. A version that is gone is left nil.
func Reports(ctx context.Context, st *storage.Store, chs []storage.Change) ([]Report, error) {
	vl := versionLoader{st: st, seen: map[int64]*storage.Version{}}
	out := make([]Report, 0, len(chs))
	for _, c := range chs {
		r, err := vl.report(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// LoadReport is Reports for one change.
func LoadReport(ctx context.Context, st *storage.Store, c storage.Change) (Report, error) {
	rs, err := Reports(ctx, st, []storage.Change{c})
	if err != nil {
		return Report{}, err
	}
	return rs[0], nil
}

// versionLoader reads versions by id, each once.
type versionLoader struct {
	st   *storage.Store
	seen map[int64]*storage.Version // nil value: not stored
}

func (vl versionLoader) report(ctx context.Context, c storage.Change) (Report, error) {
	r := NewReport(c)
	var err error
	if r.Old, err = vl.version(ctx, c.OldVersionID); err != nil {
		return r, err
	}
	if r.New, err = vl.version(ctx, c.NewVersionID); err != nil {
		return r, err
	}
	if r.Back, err = vl.version(ctx, c.RevertsTo); err != nil {
		return r, err
	}
	r.Meta = metaChanges(c.Classes, r.Old, r.New)
	return r, nil
}

func (vl versionLoader) version(ctx context.Context, id int64) (*storage.Version, error) {
	if id == 0 {
		return nil, nil
	}
	if v, ok := vl.seen[id]; ok {
		return v, nil
	}
	v, err := vl.st.Version(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		vl.seen[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read version %d: %w", id, err)
	}
	vl.seen[id] = &v
	return &v, nil
}

// metaChanges lists the fields whose class the change carries, read from
// the two versions; the daemon set the class because the field differed.
func metaChanges(classes []string, old, new *storage.Version) []MetaChange {
	if old == nil || new == nil {
		return nil
	}
	var out []MetaChange
	for _, cl := range metaClasses {
		if !slices.Contains(classes, cl) {
			continue
		}
		m := MetaChange{Field: cl}
		switch cl {
		case diff.ClassTitle:
			m.Old, m.New = old.Title, new.Title
		case diff.ClassByline:
			m.Old, m.New = old.Byline, new.Byline
		case diff.ClassPublished:
			m.Old, m.New = metaDate(old.Published), metaDate(new.Published)
		case diff.ClassModified:
			m.Old, m.New = metaDate(old.Modified), metaDate(new.Modified)
		}
		out = append(out, m)
	}
	return out
}

func metaDate(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}

// Labels name the two sides of the diff, as the daemon names them: the old
// version with the time it was stored, or "(none)"; the new one likewise,
// or "(removed)" for a removal.
func (r Report) Labels() (old, new string) {
	return versionLabel(r.Change.OldVersionID, r.Old, "(none)"), versionLabel(r.Change.NewVersionID, r.New, "(removed)")
}

func versionLabel(id int64, v *storage.Version, none string) string {
	switch {
	case id == 0:
		return none
	case v == nil:
		return fmt.Sprintf("version %d", id)
	}
	return fmt.Sprintf("version %d, %s", id, v.CreatedAt.UTC().Format(time.RFC3339))
}

// Text is the readable diff of the change: rendered from its blocks when
// it has them, else the Diff text as stored. It is "" when the text did
// not change (a metadata-only change, a restoration, settling).
func (r Report) Text() string {
	if !r.HasBlocks {
		return r.Change.Diff
	}
	return r.Result.Text(r.Labels())
}

// classVocabulary is every class a change may carry, sorted (diff.Classes
// documents each); ?class= accepts these. A test keeps it equal to
// config.ChangeClasses, which web may not import.
var classVocabulary = []string{
	diff.ClassAdded, diff.ClassByline, diff.ClassCorrection, diff.ClassModified, diff.ClassMoved,
	diff.ClassNumber, diff.ClassPublished, diff.ClassQuote, diff.ClassRemoved, diff.ClassReverted,
	diff.ClassStealth, diff.ClassTitle, diff.ClassWording,
}
