package diff_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stet/stet/diff"
)

// paras are distinct paragraphs of one article, A to F.
var paras = []string{
	"A. The council met on Tuesday to discuss the budget for the coming year.",
	"B. Officials said the plan would fund 12 new schools across the region.",
	"C. Critics argued that the process had lacked transparency from the start.",
	"D. The finance minister defended the timetable in a statement on Wednesday.",
	"E. Opposition members said they would vote against the proposal next month.",
	"F. The final vote is expected before the end of the parliamentary session.",
}

// spec joins the paragraphs named by letters ("ABC"); a letter followed
// by ' is that paragraph with "12" changed to "13".
func spec(spec string) string {
	var out []string
	for i := 0; i < len(spec); i++ {
		p := paras[spec[i]-'A']
		if i+1 < len(spec) && spec[i+1] == '\'' {
			p = strings.Replace(p, "12", "13", 1)
			i++
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

// changes lists the changed blocks as "op old→new", with "+edits" for a
// moved block that was also edited.
func changes(r diff.Result) []string {
	var out []string
	for _, b := range r.Blocks {
		if b.Kind == diff.Unchanged {
			continue
		}
		s := fmt.Sprintf("%v %d→%d", b.Kind, b.OldIndex, b.NewIndex)
		if b.Kind == diff.Moved && b.Spans != nil {
			s += " +edits"
		}
		out = append(out, s)
	}
	return out
}

func TestMoves(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"swap of adjacent paragraphs is one move", spec("ABCDEF"), spec("ABDCEF"), []string{"move 3→4"}},
		{"paragraph moved to the top", spec("ABCDEF"), spec("EABCDF"), []string{"move 5→1"}},
		{"paragraph moved to the end", spec("ABCDEF"), spec("ACDEFB"), []string{"move 2→6"}},
		{"moved and edited is one block with its edits", spec("ABCDEF"), spec("ACDEFB'"), []string{"move 2→6 +edits"}},
		{"two paragraphs moved together are two moves", spec("ABCDEF"), spec("DEABCF"), []string{"move 4→1", "move 5→2"}},
		{"move and an edit elsewhere", spec("ABCDEF"), spec("AB'CEFD"), []string{"replace 2→2", "move 4→6"}},
		{"edit in place is no move", spec("ABCDEF"), spec("AB'CDEF"), []string{"replace 2→2"}},
		{"swap with one side edited is one move", spec("ABCDEF"), spec("AB'DCEF"), []string{"replace 2→2", "move 3→4"}},
		{"unrelated removal and addition are no move",
			spec("ABCD"), spec("BCD") + "\n\nShares in the state bank rose sharply after results were published.",
			[]string{"delete 1→0", "insert 0→4"}},
		{"rewritten beyond recognition and moved is no move",
			spec("ABCDEF"), spec("ACDEF") + "\n\nB. A spokesperson declined to say how many schools the plan would fund.",
			[]string{"delete 2→0", "insert 0→6"}},
		{"repeated paragraph moved", "Advertisement\n\n" + spec("ABC") + "\n\nAdvertisement", spec("ABC") + "\n\nAdvertisement\n\nAdvertisement",
			[]string{"move 1→5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := diff.Compare(tt.old, tt.new)
			if d := cmp.Diff(tt.want, changes(r)); d != "" {
				t.Errorf("changes mismatch (-want +got):\n%s", d)
			}
			checkInvariants(t, tt.old, tt.new)
		})
	}
}

func TestMovedBlock(t *testing.T) {
	r := diff.Compare(spec("ABC"), spec("CAB'"))
	want := []diff.Block{
		{Kind: diff.Moved, Old: paras[2], New: paras[2], OldIndex: 3, NewIndex: 1},
		{Kind: diff.Unchanged, Old: paras[0], New: paras[0], OldIndex: 1, NewIndex: 2},
		{Kind: diff.Modified, Old: paras[1], New: strings.Replace(paras[1], "12", "13", 1), OldIndex: 2, NewIndex: 3, Spans: []diff.Span{
			{Op: diff.Equal, Text: "B. Officials said the plan would fund "},
			{Op: diff.Delete, Text: "12"},
			{Op: diff.Insert, Text: "13"},
			{Op: diff.Equal, Text: " new schools across the region."},
		}},
	}
	if d := cmp.Diff(want, r.Blocks); d != "" {
		t.Errorf("Blocks mismatch (-want +got):\n%s", d)
	}
	if got, want := r.Summary().String(), "1 paragraph changed, 1 paragraph moved (+1 −1 words)"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

// TestUnified pins the format stet stored before Text, which web still
// parses: a move is a "-" and a "+" line at the new place, and "~" lines
// are not escaped.
func TestUnified(t *testing.T) {
	r := diff.Compare(spec("ABCD"), spec("ACB'D"))
	want := "--- old\n+++ new\n@@ ¶3 @@\n" +
		"  " + paras[2] + "\n" +
		"- " + paras[1] + "\n" +
		"+ " + strings.Replace(paras[1], "12", "13", 1) + "\n" +
		"~ B. Officials said the plan would fund [-12-]{+13+} new schools across the region.\n" +
		"  " + paras[3] + "\n"
	if got := r.Unified("old", "new"); got != want {
		t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
	}
	r = diff.Compare("See [-note-] 1.", "See [-note-] 2.")
	if got, want := r.Unified("old", "new"), "--- old\n+++ new\n@@ ¶1 @@\n- See [-note-] 1.\n+ See [-note-] 2.\n~ See [-note-] [-1-]{+2+}.\n"; got != want {
		t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
	}
}

func TestTextLabelsOnOneLine(t *testing.T) {
	got := diff.Compare("a", "b").Text("old\nversion", "new\r\nversion")
	if !strings.HasPrefix(got, "--- old version\n+++ new version\n@@ ") {
		t.Errorf("Text() = %q, want labels on their lines", got)
	}
}
