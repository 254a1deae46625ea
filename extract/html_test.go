package extract

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// newsroomPage renders an article page whose chrome changes on every
// request, as the demo newsroom serves it: a clock, a view counter and a
// shuffled sidebar.
func newsroomPage(clock string, views int, related []string) string {
	var side strings.Builder
	for _, r := range related {
		fmt.Fprintf(&side, `<li><a href="/%s">%s</a></li>`, r, r)
	}
	return `<html><head><title>Mayor resigns - Daily Planet</title></head><body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a></nav><span class="clock">` + clock + `</span></header>
<div class="layout"><div class="main">
<h1>Mayor resigns</h1>
<p class="meta">Published 2024-03-01 · <span class="views">` + fmt.Sprint(views) + ` views</span></p>
<p>The mayor announced her resignation on Friday, citing health reasons and the need to spend more time with family.</p>
<p>Her deputy will take over until an election is held in the autumn, the city clerk said in a statement.</p>
</div>
<div class="sidebar"><h3>Related</h3><ul>` + side.String() + `</ul></div></div>
<footer>Rendered at ` + clock + ` · Daily Planet</footer></body></html>`
}

func TestHTMLIgnoresChangingChrome(t *testing.T) {
	a1, err := HTML(strings.NewReader(newsroomPage("10:00:01", 17, []string{"Flood defences", "Budget vote", "New stadium"})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := HTML(strings.NewReader(newsroomPage("23:59:59", 90210, []string{"New stadium", "Flood defences", "Budget vote"})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a1.Text != a2.Text {
		t.Errorf("text changed with page chrome:\n%q\n%q", a1.Text, a2.Text)
	}
	for _, want := range []string{"announced her resignation", "city clerk said in a statement"} {
		if !strings.Contains(a1.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, a1.Text)
		}
	}
	for _, junk := range []string{"10:00:01", "views", "Budget vote", "Home", "Rendered"} {
		if strings.Contains(a1.Text, junk) {
			t.Errorf("text has chrome %q:\n%s", junk, a1.Text)
		}
	}
}

func TestHTMLTooLarge(t *testing.T) {
	r := bytes.NewReader(make([]byte, MaxInputBytes+1))
	if _, err := HTML(r, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestHTMLRule(t *testing.T) {
	page, err := os.ReadFile("testdata/news.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		rule         Rule
		wantTitle    string
		wantText     string // contained
		wantAbsent   string
		wantFallback bool
	}{
		{
			name:       "body and title selectors",
			rule:       Rule{Body: ".article-body", Title: "article h1", Remove: []string{"table", ".newsletter-signup"}},
			wantTitle:  "Council approves new river bridge after decade of debate",
			wantText:   "The city council voted on Monday night",
			wantAbsent: "Lifting bridge",
		},
		{
			name:       "remove applies before body",
			rule:       Rule{Body: "article", Remove: []string{"h1", ".article-meta", ".share-bar", ".tags"}},
			wantTitle:  "Council approves new river bridge after decade of debate",
			wantText:   "The city council voted",
			wantAbsent: "Jane Okafor",
		},
		{
			name:         "body matches nothing",
			rule:         Rule{Body: ".no-such-class"},
			wantTitle:    "Council approves new river bridge after decade of debate",
			wantText:     "The city council voted",
			wantFallback: true,
		},
		{
			name:         "invalid selector falls back",
			rule:         Rule{Body: "[[["},
			wantTitle:    "Council approves new river bridge after decade of debate",
			wantText:     "The city council voted",
			wantFallback: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := HTML(bytes.NewReader(page), Options{Rule: &tt.rule})
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", a.Title, tt.wantTitle)
			}
			if !strings.Contains(a.Text, tt.wantText) {
				t.Errorf("Text = %q, want it to contain %q", a.Text, tt.wantText)
			}
			if tt.wantAbsent != "" && strings.Contains(a.Text, tt.wantAbsent) {
				t.Errorf("Text has %q:\n%s", tt.wantAbsent, a.Text)
			}
			if a.Fallback != tt.wantFallback {
				t.Errorf("Fallback = %v, want %v", a.Fallback, tt.wantFallback)
			}
		})
	}
}

func TestHTMLFormatting(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs", `<article><p>One  two
 three.</p><p>Four.</p></article>`, "One two three.\n\nFour."},
		{"inline elements join", `<article><p>Hel<b>lo</b> <i>world</i>, again and again and again.</p></article>`, "Hello world, again and again and again."},
		{"br is a line break", `<article><p>Line one of the poem is here<br>line two of the poem is here</p></article>`, "Line one of the poem is here\nline two of the poem is here"},
		{"nested list", `<article><p>Here is a list of things that matter a lot:</p><ul><li>a<ul><li>b</li></ul></li><li>c</li></ul></article>`, "Here is a list of things that matter a lot:\n\n- a\n- b\n- c"},
		{"empty list item leaves no dash", `<article><p>Here is a list of things that matter a lot:</p><ul><li></li><li>c</li></ul><p>After the list comes more text.</p></article>`, "Here is a list of things that matter a lot:\n\n- c\n\nAfter the list comes more text."},
		{"pre keeps whitespace", "<article><p>Code follows in the block below this one:</p><pre>a  b\n  c</pre></article>", "Code follows in the block below this one:\n\na  b\n  c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := HTML(strings.NewReader(tt.html), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Text != tt.want {
				t.Errorf("Text = %q, want %q", a.Text, tt.want)
			}
		})
	}
}
