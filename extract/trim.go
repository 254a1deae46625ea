package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// The article container often ends with furniture that carries no class
// name to recognise it by: an "About the author" box, "Related articles",
// a comment form, a contact block, picture credits. Those sections open
// with a short lead-in line in the page's language, so the text is cut at
// the first such line that follows the start of the article.

// stopHeadings introduce what follows the article. They are matched as a
// whole short paragraph, or as the label before a colon ("Kontakt: ...").
var stopHeadings = wordSet(
	// English
	"about the author", "about the authors", "related", "related articles",
	"related posts", "related stories", "related content", "related news",
	"related topics", "read more", "read also", "more on this topic",
	"more on this story", "recommended", "recommended for you", "you may also like",
	"you might also like", "comments", "leave a comment", "leave a reply",
	"comments are closed", "share this", "share this article", "share this post",
	"share this story", "most read", "most popular", "further reading",
	"more stories", "more news", "contact", "press contact", "media contact",
	"subscribe to email updates", "sign up for our newsletter", "more information",
	"further information", "additional resources", "related links", "like this",
	// German
	"über den autor", "über die autorin", "über die autoren",
	"mehr zum thema", "mehr themen", "weitere artikel", "weitere themen",
	"weitere beiträge", "das könnte sie auch interessieren",
	"das könnte dich auch interessieren", "lesen sie auch", "lies auch",
	"auch interessant", "zum weiterlesen", "ähnliche artikel", "ähnliche beiträge",
	"ähnliche nachrichten", "verwandte artikel", "verwandte themen",
	"empfehlungen aus der redaktion", "kommentare", "kommentar verfassen",
	"kommentar schreiben", "kommentare schreiben", "kommentieren", "kontakt",
	"ansprechpartner", "ansprechpartnerin", "ansprechpartner zum thema",
	"ansprechpartnerin zum thema", "pressekontakt", "quellen", "quellenangaben",
	"artikel teilen", "diesen artikel teilen", "beitrag teilen", "teilen",
	"möchten sie den artikel teilen", "bisher keine kommentare", "schlagworte",
	"autoreninfo", "zur autorin", "zum autor", "mehr zum autor", "weitere informationen",
	"weiterführende informationen", "weiterführende links", "gefällt mir", "teilen mit",
	"teilen sie dies mit",
	// French, Spanish, Italian, Portuguese, Polish, Dutch
	"à lire aussi", "lire aussi", "sur le même sujet", "articles similaires",
	"commentaires", "partager", "à propos de l'auteur", "lea también",
	"te puede interesar", "noticias relacionadas", "artículos relacionados",
	"comentarios", "compartir", "leggi anche", "articoli correlati", "commenti",
	"leia também", "notícias relacionadas", "czytaj też", "czytaj także",
	"zobacz też", "zobacz także", "komentarze", "lees ook", "gerelateerde artikelen",
	"reacties",
	// Chinese
	"相关阅读", "相关新闻", "推荐阅读", "相关文章", "延伸阅读", "热门推荐",
	"网友评论", "声明", "反侵权公告", "版权声明", "免责声明", "分享到", "相关链接",
	"相关报道", "更多精彩", "猜你喜欢", "热点推荐", "相關閱讀",
	"相關新聞", "延伸閱讀", "網友評論", "热门评论", "最新评论", "发表评论", "参与评论",
	"我要评论", "郑重声明", "post comment", "post a comment",
)

// creditLabels open a picture or source credit line, which only the last
// lines of the text are checked for.
var creditLabels = wordSet(
	"foto", "fotos", "bild", "bilder", "photo", "photos", "image", "images",
	"credit", "credits", "quelle", "source", "titelbild", "beitragsbild",
	"copyright", "źródło", "fuente", "crédit", "crédits", "图片来源",
	"来源于", "图片", "摄影",
)

// creditPattern finds a picture credit in a caption: "(Foto: Getty)",
// "| © Augusta National", "Bild: TebNad/Shutterstock.com".
var creditPattern = regexp.MustCompile(`(?i)(©|\(c\)\s|(^|[\s(|/])(foto|fotos|bild|photo|photos|credit|image|picture|bildquelle|titelbild|beitragsbild|photograph|crédit|crédito|foto de|图片来源|图片|摄影)\s?[:：]|/摄\s*$)`)

// creditNeedles are words every match of creditPattern holds.
var creditNeedles = newNeedles("©", "(c)", "foto", "bild", "photo", "credit", "image",
	"picture", "crédit", "图片", "摄影", "/摄")

// maxCaption is the longest paragraph (in bytes) that may be taken for a
// caption.
const maxCaption = 300

// trailerPattern finds the calls to action and legal lines that close a
// page after its article: "Subscribe to our newsletter", "Follow us on
// Twitter", "All rights reserved", "This entry was posted in ...".
var trailerPattern = regexp.MustCompile(`(?i)\b(subscribe|subscription|newsletter|sign up|follow us|follow the|download the|our app|all rights reserved|alle rechte vorbehalten|copyright\s*(©|\(c\)|\d{4})|abonnieren|abonniere|unterstütze\w*|support (our|us)|donate|disclaimer|opinions expressed|meinung des autors|kommentarfunktion|wird geladen|lade weitere|zurück zu(r|m)? (übersicht\w*|startseite|liste\w*|allen)|already a subscriber|want more|scroll to read|lust auf mehr|this entry was posted|permalink|suscr[ií]bete|s[ií]guenos|apóyanos|abonnez|suivez-nous|zapraszamy|prawem autorskim|impressum|privacy policy)\b|版权所有|转载请注明|扫一扫|关注.{0,10}微信|微信公众号|下载.{0,8}客户端`)

// trailerNeedles are words every match of trailerPattern holds.
var trailerNeedles = newNeedles("subscri", "newsletter", "sign up", "follow ", "download the",
	"our app", "all rights reserved", "alle rechte vorbehalten", "copyright", "abonniere",
	"unterstütze", "support ", "donate", "disclaimer", "opinions expressed",
	"meinung des autors", "kommentarfunktion", "wird geladen", "lade weitere", "zurück zu",
	"want more", "scroll to read", "lust auf mehr", "this entry was posted", "permalink",
	"suscr", "guenos", "apóyanos", "abonnez", "suivez-nous", "zapraszamy", "prawem autorskim",
	"impressum", "privacy policy", "版权所有", "转载请注明", "扫一扫", "微信", "客户端")

// maxTrailer is the longest paragraph (in bytes) that may be taken for
// a closing call to action.
const maxTrailer = 400

// minBeforeStop is the weighted text that must precede a stop heading:
// a "Kontakt" title at the top of a short page is the page.
const minBeforeStop = 500

// trimTail cuts text (paragraphs separated by blank lines) at the first
// stop heading that follows enough article text and is followed by less,
// drops the trailing credits, calls to action and datelines, and removes
// picture captions and lone widget labels anywhere. It never returns an
// empty text for a non-empty one.
func trimTail(text string) string {
	paras := strings.Split(text, "\n\n")
	total := 0
	lens := make([]int, len(paras))
	for i, p := range paras {
		lens[i], _ = weigh(p)
		total += lens[i]
	}
	before := 0
	for i, p := range paras {
		if i > 0 && before >= min(minBeforeStop, total*3/10) && total-before <= before && isStopHeading(p) {
			paras = paras[:i]
			break
		}
		before += lens[i]
	}
	for len(paras) > 1 && isTailJunk(paras[len(paras)-1]) {
		paras = paras[:len(paras)-1]
	}
	var kept []string
	for _, p := range paras {
		// A lone "Read also" heading inside the article introduces a box
		// of links, already pruned.
		if p = dropCaptions(p); p != "" && !isLoneHeading(p) {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return strings.Join(paras, "\n\n")
	}
	return strings.Join(kept, "\n\n")
}

// dropCaptions removes the lines of p that are picture captions with a
// credit; a long line is prose that happens to cite a photographer.
func dropCaptions(p string) string {
	if !mayCredit(p) {
		return p // the common case, without running the pattern
	}
	lines := strings.Split(p, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !isCaption(l) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// isCaption reports a short line with a picture credit.
func isCaption(l string) bool {
	return len(l) <= maxCaption && mayCredit(l) && creditNeedles.in(l) && creditPattern.MatchString(l)
}

// mayCredit is a cheap test for what creditPattern needs: a colon, a
// copyright sign or a Chinese photo credit.
func mayCredit(s string) bool {
	return strings.IndexByte(s, ':') >= 0 || strings.Contains(s, "：") || strings.Contains(s, "©") || strings.Contains(s, "(c)") || strings.Contains(s, "(C)") || strings.Contains(s, "/摄")
}

// isStopHeading reports a short paragraph that is, or is labelled by, a
// stop heading.
func isStopHeading(p string) bool {
	label, labelled := leadLabel(p)
	if labelled && stopHeadings[label] {
		return true
	}
	return len(p) <= 80 && !strings.Contains(p, "\n") && stopHeadings[normLine(p)]
}

// isTailJunk reports a last paragraph that is a credit, a call to action
// or a dateline. A Chinese sign-off ("责任编辑：张三") is part of the
// article as its publisher prints it.
func isTailJunk(p string) bool {
	if label, ok := leadLabel(strings.TrimPrefix(p, "- ")); ok && signOffLabels[label] {
		return false
	}
	return isCredit(p) || isTrailer(p) || isMetaPara(p)
}

var signOffLabels = wordSet("编辑", "责任编辑", "来源", "作者", "记者", "責任編輯", "編輯", "來源")

// isLoneHeading reports a paragraph that is a stop heading or a widget
// label ("Anzeige", "Table of contents") and nothing else.
func isLoneHeading(p string) bool {
	if len(p) > 80 || strings.Contains(p, "\n") {
		return false
	}
	n := normLine(p)
	return stopHeadings[n] || widgetLabels[n]
}

// widgetLabels are the captions of ad slots, tables of contents and
// gallery or embed buttons.
var widgetLabels = wordSet(
	"anzeige", "werbung", "advertisement", "sponsored", "publicidad", "publicité",
	"reklama", "pubblicità", "广告", "inhaltsverzeichnis", "table of contents",
	"contents", "inhalt", "目录", "sommaire", "índice", "bild anzeigen", "bild schließen",
	"bild anzeigen bild schließen", "vergrößern", "enlarge", "enlarge image", "zoom",
	"mehr anzeigen", "show more", "externer inhalt", "external content", "play video",
	"video abspielen", "close", "schließen",
)

// isTrailer reports a short closing call to action or legal line.
func isTrailer(p string) bool {
	return len(p) <= maxTrailer && trailerNeedles.in(p) && trailerPattern.MatchString(p)
}

// isCredit reports a short "Foto: ..." or "© ..." line.
func isCredit(p string) bool {
	if len(p) > 160 || strings.Contains(p, "\n\n") {
		return false
	}
	if strings.HasPrefix(p, "©") || strings.HasPrefix(p, "(c)") {
		return true
	}
	label, labelled := leadLabel(p)
	return labelled && creditLabels[label]
}

// leadLabel returns the normalised text before a colon near the start of
// p ("Quelle: dpa" gives "quelle").
func leadLabel(p string) (string, bool) {
	i := colon(p)
	if i <= 0 || i > 40 {
		return "", false
	}
	return normLine(p[:i]), true
}

// colon is strings.IndexAny(p, ":：") without its per-rune search.
func colon(p string) int {
	i := strings.IndexByte(p, ':')
	if j := strings.Index(p, "："); j >= 0 && (i < 0 || j < i) {
		return j
	}
	return i
}

// normLine lower-cases a line, collapses its spaces and trims the
// punctuation around it.
func normLine(s string) string {
	s = strings.ToLower(collapse(s))
	if strings.ContainsFunc(s, isCJK) {
		// "郑 重 声 明": spaced-out CJK headings.
		s = strings.ReplaceAll(s, " ", "")
	}
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r) || r == '|' || r == '»' || r == '›'
	})
}
