package extract

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// visibleText concatenates the text nodes a reader could see: everything
// but the contents of script, style and other non-text elements.
func visibleText(t *testing.T, b []byte) string {
	t.Helper()
	s, _, err := Decode(b, "")
	if err != nil {
		t.Fatal(err)
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return ""
	}
	var sb strings.Builder
	walk(root, func(n *html.Node, _ int) bool {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		return n.Type != html.ElementNode || !droppedTags[n.DataAtom]
	})
	// Soft hyphens and zero-width spaces are not drawn: "Mit\u00adtel"
	// reads, and is extracted, as "Mittel".
	return strings.Map(dropInvisible, sb.String())
}

func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// FuzzHTML checks that extraction never fails on arbitrary bytes, emits
// valid UTF-8, draws every word of its output from the page's visible text
// (it rearranges whitespace, never invents words), and is deterministic.
func FuzzHTML(f *testing.F) {
	for _, file := range goldenPages(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"<html><body><p>x</p></body></html>",
		"<p>foo<script>x</script>bar</p><p>baz<span class=ad>qux</span>quux</p>",
		"<table><tr><td>a<td>b<tr><td>c</table><ul><li>d<li><ul><li>e</ul></ul>",
		strings.Repeat("<div>", 600) + "deep" + strings.Repeat("</div>", 600),
		strings.Repeat("<b><i>", 300) + "misnested" + strings.Repeat("</b></i>", 300),
		"<pre>  a\n\n  b</pre><br><hr>",
		"\xff\xfe<\x00p\x00>\x00",
		"<meta charset=gbk><p>\xd6\xd0\xce\xc4</p>",
		"0<div ClAss=info>1</div>00", // a pruned block once glued "0" and "00" into "000"
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := HTML(bytes.NewReader(b), Options{})
		if err != nil {
			return // too deep for the parser: an error, not a panic
		}
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Byline) {
			t.Fatalf("invalid UTF-8 in %q / %q / %q", a.Text, a.Title, a.Byline)
		}
		visible := visibleText(t, b)
		for _, w := range words(a.Text) {
			if !strings.Contains(visible, w) {
				t.Fatalf("output word %q not in the page's text %q (output %q)", w, visible, a.Text)
			}
		}
		again, err := HTML(bytes.NewReader(b), Options{})
		if err != nil || !reflect.DeepEqual(a, again) {
			t.Fatalf("second run differs: %+v vs %+v (err %v)", a, again, err)
		}
	})
}

func BenchmarkHTML(b *testing.B) {
	var pages [][]byte
	for _, file := range goldenPages(b) {
		p, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			if _, err := HTML(bytes.NewReader(p), Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
