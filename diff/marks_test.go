package diff

import (
	"errors"
	"strings"
	"testing"
)

// parseMarked reads the content of a "~" line back into old and new text,
// following the package documentation. Only tests read reports.
func parseMarked(s string) (old, new string, err error) {
	var o, n strings.Builder
	const (
		plain = iota
		deleted
		inserted
	)
	mode := plain
	write := func(c byte) {
		if mode != inserted {
			o.WriteByte(c)
		}
		if mode != deleted {
			n.WriteByte(c)
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			if i+1 == len(s) {
				return "", "", errors.New("backslash at end of line")
			}
			i++
			write(s[i])
			continue
		}
		two := ""
		if i+1 < len(s) {
			two = s[i : i+2]
		}
		switch {
		case mode == plain && two == "[-":
			mode = deleted
		case mode == plain && two == "{+":
			mode = inserted
		case mode == deleted && two == "-]", mode == inserted && two == "+}":
			mode = plain
		default:
			write(s[i])
			continue
		}
		i++
	}
	if mode != plain {
		return "", "", errors.New("mark not closed")
	}
	return o.String(), n.String(), nil
}

func TestEscapeMarks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"Prices [-see note] rose", `Prices \[-see note] rose`},
		{"a -] b {+ c +} d", `a \-] b \{+ c \+} d`},
		{`back\slash`, `back\\slash`},
		{"[-]", `\[\-]`},
		{"{+}", `\{\+}`},
		{"--]]", `-\-]]`},
	}
	for _, tt := range tests {
		if got := escapeMarks(tt.in); got != tt.want {
			t.Errorf("escapeMarks(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if o, n, err := parseMarked(escapeMarks(tt.in)); err != nil || o != tt.in || n != tt.in {
			t.Errorf("parseMarked(escapeMarks(%q)) = %q, %q, %v", tt.in, o, n, err)
		}
	}
}

// FuzzMarks checks that a "~" line, unshortened, gives back exactly the old
// and new text of its paragraph whatever the paragraph says.
func FuzzMarks(f *testing.F) {
	f.Add("Prices [-see note] rose by 3", "Prices [-see note] rose by 4")
	f.Add(`a [- b \ c`, `a [+ b \\ c -]`)
	f.Add("x{+y+}z", "x{+y-}z")
	f.Add("[-]", "{+}")
	f.Add("A.\n\nB [-.\n\nC.", "C.\n\nA.\n\nB {+!")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, bl := range Compare(a, b).Blocks {
			if bl.Kind == Unchanged {
				continue
			}
			line := marked(bl, style{escape: true})
			o, n, err := parseMarked(line)
			if err != nil {
				t.Fatalf("parseMarked(%q): %v", line, err)
			}
			wantO, wantN := bl.Old, bl.New
			if bl.Kind == Moved && bl.Spans == nil {
				wantO = bl.New
			}
			if o != wantO || n != wantN {
				t.Fatalf("~ line %q reads as %q → %q, want %q → %q", line, o, n, wantO, wantN)
			}
		}
	})
}
