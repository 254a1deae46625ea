package storage_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// TestChangesBySource: ChangeFilter.SourceID keeps the changes of the pages
// a source tracks, in Changes and ChangeHeads alike.
func TestChangesBySource(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "stet.db"))
	ctx := t.Context()
	src, page, _ := seed(t, s)
	other, err := s.EnsureSource(ctx, storage.KindPage, "paper", "http://gov.test/paper", "@every 1h", t0)
	if err != nil {
		t.Fatal(err)
	}
	var paper storage.Page
	err = s.Tx(ctx, func(tx *storage.Tx) error {
		paper, _, err = tx.EnsurePage(other.ID, "http://gov.test/paper", "Paper", t0, time.Time{}, t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a := addChange(t, s, page.ID, storage.ChangeChanged, "wording")
	b := addChange(t, s, paper.ID, storage.ChangeChanged, "number")
	c := addChange(t, s, page.ID, storage.ChangeRemoved)
	for _, tt := range []struct {
		source int64
		want   []int64
	}{
		{src.ID, []int64{c, a}},
		{other.ID, []int64{b}},
		{0, []int64{c, b, a}},
		{other.ID + 100, nil},
	} {
		chs, err := s.Changes(ctx, storage.ChangeFilter{SourceID: tt.source})
		if err != nil {
			t.Fatal(err)
		}
		hs, err := s.ChangeHeads(ctx, storage.ChangeFilter{SourceID: tt.source}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got, gotHeads []int64
		for _, ch := range chs {
			got = append(got, ch.ID)
		}
		for _, h := range hs {
			gotHeads = append(gotHeads, h.ID)
		}
		if !slices.Equal(got, tt.want) || !slices.Equal(gotHeads, tt.want) {
			t.Errorf("SourceID %d: Changes %v, ChangeHeads %v; want %v", tt.source, got, gotHeads, tt.want)
		}
	}
}
