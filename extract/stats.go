package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// nodeInfo holds the measurements of one element. Lengths are weighted:
// a CJK character counts double, since it carries about as much as a short
// word, and text without spaces would otherwise look thin.
type nodeInfo struct {
	text   int // weighted length of all text below
	link   int // part of text that sits inside <a>
	own    int // text not inside a block child: the element's own paragraph
	ownLnk int // part of own that sits inside <a>
	prose  int // own text of the paragraphs below (own >= minParagraph, few links)
	commas int // commas and CJK sentence marks in own text
	blocks int // block children
	paras  int // <p> descendants
	score  float64
	scored bool
}

// stats holds the measurements of every element below a root.
type stats map[*html.Node]*nodeInfo

// measurer measures trees. One extraction measures its tree several
// times (before and after cleaning, and again on a lenient pass), so the
// map and the blocks of infos are kept and reused rather than allocated
// for each: the stats a measure returns are only valid until the next.
type measurer struct {
	st     stats
	blocks [][]nodeInfo // infos are handed out from these, in order
	used   int          // blocks handed out in the current measure
	free   []nodeInfo   // rest of the current block
}

// measure measures every element below root.
func (m *measurer) measure(root *html.Node) stats {
	if m.st == nil {
		m.st = make(stats, 1024)
	} else {
		clear(m.st)
	}
	m.used, m.free = 0, nil
	m.fill(root, 0, false)
	return m.st
}

// alloc returns a zeroed info.
func (m *measurer) alloc() *nodeInfo {
	if len(m.free) == 0 {
		if m.used == len(m.blocks) {
			m.blocks = append(m.blocks, make([]nodeInfo, 256))
		}
		m.free = m.blocks[m.used]
		m.used++
	}
	in := &m.free[0]
	*in = nodeInfo{}
	m.free = m.free[1:]
	return in
}

// fill measures n's subtree and returns n's info (nil for non-elements).
func (m *measurer) fill(n *html.Node, depth int, inLink bool) *nodeInfo {
	if n.Type != html.ElementNode && n.Type != html.DocumentNode {
		return nil
	}
	in := m.alloc()
	m.st[n] = in
	if depth > maxDepth || droppedTags[n.DataAtom] {
		return in
	}
	link := inLink || (n.DataAtom == atom.A && hasAttr(n, "href"))
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			l, commas := weigh(c.Data)
			in.text += l
			in.own += l
			in.commas += commas
			if link {
				in.link += l
				in.ownLnk += l
			}
			continue
		}
		ci := m.fill(c, depth+1, link)
		if ci == nil {
			continue
		}
		in.text += ci.text
		in.link += ci.link
		in.paras += ci.paras
		in.prose += ci.prose
		if c.DataAtom == atom.P {
			in.paras++
		}
		if !inlineTags[c.DataAtom] {
			in.blocks++
		} else {
			in.own += ci.own
			in.ownLnk += ci.ownLnk
			in.commas += ci.commas
			in.prose -= ci.prose // counted again below as part of n's own text
		}
	}
	if in.own >= minParagraph && in.ownLnk*2 < in.own && !inlineTags[n.DataAtom] {
		in.prose += in.own
	}
	return in
}

// weigh returns the weighted length of s and its count of clause marks.
func weigh(s string) (length, commas int) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c > ' ' {
				length++
			}
			if c == ',' {
				commas++
			}
			i++
			continue
		}
		r, n := decodeRune(s, i)
		i += n
		switch {
		case isCJK(r):
			length += 2
		case r == '，' || r == '、' || r == '。' || r == '；':
			commas++
			length++
		case r > maxSpace || !unicode.IsSpace(r):
			length++
		}
	}
	return length, commas
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) with the three-byte forms
// of CJK text decoded inline: lead bytes E1-EC and EE-EF take any two
// continuation bytes, so only those need checking.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c >= 0xE1 && c <= 0xEF && c != 0xED && i+2 < len(s) {
		c1, c2 := s[i+1], s[i+2]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			return rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F), 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isCJK reports whether r is a Han, kana or Hangul character.
func isCJK(r rune) bool {
	return (r >= 0x3040 && r <= 0x30FF) || (r >= 0x3400 && r <= 0x9FFF) ||
		(r >= 0xAC00 && r <= 0xD7A3) || (r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x20000 && r <= 0x2FA1F)
}

func (in *nodeInfo) linkDensity() float64 {
	if in.text == 0 {
		return 0
	}
	return float64(in.link) / float64(in.text)
}

// appendWords splits s into lower-case words at punctuation and camelCase
// boundaries: "relatedPosts article__share-bar" gives related, posts,
// article, share, bar.
func appendWords(toks []string, s string) []string {
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			toks = append(toks, strings.ToLower(s[start:end]))
		}
		start = -1
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if start < 0 {
				start = i
			}
		case r >= 'A' && r <= 'Z':
			// camelCase boundary, but keep runs of capitals ("NavBAR") whole.
			if start >= 0 && i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
				flush(i)
			}
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return toks
}
