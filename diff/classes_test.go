package diff_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stet/stet/diff"
)

func TestClasses(t *testing.T) {
	const (
		measures = "The government announced 12 new measures on Tuesday."
		quote    = `The minister said “we will not raise taxes this year” at the briefing.`
		plain    = "Officials did not take questions after the briefing."
	)
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"identical", measures, measures, nil},
		{"figure", measures, strings.Replace(measures, "12", "13", 1), []string{"number"}},
		{"figure and correction note",
			measures, strings.Replace(measures, "12", "13", 1) + "\n\nCorrection: an earlier version said 12.",
			[]string{"added", "correction", "number"}},
		{"moved", measures + "\n\n" + quote + "\n\n" + plain, quote + "\n\n" + plain + "\n\n" + measures, []string{"moved"}},
		{"moved and edited", measures + "\n\n" + quote + "\n\n" + plain,
			quote + "\n\n" + plain + "\n\n" + strings.Replace(measures, "12", "13", 1), []string{"moved", "number"}},
		{"chinese numeral", "政府宣布了十二项新措施。", "政府宣布了十三项新措施。", []string{"number"}},
		{"chinese numeral replaced alone", "他们派出三个小组。", "他们派出五个小组。", []string{"number"}},
		{"chinese one as a word is wording", "这是一个问题。", "这是这个问题。", []string{"wording"}},
		{"chinese digits", "中国已加入12项国际公约。", "中国已加入13项国际公约。", []string{"number"}},
		{"full-width digits", "共有１２人受伤。", "共有１３人受伤。", []string{"number"}},
		{"decimal", "Growth was 2.5 percent.", "Growth was 3.1 percent.", []string{"number"}},
		{"number with punctuation", "It rose 12, then fell.", "It rose 13; then fell.", []string{"number"}},
		{"number and unit word", "It cost 12 million.", "It cost 1.2 billion.", []string{"number", "wording"}},
		{"quote wording", quote, strings.Replace(quote, "will not", "may", 1), []string{"quote", "wording"}},
		{"quote number", `He said “12 people were hurt”.`, `He said “13 people were hurt”.`, []string{"number", "quote"}},
		{"outside the quote", quote, strings.Replace(quote, "at the briefing", "on Monday", 1), []string{"wording"}},
		{"quote marks added", "The minister called it a victory.", "The minister called it a “victory”.", []string{"quote", "wording"}},
		{"straight quotes", `He said "no comment" twice.`, `He said "no further comment" twice.`, []string{"quote", "wording"}},
		{"guillemets", "Il a dit « jamais » hier.", "Il a dit « toujours » hier.", []string{"quote", "wording"}},
		{"corner brackets", "他说「我们不会加税」。", "他说「我们可能加税」。", []string{"quote", "wording"}},
		{"white corner brackets", "他说『十二人』。", "他说『十三人』。", []string{"number", "quote"}},
		{"full-width straight quotes", "他说＂不会＂。", "他说＂可能＂。", []string{"quote", "wording"}},
		{"single quotes and apostrophe", "He called it ‘the government’s plan’ on Friday.",
			"He called it ‘the government’s plan’ on Monday.", []string{"wording"}},
		{"unclosed quote runs to the paragraph end", "“We will act quickly, and we will act firmly.",
			"“We will act quickly, and we will act fairly.", []string{"quote", "wording"}},
		{"wording", "The minister resigned on Tuesday.", "The minister stepped down on Tuesday.", []string{"wording"}},
		{"punctuation only", "Done.", "Done!", []string{"wording"}},
		{"spacing only", "New York", "NewYork", nil},
		{"added", measures, measures + "\n\n" + plain, []string{"added"}},
		{"removed", measures + "\n\n" + plain, measures, []string{"removed"}},
		{"added numbers are added, not number", measures, measures + "\n\nIt added 40 more.", []string{"added"}},
		{"correction paragraph edited", measures + "\n\nCorrection: an earlier version said 11.",
			measures + "\n\nCorrection: an earlier version said 10.", []string{"correction", "number"}},
		{"chinese correction", "政府宣布了十二项新措施。", "政府宣布了十三项新措施。\n\n更正：本文此前误称十二项。",
			[]string{"added", "correction", "number"}},
		{"note moved unchanged is no correction", "Editor's note: updated.\n\n" + measures,
			measures + "\n\nEditor's note: updated.", []string{"moved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := diff.Compare(tt.old, tt.new)
			got := r.Classes()
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Classes() mismatch (-want +got):\n%s\n%s", d, r.Text("old", "new"))
			}
			if !slices.IsSorted(got) {
				t.Errorf("Classes() = %q, not sorted", got)
			}
		})
	}
}

func TestHasCorrection(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Correction: An earlier version of this article misstated the figure.", true},
		{"CORRECTION: The vote was on Tuesday.", true},
		{"Corrections: Two names were misspelled.", true},
		{"Clarification: The report was published by the ministry.", true},
		{"Editor’s note: This article has been revised.", true},
		{"Editor's Note — names have been changed.", true},
		{"This article has been updated to include a response.", true},
		{"This story has been updated with new figures.", true},
		{"An earlier version of this article said 12.", true},
		{"Update: The minister has since resigned.", true},
		{"UPDATE (4:15 p.m.): Police said the road had reopened.", true},
		{"Update, March 3 — the vote was delayed.", true},
		{"Correction (March 3): The vote was on Tuesday.", true},
		{"更正：本文此前误称十二项。", true},
		{"【更正】本报3月5日报道有误。", true},
		{"更正声明", true},
		{"特此更正。", true},
		{"编者按：本文作者为特约评论员。", true},
		{"编者注：文中数据已核实。", true},
		{"勘误：第三段人数应为十三人。", true},
		{"本文已更新。", true},
		{"編者按：本文作者為特約評論員。", true},
		{"Correction：the figure was 13.", true},
		{"The ministry issued no correction.", false},
		{"The autocorrection: a feature of phones.", false},
		{"An update on the budget is expected.", false},
		{"Officials will update the figures next week.", false},
		{"生活变得更正常了。", false},
		{"这样更正确。", false},
		{"变更正式生效。", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := diff.HasCorrection(tt.text); got != tt.want {
			t.Errorf("HasCorrection(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestClassVocabulary checks that Classes uses only the documented names.
func TestClassVocabulary(t *testing.T) {
	text := []string{diff.ClassAdded, diff.ClassCorrection, diff.ClassMoved, diff.ClassNumber,
		diff.ClassQuote, diff.ClassRemoved, diff.ClassWording}
	meta := []string{diff.ClassByline, diff.ClassModified, diff.ClassPublished, diff.ClassReverted,
		diff.ClassStealth, diff.ClassTitle}
	all := slices.Concat(text, meta)
	slices.Sort(all)
	if len(slices.Compact(all)) != len(text)+len(meta) {
		t.Fatalf("class names repeat: %q", all)
	}
	r := diff.Compare("Keep.\n\nGone.\n\nMoved.\n\nSaid “12 pacts”.",
		"Moved.\n\nKeep.\n\nSaid “13 treaties”.\n\nCorrection: new.")
	for _, c := range r.Classes() {
		if !slices.Contains(text, c) {
			t.Errorf("Classes() returned %q, not a text class", c)
		}
	}
}
