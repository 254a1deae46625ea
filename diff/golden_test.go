package diff_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stet/stet/diff"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden compares each testdata/*.txtar's "old" and "new" sections and
// checks the result against the other sections: "diff" is the Text report
// (labels "old" and "new"), "json" the stored form (Compact; json.Marshal's
// output with a line break before each block) and "classes" the Classes,
// one a line. Each report is also read back (checkReport) to make sure it
// says what the texts say.
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
			r := diff.Compare(string(section(t, ar, "old")), string(section(t, ar, "new")))
			got := map[string]string{
				"diff":    r.Text("old", "new"),
				"json":    blockLines(t, r.Compact()),
				"classes": lines(r.Classes()),
			}
			checkReport(t, r, got["diff"])
			if *update {
				for _, name := range []string{"diff", "json", "classes"} {
					setSection(ar, name, []byte(got[name]))
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"diff", "json", "classes"} {
				if want := section(t, ar, name); got[name] != string(want) {
					t.Errorf("%s:\n%s\nwant:\n%s", name, got[name], want)
				}
			}
		})
	}
}

// blockLines returns json.Marshal(r) with each block on a line of its own.
func blockLines(t *testing.T, r diff.Result) string {
	t.Helper()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Blocks) == 0 {
		return string(js) + "\n"
	}
	var parts []string
	for _, b := range r.Blocks {
		bj, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(bj))
	}
	out := `{"blocks":[` + "\n" + strings.Join(parts, ",\n") + "\n]}"
	if strings.ReplaceAll(out, "\n", "") != string(js) {
		t.Fatalf("blocks marshal apart to\n%s\nbut together to\n%s", out, js)
	}
	return out + "\n"
}

func lines(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s + "\n")
	}
	return b.String()
}

// checkReport reads a Text report back, as a reader would, and checks it
// against r: every "-" and "+" line is a whole paragraph of its version at
// the place the hunk header names, and every "~" line reads back to the
// "-" and "+" lines above it, except where it shortened unchanged text.
func checkReport(t *testing.T, r diff.Result, report string) {
	t.Helper()
	old, new := diff.Paragraphs(r.OldText()), diff.Paragraphs(r.NewText())
	var prevOld, prevNew string
	for line := range strings.Lines(report) {
		line = strings.TrimSuffix(line, "\n")
		kind, text, _ := strings.Cut(line, " ")
		switch kind {
		case "-":
			prevOld = text
			if !contains(old, text) {
				t.Errorf("report line %q is no paragraph of the old text", line)
			}
		case "+", "=":
			prevNew = text
			if !contains(new, text) || kind == "=" && !contains(old, text) {
				t.Errorf("report line %q is no paragraph of the text", line)
			}
		case "~":
			o, n, err := diff.ParseMarked(text)
			if err != nil {
				t.Errorf("report line %q: %v", line, err)
			}
			if (o != prevOld || n != prevNew) && !strings.Contains(text, "…") {
				t.Errorf("report line %q reads as %q → %q, want %q → %q", line, o, n, prevOld, prevNew)
			}
		}
	}
}

func contains(paras []string, p string) bool {
	for _, q := range paras {
		if q == p {
			return true
		}
	}
	return false
}

// TestMarkersRecovered reads the "~" lines of markers.txtar, whose page text
// holds the edit marks themselves, back into the exact old and new text
// (each of its paragraphs changed, so each has a "~" line).
func TestMarkersRecovered(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/markers.txtar")
	if err != nil {
		t.Fatal(err)
	}
	old, new := diff.Normalize(string(section(t, ar, "old"))), diff.Normalize(string(section(t, ar, "new")))
	var gotOld, gotNew []string
	for line := range strings.Lines(string(section(t, ar, "diff"))) {
		rest, ok := strings.CutPrefix(line, "~ ")
		if !ok {
			continue
		}
		o, n, err := diff.ParseMarked(strings.TrimSuffix(rest, "\n"))
		if err != nil {
			t.Fatalf("~ line %q: %v", line, err)
		}
		gotOld, gotNew = append(gotOld, o), append(gotNew, n)
	}
	if o, n := strings.Join(gotOld, "\n\n"), strings.Join(gotNew, "\n\n"); o != old || n != new {
		t.Errorf("~ lines read as\n%q →\n%q, want\n%q →\n%q", o, n, old, new)
	}
}

func section(t *testing.T, ar *txtar.Archive, name string) []byte {
	t.Helper()
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	if *update {
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
