package crawler_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stet/stet/crawler"
)

func TestTitle(t *testing.T) {
	long := strings.Repeat("word ", 200)
	tests := []struct {
		name, body, want string
	}{
		{"plain", `<html><head><title>Annual Report</title></head>`, "annual report"},
		{"upper-case tags", `<HTML><HEAD><TITLE>Just a Moment...</TITLE>`, "just a moment..."},
		{"mixed case and attributes", `<TiTlE lang="en" >  Access   Denied </tItLe>`, "access denied"},
		{"no closing tag", `<title>Captcha`, "captcha"},
		{"no title", `<html><body><p>Text</p></body></html>`, ""},
		{"tag never closed", `<title`, ""},
		{"a <titles> lookalike is taken, as before", `<titles>x</titles><title>Real</title>`, "x"},
		{"non-ASCII lower-cased", `<title>ÉCOLE – Ärger</title>`, "école – ärger"},
		{"chinese kept", `<title>页面不存在_新华网</title>`, "页面不存在_新华网"},
		{"cut at 512 bytes", `<title>` + long + `</title>`, strings.TrimSpace(long[:512])},
		{"past the first 64 KiB", strings.Repeat("x", 64<<10) + `<title>Late</title>`, ""},
		{"closing tag past 64 KiB", `<title>Early ` + strings.Repeat("y", 64<<10) + `</title>`, "early " + strings.Repeat("y", 506)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crawler.Title([]byte(tt.body)); got != tt.want {
				t.Errorf("Title(%.60q) = %.80q, want %.80q", tt.body, got, tt.want)
			}
		})
	}
}

// referenceTitle is the title reader as it was: lower-case the first 64
// KiB, then search. On ASCII input the two must agree exactly.
func referenceTitle(body []byte) string {
	head := bytes.ToLower(body[:min(len(body), 64<<10)])
	i := bytes.Index(head, []byte("<title"))
	if i < 0 {
		return ""
	}
	head = head[i:]
	if i = bytes.IndexByte(head, '>'); i < 0 {
		return ""
	}
	head = head[i+1:]
	if i = bytes.Index(head, []byte("</title")); i >= 0 {
		head = head[:i]
	}
	return strings.Join(strings.Fields(string(head[:min(len(head), 512)])), " ")
}

func FuzzTitle(f *testing.F) {
	f.Add([]byte(`<html><head><TITLE>Just a moment...</TITLE></head>`))
	f.Add([]byte(`<tit<title<TITLE>x</TiTlE</title>`))
	f.Add([]byte(`<title>` + strings.Repeat("a ", 400)))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range b {
			if c >= 0x80 {
				return // lower-casing non-ASCII may move byte offsets
			}
		}
		if got, want := crawler.Title(b), referenceTitle(b); got != want {
			t.Errorf("Title(%q) = %q, reference %q", b, got, want)
		}
	})
}

// BenchmarkTitle reads the title of a 60 KB page, as the classifier does
// for every 200 answer.
func BenchmarkTitle(b *testing.B) {
	page := []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Annual Report | Daily</title></head><body>` +
		strings.Repeat("<p>A paragraph of a long article, with <a href=\"/x\">a link</a>.</p>\n", 60<<10/70) + "</body></html>")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if crawler.Title(page) != "annual report | daily" {
			b.Fatal("wrong title")
		}
	}
}
