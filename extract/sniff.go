package extract

import (
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// sniffBytes bounds the work of content sniffing.
const sniffBytes = 256 << 10

// Frequent characters of each script, used to tell a right decoding from a
// wrong one: text decoded with the wrong CJK table is a soup of rare
// characters, while real text is dense in these.
const (
	commonSimplified  = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
	commonTraditional = "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種面而方後多定行學法所民得經十三之進著等部度家電力裡如水化高自二理起小物現實加量都兩體制機當使點從業本去把性好應開它合還因由其些然前外天政四日那社義事平形相全表間樣與關各重新線內數正心反你明看原又麼利比或但質氣第向道命此變條只沒結解問意建月公無系軍很情者最立代想已通並提直題黨程展五果料象員革位入常文總次品式活設及管特件長求老頭基資邊流路級少圖山統接知較將組見計別她手角期根論運農指幾九區強放決西被幹做必戰先回則任取據處隊南給色光門即保治北造百規熱領七海口東導器壓志世金增爭濟階油思術極交受聯什認六共權收證改清己美再採轉更單風切打白教速花帶安場身車例真務具萬每目至達走積示議聲報鬥完類八離華名確才科張信馬節話米整空元況今集溫傳土許步群廣石記需段研界拉林律叫且究觀越織裝影算低持音眾書布複容兒須際商非驗連斷深難近礦千周委素技備半辦青省列習響約支般史感勞便團往酸歷市克何除消構府稱太準精值號率族維劃選標寫存候毛親快效斯院查江型眼王按格養易置派層片始卻專狀育廠京識適屬圓包火住調滿縣局照參紅細引聽該鐵價嚴龍飛"
	commonHangul      = "이의다는에을하고가한지로서기도사리자어수들대있인적를그게것으해나시보라정여아부일상주전면만원요되없과우제년국중회내동성경관방위후장신구문화연발터리까저러당"
	commonJapanese    = "のにはをたがでてとしいれるなかもらすりっこあうまくさんだよけせつそみめ日人年大一本中出事時会"
)

// sniffCandidate is one legacy encoding content sniffing may pick.
type sniffCandidate struct {
	name   string
	enc    encoding.Encoding
	common *runeSet
}

var sniffCandidates = []sniffCandidate{
	{"gb18030", simplifiedchinese.GB18030, newRuneSet(commonSimplified)},
	{"big5", traditionalchinese.Big5, newRuneSet(commonTraditional)},
	{"shift_jis", japanese.ShiftJIS, newRuneSet(commonJapanese)},
	{"euc-jp", japanese.EUCJP, newRuneSet(commonJapanese)},
	{"euc-kr", korean.EUCKR, newRuneSet(commonHangul)},
}

// runeSet is a set of runes of the Basic Multilingual Plane, as a bitmap:
// sniffing looks up every character of a page in it.
type runeSet [0x10000 / 64]uint64

func newRuneSet(s string) *runeSet {
	var set runeSet
	for _, r := range s {
		set[r>>6] |= 1 << (r & 63) // every common character is in the BMP
	}
	return &set
}

func (set *runeSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && set[r>>6]&(1<<(r&63)) != 0
}

// mostlyUTF8 reports whether b is UTF-8, allowing a few stray bytes in a page
// that is otherwise clearly UTF-8 (a template pasting one Latin-1 string into
// a UTF-8 page is common).
func mostlyUTF8(b []byte) bool {
	if utf8.Valid(b) {
		return true
	}
	var invalid, multi int
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			multi++
		}
		i += n
	}
	return multi >= 20 && invalid*50 < multi
}

// sniff guesses the encoding of undeclared bytes: UTF-8 if they are UTF-8,
// else the CJK encoding under which the text is densest in common
// characters, else windows-1252. When b was short enough to be decoded
// whole while sniffing, out is that decoding (not yet checked for valid
// UTF-8), so that it need not be done again; else out is nil.
func sniff(b []byte) (enc encoding.Encoding, name string, out []byte) {
	if mostlyUTF8(b) {
		return unicode.UTF8, "utf-8", nil
	}
	whole := len(b) <= sniffBytes
	if !whole {
		b = b[:sniffBytes]
	}
	var best encoding.Encoding = charmap.Windows1252
	bestName, bestScore := "windows-1252", 0.0
	var bestOut []byte
	for _, c := range sniffCandidates {
		if s, decoded := commonScore(c, b); s > bestScore {
			best, bestName, bestScore, bestOut = c.enc, c.name, s, decoded
		}
	}
	if !whole {
		bestOut = nil
	}
	return best, bestName, bestOut
}

// commonScore is the share of non-ASCII characters that are common ones when
// b is decoded with c, or 0 when the decoding is implausible; out is the
// decoding.
func commonScore(c sniffCandidate, b []byte) (score float64, out []byte) {
	out, err := c.enc.NewDecoder().Bytes(b)
	if err != nil {
		return 0, nil
	}
	var nonASCII, common, bad int
	for _, r := range string(out) {
		switch {
		case r < utf8.RuneSelf:
		case r == utf8.RuneError:
			bad++
			nonASCII++
		default:
			nonASCII++
			if c.common.has(r) {
				common++
			}
		}
	}
	if common < 3 || bad*50 > nonASCII {
		return 0, nil
	}
	score = float64(common) / float64(nonASCII)
	if score < 0.08 {
		return 0, nil
	}
	return score, out
}
