package extract

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

const noticeZHFile = "testdata/pdf/notice-zh-min.pdf"

// TestPDFHandMadeFixture checks that testdata/pdf/notice-zh-min.pdf is what
// noticeZHPDF writes (-update rewrites it) and that its text, title, dates
// and language come out exactly.
func TestPDFHandMadeFixture(t *testing.T) {
	b := noticeZHPDF()
	if *update {
		if err := os.WriteFile(noticeZHFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if committed, err := os.ReadFile(noticeZHFile); err != nil || !bytes.Equal(committed, b) {
		t.Fatalf("%s is not what noticeZHPDF writes (run go test -run TestPDFHandMadeFixture -update): %v", noticeZHFile, err)
	}
	a, err := PDF(bytes.NewReader(b), PDFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(append([]string{noticeZH.title, noticeZH.issuer}, noticeZH.paras...), "\n\n")
	want = strings.ReplaceAll(want, "\u3000", " ") // white space, the ideographic space too, becomes one space
	if a.Text != want {
		t.Errorf("Text =\n%s\nwant\n%s", a.Text, want)
	}
	if a.Title != noticeZH.title {
		t.Errorf("Title = %q, want %q", a.Title, noticeZH.title)
	}
	if got, want := a.Published, time.Date(2025, 1, 15, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Published = %v, want %v", got, want)
	}
	if got, want := a.Modified, time.Date(2025, 1, 16, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Modified = %v, want %v", got, want)
	}
	if a.Lang != "zh-CN" {
		t.Errorf("Lang = %q, want zh-CN", a.Lang)
	}
}

func pdfFixtures(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "pdf", "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no PDF fixtures in testdata/pdf")
	}
	return files
}

// pdfGolden renders an Article as a txtar archive, one file per field, so
// that a diff of a golden file reads like a diff of the document.
func pdfGolden(a *Article) []byte {
	date := func(t time.Time) []byte {
		if t.IsZero() {
			return nil
		}
		return []byte(t.Format(time.RFC3339) + "\n")
	}
	ar := &txtar.Archive{Files: []txtar.File{
		{Name: "title", Data: []byte(a.Title + "\n")},
		{Name: "published", Data: date(a.Published)},
		{Name: "modified", Data: date(a.Modified)},
		{Name: "lang", Data: []byte(a.Lang + "\n")},
		{Name: "text", Data: []byte(a.Text + "\n")},
	}}
	return txtar.Format(ar)
}

// TestPDFGolden extracts every testdata/pdf/NAME.pdf and compares the
// result with testdata/pdf/NAME.txtar. Run with -update to rewrite the
// goldens after a deliberate change (and bump Version).
func TestPDFGolden(t *testing.T) {
	for _, file := range pdfFixtures(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".pdf")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a, err := PDF(bytes.NewReader(b), PDFOptions{})
			if err != nil {
				t.Fatalf("PDF: %v", err)
			}
			got := pdfGolden(a)
			golden := strings.TrimSuffix(file, ".pdf") + ".txtar"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
			}
			again, err := PDF(bytes.NewReader(b), PDFOptions{})
			if err != nil || !bytes.Equal(pdfGolden(again), got) {
				t.Errorf("%s: a second extraction differs (err %v)", name, err)
			}
		})
	}
}

// TestPDFConcurrent extracts the fixtures from several goroutines at once:
// the parser must keep no shared state (run with -race).
func TestPDFConcurrent(t *testing.T) {
	var docs [][]byte
	for _, file := range pdfFixtures(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, b)
	}
	want := make([]string, len(docs))
	for i, b := range docs {
		a, err := PDF(bytes.NewReader(b), PDFOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = a.Text
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, b := range docs {
				a, err := PDF(bytes.NewReader(b), PDFOptions{})
				if err != nil || a.Text != want[i] {
					t.Errorf("concurrent extraction %d differs (err %v)", i, err)
				}
			}
		})
	}
	wg.Wait()
}
