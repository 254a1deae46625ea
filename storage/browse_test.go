package storage_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/storage"
)

// browseFixture is a page with three versions and the changes a daemon
// would have stored: v1, changed to v2 (with a large diff), removed,
// restored with the same text, changed back to v1's text as v3, unlisted.
type browseFixture struct {
	st                                      *storage.Store
	page                                    storage.Page
	v1, v2, v3                              int64
	changed, removed, restored, back, unlis int64
}

const bigDiff = 2 << 20 // bytes of the large change's diff and blocks

func browseSeed(t *testing.T) browseFixture {
	t.Helper()
	st := mustOpen(t, t.TempDir()+"/stet.db")
	f := browseFixture{st: st}
	ctx := t.Context()
	src, err := st.EnsureSource(ctx, storage.KindFeed, "news", "http://news.test/rss", "@every 1m", t0)
	if err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	err = st.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(src.ID, "http://news.test/a", "A", t0, t0, t0)
		if err != nil {
			return err
		}
		f.page = p
		version := func(h int, text, hash string) int64 {
			cid, err := tx.InsertCapture(storage.Capture{PageID: p.ID, FetchedAt: at(h), URL: p.URL, Status: 200, Class: "ok"})
			if err != nil {
				t.Fatal(err)
			}
			id, err := tx.InsertVersion(storage.Version{PageID: p.ID, CaptureID: cid, CreatedAt: at(h), Title: "A",
				Text: text, TextHash: hash, Extractor: "x/1"})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		change := func(c storage.Change) int64 {
			c.PageID = p.ID
			id, err := tx.InsertChange(c)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		f.v1 = version(0, "one", "h1")
		f.v2 = version(1, strings.Repeat("two ", bigDiff/4), "h2")
		f.changed = change(storage.Change{Kind: storage.ChangeChanged, DetectedAt: at(1), OldVersionID: f.v1, NewVersionID: f.v2,
			Diff: strings.Repeat("d", bigDiff), Blocks: []byte(`{"blocks":[{"op":"insert","new":"` + strings.Repeat("é", bigDiff/2) + `"}]}`),
			Classes: []string{"added"}})
		f.removed = change(storage.Change{Kind: storage.ChangeRemoved, DetectedAt: at(2), OldVersionID: f.v2})
		f.restored = change(storage.Change{Kind: storage.ChangeRestored, DetectedAt: at(3), OldVersionID: f.v2, NewVersionID: f.v2})
		f.v3 = version(4, "one", "h1")
		f.back = change(storage.Change{Kind: storage.ChangeChanged, DetectedAt: at(4), OldVersionID: f.v2, NewVersionID: f.v3,
			RevertsTo: f.v1, Classes: []string{"reverted"}, Suppressed: true})
		f.unlis = change(storage.Change{Kind: storage.ChangeUnlisted, DetectedAt: at(5), OldVersionID: f.v3, NewVersionID: f.v3})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBrowseChangeHeads(t *testing.T) {
	f := browseSeed(t)
	hs, err := f.st.ChangeHeads(t.Context(), storage.ChangeFilter{PageID: f.page.ID, WithSuppressed: true, Limit: 10}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range hs {
		ids = append(ids, h.ID)
	}
	if want := []int64{f.unlis, f.back, f.restored, f.removed, f.changed}; !slices.Equal(ids, want) {
		t.Fatalf("ids = %v, want %v (newest first, suppressed included)", ids, want)
	}
	big := hs[4]
	if big.Diff != "" || big.Blocks != nil {
		t.Errorf("head holds the whole diff: %d, %d bytes", len(big.Diff), len(big.Blocks))
	}
	if big.DiffBytes != bigDiff || big.BlocksBytes != int64(len(`{"blocks":[{"op":"insert","new":""}]}`))+bigDiff {
		t.Errorf("sizes = %d, %d", big.DiffBytes, big.BlocksBytes)
	}
	// Prefixes count characters: é is two bytes.
	if big.DiffPrefix != strings.Repeat("d", 100) || len([]rune(string(big.BlocksPrefix))) != 100 {
		t.Errorf("prefixes = %q, %q", big.DiffPrefix, big.BlocksPrefix)
	}
	if !slices.Equal(big.Classes, []string{"added"}) || big.URL != "http://news.test/a" {
		t.Errorf("head = %+v", big.Change)
	}
	if back := hs[1]; !back.Suppressed || back.RevertsTo != f.v1 || back.BlocksPrefix != nil || back.BlocksBytes != 0 {
		t.Errorf("revert head = %+v", back)
	}
	without, err := f.st.ChangeHeads(t.Context(), storage.ChangeFilter{PageID: f.page.ID, Kind: storage.ChangeChanged}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(without) != 1 || without[0].ID != f.changed || without[0].DiffPrefix != "" {
		t.Errorf("changed, not suppressed, no prefix = %+v", without)
	}
}

// TestBrowseHeadsMatchChanges keeps ChangeHeads selecting what Changes
// selects, filter by filter.
func TestBrowseHeadsMatchChanges(t *testing.T) {
	f := browseSeed(t)
	ctx := t.Context()
	other, err := f.st.EnsureSource(ctx, storage.KindFeed, "other", "http://other.test/rss", "", t0)
	if err != nil {
		t.Fatal(err)
	}
	filters := []storage.ChangeFilter{
		{}, {WithSuppressed: true}, {PageID: f.page.ID, WithSuppressed: true}, {PageID: f.page.ID + 1},
		{SourceID: f.page.SourceID, WithSuppressed: true}, {SourceID: other.ID},
		{Kind: storage.ChangeRemoved}, {Class: "added"}, {Class: "reverted", WithSuppressed: true},
		{Since: t0.Add(3 * time.Hour), WithSuppressed: true}, {AfterID: f.removed, WithSuppressed: true},
		{BeforeID: f.back, WithSuppressed: true}, {WithSuppressed: true, Limit: 2},
	}
	for _, flt := range filters {
		chs, err := f.st.Changes(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		hs, err := f.st.ChangeHeads(ctx, flt, 0)
		if err != nil {
			t.Fatal(err)
		}
		var a, b []int64
		for _, c := range chs {
			a = append(a, c.ID)
		}
		for _, h := range hs {
			b = append(b, h.ID)
		}
		if !slices.Equal(a, b) {
			t.Errorf("filter %+v: Changes %v, ChangeHeads %v", flt, a, b)
		}
	}
}

func TestBrowseVersions(t *testing.T) {
	f := browseSeed(t)
	vs, err := f.st.PageVersions(t.Context(), f.page.ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].ID != f.v3 || vs[0].Number != 3 || vs[1].ID != f.v2 || vs[1].Number != 2 {
		t.Fatalf("first page = %+v", vs)
	}
	if vs[1].Text != "" || vs[1].Bytes != bigDiff || vs[1].TextHash != "h2" || vs[1].Title != "A" {
		t.Errorf("head of v2: %d bytes of text, Bytes %d, hash %q", len(vs[1].Text), vs[1].Bytes, vs[1].TextHash)
	}
	rest, err := f.st.PageVersions(t.Context(), f.page.ID, vs[1].ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].ID != f.v1 || rest[0].Number != 1 {
		t.Errorf("second page = %+v", rest)
	}
	heads, err := f.st.VersionHeads(t.Context(), []int64{f.v1, 999})
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 1 || heads[f.v1].TextHash != "h1" || heads[f.v1].Bytes != 3 {
		t.Errorf("VersionHeads = %+v", heads)
	}
}

func TestBrowseTimeline(t *testing.T) {
	f := browseSeed(t)
	type item struct {
		version bool
		id      int64
		change  int64
	}
	var got []item
	var before storage.TimelineKey
	for range 10 {
		tl, err := f.st.PageTimeline(t.Context(), f.page.ID, before, 2, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl.Versions) != 3 || tl.Versions[2].ID != f.v3 || tl.Versions[2].Number != 3 {
			t.Errorf("stamps = %+v", tl.Versions)
		}
		for _, it := range tl.Items {
			i := item{version: it.Version != nil, id: it.Key.ID}
			if it.Change != nil {
				i.change = it.Change.ID
			}
			if it.Version != nil && it.Version.Number == 0 {
				t.Errorf("version %d has no number", it.Version.ID)
			}
			got = append(got, i)
		}
		if !tl.More {
			break
		}
		before = tl.Items[len(tl.Items)-1].Key
	}
	want := []item{
		{false, f.unlis, f.unlis},
		{true, f.v3, f.back},
		{false, f.restored, f.restored},
		{false, f.removed, f.removed},
		{true, f.v2, f.changed},
		{true, f.v1, 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline = %+v\nwant       %+v", got, want)
	}
	if _, err := f.st.PageTimeline(t.Context(), f.page.ID, storage.TimelineKey{ID: 999}, 2, 0); err == nil {
		t.Error("a cursor naming no item of the page is not an error")
	}
}

func TestBrowsePagesAndSources(t *testing.T) {
	f := browseSeed(t)
	ctx := t.Context()
	var failing storage.Page
	err := f.st.Tx(ctx, func(tx *storage.Tx) error {
		p, _, err := tx.EnsurePage(f.page.SourceID, "http://news.test/b", "B", t0, t0, t0)
		if err != nil {
			return err
		}
		p.Failing, p.ConsecutiveFailures, p.FailingSince, p.LastReason = true, 4, t0, "connection refused"
		failing = p
		return tx.UpdatePageState(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := f.st.PageHeads(ctx, storage.PageFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 || hs[0].Versions != 3 || hs[0].LatestVersionID != f.v3 || hs[1].Versions != 0 || !hs[1].Failing {
		t.Fatalf("pages = %+v", hs)
	}
	only, err := f.st.PageHeads(ctx, storage.PageFilter{Failing: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(only) != 1 || only[0].ID != failing.ID || only[0].LastReason != "connection refused" {
		t.Errorf("failing pages = %+v", only)
	}
	after, err := f.st.PageHeads(ctx, storage.PageFilter{After: f.page.ID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || after[0].ID != failing.ID {
		t.Errorf("pages after %d = %+v", f.page.ID, after)
	}
	if _, err := f.st.PageHead(ctx, 999); err == nil {
		t.Error("PageHead(999): no error")
	}
	srcs, err := f.st.SourceHeads(ctx, storage.SourceFilter{Failing: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Pages != 2 || srcs[0].PagesFailing != 1 || srcs[0].PagesRemoved != 0 {
		t.Errorf("sources with failing pages = %+v", srcs)
	}
	h, err := f.st.Health(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.Health{Sources: 1, Pages: 2, PagesFailing: 1}); h != want {
		t.Errorf("Health = %+v, want %+v", h, want)
	}
}
