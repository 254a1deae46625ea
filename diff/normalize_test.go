package diff_test

import (
	"slices"
	"testing"

	"github.com/stet/stet/diff"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only invisible", " \u200b\t\u00a0\n\n\ufeff", ""},
		{"trim and collapse", "  a   b  \n", "a b"},
		{"tabs and unicode spaces", "a\tb\u00a0c\u3000d\u2009e\u202ff", "a b c d e f"},
		{"zero width and format chars", "a\u200bb\u200cc\u200dd\u2060e\ufeff\u00adf\u200eg\u202ah\x00i", "abcdefghi"},
		{"crlf", "a\r\nb\r\n\r\nc", "a b\n\nc"},
		{"lone cr", "a\rb\r\rc", "a b\n\nc"},
		{"line and paragraph separators", "a\u2028b\u2029c\u0085d", "a b\n\nc d"},
		{"lines joined within a paragraph", "one\ntwo\n three", "one two three"},
		{"many blank lines", "a\n\n\n \n\t\nb", "a\n\nb"},
		{"blank line made of spaces", "a\n   \nb", "a\n\nb"},
		{"nfd to nfc", "Cafe\u0301", "Caf\u00e9"},
		{"mark after removed zero-width", "e\u200b\u0301", "\u00e9"},
		{"invalid utf-8", "a\xffb", "a\ufffdb"},
		{"cjk untouched", "中国已加入12项", "中国已加入12项"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diff.Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := diff.Normalize(got); again != got {
				t.Errorf("Normalize not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	if got := diff.Paragraphs(" \n\u200b\n"); got != nil {
		t.Errorf("Paragraphs(blank) = %q, want nil", got)
	}
	got := diff.Paragraphs("Title\n\nfirst\nline\n\n\nsecond\u00a0para\n")
	if want := []string{"Title", "first line", "second para"}; !slices.Equal(got, want) {
		t.Errorf("Paragraphs = %q, want %q", got, want)
	}
}
