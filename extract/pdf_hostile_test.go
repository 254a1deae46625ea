package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// encryptedPDF is a one-page file with a standard security handler
// dictionary, as written by tools that restrict printing or copying.
func encryptedPDF() []byte {
	w := simplePages("BT /F1 12 Tf 40 300 Td (secret) Tj ET")
	enc := w.add("<</Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <" + strings.Repeat("AB", 32) + "> /U <" + strings.Repeat("CD", 32) + ">>>")
	return w.bytes(fmt.Sprintf("/Encrypt %d 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]", enc))
}

// bombPDF has one page whose content stream is small compressed and n
// bytes decompressed.
func bombPDF(n int) []byte {
	w := &pdfWriter{}
	w.add("<</Type /Catalog /Pages 2 0 R>>")
	w.add("<</Type /Pages /Kids [3 0 R] /Count 1>>")
	w.add("<</Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Contents 4 0 R>>")
	w.add(flateStream("", bytes.Repeat([]byte{' '}, n)))
	return w.bytes("")
}

// pagesPDF has n pages, each showing a different line.
func pagesPDF(n int) []byte {
	contents := make([]string, n)
	for i := range contents {
		contents[i] = fmt.Sprintf("BT /F1 12 Tf 40 300 Td (Chapter %c%c) Tj ET", 'A'+i/26, 'a'+i%26)
	}
	return simplePages(contents...).bytes("")
}

// TestPDFHostile checks that broken and hostile files give the error they
// should, quickly.
func TestPDFHostile(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	manyOps := strings.Repeat("1 0 0 1 0 0 cm 0 0 Td\n", 400000)
	fixture, err := os.ReadFile(noticeZHFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pdf  []byte
		o    PDFOptions
		want error  // errors.Is target; nil: any error
		ok   bool   // no error expected
		text string // with ok: the text expected
	}{
		{name: "encrypted", pdf: encryptedPDF(), want: ErrEncrypted},
		{name: "not a PDF", pdf: []byte("<html><body>moved</body></html>")},
		{name: "empty", pdf: nil},
		{name: "header only", pdf: []byte("%PDF-1.7\n")},
		{name: "truncated in half", pdf: fixture[:len(fixture)/2]},
		{name: "garbage after header", pdf: append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("\x00\xff obj << /"), 5000)...)},
		{name: "decompression bomb", pdf: bombPDF(8 << 20), o: PDFOptions{MaxStreamBytes: 1 << 20}, want: ErrPDFTooLarge},
		{name: "decompression bomb, default limit", pdf: bombPDF(33 << 20), want: ErrPDFTooLarge},
		{name: "too many pages", pdf: pagesPDF(11), o: PDFOptions{MaxPages: 10}, want: ErrPDFTooLarge},
		{name: "pages at the limit", pdf: pagesPDF(10), o: PDFOptions{MaxPages: 10}, ok: true,
			// every line is as wide as the widest: each reads as continued on the next page
			text: "Chapter Aa Chapter Ab Chapter Ac Chapter Ad Chapter Ae Chapter Af Chapter Ag Chapter Ah Chapter Ai Chapter Aj"},
		{name: "too much text", pdf: pagesPDF(50), o: PDFOptions{MaxTextBytes: 200}, want: ErrPDFTooLarge},
		{name: "too large a file", pdf: pagesPDF(3), o: PDFOptions{MaxInputBytes: 100}, want: ErrPDFTooLarge},
		{name: "deeply nested content", pdf: simplePages(deep + " BT /F1 12 Tf 40 300 Td (after) Tj ET").bytes(""), ok: true, text: "after"},
		{name: "deeply nested object", pdf: simplePages("BT ET").bytes("/Junk " + deep)},
		{name: "page tree loop", pdf: pageTreeLoopPDF(), ok: true},
		{name: "xref loop", pdf: xrefLoopPDF()},
		{name: "form drawn from itself", pdf: selfFormPDF(), ok: true, text: "form form form form form form form form"},
		{name: "slow content", pdf: simplePages(manyOps).bytes(""), o: PDFOptions{Timeout: time.Millisecond}, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			if o.Timeout == 0 {
				o.Timeout = 10 * time.Second
			}
			start := time.Now()
			a, err := PDF(bytes.NewReader(tt.pdf), o)
			if took := time.Since(start); took > o.Timeout+time.Second {
				t.Errorf("took %v, timeout %v", took, o.Timeout)
			}
			switch {
			case tt.ok && err != nil:
				t.Fatalf("PDF: %v", err)
			case tt.ok:
				if tt.text != "" && a.Text != tt.text {
					t.Errorf("Text = %q, want %q", a.Text, tt.text)
				}
			case err == nil:
				t.Fatalf("PDF returned no error; text %q", a.Text)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("PDF: %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Errorf("a panic was recovered: %v", err)
			}
		})
	}
}

// pageTreeLoopPDF has a page tree node that lists itself as a kid.
func pageTreeLoopPDF() []byte {
	w := &pdfWriter{}
	w.add("<</Type /Catalog /Pages 2 0 R>>")
	w.add("<</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>>")
	w.add("<</Type /Pages /Kids [2 0 R 3 0 R] /Count 1000000>>")
	return w.bytes("")
}

// xrefLoopPDF has a trailer whose /Prev points back at its own xref table.
func xrefLoopPDF() []byte {
	b := simplePages("BT /F1 12 Tf 40 300 Td (looped) Tj ET").bytes("")
	at := bytes.LastIndex(b, []byte("startxref\n"))
	var xref int
	fmt.Sscanf(string(b[at+len("startxref\n"):]), "%d", &xref)
	return bytes.Replace(b, []byte("/Root 1 0 R "), fmt.Appendf(nil, "/Root 1 0 R /Prev %d ", xref), 1)
}

// selfFormPDF draws a form XObject that draws itself: the recursion must
// stop at the nesting limit.
func selfFormPDF() []byte {
	w := simplePages("/X1 Do")
	form := w.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 300 400] /Resources <</Font <</F1 3 0 R>> /XObject <</X1 6 0 R>>>>",
		[]byte("BT /F1 12 Tf 0 0 Td (form) Tj ET 1 0 0 1 40 0 cm /X1 Do")))
	w.set(5, strings.Replace(w.objs[4], "/Resources <<", fmt.Sprintf("/Resources <</XObject <</X1 %d 0 R>> ", form), 1))
	return w.bytes("")
}

// TestPDFDates covers the PDF date format and its common deviations.
func TestPDFDates(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"D:20240115093000+08'00'", time.Date(2024, 1, 15, 1, 30, 0, 0, time.UTC)},
		{"D:20240115093000+08'00", time.Date(2024, 1, 15, 1, 30, 0, 0, time.UTC)},
		{"D:20240115093000-05'30'", time.Date(2024, 1, 15, 15, 0, 0, 0, time.UTC)},
		{"D:20240115093000Z", time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"D:20240115093000Z00'00'", time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"D:20240115", time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{"D:2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"20240115093000", time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC)},
		{"D:20241315093000", time.Time{}},
		{"D:18000101", time.Time{}},
		{"yesterday", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		if got := parsePDFDate(tt.in); !got.Equal(tt.want) {
			t.Errorf("parsePDFDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestPDFJoinLines covers how the lines of a paragraph are joined.
func TestPDFJoinLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"latin", []string{"the quick", "brown fox"}, "the quick brown fox"},
		{"hyphenated word", []string{"a con-", "sultation"}, "a consultation"},
		{"hyphen before a capital", []string{"the Pre-", "Announcement"}, "the Pre- Announcement"},
		{"dash, not a hyphen", []string{"figures -", "revised"}, "figures - revised"},
		{"cjk", []string{"各地区各部门要加强", "组织领导"}, "各地区各部门要加强组织领导"},
		{"cjk then latin", []string{"采用", "GB/T 7714"}, "采用GB/T 7714"},
		{"number broken in cjk text", []string{"比重为36.", "5%，第三产业"}, "比重为36.5%，第三产业"},
		{"hangul keeps spaces", []string{"국가 통계", "보고서"}, "국가 통계 보고서"},
	}
	for _, tt := range tests {
		var p []pdfLine
		for _, l := range tt.lines {
			p = append(p, pdfLine{text: l})
		}
		if got := joinLines(p); got != tt.want {
			t.Errorf("%s: joinLines(%q) = %q, want %q", tt.name, tt.lines, got, tt.want)
		}
	}
}

// panicCtx panics when asked whether it is done, standing in for a bug
// deep in the parser.
type panicCtx struct{ context.Context }

func (panicCtx) Err() error { panic("boom") }

// TestPDFRecoversPanic checks that a panic during extraction becomes an
// error instead of ending the daemon.
func TestPDFRecoversPanic(t *testing.T) {
	b, err := os.ReadFile(noticeZHFile)
	if err != nil {
		t.Fatal(err)
	}
	_, err = extractPDF(panicCtx{context.Background()}, b, PDFOptions{}.withDefaults())
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Fatalf("extractPDF = %v, want an internal error", err)
	}
}
