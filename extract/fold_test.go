package extract

import (
	"regexp"
	"testing"
)

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain words here", "plain words here"},
		{"  lead and trail  ", "lead and trail"},
		{"a \n\t b", "a b"},
		{"a\u00a0\u3000b\u2028c", "a b c"},
		{"soft\u00adhyphen zero\u200bwidth", "softhyphen zerowidth"},
		{"a \u200b b", "a b"},
		{"bad \xff byte", "bad \xff byte"},
		{"\n", ""},
	}
	for _, tt := range tests {
		if got := collapse(tt.in); got != tt.want {
			t.Errorf("collapse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNeedles checks that the needles never turn away a text its pattern
// matches, including texts whose letters only match under case folding.
func TestNeedles(t *testing.T) {
	tests := []struct {
		re    *regexp.Regexp
		nd    needles
		texts []string
	}{
		{creditPattern, creditNeedles, []string{"Foto: dpa", "(C) 2020 x", "© AP", "BILDQUELLE: x",
			"Photograph: y", "CRÉDITO: z", "图片来源：新华社", "记者 王五/摄 ", "x (picture: y)"}},
		{trailerPattern, trailerNeedles, []string{"Subſcribe now", "Follow Us on X", "prawem autors\u212aim",
			"Unterstützen Sie uns", "Zurück zur Übersicht", "SUSCRÍBETE", "SÍGUENOS", "版权所有",
			"关注我们的微信", "下载新闻客户端", "Privacy Policy", "All Rights Reserved."}},
		{disclosurePattern, disclosureNeedles, []string{"*Werbung", "ANZEIGE:", "We may earn a fee",
			"Affiliate-Links", "this post contains links from our advertisers"}},
		{engDateRe, monthNeedles, []string{"SEPT. 3rd, 2021", "Auguſt 3, 2021"}},
		{dmyDateRe, monthNeedles, []string{"3 ſep 2021", "23 January 2024"}},
	}
	for _, tt := range tests {
		for _, s := range tt.texts {
			if !tt.re.MatchString(s) {
				t.Errorf("%q: pattern does not match; fix the test", s)
			}
			if !tt.nd.in(s) {
				t.Errorf("%q: pattern matches but no needle is in it", s)
			}
		}
	}
	if creditNeedles.in("Published: 12:30") || trailerNeedles.in("The council voted on Friday.") {
		t.Error("needles found in a text without them")
	}
}
