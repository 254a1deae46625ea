package newsroom_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestPDFs reads the two PDF editions as the daemon does: title, language
// and dates from the file, paragraphs without running headers or page
// numbers; and checks that the script's edit changes one paragraph and
// leaves the modification date alone.
func TestPDFs(t *testing.T) {
	n, srv := newServer(t)
	tests := []struct {
		title, lang, figure string
	}{
		{"China's Legal Framework and Measures for Counterterrorism", "en-US", "China has joined 12 global counterterrorism conventions"},
		{"中国的反恐怖主义法律制度体系与实践", "zh-CN", "中国已加入12项全球性反恐公约"},
	}
	var paths []string
	for _, p := range articlePaths(t, n, srv) {
		if strings.HasSuffix(p, ".pdf") {
			paths = append(paths, p)
		}
	}
	if len(paths) != len(tests) {
		t.Fatalf("PDFs %v, want %d", paths, len(tests))
	}
	before := map[string]page{}
	for _, path := range paths {
		p := fetchPage(t, srv, path)
		i := slices.IndexFunc(tests, func(tt struct{ title, lang, figure string }) bool { return tt.title == p.h1 })
		if !p.pdf || i < 0 {
			t.Fatalf("%s: pdf %v, title %q", path, p.pdf, p.h1)
		}
		tt := tests[i]
		if pages := bytes.Count(p.raw, []byte("/Type /Page ")); pages < 2 {
			t.Errorf("%s: %d pages; want 2 or more, so running headers are told from text", path, pages)
		}
		if !strings.Contains(string(p.raw), "/Lang ("+tt.lang+")") {
			t.Errorf("%s: no /Lang (%s) in the catalog", path, tt.lang)
		}
		if len(p.paras) < 12 || p.paras[0] != tt.title || !slices.ContainsFunc(p.paras, func(s string) bool { return strings.HasPrefix(s, tt.figure) }) {
			t.Errorf("%s: %d paragraphs, first %q; want the title first and %q", path, len(p.paras), p.paras[0], tt.figure)
		}
		for _, running := range []string{"White paper:", "》白皮书", "- 1 -", "- 2 -"} {
			if strings.Contains(p.text(), running) {
				t.Errorf("%s: running header or page number %q in the text", path, running)
			}
		}
		before[path] = p
	}
	for step, ok := n.Advance(); ok && step.Name != "PDF figures changed"; step, ok = n.Advance() {
	}
	for _, path := range paths {
		after := fetchPage(t, srv, path)
		changed := 0
		for i := range after.paras {
			if i < len(before[path].paras) && after.paras[i] != before[path].paras[i] {
				changed++
			}
		}
		if len(after.paras) != len(before[path].paras) || changed != 1 || after.modTim != before[path].modTim {
			t.Errorf("%s after the edit: %d paragraphs changed of %d (was %d), ModDate %s (was %s); want one, and the same date",
				path, changed, len(after.paras), len(before[path].paras), after.modTim, before[path].modTim)
		}
	}
}
