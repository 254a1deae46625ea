package storage

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQueryExpression(t *testing.T) {
	tests := []struct {
		query, want string
		grams       bool
	}{
		{"Budget", `"budget"`, false},
		{"CAFÉ crème", `"cafe" AND "creme"`, false},
		{`"joined 13 conventions"`, `"joined 13 conventions"`, false},
		{`“joined 13”`, `"joined 13"`, false},
		{"climat*", `"climat" *`, false},
		{"e-mail", `"e mail"`, false},
		{"ＧＤＰ", `"gdp"`, false},
		{"北京", `"北 京"`, false},
		{"京", `"京"`, false},
		{"北京市", `"北京市"`, true},
		{"北京市 東京都", `"北京市" AND "東京都"`, true},
		{"北京市 budget", `"北 京 市" AND "budget"`, false},
		{"北京 budget", `"北 京" AND "budget"`, false},
		{"北京市 北京", `"北 京 市" AND "北 京"`, false},
		{"人民币*", `"人民币"`, true},
		{`"北京、上海"`, `"北京 上海"`, true},
		{"G7峰会", `"g7峰会"`, true},
		{"A股", `"a 股"`, false},
		// FTS5 syntax is not syntax here: operators are words, and
		// punctuation separates words.
		{`a OR b`, `"a" AND "or" AND "b"`, false},
		{`NEAR(a b)`, `"near a" AND "b"`, false},
		{`text:secret`, `"text secret"`, false},
		{`^start - end`, `"start" AND "end"`, false},
		{`don't`, `"don t"`, false},
		{"soft\u00adhyphen", `"softhyphen"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if got, grams := q.expression(); got != tt.want || grams != tt.grams {
				t.Errorf("expression(%q) = %q, trigram %v; want %q, %v", tt.query, got, grams, tt.want, tt.grams)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{`"unclosed phrase`, "not closed"},
		{"ab*", "at least 3 letters"},
		{`"two words"*x`, ""}, // the * is not at the end: punctuation
		{"!!! ---", "no letters or digits"},
		{"*", "no letters or digits"},
		{strings.Repeat("word ", 17), "at most 16"},
		{strings.Repeat("x", MaxQueryBytes+1), "longer than 512"},
		{"ok\xffbad", "UTF-8"},
		{"e-mail*", "one word"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, err := ParseQuery(tt.query)
			if tt.want == "" {
				if err != nil {
					t.Errorf("ParseQuery(%q) = %v, want it accepted", tt.query, err)
				}
				return
			}
			if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseQuery(%q) = %v, want ErrBadQuery saying %q", tt.query, err, tt.want)
			}
		})
	}
}

func TestFoldText(t *testing.T) {
	tests := []struct {
		in, words, grams string
		unspaced         bool
	}{
		{"Hello, World!", "hello world", "hello world", false},
		{"Ｆｕｌｌ－ｗｉｄｔｈ", "full width", "full width", false},
		{"naïve façade Ærø", "naive facade ærø", "naive facade ærø", false},
		{"今年GDP增长5%", "今 年 gdp 增 长 5", "今年gdp增长5", true},
		{"東京都、大阪府", "東 京 都 大 阪 府", "東京都 大阪府", true},
		{"ガス が", "ガ ス が", "ガス が", true},    // voiced marks stay: が is not か
		{"हिंदी", "हिंदी", "हिंदी", false}, // Devanagari marks are part of the word
	}
	for _, tt := range tests {
		f := foldText(tt.in)
		if got := f.wordsText(); got != tt.words || f.grams != tt.grams || f.unspaced != tt.unspaced {
			t.Errorf("foldText(%q) = %q, %q, %v; want %q, %q, %v", tt.in, got, f.grams, f.unspaced, tt.words, tt.grams, tt.unspaced)
		}
	}
}

// marked renders a snippet with [[ ]] around its marks.
func marked(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("[[" + s.Text + "]]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestSnippetMarks(t *testing.T) {
	tests := []struct {
		query, text, want string
	}{
		{"conventions", "China joined 13 Conventions in 2024.", "China joined 13 [[Conventions]] in 2024."},
		{"convention", "China joined 13 conventions.", "China joined 13 conventions."}, // words, not substrings
		{"convention*", "one convention, two conventions", "one [[convention]], two [[conventions]]"},
		{`"joined 13"`, "China joined  13 conventions", "China [[joined  13]] conventions"},
		{"cafe", "Un café crème", "Un [[café]] crème"},
		{"北京", "他在北京市工作", "他在[[北京]]市工作"},
		{"京市工", "他在北京市工作", "他在北[[京市工]]作"},
		{"北京 上海", "北京和上海", "[[北京]]和[[上海]]"},
		{"gdp 增长", "今年GDP增长5%", "今年[[GDP增长]]5%"}, // touching marks merge
		{"line", "first\nline\tand\x1b[31mred", "first [[line]] and [31mred"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := marked(snippet(tt.text, q.matchSpans(tt.text))); got != tt.want {
				t.Errorf("snippet(%q) =\n%q\nwant\n%q", tt.text, got, tt.want)
			}
		})
	}
}

// A long passage is cut to a window around the first match, starting at a
// word, with its cut edges shown.
func TestSnippetWindow(t *testing.T) {
	long := strings.Repeat("filler words here ", 30)
	text := long + "the needle is here " + long
	q, err := ParseQuery("needle")
	if err != nil {
		t.Fatal(err)
	}
	got := marked(snippet(text, q.matchSpans(text)))
	body, ok := strings.CutPrefix(got, "…filler ")
	if !ok || !strings.HasSuffix(got, "…") || !strings.Contains(got, " the [[needle]] is here ") {
		t.Errorf("snippet = %q; want a window cut at both ends, from a word, around the mark", got)
	}
	if n := utf8.RuneCountInString(strings.NewReplacer("[[", "", "]]", "").Replace(body)); n > snippetRunes {
		t.Errorf("snippet shows %d runes, want at most %d", n, snippetRunes)
	}
	if i := strings.Index(got, "[["); utf8.RuneCountInString(got[:i]) > snippetBefore+1 {
		t.Errorf("the mark comes after %d runes, want at most %d", utf8.RuneCountInString(got[:i]), snippetBefore+1)
	}
}

func TestPassages(t *testing.T) {
	long := strings.Repeat("word ", maxPassageBytes/5+100)
	got := passages("  first\n\n\n\nsecond\r\n\r\nthird line\nstill third\n\n" + long)
	if len(got) != 5 || got[0] != "first" || got[1] != "second" || got[2] != "third line\nstill third" {
		t.Fatalf("passages = %q (first 3), %d in all", got[:min(3, len(got))], len(got))
	}
	total := 0
	for _, p := range got[3:] {
		if len(p) > maxPassageBytes || strings.HasPrefix(p, " ") || strings.HasSuffix(p, "wor") {
			t.Errorf("piece of %d bytes, cut badly: …%q", len(p), p[max(0, len(p)-10):])
		}
		total += len(strings.Fields(p))
	}
	if want := len(strings.Fields(long)); total != want {
		t.Errorf("the pieces hold %d words, want %d", total, want)
	}
}
