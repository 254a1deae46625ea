package diff_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stet/stet/diff"
)

func TestKindAndOpNames(t *testing.T) {
	kinds := map[diff.Kind]string{diff.Unchanged: "equal", diff.Added: "insert", diff.Removed: "delete",
		diff.Modified: "replace", diff.Moved: "move", diff.Kind(9): "Kind(9)"}
	for k, want := range kinds {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
	ops := map[diff.Op]string{diff.Equal: "equal", diff.Delete: "delete", diff.Insert: "insert", diff.Op(-1): "Op(-1)"}
	for o, want := range ops {
		if got := o.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", int(o), got, want)
		}
	}
	if _, err := json.Marshal(diff.Block{Kind: diff.Kind(9)}); err == nil {
		t.Error("Marshal of an unknown Kind succeeded")
	}
}

func TestJSONShape(t *testing.T) {
	r := diff.Compare("Intro.\n\nIt joined 12 pacts.\n\nGone.\n\nLast.\n\nMoved.",
		"Moved.\n\nIntro.\n\nIt joined 13 pacts.\n\nLast.\n\nA closing line.")
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"blocks":[` +
		`{"op":"move","old_index":5,"new_index":1,"old":"Moved.","new":"Moved."},` +
		`{"op":"equal","old_index":1,"new_index":2,"old":"Intro.","new":"Intro."},` +
		`{"op":"replace","old_index":2,"new_index":3,"old":"It joined 12 pacts.","new":"It joined 13 pacts.",` +
		`"spans":[{"op":"equal","text":"It joined "},{"op":"delete","text":"12"},{"op":"insert","text":"13"},{"op":"equal","text":" pacts."}]},` +
		`{"op":"delete","old_index":3,"old":"Gone."},` +
		`{"op":"equal","old_index":4,"new_index":4,"old":"Last.","new":"Last."},` +
		`{"op":"insert","new_index":5,"new":"A closing line."}]}`
	if string(got) != want {
		t.Errorf("json.Marshal =\n%s\nwant\n%s", got, want)
	}
	if got, _ := json.Marshal(diff.Result{}); string(got) != "{}" {
		t.Errorf("json.Marshal(Result{}) = %s, want {}", got)
	}
}

func TestCompact(t *testing.T) {
	var paras []string
	for i := range 9 {
		paras = append(paras, strings.Repeat("word ", i+1)+"end.")
	}
	old := strings.Join(paras, "\n\n")
	paras[4] = "A new fifth paragraph, quite unlike the old one."
	r := diff.Compare(old, strings.Join(paras, "\n\n"))
	var kept []int
	for _, b := range r.Compact().Blocks {
		if b.Kind == diff.Unchanged && b.New != "" {
			kept = append(kept, b.NewIndex)
		}
	}
	if d := cmp.Diff([]int{4, 6}, kept); d != "" {
		t.Errorf("unchanged paragraphs kept (-want +got):\n%s", d)
	}
	if r.Blocks[0].New == "" {
		t.Error("Compact changed the Result it was called on")
	}
	checkCompact(t, r)
	if c := diff.Compare(old, old).Compact(); c.Changed() || c.Blocks[0].New != "" {
		t.Errorf("Compact of an unchanged Result = %+v, want indices only", c)
	}
}

func TestUnmarshalRejectsUnknownOps(t *testing.T) {
	for _, in := range []string{
		`{"blocks":[{"op":"swap"}]}`,
		`{"blocks":[{"op":"replace","spans":[{"op":"keep","text":"x"}]}]}`,
		`{"blocks":[{"op":1}]}`,
	} {
		var r diff.Result
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("Unmarshal(%s) succeeded: %+v", in, r)
		}
	}
}

// checkRoundTrip checks that r survives JSON unchanged, and that every
// block read back still has spans that rebuild its text.
func checkRoundTrip(t *testing.T, r diff.Result) {
	t.Helper()
	back := roundTrip(t, r)
	for _, bl := range back.Blocks {
		if o, n := rebuild(bl.Spans); bl.Spans != nil && (o != bl.Old || n != bl.New) {
			t.Fatalf("spans of %v block read back rebuild %q → %q, want %q → %q", bl.Kind, o, n, bl.Old, bl.New)
		}
	}
}

// roundTrip checks that r survives JSON unchanged and returns what was
// read back.
func roundTrip(t *testing.T, r diff.Result, opts ...cmp.Option) diff.Result {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back diff.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal(%s): %v", b, err)
	}
	if d := cmp.Diff(r, back, opts...); d != "" {
		t.Fatalf("round trip mismatch (-want +got):\n%s", d)
	}
	return back
}

func FuzzJSON(f *testing.F) {
	f.Add("Title\n\n"+para3, "Title\n\n"+para3b)
	f.Add("A.\n\nB.\n\nC 12.", "C 13.\n\nA.\n\nB!")
	f.Add("Prices [-see note] rose by 3", "Prices [-see note] rose by 4 <b>&amp;</b> \u2028\"")
	f.Add("", "")
	f.Add("中国已加入十二项\n\nx", "x\n\n中国已加入十三项")
	f.Fuzz(func(t *testing.T, a, b string) {
		r := diff.Compare(a, b)
		checkRoundTrip(t, r)
		checkRoundTrip(t, r.Compact())
	})
}

// FuzzUnmarshal reads arbitrary stored bytes as a Result: what reads must
// write back to the same Result, and render without panicking.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range [][2]string{{"A.\n\nB 12.", "B 13.\n\nA."}, {"x", ""}, {"", "“a”"}} {
		b, err := json.Marshal(diff.Compare(s[0], s[1]))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"blocks":[{"op":"move","old_index":9,"new_index":-3,"spans":[{"op":"delete","text":"é"}]}]}`))
	f.Add([]byte(`{"blocks":[{"op":"replace","old":"x","new":"y","spans":[{"op":"equal","text":"zz"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r diff.Result
		if json.Unmarshal(b, &r) != nil {
			return
		}
		// An empty list reads back as none: "blocks":[] and "spans":[]
		// are not written.
		roundTrip(t, r, cmpopts.EquateEmpty())
		_ = r.Text("old", "new") + r.Unified("old", "new") + r.Inline() + r.OldText() + r.NewText()
		_, _ = r.Classes(), r.Summary()
		_ = r.Compact()
	})
}
