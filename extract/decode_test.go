package extract

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const zh = "新华社北京电，今天上午，国务院召开常务会议，研究部署进一步做好经济工作的有关措施。会议指出，我们要坚持稳中求进的工作总基调。"
	const tw = "中央社台北電，行政院今天上午召開院會，討論進一步推動經濟發展的有關措施。會議指出，我們要堅持穩中求進的工作總基調。"
	const ja = "東京の天気は、明日は晴れのち曇りでしょう。午後からは風が強くなる見込みです。お出かけの際はご注意ください。"
	const ko = "서울시는 오늘 새로운 교통 정책을 발표했다. 이 정책은 다음 달부터 시행될 예정이며 시민들의 많은 관심을 받고 있다."
	const de = "Die Stadtverwaltung hat heute über die Brücke entschieden. Größere Schiffe können künftig passieren, sagte der Bürgermeister."
	page := func(head, body string) string {
		return "<html><head>" + head + "</head><body><p>" + body + "</p></body></html>"
	}
	tests := []struct {
		name        string
		b           []byte
		contentType string
		wantCharset string
		wantText    string
	}{
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, page("", zh)...), "text/html; charset=gbk", "utf-8", zh},
		{"utf-16le bom", append([]byte{0xFF, 0xFE}, encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), page("", de))...), "", "utf-16le", de},
		{"utf-16be bom", append([]byte{0xFE, 0xFF}, encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), page("", zh))...), "", "utf-16be", zh},
		{"header charset", encode(t, simplifiedchinese.GBK, page("", zh)), "text/html; charset=GB2312", "gbk", zh},
		{"header beats meta", encode(t, charmap.ISO8859_1, page(`<meta charset="utf-8">`, de)), "text/html; charset=iso-8859-1", "windows-1252", de},
		{"header utf-8 lies", encode(t, charmap.Windows1252, page("", de)), "text/html; charset=utf-8", "windows-1252", de},
		{"meta charset", encode(t, simplifiedchinese.GBK, page(`<meta charset="gbk">`, zh)), "", "gbk", zh},
		{"meta http-equiv", encode(t, simplifiedchinese.GBK, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, zh)), "text/html", "gbk", zh},
		{"meta utf-8 lies", encode(t, simplifiedchinese.GBK, page(`<meta charset="utf-8">`, zh)), "", "gb18030", zh},
		{"meta utf-16 means utf-8", []byte(page(`<meta charset="utf-16">`, zh)), "", "utf-8", zh},
		{"sniff utf-8", []byte(page("", zh)), "", "utf-8", zh},
		{"sniff gbk", encode(t, simplifiedchinese.GBK, page("", zh)), "", "gb18030", zh},
		{"sniff big5", encode(t, traditionalchinese.Big5, page("", tw)), "", "big5", tw},
		{"sniff shift_jis", encode(t, japanese.ShiftJIS, page("", ja)), "", "shift_jis", ja},
		{"sniff euc-kr", encode(t, korean.EUCKR, page("", ko)), "", "euc-kr", ko},
		{"sniff latin", encode(t, charmap.Windows1252, page("", de)), "", "windows-1252", de},
		{"unknown labels ignored", encode(t, simplifiedchinese.GBK, page(`<meta charset="no-such-charset">`, zh)), "text/html; charset=bogus", "gb18030", zh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cs, err := Decode(tt.b, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if cs != tt.wantCharset {
				t.Errorf("charset = %q, want %q", cs, tt.wantCharset)
			}
			if !strings.Contains(got, tt.wantText) {
				t.Errorf("text = %q, want it to contain %q", got, tt.wantText)
			}
		})
	}
}

func TestDecodeAlwaysValidUTF8(t *testing.T) {
	for _, ct := range []string{"", "text/html; charset=utf-8", "text/html; charset=gbk", "text/html; charset=shift_jis"} {
		got, _, err := Decode([]byte("ok \xff\xfe\x80 \xe4\xb8 end"), ct)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(got) || !strings.HasPrefix(got, "ok ") {
			t.Errorf("Content-Type %q: got %q", ct, got)
		}
	}
}

func TestMostlyUTF8ToleratesStrayByte(t *testing.T) {
	b := []byte(strings.Repeat("Grüße aus Köln. ", 20) + "caf\xe9")
	got, cs, err := Decode(b, "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	if cs != "utf-8" || !strings.Contains(got, "Grüße") || !strings.HasSuffix(got, "caf\uFFFD") {
		t.Errorf("charset %q, text %q", cs, got[len(got)-20:])
	}
}

// lenReader reports a length that may be wrong: readInput may only take
// it as a hint for its buffer.
type lenReader struct {
	io.Reader
	n int
}

func (r lenReader) Len() int { return r.n }

func TestReadInput(t *testing.T) {
	page := strings.Repeat("<p>text</p>", 1000)
	tests := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"empty", strings.NewReader(""), ""},
		{"bytes reader", bytes.NewReader([]byte(page)), page},
		{"no length", io.MultiReader(strings.NewReader(page[:5000]), strings.NewReader(page[5000:])), page},
		{"length too small", lenReader{strings.NewReader(page), 10}, page},
		{"length too large", lenReader{strings.NewReader(page), 1 << 20}, page},
		{"negative length", lenReader{strings.NewReader(page), -5}, page},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readInput(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("read %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}
