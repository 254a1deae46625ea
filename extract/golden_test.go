package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden testdata/*.json files")

// goldenBase is the page URL every golden page is extracted against.
func goldenBase(t testing.TB, name string) *url.URL {
	u, err := url.Parse("https://news.example/articles/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func goldenPages(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden pages in testdata")
	}
	return files
}

// TestHTMLGolden extracts every testdata/NAME.html and compares all Article
// fields with testdata/NAME.json. Run with -update to rewrite the goldens
// after a deliberate change (and bump Version).
func TestHTMLGolden(t *testing.T) {
	for _, file := range goldenPages(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".html")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a, err := HTML(bytes.NewReader(b), Options{BaseURL: goldenBase(t, name)})
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			got, err := json.MarshalIndent(a, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(file, ".html") + ".json"
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
		})
	}
}
