package web

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stet/stet/diff"
	"github.com/stet/stet/storage"
)

// TestExcerptAtEveryCut cuts the JSON of a diff at every character and
// checks what the excerpt makes of it: the blocks it holds whole, equal
// to the originals, then at most one block cut short, whose op and
// indices are the original's and whose texts are prefixes of the
// original's (escapes included: quotes, backslashes, \u escapes, CJK).
func TestExcerptAtEveryCut(t *testing.T) {
	r := diff.Compare("Rates rose by 3 percent, \"he said\" \\ <b>.\n\n中国已加入12项公约。\n\nGone paragraph.",
		"Rates rose by 4 percent, \"he said\" \\ <b>.\n\n中国已加入13项公约。\n\nNew\tparagraph \u2028 here.")
	full, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(string(full))
	for n := range len(runes) {
		prefix := []byte(string(runes[:n]))
		ex := excerptOf(storage.ChangeHead{BlocksBytes: int64(len(full)), BlocksPrefix: prefix})
		if !ex.Cut {
			t.Fatalf("cut at %d: not marked cut", n)
		}
		if n < len(`{"blocks":[`) {
			continue
		}
		if !ex.HasBlocks || !json.Valid(ex.Blocks) {
			t.Fatalf("cut at %d: HasBlocks %v, blocks %s", n, ex.HasBlocks, ex.Blocks)
		}
		got := ex.Result.Blocks
		if len(got) > len(r.Blocks) {
			t.Fatalf("cut at %d: %d blocks from %d", n, len(got), len(r.Blocks))
		}
		for i, b := range got {
			want := r.Blocks[i]
			if i < len(got)-1 || isWhole(full, prefix, i) {
				if mustJSON(t, b) != mustJSON(t, want) {
					t.Fatalf("cut at %d: block %d = %+v, want %+v", n, i, b, want)
				}
				continue
			}
			if b.Kind != want.Kind || !strings.HasPrefix(want.Old, b.Old) || !strings.HasPrefix(want.New, b.New) ||
				!utf8.ValidString(b.Old) || !utf8.ValidString(b.New) || len(b.Spans) > len(want.Spans) {
				t.Fatalf("cut at %d: partial block %d = %+v, want a prefix of %+v", n, i, b, want)
			}
			for k, sp := range b.Spans {
				if sp.Op != want.Spans[k].Op || !strings.HasPrefix(want.Spans[k].Text, sp.Text) {
					t.Fatalf("cut at %d: span %d = %+v, want a prefix of %+v", n, k, sp, want.Spans[k])
				}
			}
		}
	}
	whole := excerptOf(storage.ChangeHead{BlocksBytes: int64(len(full)), BlocksPrefix: full})
	if whole.Cut || string(whole.Blocks) != string(full) || len(whole.Result.Blocks) != len(r.Blocks) {
		t.Errorf("whole value: cut %v, %d blocks", whole.Cut, len(whole.Result.Blocks))
	}
	if ex := excerptOf(storage.ChangeHead{BlocksBytes: 100, BlocksPrefix: []byte(`[1,2`)}); ex.HasBlocks {
		t.Errorf("a prefix that is not a diff's JSON has blocks: %+v", ex)
	}
}

// isWhole reports whether the prefix holds block i of full whole (the
// last block an excerpt holds may be whole when the cut falls after it).
func isWhole(full, prefix []byte, i int) bool {
	var all struct{ Blocks []json.RawMessage }
	if json.Unmarshal(full, &all) != nil {
		return false
	}
	end := strings.Index(string(full), string(all.Blocks[i])) + len(all.Blocks[i])
	return len(prefix) >= end
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExcerptText(t *testing.T) {
	tests := []struct {
		prefix string
		total  int64
		want   string
		cut    bool
	}{
		{"--- a\n+++ b\n", 12, "--- a\n+++ b\n", false},
		{"--- a\n+++ b\n~ part", 100, "--- a\n+++ b\n", true},
		{"one long line without an end", 100, "one long line without an end", true},
		{"", 0, "", false},
	}
	for _, tt := range tests {
		ex := excerptOf(storage.ChangeHead{DiffPrefix: tt.prefix, DiffBytes: tt.total})
		if ex.Text != tt.want || ex.Cut != tt.cut {
			t.Errorf("excerpt of %q of %d bytes = %q, cut %v; want %q, %v", tt.prefix, tt.total, ex.Text, ex.Cut, tt.want, tt.cut)
		}
	}
}

func TestSplitParts(t *testing.T) {
	long := strings.Repeat("é", paraBytes) // 2·paraBytes bytes
	p := para{Kind: paraInsert, Text: long}
	p.cut(paraBytes)
	if !p.Cut || len(p.Text) > paraBytes || !utf8.ValidString(p.Text) {
		t.Errorf("cut paragraph: %d bytes, cut %v", len(p.Text), p.Cut)
	}
	ps := make([]para, 3*partParas)
	for i := range ps {
		ps[i] = para{Kind: paraContext, Text: "x"}
	}
	if parts := splitParas(ps); len(parts) != 3 || len(parts[0]) != partParas {
		t.Errorf("%d short paragraphs made %d parts", len(ps), len(parts))
	}
	big := []para{{Kind: paraInsert, Text: strings.Repeat("a", paraBytes)}}
	for range 10 {
		big = append(big, big[0])
	}
	for _, part := range splitParas(big) {
		n := 0
		for _, p := range part {
			n += p.size()
		}
		if n > partBytes+paraBytes {
			t.Errorf("a part holds %d bytes", n)
		}
	}
	text := strings.Repeat("line of a legacy diff\n", 30000)
	parts := splitText(text)
	if strings.Join(parts, "") != text || len(parts) < 2 {
		t.Errorf("legacy text in %d parts does not join back", len(parts))
	}
	for _, p := range parts[:len(parts)-1] {
		if len(p) > partBytes || !strings.HasSuffix(p, "\n") {
			t.Errorf("legacy part of %d bytes", len(p))
		}
	}
	if parts := splitText(strings.Repeat("é", partBytes)); strings.Join(parts, "") != strings.Repeat("é", partBytes) || !utf8.ValidString(parts[0]) {
		t.Errorf("one long line split badly")
	}
}
