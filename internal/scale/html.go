package scale

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// site is one host's page furniture, rendered once: the style sheet and
// scripts in the head, the masthead with its menus, the newsletter box,
// the footer and the scripts after it. Real news pages carry about as
// much of it as of text, and it is the same on every article of a site.
type site struct {
	name     string
	head     string // after the <title>, before </head>
	masthead string // the start of <body> up to the breadcrumb
	aside    string // newsletter box and ad slots
	footer   string // from <footer> to </html>
}

var sections = []string{"Politics", "World", "Business", "Economy", "Technology", "Science",
	"Health", "Education", "Environment", "Culture", "Sport", "Opinion"}

func newSite(i int) *site {
	rng := rand.New(rand.NewPCG(uint64(i), 0x517e))
	s := &site{name: fmt.Sprintf("The %s Daily %d", phrase(rng, 1), i)}
	s.head = siteHead(rng)
	s.masthead = siteMasthead(rng, s.name)
	s.aside = siteAside(rng)
	s.footer = siteFooter(rng, s.name)
	return s
}

// siteHead is a style sheet of about 16 KB and an analytics script of
// about 3 KB.
func siteHead(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>\n")
	// Real style sheets draw their values from a small design palette.
	props := []string{"margin:0 0 %dpx", "padding:%dpx %dpx", "font:%dpx/1.4 Georgia,serif", "color:#%d%d%d",
		"background:#f%d%d", "border-bottom:%dpx solid #ddd", "max-width:%d0px", "letter-spacing:.0%dem"}
	scale := []int{0, 1, 2, 4, 6, 8, 12, 16, 24, 32}
	for k := range 180 {
		fmt.Fprintf(&b, ".c-%s-%d{", strings.ToLower(vocabulary[rng.IntN(len(vocabulary))]), k)
		for j := range 3 + rng.IntN(3) {
			if j > 0 {
				b.WriteByte(';')
			}
			p := props[rng.IntN(len(props))]
			args := make([]any, strings.Count(p, "%"))
			for a := range args {
				args[a] = scale[rng.IntN(len(scale))]
			}
			fmt.Fprintf(&b, p, args...)
		}
		b.WriteString("}\n")
	}
	b.WriteString("</style>\n<script>\nwindow.dataLayer=window.dataLayer||[];\n")
	for k := range 40 {
		fmt.Fprintf(&b, "function t%d(e,n){var r=e.%s||{};return n>%d?r[%q]:dataLayer.push({event:%q,v:n*%d})}\n",
			k, vocabulary[rng.IntN(len(vocabulary))], rng.IntN(99), vocabulary[rng.IntN(len(vocabulary))],
			vocabulary[rng.IntN(len(vocabulary))], rng.IntN(999))
	}
	b.WriteString("</script>\n")
	return b.String()
}

// siteMasthead is the top bar, the section menu and a mega menu of about
// 130 links.
func siteMasthead(rng *rand.Rand, name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<body class=\"article\">\n<div class=\"topbar\"><a href=\"/subscribe\">Subscribe</a> <a href=\"/login\">Sign in</a> <span class=\"date\">Edition</span></div>\n")
	fmt.Fprintf(&b, "<header class=\"masthead\"><a class=\"logo\" href=\"/\">%s</a>\n<nav class=\"sections\"><ul>\n", name)
	for _, s := range sections {
		fmt.Fprintf(&b, "<li><a href=\"/section/%s\">%s</a></li>\n", strings.ToLower(s), s)
	}
	b.WriteString("</ul></nav>\n<div class=\"mega-menu\">\n")
	for _, s := range sections {
		fmt.Fprintf(&b, "<div class=\"mega-col\"><h3>%s</h3><ul>\n", s)
		for range 11 {
			p := phrase(rng, 2+rng.IntN(2))
			fmt.Fprintf(&b, "<li><a href=\"/section/%s/%s\">%s</a></li>\n", strings.ToLower(s),
				strings.ToLower(strings.ReplaceAll(p, " ", "-")), p)
		}
		b.WriteString("</ul></div>\n")
	}
	b.WriteString("</div>\n<form class=\"search\" action=\"/search\"><input name=\"q\" placeholder=\"Search\"><button>Go</button></form>\n</header>\n")
	return b.String()
}

func siteAside(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("<aside class=\"newsletter\"><h2>Get the morning briefing</h2><p>")
	sentences(&b, rng, 2)
	b.WriteString("</p><form action=\"/newsletter\" method=\"post\"><input type=\"email\" name=\"email\" placeholder=\"Your email\"><button>Sign up</button></form></aside>\n")
	for k := range 4 {
		fmt.Fprintf(&b, "<div class=\"ad-slot\" id=\"ad-%d\" data-size=\"300x250\" data-targeting='{\"section\":\"%s\",\"pos\":%d}'><span>Advertisement</span></div>\n",
			k, sections[rng.IntN(len(sections))], k)
	}
	return b.String()
}

// siteFooter is six columns of links, the legal notes and about 8 KB of
// scripts.
func siteFooter(rng *rand.Rand, name string) string {
	var b strings.Builder
	b.WriteString("<footer class=\"site-footer\">\n")
	for c := range 6 {
		fmt.Fprintf(&b, "<div class=\"footer-col\"><h4>%s</h4><ul>\n", sections[c])
		for range 12 {
			p := phrase(rng, 2)
			fmt.Fprintf(&b, "<li><a href=\"/about/%s\">%s</a></li>\n", strings.ToLower(strings.ReplaceAll(p, " ", "-")), p)
		}
		b.WriteString("</ul></div>\n")
	}
	fmt.Fprintf(&b, "<p class=\"legal\">© %s. All rights reserved. ", name)
	sentences(&b, rng, 4)
	b.WriteString("</p>\n</footer>\n<script>\n")
	for k := range 70 {
		fmt.Fprintf(&b, "(function(w,d){var s=d.createElement('script');s.async=true;s.src='/static/%s-%d.js?v=%d';w.%s=w.%s||function(){(w.q=w.q||[]).push(arguments)}})(window,document);\n",
			vocabulary[rng.IntN(len(vocabulary))], k, rng.IntN(99999), vocabulary[rng.IntN(len(vocabulary))], vocabulary[rng.IntN(len(vocabulary))])
	}
	b.WriteString("</script>\n</body>\n</html>\n")
	return b.String()
}

// story is one article's own content, derived from its id and edition.
type story struct {
	id        int
	edition   int // 0 as first published; each edit adds one
	title     string
	byline    string
	published time.Time
	paras     []string
}

var bylines = []string{"Li Wei", "Maria Santos", "James Okafor", "Anna Kowalska", "Chen Jing", "David Levy",
	"Fatima Haddad", "Tom Becker", "Priya Nair", "Olga Ivanova"}

// titleOf is article id's headline.
func titleOf(id int) string {
	return phrase(rand.New(rand.NewPCG(uint64(id), 0x7171e)), 6+id%5)
}

// newStory derives an article's text: paras paragraphs of prose (0: 14 to
// 18, about 7 KB; at least 3). An edit changes one figure in the third
// paragraph.
func newStory(id, edition int, epoch time.Time, paras int) story {
	rng := rand.New(rand.NewPCG(uint64(id), 0xa271c1e))
	s := story{id: id, edition: edition, title: titleOf(id), byline: bylines[id%len(bylines)],
		published: epoch.Add(-time.Duration(id) * time.Minute)}
	n := 14 + rng.IntN(5)
	if paras > 0 {
		n = max(paras, 3)
	}
	s.paras = make([]string, n)
	for i := range n {
		var b strings.Builder
		sentences(&b, rng, 3+rng.IntN(3))
		if i == 2 {
			fmt.Fprintf(&b, " Officials said %d measures had been counted by the end of the quarter.", 12+edition)
		}
		s.paras[i] = b.String()
	}
	return s
}

// render writes the whole page of s on si to b.
func (si *site) render(b *strings.Builder, s story, host string) {
	section := sections[s.id%len(sections)]
	b.Grow(64 << 10)
	fmt.Fprintf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s | %s</title>\n", s.title, si.name)
	fmt.Fprintf(b, "<meta name=\"description\" content=\"%.150s\">\n<meta property=\"og:title\" content=\"%s\">\n", s.paras[0], s.title)
	fmt.Fprintf(b, "<link rel=\"canonical\" href=\"http://%s/a/%d.html\">\n", host, s.id)
	fmt.Fprintf(b, "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":%q,\"datePublished\":%q,\"author\":{\"@type\":\"Person\",\"name\":%q}}</script>\n",
		s.title, s.published.Format(time.RFC3339), s.byline)
	b.WriteString(si.head)
	b.WriteString("</head>\n")
	b.WriteString(si.masthead)
	fmt.Fprintf(b, "<div class=\"breadcrumb\"><a href=\"/\">Home</a> › <a href=\"/section/%s\">%s</a></div>\n<main>\n", strings.ToLower(section), section)
	fmt.Fprintf(b, "<article class=\"story\">\n<h1>%s</h1>\n<p class=\"byline\">By <a rel=\"author\" href=\"/author/%d\">%s</a></p>\n<time datetime=\"%s\">%s</time>\n",
		s.title, s.id%len(bylines), s.byline, s.published.Format(time.RFC3339), s.published.Format("2 January 2006 15:04"))
	fmt.Fprintf(b, "<figure><img src=\"/img/%d.jpg\" alt=\"%s\" width=\"1200\" height=\"675\"><figcaption>%.120s</figcaption></figure>\n<div class=\"story-body\">\n", s.id, s.title, s.paras[1])
	for _, p := range s.paras {
		b.WriteString("<p>")
		b.WriteString(p)
		b.WriteString("</p>\n")
	}
	b.WriteString("</div>\n</article>\n<aside class=\"related\"><h2>Related</h2><ul>\n")
	for k := 1; k <= 8; k++ {
		other := s.id + k*7
		fmt.Fprintf(b, "<li><a href=\"/a/%d.html\">%s</a></li>\n", other, titleOf(other))
	}
	b.WriteString("</ul></aside>\n<aside class=\"most-read\"><h2>Most read</h2><ol>\n")
	for k := 1; k <= 10; k++ {
		other := (s.id/100)*100 + k*3
		fmt.Fprintf(b, "<li><a href=\"/a/%d.html\">%s</a></li>\n", other, titleOf(other))
	}
	b.WriteString("</ol></aside>\n")
	b.WriteString(si.aside)
	b.WriteString("</main>\n")
	b.WriteString(si.footer)
}
