package extract

import (
	"regexp"
	"slices"
	"strings"
)

// Above the first paragraph of an article sit its headline (already in
// Article.Title) and a dateline: "2022-02-11 09:52 来源：云南日报",
// "By Jane Doe | Updated 3 May 2021". Those lines are metadata, not the
// body, and a publisher's clock or view counter there would read as an
// edit; trimHead drops them.

// metaLabels open a dateline field ("Source: ...", "来源：...").
var metaLabels = wordSet(
	"source", "sources", "author", "authors", "by", "published", "updated", "posted",
	"date", "text", "photo", "photos", "image", "credit", "editor", "reporter",
	"von", "autor", "autorin", "datum", "veröffentlicht", "aktualisiert", "stand",
	"quelle", "foto", "fotos", "bild", "text und fotos", "par", "publié le", "por",
	"fuente", "fecha", "źródło", "data", "veröffentlichung", "erschienen",
	"themen", "schlagwörter", "schlagworte", "tags", "kategorie", "kategorien",
	"category", "categories", "filed under", "posted in", "you are here",
	"sie sind hier", "vous êtes ici", "trackback", "当前位置", "您的位置", "你的位置", "您现在的位置",
	"来源", "作者", "发布时间", "时间", "编辑", "责任编辑", "记者", "本报记者", "日期",
	"发表时间", "更新时间", "文", "图", "稿源", "出处", "发布日期", "字号", "浏览次数",
	"點擊", "来源于", "發佈時間", "來源", "編輯", "点击", "来自", "发布", "浏览",
)

// bodyStart is the weighted length from which a paragraph is taken to be
// prose: the head ends at the first such paragraph.
const bodyStart = 100

// headLook bounds how many leading paragraphs are examined.
const headLook = 8

// trimHead drops the headline, byline and dateline paragraphs before the
// first prose paragraph of text.
func trimHead(text, title, byline string) string {
	paras := dropDisclosures(strings.Split(text, "\n\n"))
	title, byline = normLine(title), normLine(byline)
	var keep []string
	for i, p := range paras {
		if i >= headLook || isProseLine(p) {
			keep = append(keep, paras[i:]...)
			break
		}
		if i == len(paras)-1 {
			keep = append(keep, p)
			break
		}
		if p = headLines(p, title, byline); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

// disclosurePattern finds the advertising disclosure a blog or a review
// site puts above its text: "*Werbung. Dieser Beitrag enthält ...", "This
// post contains references to products from our advertisers".
var disclosurePattern = regexp.MustCompile(`(?i)(^\W*(werbung|anzeige|advertisement|sponsored|publicidad)\s*([.:|*,-]|$)|affiliate[- ]?links?|affiliate partners?|our advertisers|we may (receive|earn)|independent review process|paid partnership|bezahlte partnerschaft|enthält werbung)`)

// disclosureNeedles are words every match of disclosurePattern holds.
var disclosureNeedles = newNeedles("werbung", "anzeige", "advertise", "sponsored", "publicidad",
	"affiliate", "we may ", "independent review process", "paid partnership",
	"bezahlte partnerschaft")

// disclosureLook is how many leading paragraphs may be disclosures.
const disclosureLook = 3

// dropDisclosures removes advertising disclosures among the first
// paragraphs, keeping at least one paragraph.
func dropDisclosures(paras []string) []string {
	out := paras[:0:0]
	for i, p := range paras {
		if i < disclosureLook && len(paras) > 1 && len(p) <= maxTrailer && disclosureNeedles.in(p) && disclosurePattern.MatchString(p) {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return paras
	}
	return out
}

// headLines drops the headline, byline and dateline lines of a paragraph
// above the body: a headline and its dateline often share a block. Other
// blocks (a list of dates, a programme) go whole or not at all.
func headLines(p, title, byline string) string {
	lines := strings.Split(p, "\n")
	if !slices.ContainsFunc(lines, func(l string) bool { return isName(l, title) || isName(l, byline) }) {
		if isMetaPara(p) {
			return ""
		}
		return p
	}
	kept := lines[:0]
	for _, l := range lines {
		if !isName(l, title) && !isName(l, byline) && !isMetaPara(l) {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// isName reports a paragraph that is the headline or the byline, give or
// take a "By " before the author's name.
func isName(p, name string) bool {
	if name == "" {
		return false
	}
	n := normLine(p)
	if len(n) >= 12 && strings.Contains(name, n) {
		return true // a headline split into title and subtitle lines
	}
	return n == name || (len(n) <= len(name)+12 && strings.HasSuffix(n, name))
}

func isProseLine(p string) bool {
	l, _ := weigh(p)
	return l >= bodyStart && !strings.Contains(p, "\n")
}

// isMetaPara reports a paragraph whose every line is a short dateline
// field: a date or time, or a "Label: value" with a dateline label.
func isMetaPara(p string) bool {
	for line := range strings.SplitSeq(p, "\n") {
		item, isItem := strings.CutPrefix(line, "- ")
		l, _ := weigh(item)
		if l > 80 || !isMetaLine(item) {
			return false
		}
		// A list item is a dateline field only if it is little more than
		// a label or a date: "- 2022-02-11 09:52", not "- from 1 May 2022
		// for cigarettes".
		if _, labelled := leadLabel(item); isItem && !labelled && l > 25 {
			return false
		}
	}
	return true
}

func isMetaLine(line string) bool {
	if strings.ContainsAny(line, "，。") {
		return false // a sentence, even if it opens with a date
	}
	if label, ok := leadLabel(line); ok && metaLabels[label] {
		return true
	}
	low := strings.ToLower(line)
	for _, prefix := range [...]string{"by ", "von ", "par ", "por ", "文/", "记者 ", "本报记者", "本报实习生", "本报讯"} {
		// "By Jane Doe and John Roe", not "By Friday, the council had
		// voted."
		if strings.HasPrefix(low, prefix) && len(strings.Fields(line)) <= 8 && !endsSentence(line) {
			return true
		}
	}
	if fields := strings.FieldsFunc(line, isFieldSep); len(fields) > 1 {
		// "报纸网 | 发布: 2021-1-29 13:18 | 点击: 313": a row of fields.
		for _, f := range fields {
			if label, ok := leadLabel(f); ok && metaLabels[label] || hasDate(f) {
				return true
			}
		}
	}
	l, _ := weigh(line)
	if l > 60 || !hasDate(line) {
		return false
	}
	// "The match starts at 20:00." is a sentence; "Aktualisiert am
	// 17.01.2021." and "2022-02-11 09:52" are datelines.
	return !endsSentence(line) || hasDatePrefix(low)
}

func endsSentence(line string) bool {
	return strings.HasSuffix(line, ".") || strings.HasSuffix(line, "!") || strings.HasSuffix(line, "?")
}

// hasDatePrefix reports a line that opens with a dateline verb.
func hasDatePrefix(low string) bool {
	for _, p := range [...]string{"aktualisiert", "updated", "veröffentlicht", "published", "posted", "stand", "erstellt", "publié", "mis à jour", "publicado", "actualizado"} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return false
}

func isFieldSep(r rune) bool { return r == '|' || r == '｜' || r == '·' }

// datePattern matches a numeric date ("2022-02-11", "11.02.2022",
// "2022年2月"), a clock time ("09:52"), or a date with a month name in
// any language ("2. Februar 2022", "16 marca 2021", "January 5, 2021").
var datePattern = regexp.MustCompile(`\d{4}[-/.年]\d{1,2}|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}:\d{2}\b|\d{1,2}月\d{1,2}日|\b\d{1,2}\.?\s\pL{3,12}\.?,?\s\d{4}\b|\b\pL{3,12}\.?\s\d{1,2}(st|nd|rd|th)?,\s\d{4}\b`)

// hasDate reports a match of datePattern, each of whose forms holds at
// least two ASCII digits.
func hasDate(s string) bool { return twoDigits(s) && datePattern.MatchString(s) }

func twoDigits(s string) bool {
	n := 0
	for i := 0; i < len(s) && n < 2; i++ {
		if '0' <= s[i] && s[i] <= '9' {
			n++
		}
	}
	return n >= 2
}
