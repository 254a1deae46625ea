package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// openOperatorStore builds a small operator store (operator_data_test.go),
// without the search index, in a temporary folder and opens it.
func openOperatorStore(t *testing.T, pages int) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stet.db")
	if err := buildOperatorStore(t.Context(), path, pages, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// plan is the EXPLAIN QUERY PLAN of q, one line per step.
func plan(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, q)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOperatorQueriesUseIndexes keeps every filter of the operator's lists
// on an index: no list walks pages or changes whole (a covering index of
// a few bytes a row may be walked for counts), and newest-first lists
// need no sort. SQLite plans without statistics here (stet never runs
// ANALYZE), so the plans of a small store are those of a large one;
// BenchmarkOperator measures what they cost at 100,000 pages.
func TestOperatorQueriesUseIndexes(t *testing.T) {
	s := openOperatorStore(t, 200)
	now := time.Now()
	day := now.Add(-24 * time.Hour)
	type query struct {
		name  string
		sql   string
		args  []any
		want  []string // substrings of the plan, each on some line
		sorts bool     // a sort is allowed: its input is bounded by the filter
	}
	var tests []query
	for _, c := range []struct {
		name  string
		f     ChangeFilter
		want  string
		sorts bool
	}{
		{"changes newest", ChangeFilter{Limit: 50}, "SEARCH c USING INDEX changes_newest (suppressed=?)", false},
		{"changes before", ChangeFilter{Limit: 50, BeforeID: 100}, "SEARCH c USING INDEX changes_newest (suppressed=? AND id<?)", false},
		{"changes by class", ChangeFilter{Limit: 50, Class: "byline"}, "SEARCH c USING INDEX changes_newest (suppressed=?)", false},
		{"changes by kind", ChangeFilter{Limit: 50, Kind: ChangeSettled}, "SEARCH c USING INDEX changes_kind (kind=? AND suppressed=?)", false},
		{"changes by kind and class", ChangeFilter{Limit: 50, Kind: ChangeChanged, Class: "byline"},
			"SEARCH c USING INDEX changes_kind (kind=? AND suppressed=?)", false},
		{"changes of a page", ChangeFilter{Limit: 50, PageID: 40}, "SEARCH c USING INDEX changes_page (page_id=?)", false},
		{"changes of a page, all", ChangeFilter{Limit: 50, PageID: 40, WithSuppressed: true}, "SEARCH c USING INDEX changes_page (page_id=?)", false},
		{"changes of a source", ChangeFilter{Limit: 50, SourceID: 3}, "SEARCH c USING INDEX changes_page (page_id=?)", true},
		{"changes since", ChangeFilter{Limit: 50, Since: day}, "SEARCH c USING INDEX changes_newest (suppressed=? AND id>?)", false},
		{"changes since, by kind", ChangeFilter{Limit: 50, Since: day, Kind: ChangeRemoved},
			"SEARCH c USING INDEX changes_kind (kind=? AND suppressed=? AND id>?)", false},
	} {
		q, args := changeHeadsQuery(c.f, 200)
		tests = append(tests, query{c.name, q, args, []string{c.want}, c.sorts})
	}
	for _, c := range []struct {
		name  string
		f     PageFilter
		want  string
		sorts bool
	}{
		{"pages", PageFilter{Limit: 50, After: 10}, "SEARCH pages USING INTEGER PRIMARY KEY (rowid>?)", false},
		{"pages failing", PageFilter{Limit: 50, Failing: true}, "SEARCH pages USING INDEX pages_failing (id>?)", false},
		{"pages of a source", PageFilter{Limit: 50, SourceID: 3}, "SEARCH pages USING INDEX pages_source (source_id=? AND rowid>?)", false},
		{"pages of a source failing", PageFilter{Limit: 50, SourceID: 3, Failing: true},
			"SEARCH pages USING INDEX pages_health (source_id=? AND failing=? AND id>?)", false},
	} {
		q, args := pageHeadsQuery(c.f)
		tests = append(tests, query{c.name, q, args, []string{c.want, "SEARCH v USING COVERING INDEX versions_page (page_id=?)"}, c.sorts})
	}
	q, args := sourceHeadsQuery(SourceFilter{Failing: true, Limit: 50})
	tests = append(tests,
		query{"sources failing", q, args, []string{"SEARCH p USING COVERING INDEX pages_health (source_id=? AND failing=?)"}, false},
		query{"source page counts", pageCountsQuery, []any{"[1,2,3]"}, []string{"SEARCH pages USING COVERING INDEX pages_health (source_id=?)"}, false},
		query{"health", healthQuery, []any{fmtTime(now)}, []string{"SCAN pages USING COVERING INDEX pages_health"}, false},
		query{"claims", claimsQuery, []any{fmtTime(now)}, []string{"pages_claimed", "sources_claimed", "deliveries_claimed"}, true},
		query{"deliveries given up", givenUpQuery, nil, []string{"deliveries_given_up"}, false},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := plan(t, s, tt.sql, tt.args...)
			text := strings.Join(p, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			for _, line := range p {
				if walksWhole(line) {
					t.Errorf("plan walks a table whole (%q):\n%s", line, text)
				}
				if strings.Contains(line, "TEMP B-TREE") && !tt.sorts {
					t.Errorf("plan sorts (%q):\n%s", line, text)
				}
			}
		})
	}
}

// walksWhole reports whether a plan step reads every row of pages or
// changes (under any alias), rather than a range of an index, a partial
// index of the few rows it selects, or a covering index of a few bytes a
// row.
func walksWhole(step string) bool {
	for _, t := range []string{"pages", "p", "changes", "c"} {
		if !strings.HasPrefix(step, "SCAN "+t+" ") && step != "SCAN "+t {
			continue
		}
		for _, ok := range []string{"COVERING INDEX", "INDEX pages_claimed", "INDEX pages_failing"} {
			if strings.Contains(step, ok) {
				return false
			}
		}
		return true
	}
	return false
}

// TestChangeFiltersSelect checks that the index-driven change filters
// select exactly the changes their definition names, comparing each with
// the same filter applied in Go to every change; one old change is given
// a recent time, as a change detected out of id order would have.
func TestChangeFiltersSelect(t *testing.T) {
	s := openOperatorStore(t, 300)
	ctx := t.Context()
	now := time.Now().UTC()
	if _, err := s.db.ExecContext(ctx, `UPDATE changes SET detected_at = ? WHERE id = 3`, fmtTime(now.Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}
	all, err := s.Changes(ctx, ChangeFilter{WithSuppressed: true})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[int64]int64{} // page → source
	ps, err := s.Pages(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		pages[p.ID] = p.SourceID
	}
	recent := all[len(all)/10].DetectedAt // a tenth of the changes are as recent or more
	filters := []ChangeFilter{
		{}, {WithSuppressed: true}, {Kind: ChangeRemoved}, {Kind: ChangeSettled}, {Class: "number"}, {Class: "byline"},
		{Kind: ChangeChanged, Class: "correction"}, {PageID: all[0].PageID}, {PageID: all[0].PageID, WithSuppressed: true},
		{SourceID: 3}, {SourceID: 3, Kind: ChangeChanged}, {Since: recent}, {Since: now.Add(-2 * time.Minute)},
		{Since: now.Add(time.Hour)}, {Since: recent, Kind: ChangeChanged, Class: "wording"}, {BeforeID: all[5].ID, Limit: 7},
		{AfterID: all[20].ID}, {Class: "stealth", Limit: 5},
	}
	for i, f := range filters {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			hs, err := s.ChangeHeads(ctx, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []int64
			for _, h := range hs {
				got = append(got, h.ID)
			}
			for _, c := range all {
				if selects(f, c, pages) && (f.Limit == 0 || len(want) < f.Limit) {
					want = append(want, c.ID)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("filter %+v: ChangeHeads selects %d changes %v\nwant %d: %v", f, len(got), head(got), len(want), head(want))
			}
		})
	}
	if hs, err := s.ChangeHeads(ctx, ChangeFilter{Since: now.Add(-2 * time.Minute)}, 0); err != nil || len(hs) == 0 || hs[len(hs)-1].ID != 3 {
		t.Errorf("changes since 2 minutes ago = %d (%v), want change 3 among them, last", len(hs), err)
	}
}

// selects is ChangeFilter's definition, in Go.
func selects(f ChangeFilter, c Change, sourceOf map[int64]int64) bool {
	return (f.Since.IsZero() || !c.DetectedAt.Before(f.Since.Truncate(time.Millisecond))) &&
		(f.PageID == 0 || c.PageID == f.PageID) && (f.SourceID == 0 || sourceOf[c.PageID] == f.SourceID) &&
		(f.AfterID == 0 || c.ID > f.AfterID) && (f.BeforeID == 0 || c.ID < f.BeforeID) &&
		(f.Kind == "" || c.Kind == f.Kind) && (f.Class == "" || slices.Contains(c.Classes, f.Class)) &&
		(f.WithSuppressed || !c.Suppressed)
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 12)] }

// TestOperatorStoreShape checks that the generator makes what it
// promises, per page: sources, pages, versions, changes, captures.
func TestOperatorStoreShape(t *testing.T) {
	const pages = 600
	s := openOperatorStore(t, pages)
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	changes := 0
	for _, n := range st.ChangesByKind {
		changes += n
	}
	checks := []struct {
		what     string
		got      int
		min, max float64 // per page
	}{
		{"sources", st.Sources, 1.0 / 6, 1.0 / 6},
		{"pages", st.Pages, 1, 1},
		{"versions", st.Versions, 1.7, 2.1},
		{"changes", changes, 0.4, 0.6},
		{"captures", st.Captures, 8, 12},
		{"deliveries", st.DeliveriesSent + st.DeliveriesPending + st.DeliveriesGivenUp, 0.4, 0.6},
	}
	for _, c := range checks {
		if per := float64(c.got) / pages; per < c.min || per > c.max {
			t.Errorf("%s: %d for %d pages (%.2f a page), want %.2f to %.2f a page", c.what, c.got, pages, per, c.min, c.max)
		}
	}
	for _, k := range []string{ChangeChanged, ChangeRemoved, ChangeRestored, ChangeUnlisted} {
		if st.ChangesByKind[k] == 0 {
			t.Errorf("no %s changes: %v", k, st.ChangesByKind)
		}
	}
	status, err := s.Status(context.WithoutCancel(t.Context()), time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if status.Queue.ChecksDue == 0 || status.Queue.OutboxDepth == 0 || status.Queue.DeliveriesGivenUp == 0 {
		t.Errorf("queue %+v: want checks due, an outbox and deliveries given up", status.Queue)
	}
}
