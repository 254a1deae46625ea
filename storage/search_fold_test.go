package storage

import (
	"strings"
	"testing"
)

// foldTextSlow is foldText without its ASCII shortcut: every rune through
// foldRune, wordRune and unspaced.
func foldTextSlow(s string) folded {
	var f folded
	var word, grams strings.Builder
	space := false
	endWord := func() {
		if word.Len() > 0 {
			f.words = append(f.words, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		foldRune(r, func(c rune) {
			switch {
			case unspaced(c):
				endWord()
				f.words = append(f.words, string(c))
				f.unspaced = true
			case wordRune(c):
				word.WriteRune(c)
			default:
				endWord()
				space = grams.Len() > 0
				return
			}
			if space {
				grams.WriteByte(' ')
				space = false
			}
			grams.WriteRune(c)
		})
	}
	endWord()
	f.grams = grams.String()
	return f
}

// foldText's ASCII shortcut folds every ASCII character, alone and among
// others, as foldRune does.
func TestFoldTextASCIIShortcut(t *testing.T) {
	var all strings.Builder
	for c := range 128 {
		all.WriteByte(byte(c))
	}
	ins := []string{all.String(), "The Ministry said: 1,204 cases (up 3%) — Ärzte “warned” in São Paulo.",
		"  -- Café\u00adTerrasse\u200bNEXT  ", "東京 Tokyo 2024年", "İstanbul ΣΟΦΙΑ Straße"}
	for c := range 128 {
		ins = append(ins, "ab"+string(rune(c))+"CD", string(rune(c))+"é"+string(rune(c)))
	}
	for _, in := range ins {
		got, want := foldText(in), foldTextSlow(in)
		if strings.Join(got.words, "|") != strings.Join(want.words, "|") || got.grams != want.grams || got.unspaced != want.unspaced {
			t.Errorf("foldText(%q) = %q, %q, %v; want %q, %q, %v", in, got.words, got.grams, got.unspaced, want.words, want.grams, want.unspaced)
		}
	}
}

// BenchmarkFoldText folds an English paragraph: "ascii" as foldText does,
// "slow" every rune through foldRune.
func BenchmarkFoldText(b *testing.B) {
	p := strings.Repeat("The ministry said on Monday that officials would publish the figures, 1,204 in all, after a consultation. ", 6)
	b.Run("ascii", func(b *testing.B) {
		for b.Loop() {
			foldText(p)
		}
	})
	b.Run("slow", func(b *testing.B) {
		for b.Loop() {
			foldTextSlow(p)
		}
	})
}
