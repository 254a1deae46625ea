package web

import (
	"context"
	"encoding/json"
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
	// Report was made without a store (NewReport). They carry metadata
	// only: their Text (and Extractor) is empty, so that a list of reports
	// costs the same whatever the pages weigh; read a version to get it.
	Old, New, Back *storage.Version
	// Meta lists the metadata fields the change's classes say changed,
	// with their values in Old and New; empty without both versions.
	Meta []MetaChange
	// Cut says that the Report holds only the start of the stored diff:
	// Result, Change.Diff and Change.Blocks are an excerpt (HeadReports),
	// and DiffBytes and BlocksBytes the stored sizes.
	Cut                    bool
	DiffBytes, BlocksBytes int64
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

// Reports makes the Report of each change in chs, reading the metadata of
// the versions they name from st in one query. A version that is gone is
// left nil.
func Reports(ctx context.Context, st *storage.Store, chs []storage.Change) ([]Report, error) {
	out := make([]Report, 0, len(chs))
	for _, c := range chs {
		r := NewReport(c)
		r.DiffBytes, r.BlocksBytes = int64(len(c.Diff)), int64(len(c.Blocks))
		out = append(out, r)
	}
	return out, attachVersions(ctx, st, out)
}

// HeadReports makes the Report of each change head: its Result, and its
// Change's Diff and Blocks, are the excerpt a list shows (see excerptOf),
// and Cut says whether that is all of the stored diff.
func HeadReports(ctx context.Context, st *storage.Store, hs []storage.ChangeHead) ([]Report, error) {
	out := make([]Report, 0, len(hs))
	for _, h := range hs {
		ex := excerptOf(h)
		c := h.Change
		c.Diff, c.Blocks = ex.Text, ex.Blocks
		out = append(out, Report{Change: c, Result: ex.Result, HasBlocks: ex.HasBlocks, Cut: ex.Cut,
			DiffBytes: h.DiffBytes, BlocksBytes: h.BlocksBytes})
	}
	return out, attachVersions(ctx, st, out)
}

// LoadReport is Reports for one change.
func LoadReport(ctx context.Context, st *storage.Store, c storage.Change) (Report, error) {
	rs, err := Reports(ctx, st, []storage.Change{c})
	if err != nil {
		return Report{}, err
	}
	return rs[0], nil
}

// attachVersions sets the versions of each report, and its Meta.
func attachVersions(ctx context.Context, st *storage.Store, rs []Report) error {
	var ids []int64
	for _, r := range rs {
		for _, id := range []int64{r.Change.OldVersionID, r.Change.NewVersionID, r.Change.RevertsTo} {
			if id != 0 {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	vs, err := st.VersionHeads(ctx, slices.Compact(ids))
	if err != nil {
		return fmt.Errorf("read versions of changes: %w", err)
	}
	version := func(id int64) *storage.Version {
		if h, ok := vs[id]; ok {
			return &h.Version
		}
		return nil
	}
	for i := range rs {
		r := &rs[i]
		r.Old, r.New, r.Back = version(r.Change.OldVersionID), version(r.Change.NewVersionID), version(r.Change.RevertsTo)
		r.Meta = metaChanges(r.Change.Classes, r.Old, r.New)
	}
	return nil
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
