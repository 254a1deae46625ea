package storage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// A check stamps its change after its fetch: the change's capture is the
// page's last one fetched by then, and the export scope ends there.
func TestEvidenceScope(t *testing.T) {
	f := newChainFixture(t) // captures at t0, +1h, +2h, +3h; version 1 from the first
	ctx := t.Context()
	var change int64
	err := f.st.Tx(ctx, func(tx *storage.Tx) error {
		v, err := tx.InsertVersion(storage.Version{PageID: f.page.ID, CaptureID: f.ids[1], CreatedAt: t0.Add(time.Hour),
			Title: "A", Text: "hello again", TextHash: "h2", Extractor: "1"})
		if err != nil {
			return err
		}
		change, err = tx.InsertChange(storage.Change{PageID: f.page.ID, Kind: storage.ChangeChanged,
			DetectedAt: t0.Add(time.Hour + time.Second), OldVersionID: 1, NewVersionID: v})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := f.st.Change(ctx, change)
	if err != nil {
		t.Fatal(err)
	}
	upTo, err := f.st.ChangeCaptureID(ctx, ch)
	if err != nil || upTo != f.ids[1] {
		t.Errorf("ChangeCaptureID = %d, %v; want %d", upTo, err, f.ids[1])
	}
	ch.DetectedAt = t0.Add(-time.Hour) // before every capture: the first stands in
	if got, _ := f.st.ChangeCaptureID(ctx, ch); got != f.ids[0] {
		t.Errorf("ChangeCaptureID before any capture = %d, want %d", got, f.ids[0])
	}
	for _, tt := range []struct {
		name string
		got  func() ([]int64, error)
		want []int64
	}{
		{"versions up to the change's capture", func() ([]int64, error) { return f.st.VersionIDs(ctx, f.page.ID, upTo, time.Time{}) }, []int64{1, 2}},
		{"versions since", func() ([]int64, error) { return f.st.VersionIDs(ctx, f.page.ID, 0, t0.Add(time.Minute)) }, []int64{2}},
		{"versions up to the first capture", func() ([]int64, error) { return f.st.VersionIDs(ctx, f.page.ID, f.ids[0], time.Time{}) }, []int64{1}},
		{"changes up to the change", func() ([]int64, error) { return f.st.ChangeIDs(ctx, f.page.ID, change, time.Time{}) }, []int64{change}},
		{"changes since later", func() ([]int64, error) { return f.st.ChangeIDs(ctx, f.page.ID, 0, t0.Add(2*time.Hour)) }, nil},
	} {
		if got, err := tt.got(); err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
