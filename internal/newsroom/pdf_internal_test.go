package newsroom

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/extract"
)

// TestPDFText checks that the text a reader extracts from each PDF is
// exactly the document's: title, byline, date line, then each heading
// and its paragraphs.
func TestPDFText(t *testing.T) {
	for _, a := range []*article{whitePaperPDF(), chineseWhitePaperPDF()} {
		t.Run(a.Lang, func(t *testing.T) {
			b := renderPDF(a)
			if !bytes.Equal(b, renderPDF(a)) {
				t.Error("two renderings differ")
			}
			got, err := extract.PDF(bytes.NewReader(b), extract.PDFOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{a.Title, a.Byline, a.Published.Format(pdfStyleFor(a).dateStamp)}
			for _, s := range a.Sections {
				want = append(want, s.Heading)
				want = append(want, s.Paras...)
			}
			if paras := strings.Split(got.Text, "\n\n"); !slices.Equal(paras, want) {
				t.Errorf("text:\n%s\nwant:\n%s", got.Text, strings.Join(want, "\n\n"))
			}
			if got.Title != a.Title || !got.Published.Equal(a.Published) || !got.Modified.Equal(a.Published) {
				t.Errorf("title %q, published %v, modified %v; want %q and %v twice", got.Title, got.Published, got.Modified, a.Title, a.Published)
			}
		})
	}
}

// TestPDFCrossReference checks the file structure a strict reader relies
// on: every xref entry points at its object, startxref at the table.
func TestPDFCrossReference(t *testing.T) {
	b := renderPDF(chineseWhitePaperPDF())
	start := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if start == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(start[1]))
	if !bytes.HasPrefix(b[at:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", at)
	}
	entries := regexp.MustCompile(`(?m)^(\d{10}) 00000 n $`).FindAllSubmatch(b[at:], -1)
	if len(entries) < 10 {
		t.Fatalf("%d xref entries", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("xref entry %d points at %q", i+1, b[off:min(len(b), off+12)])
		}
	}
}

func TestToUnicodeSections(t *testing.T) {
	var runes []rune
	for r := rune(0x4E00); r < 0x4E00+250; r++ {
		runes = append(runes, r)
	}
	cmap := string(toUnicode(runes))
	for _, want := range []string{"100 beginbfchar\n<4E00> <4E00>\n", "50 beginbfchar\n", "<4EF9> <4EF9>\nendbfchar\nendcmap"} {
		if !strings.Contains(cmap, want) {
			t.Errorf("CMap lacks %q", want)
		}
	}
	if got := strings.Count(cmap, "beginbfchar"); got != 3 {
		t.Errorf("%d bfchar sections, want 3 of at most 100 entries", got)
	}
}

func TestPDFStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{pdfText("China's (legal) path\\"), `(China's \(legal\) path\\)`},
		{pdfText("白皮书"), "<FEFF767D76AE4E66>"},
		{pdfDate(time.Date(2024, 1, 23, 10, 0, 0, 0, beijing())), "D:20240123100000+08'00'"},
		{pdfDate(time.Date(2024, 1, 23, 10, 0, 0, 0, time.FixedZone("", -(5*3600+30*60)))), "D:20240123100000-05'30'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
