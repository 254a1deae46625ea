package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// body is a paragraph long enough to count as article prose.
const body = "The council voted on Monday night to build a new footbridge over the river, ending a debate that divided residents for years."

func TestTrimTail(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"about the author cut",
			body + "\n\n" + body + "\n\nAbout the author\n\nJane writes about cities.",
			body + "\n\n" + body},
		{"labelled stop heading",
			body + "\n\n" + body + "\n\nKontakt: Pressestelle, Tel. 030 1234",
			body + "\n\n" + body},
		{"spaced CJK heading",
			body + "\n\n" + body + "\n\n郑 重 声 明\n\n任何言论纯属作者个人观点",
			body + "\n\n" + body},
		{"text after an early heading is kept",
			"Related\n\n" + body,
			body},
		{"text after a heading followed by more article is kept",
			body + "\n\nRelated\n\n" + body + "\n\n" + body + "\n\n" + body,
			body + "\n\n" + body + "\n\n" + body + "\n\n" + body},
		{"labelled heading early is kept",
			"Kontakt: Pressestelle\n\n" + body,
			"Kontakt: Pressestelle\n\n" + body},
		{"ad label and trailing dateline",
			body + "\n\nAnzeige\n\n" + body + "\n\nAktualisiert am 17.01.2021.",
			body + "\n\n" + body},
		{"trailing credit and call to action",
			body + "\n\nFoto: dpa\n\nSubscribe to our newsletter for more.",
			body},
		{"caption line inside the text",
			body + "\n\nThe new bridge at dusk. (Photo: City of Wend)\n\n" + body,
			body + "\n\n" + body},
		{"caption line of a multi-line paragraph",
			body + "\nImage credit: example.org",
			body},
		{"sentence mentioning a photo is kept",
			body + "\n\nShe took the photo herself.",
			body + "\n\nShe took the photo herself."},
		{"single paragraph never emptied",
			"Foto: dpa",
			"Foto: dpa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimTail(tt.in); got != tt.want {
				t.Errorf("trimTail:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTrimHead(t *testing.T) {
	tests := []struct {
		name, in, title, want string
	}{
		{"headline and dateline",
			"Bridge approved\n\nBy Jane Doe\n\n2024-03-01 09:52\n\nJane Doe\n\n" + body,
			"Bridge approved", body},
		{"Chinese dateline fields",
			"发布时间：2022-02-13 04:22:18 来源：云南日报\n\n" + body,
			"", body},
		{"row of fields",
			"报纸网 |发布: 2021-1-29 13:18|点击: 313|来自: 互联网\n\n" + body,
			"", body},
		{"month-name date",
			"2. Februar 2022\n\n" + body,
			"", body},
		{"dated sentence is prose",
			"1月20日，学院举办活动。\n\n" + body,
			"", "1月20日，学院举办活动。\n\n" + body},
		{"kicker kept",
			"Exclusive\n\n" + body,
			"", "Exclusive\n\n" + body},
		{"lines after the body start are kept",
			body + "\n\n2024-03-01",
			"", body + "\n\n2024-03-01"},
		{"headline block with its dateline",
			"Bridge approved\n2024-03-01 09:52 | Source: Wend Post\n\n" + body,
			"Bridge approved", body},
		{"list of dates kept",
			"- from 1 January 2022 for cigarettes,\n- from 1 January 2023 for pipes\n\n" + body,
			"", "- from 1 January 2022 for cigarettes,\n- from 1 January 2023 for pipes\n\n" + body},
		{"advertising disclosure",
			"*Werbung. Dieser Beitrag enthält Werbung für ein Produkt.\n\n" + body,
			"", body},
		{"sentence about advertising kept",
			"Werbung nervt. Tracking nervt.\n\n" + body,
			"", "Werbung nervt. Tracking nervt.\n\n" + body},
		{"sentence opening with By kept",
			"By Friday, the council had voted.\n\n" + body,
			"", "By Friday, the council had voted.\n\n" + body},
		{"last paragraph never dropped",
			"Bridge approved",
			"Bridge approved", "Bridge approved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimHead(tt.in, tt.title, "Jane Doe"); got != tt.want {
				t.Errorf("trimHead:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHasDate(t *testing.T) {
	for s, want := range map[string]bool{
		"2022-02-11":           true,
		"11.02.2022":           true,
		"2022年2月11日":           true,
		"09:52":                true,
		"16 marca 2021":        true,
		"January 5, 2021":      true,
		"costs 3.5 million":    false,
		"Chapter 12":           false,
		"the 1990s were loud":  false,
		"score was 2-1 at 45'": false,
	} {
		if got := hasDate(s); got != want {
			t.Errorf("hasDate(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		tag, class string
		want       furniture
	}{
		{"div", "sidebar", isFurniture},
		{"div", "with-sidebar", notFurniture},
		{"div", "sc-ad-container article-content", smallFurniture},
		{"div", "article-share", isFurniture},
		{"div", "comments-area", alwaysFurniture},
		{"div", "b-dialog", alwaysFurniture},
		{"p", "story-contents__font-paragraph", notFurniture},
		{"span", "views", smallFurniture},
	}
	for _, tt := range tests {
		root, err := html.Parse(strings.NewReader(`<` + tt.tag + ` class="` + tt.class + `">x</` + tt.tag + `>`))
		if err != nil {
			t.Fatal(err)
		}
		var n *html.Node
		walk(root, func(c *html.Node, _ int) bool {
			if c.Type == html.ElementNode && c.Data == tt.tag && n == nil {
				n = c
			}
			return true
		})
		if got := classify(n); got != tt.want {
			t.Errorf("classify(<%s class=%q>) = %d, want %d", tt.tag, tt.class, got, tt.want)
		}
	}
}

// TestCleanKeepsLayoutWrappers checks that a wrapper whose class names a
// dialog (Drupal's "dialog-off-canvas-main-canvas") survives when it holds
// the page's <main>, while a real comment thread longer than the article
// is removed.
func TestCleanKeepsLayoutWrappers(t *testing.T) {
	article := strings.Repeat("<p>"+body+"</p>", 3)
	page := `<body><div class="dialog-off-canvas-main-canvas"><main><article>` + article + `</article></main></div>
<div id="comments">` + strings.Repeat(`<p>`+body+` I disagree with this.</p>`, 5) + `</div></body>`
	a, err := HTML(strings.NewReader(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat(body+"\n\n", 2) + body; a.Text != want {
		t.Errorf("text = %q, want the article paragraph only", a.Text)
	}
}

func TestCollapseDropsInvisible(t *testing.T) {
	if got := collapse("Mit\u00adtel\u200balter \ufeff ok"); got != "Mittelalter ok" {
		t.Errorf("collapse = %q", got)
	}
}

// TestFirstPostOfListing checks that on a page listing several posts, each
// with its title, the first post is taken even when a later one is
// longer, while an article laid out in untitled rows is kept whole.
func TestFirstPostOfListing(t *testing.T) {
	// Each post carries a block of short lines (tags, dates, counters),
	// as old blog templates do, so the posts are not joined as prose.
	info := `<div class="info">` + strings.Repeat("<div>tag words</div>", 25) + `</div>`
	post := func(title, text string, n int) string {
		return `<div class="post"><h2>` + title + `</h2>` + info + `<div class="body">` + strings.Repeat("<p>"+text+"</p>", n) + `</div></div>`
	}
	first := "The first post tells of a trip to the old gold mine, its town and its people, on a sunny day."
	later := "A later post, much longer, about recipes from the south and the north, with many details."
	listing := `<body><div id="posts">` + post("Gold mine", first, 3) + post("Recipes", later, 12) + post("Rain", later, 3) + `</div></body>`
	a, err := HTML(strings.NewReader(listing), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "gold mine") || strings.Contains(a.Text, "recipes") {
		t.Errorf("listing: want the first post only, got %q", a.Text)
	}

	row := func(text string, n int) string {
		return `<div class="row">` + strings.Repeat("<p>"+text+"</p>", n) + `</div>`
	}
	article := `<body><article>` + row(first, 2) + row(later, 12) + row(first+" Again.", 2) + `</article></body>`
	a, err = HTML(strings.NewReader(article), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "recipes") {
		t.Errorf("article rows: lost the main row, got %q", a.Text)
	}
}
