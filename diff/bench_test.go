package diff_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stet/stet/diff"
)

// article returns n paragraphs of news-like prose, the same for the same n
// and seed: sentences of varied length built from a small vocabulary, some
// carrying figures and quotations, as extracted article text does.
func article(n int, seed uint32) []string {
	words := strings.Fields("the government said on Tuesday that officials would review budget " +
		"plans for regional hospitals schools and roads after critics argued process lacked " +
		"transparency minister spokesperson committee report growth percent quarter rose fell " +
		"analysts expected further measures next year council members voted against proposal")
	next := func(k int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % k
	}
	paras := make([]string, n)
	for i := range paras {
		var b strings.Builder
		for s := range 2 + next(4) {
			if s > 0 {
				b.WriteByte(' ')
			}
			w := words[next(len(words))]
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			for range 8 + next(14) {
				b.WriteByte(' ')
				switch next(20) {
				case 0:
					b.WriteString(strconv.Itoa(next(1000)))
				case 1:
					b.WriteString("“" + words[next(len(words))] + " " + words[next(len(words))] + "”")
				default:
					b.WriteString(words[next(len(words))])
				}
			}
			b.WriteByte('.')
		}
		paras[i] = "¶" + strconv.Itoa(i+1) + " " + b.String()
	}
	return paras
}

// figureAndMove returns an article of n paragraphs and its next version,
// in which one figure changed (in ¶n/4) and one paragraph moved (from
// ¶3n/5 to ¶3n/20).
func figureAndMove(n int) (old, new string) {
	paras := article(n, 1)
	fig, from, to := n/4, 3*n/5, 3*n/20
	paras[fig-1] += " The total was 12 billion."
	old = strings.Join(paras, "\n\n")
	paras[fig-1] = strings.Replace(paras[fig-1], "12 billion", "13 billion", 1)
	moved := paras[from-1]
	paras = append(paras[:from-1], paras[from:]...)
	paras = append(paras[:to-1], append([]string{moved}, paras[to-1:]...)...)
	return old, strings.Join(paras, "\n\n")
}

// BenchmarkCompareClassify measures what the daemon does with one changed
// check of a 200-paragraph article in which a figure changed and a
// paragraph moved: "compare" is Compare alone; "classify" adds Classes and
// the stored JSON; "all" adds Summary and the Text report too.
// "compare-figure-only" is Compare of the same article with the figure
// changed and nothing moved, for the cost of finding the move.
func BenchmarkCompareClassify(b *testing.B) {
	old, new := figureAndMove(200)
	if got := diff.Compare(old, new).Summary(); got.ParagraphsChanged != 1 || got.ParagraphsMoved != 1 {
		b.Fatalf("Summary = %+v, want one changed and one moved", got)
	}
	b.Run("compare-figure-only", func(b *testing.B) {
		figure := strings.Replace(old, "12 billion", "13 billion", 1)
		b.SetBytes(int64(len(old)))
		for b.Loop() {
			diff.Compare(old, figure)
		}
	})
	b.Run("compare", func(b *testing.B) {
		b.SetBytes(int64(len(old)))
		for b.Loop() {
			diff.Compare(old, new)
		}
	})
	b.Run("classify", func(b *testing.B) {
		b.SetBytes(int64(len(old)))
		for b.Loop() {
			r := diff.Compare(old, new)
			_ = r.Classes()
			if _, err := json.Marshal(r.Compact()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		b.SetBytes(int64(len(old)))
		for b.Loop() {
			r := diff.Compare(old, new)
			_, _ = r.Classes(), r.Summary()
			_ = r.Text("old", "new")
			if _, err := json.Marshal(r.Compact()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkJSON measures the stored form of a change to a 5 MB page (one
// figure changed, one paragraph moved): its size ("json-bytes") and the
// time to write and read it, in full and compacted.
func BenchmarkJSON(b *testing.B) {
	old, new := figureAndMove(12000)
	if len(old) < 5_000_000 {
		b.Fatalf("page is %d bytes, want 5 MB", len(old))
	}
	r := diff.Compare(old, new)
	for _, form := range []struct {
		name string
		r    diff.Result
	}{{"full", r}, {"compact", r.Compact()}} {
		js, err := json.Marshal(form.r)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("marshal-"+form.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := json.Marshal(form.r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(js)), "json-bytes")
		})
		b.Run("unmarshal-"+form.name, func(b *testing.B) {
			for b.Loop() {
				var back diff.Result
				if err := json.Unmarshal(js, &back); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(js)), "json-bytes")
		})
	}
	b.Run("compact", func(b *testing.B) {
		for b.Loop() {
			r.Compact()
		}
	})
	b.Run("compare", func(b *testing.B) {
		b.SetBytes(int64(len(old)))
		for b.Loop() {
			diff.Compare(old, new)
		}
	})
}
