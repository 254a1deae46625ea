package extract

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzPDF checks that no input makes PDF panic, overrun its time budget,
// emit invalid UTF-8 or more text than MaxTextBytes, or give two different
// results for the same bytes.
func FuzzPDF(f *testing.F) {
	for _, file := range pdfFixtures(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, cut := range []int{len(b) / 2, len(b) * 9 / 10, min(len(b), 1000)} {
			f.Add(b[:cut])
		}
	}
	for _, b := range [][]byte{encryptedPDF(), bombPDF(1 << 16), pagesPDF(3), pageTreeLoopPDF(), xrefLoopPDF(), selfFormPDF(),
		simplePages("BT /F1 12 Tf 40 300 Td [(a) -300 (b)] TJ 0 -14 TD (c) ' 1 2 (d) \" ET BI /W 1 ID \x00EI Q Q").bytes("")} {
		f.Add(b)
	}
	o := PDFOptions{MaxTextBytes: 4096, MaxPages: 50, MaxStreamBytes: 1 << 20, MaxDecodedBytes: 4 << 20, Timeout: 2 * time.Second}
	f.Fuzz(func(t *testing.T, b []byte) {
		start := time.Now()
		a, err := PDF(bytes.NewReader(b), o)
		if took := time.Since(start); took > o.Timeout+time.Second {
			t.Fatalf("took %v, timeout %v", took, o.Timeout)
		}
		if err != nil {
			return
		}
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Lang) {
			t.Fatalf("invalid UTF-8 in %q / %q / %q", a.Text, a.Title, a.Lang)
		}
		if len(a.Text) > o.MaxTextBytes {
			t.Fatalf("%d bytes of text, limit %d", len(a.Text), o.MaxTextBytes)
		}
		again, err := PDF(bytes.NewReader(b), o)
		if errors.Is(err, ErrPDFTooLarge) {
			return // the time budget ran out the second time
		}
		if err != nil || !reflect.DeepEqual(a, again) {
			t.Fatalf("second run differs: %+v vs %+v (err %v)", a, again, err)
		}
	})
}

// BenchmarkPDF extracts every fixture in testdata/pdf.
func BenchmarkPDF(b *testing.B) {
	var docs [][]byte
	for _, file := range pdfFixtures(b) {
		p, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range docs {
			if _, err := PDF(bytes.NewReader(p), PDFOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
