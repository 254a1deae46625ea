package diff

import (
	"strings"
	"testing"
)

// FuzzCleanLine checks cleanLine's fast path: a line isClean says is clean
// is what the full cleaning returns.
func FuzzCleanLine(f *testing.F) {
	for _, s := range []string{"", "a b", " a", "a  b", "a\tb", "a\u00a0b", "a\u200bb", "中 文", "a\x7fb", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if isClean(s) && cleanSlow(s) != s {
			t.Fatalf("isClean(%q), but cleaning gives %q", s, cleanSlow(s))
		}
		if isClean(s) != (cleanSlow(s) == s) {
			t.Fatalf("isClean(%q) = %v, cleaning gives %q", s, isClean(s), cleanSlow(s))
		}
	})
}
