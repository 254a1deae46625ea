package diff_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stet/stet/diff"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden compares each testdata/*.txtar's "old" and "new" sections and
// checks the Unified output (labels "old" and "new") against its "diff"
// section.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.txtar files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			old, new, want := section(t, ar, "old"), section(t, ar, "new"), section(t, ar, "diff")
			got := diff.Compare(string(old), string(new)).Unified("old", "new")
			if *update {
				setSection(ar, "diff", []byte(got))
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(want) {
				t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func section(t *testing.T, ar *txtar.Archive, name string) []byte {
	t.Helper()
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	if name == "diff" && *update {
		return nil
	}
	t.Fatalf("no %q section", name)
	return nil
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}
