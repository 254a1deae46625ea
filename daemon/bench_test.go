package daemon_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkCheck measures one check of an unchanged article end to end
// (HTTP on loopback, classification, SQLite transaction): "same-bytes"
// skips extraction because the body hash matches the last capture, "churn"
// extracts every time because the page furniture changes on each request.
// Compare the two to see what the hash shortcut saves. "changed" stores a
// new version and change on every check (a figure in the text moves): the
// cost of comparing, classifying and rendering a real edit.
func BenchmarkCheck(b *testing.B) {
	body := strings.Repeat("<p>"+strings.Repeat("A sentence of an article body that goes on. ", 8)+"</p>\n", 30)
	for _, tc := range []struct {
		name           string
		churn, changed bool
	}{{"same-bytes", false, false}, {"churn", true, false}, {"changed", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newSite(b)
			n := 0
			s.set("/a", func(w http.ResponseWriter, r *http.Request) {
				n++
				clock := ""
				if tc.churn {
					clock = fmt.Sprint(n)
				}
				figure := ""
				if tc.changed { // a figure in the text changes on every request
					figure = fmt.Sprintf("<p>The ministry counted %d incidents in the first quarter of the year.</p>", n)
				}
				fmt.Fprintf(w, "<html><body><header><nav><a href=/>Home</a> %s</nav></header><article><h1>Title</h1>%s%s</article></body></html>",
					clock, figure, body)
			})
			c := newBenchChecker(b)
			u := s.URL + "/a"
			if r, _ := c.d.Check(b.Context(), u); r.Status != "new" {
				b.Fatalf("first check: %s %s", r.Status, r.Reason)
			}
			want := "unchanged"
			if tc.changed {
				want = "changed"
			}
			for b.Loop() {
				if r, _ := c.d.Check(b.Context(), u); r.Status != want {
					b.Fatalf("check: %s %s", r.Status, r.Reason)
				}
			}
		})
	}
}
