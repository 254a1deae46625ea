package diff_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/stet/stet/diff"
)

const (
	para3  = "It added that China has joined 12 global counterterrorism conventions and protocols."
	para3b = "It added that China has joined 24 global counterterrorism conventions and protocols."
)

func TestSummary(t *testing.T) {
	base := "Title\n\n" + para3 + "\n\nThe end."
	tests := []struct {
		name, old, new string
		want           diff.Summary
		str            string
	}{
		{"identical", base, base, diff.Summary{}, "no changes"},
		{"figure", base, strings.Replace(base, "12", "24", 1),
			diff.Summary{ParagraphsChanged: 1, WordsAdded: 1, WordsRemoved: 1}, "1 paragraph changed (+1 −1 words)"},
		{"decimal is one word", "Growth was 2.5 percent.", "Growth was 3.1 percent.",
			diff.Summary{ParagraphsChanged: 1, WordsAdded: 1, WordsRemoved: 1}, "1 paragraph changed (+1 −1 words)"},
		{"added", base, base + "\n\nTwo more words.",
			diff.Summary{ParagraphsAdded: 1, WordsAdded: 3}, "1 paragraph added (+3 −0 words)"},
		{"removed two", base, "Title",
			diff.Summary{ParagraphsRemoved: 2, WordsRemoved: 14}, "2 paragraphs removed (+0 −14 words)"},
		{"cjk chars are words", "中国已加入12项", "中国已加入13项",
			diff.Summary{ParagraphsChanged: 1, WordsAdded: 1, WordsRemoved: 1}, "1 paragraph changed (+1 −1 words)"},
		{"cjk characters count one by one", "我们", "我们今天",
			diff.Summary{ParagraphsChanged: 1, WordsAdded: 2}, "1 paragraph changed (+2 −0 words)"},
		{"moved", "A one.\n\nB two.\n\nC three.", "B two.\n\nA one.\n\nC three.",
			diff.Summary{ParagraphsMoved: 1}, "1 paragraph moved"},
		{"punctuation only", "Done.", "Done!",
			diff.Summary{ParagraphsChanged: 1}, "1 paragraph changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := diff.Compare(tt.old, tt.new)
			if d := cmp.Diff(tt.want, r.Summary()); d != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", d)
			}
			if got := r.Summary().String(); got != tt.str {
				t.Errorf("Summary().String() = %q, want %q", got, tt.str)
			}
		})
	}
}

func TestCompareBlocks(t *testing.T) {
	r := diff.Compare("Intro.\n\n"+para3, "Intro.\n\n"+para3b)
	want := []diff.Block{
		{Kind: diff.Unchanged, Old: "Intro.", New: "Intro.", OldIndex: 1, NewIndex: 1},
		{Kind: diff.Modified, Old: para3, New: para3b, OldIndex: 2, NewIndex: 2, Spans: []diff.Span{
			{diff.Equal, "It added that China has joined "},
			{diff.Delete, "12"},
			{diff.Insert, "24"},
			{diff.Equal, " global counterterrorism conventions and protocols."},
		}},
	}
	if d := cmp.Diff(want, r.Blocks); d != "" {
		t.Errorf("Blocks mismatch (-want +got):\n%s", d)
	}
}

func TestUnrelatedParagraphsNotPaired(t *testing.T) {
	r := diff.Compare("The minister resigned on Tuesday.", "Shares in the bank rose sharply after results.")
	var kinds []diff.Kind
	for _, b := range r.Blocks {
		kinds = append(kinds, b.Kind)
	}
	if d := cmp.Diff([]diff.Kind{diff.Removed, diff.Added}, kinds); d != "" {
		t.Errorf("kinds mismatch (-want +got):\n%s", d)
	}
}

func TestInline(t *testing.T) {
	r := diff.Compare("Title\n\n"+para3+"\n\nGone.", "Title\n\n"+para3b)
	want := "~ It added that China has joined [-12-]{+24+} global counterterrorism conventions and protocols.\n~ [-Gone.-]\n"
	if got := r.Inline(); got != want {
		t.Errorf("Inline() = %q, want %q", got, want)
	}
	r = diff.Compare("Title\n\nSee [-note-].", "Title\n\nSee [-notes-].")
	want = `~ See \[-[-note-]{+notes+}\-].` + "\n"
	if got := r.Inline(); got != want {
		t.Errorf("Inline() = %q, want %q", got, want)
	}
	if got := diff.Compare("a", "a").Inline(); got != "" {
		t.Errorf("Inline() of identical texts = %q, want empty", got)
	}
}

func TestTextElidesLongParagraphs(t *testing.T) {
	long := strings.Repeat("filler words here ", 40)
	old := "Before " + long + "the figure was 12 and " + long + "after."
	r := diff.Compare(old, strings.Replace(old, "was 12", "was 13", 1))
	var tilde string
	for line := range strings.Lines(r.Text("old", "new")) {
		if strings.HasPrefix(line, "~ ") {
			tilde = line
		}
	}
	if !strings.Contains(tilde, "[-12-]{+13+}") || !strings.HasPrefix(tilde, "~ …") || !strings.HasSuffix(tilde, "…\n") {
		t.Errorf("~ line not elided around the edit: %q", tilde)
	}
	if n := utf8.RuneCountInString(tilde); n > 220 {
		t.Errorf("~ line has %d runes, want it shortened", n)
	}
}

// checkInvariants holds for any pair of texts.
func checkInvariants(t *testing.T, a, b string) {
	t.Helper()
	na, nb := diff.Normalize(a), diff.Normalize(b)
	r := diff.Compare(a, b)
	if r.Changed() != (na != nb) {
		t.Fatalf("Changed() = %v, but normalized texts equal = %v", r.Changed(), na == nb)
	}
	if got := r.OldText(); got != na {
		t.Fatalf("OldText() = %q, want %q", got, na)
	}
	if got := r.NewText(); got != nb {
		t.Fatalf("NewText() = %q, want %q", got, nb)
	}
	checkBlocks(t, r)
	if diff.Compare(a, a).Changed() {
		t.Fatalf("Compare(a, a).Changed() for a = %q", a)
	}
	u := r.Text("old", "new")
	if !utf8.ValidString(u) || !utf8.ValidString(r.Inline()) || !utf8.ValidString(r.Unified("old", "new")) {
		t.Fatalf("invalid UTF-8 in output %q", u)
	}
	if (u == "") == r.Changed() {
		t.Fatalf("Text() empty = %v, Changed() = %v", u == "", r.Changed())
	}
	checkReport(t, r, u)
	checkCompact(t, r)
}

// checkBlocks checks the shape of each block: indices on the sides it
// exists on, new-version reading order, spans where edits are and only
// there, rebuilding Old and New.
func checkBlocks(t *testing.T, r diff.Result) {
	t.Helper()
	lastNew := 0
	for _, bl := range r.Blocks {
		hasOld, hasNew := bl.Kind != diff.Added, bl.Kind != diff.Removed
		if (bl.OldIndex > 0) != hasOld || (bl.NewIndex > 0) != hasNew {
			t.Fatalf("%v block has indices %d, %d", bl.Kind, bl.OldIndex, bl.NewIndex)
		}
		if bl.NewIndex > 0 {
			if bl.NewIndex != lastNew+1 {
				t.Fatalf("block for new ¶%d follows ¶%d", bl.NewIndex, lastNew)
			}
			lastNew = bl.NewIndex
		}
		edited := bl.Kind == diff.Modified || bl.Kind == diff.Moved && bl.Old != bl.New
		if (bl.Spans != nil) != edited {
			t.Fatalf("%v block %q → %q has spans %q", bl.Kind, bl.Old, bl.New, bl.Spans)
		}
		if o, n := rebuild(bl.Spans); edited && (o != bl.Old || n != bl.New) {
			t.Fatalf("spans rebuild %q/%q, want %q/%q", o, n, bl.Old, bl.New)
		}
	}
}

func rebuild(spans []diff.Span) (old, new string) {
	var o, n strings.Builder
	for _, s := range spans {
		if s.Op != diff.Insert {
			o.WriteString(s.Text)
		}
		if s.Op != diff.Delete {
			n.WriteString(s.Text)
		}
	}
	return o.String(), n.String()
}

// checkCompact checks that the stored form gives the same reports as the
// full Result.
func checkCompact(t *testing.T, r diff.Result) {
	t.Helper()
	c := r.Compact()
	if got, want := c.Text("old", "new"), r.Text("old", "new"); got != want {
		t.Fatalf("Compact().Text() =\n%s\nwant\n%s", got, want)
	}
	if got, want := c.Unified("old", "new"), r.Unified("old", "new"); got != want {
		t.Fatalf("Compact().Unified() =\n%s\nwant\n%s", got, want)
	}
	if d := cmp.Diff(r.Summary(), c.Summary()); d != "" {
		t.Fatalf("Compact().Summary() mismatch (-full +compact):\n%s", d)
	}
	if d := cmp.Diff(r.Classes(), c.Classes()); d != "" {
		t.Fatalf("Compact().Classes() mismatch (-full +compact):\n%s", d)
	}
}

func FuzzCompare(f *testing.F) {
	f.Add("Title\n\n"+para3, "Title\n\n"+para3b)
	f.Add("中国已加入12项", "中国已加入13项")
	f.Add("a\u200bb\r\n\r\nc", "ab\n\nc d")
	f.Add("", "x")
	f.Add("A.\n\nB.\n\nC.", "C.\n\nA.\n\nB!")
	f.Add("e\u0301\xff", "\u00e9\u2029x")
	f.Add("A one.\n\nB two.\n\nC three 12.", "C three 13.\n\nA one.\n\nB two.")
	f.Fuzz(func(t *testing.T, a, b string) {
		checkInvariants(t, a, b)
	})
}

func BenchmarkCompare(b *testing.B) {
	var sb strings.Builder
	for i := range 24 {
		sb.WriteString("Paragraph " + strings.Repeat("x", i%5) + " of the article reports that officials met on Tuesday to discuss the budget, which was 12 billion. ")
		sb.WriteString("Critics said the process lacked transparency.\n\n")
	}
	old := sb.String()
	new := strings.Replace(old, "12 billion", "13 billion", 1)
	b.SetBytes(int64(len(old)))
	for b.Loop() {
		diff.Compare(old, new)
	}
}
