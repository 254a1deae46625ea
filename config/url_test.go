package config_test

import (
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"http://a.example/rss", "http://a.example/rss"},
		{"HTTP://A.EXAMPLE:80/rss#x", "http://a.example/rss"},
		{"https://News.Example:443/Path/To?Q=A&b=C", "https://news.example/Path/To?Q=A&b=C"},
		{"https://a.example", "https://a.example/"},
		{"https://a.example?x=1", "https://a.example/?x=1"},
		{"https://a.example:8443/", "https://a.example:8443/"},
		{"http://a.example:443/", "http://a.example:443/"},   // 443 is not http's default
		{"https://a.example:80/", "https://a.example:80/"},   // nor 80 https's
		{"http://a.example:0080/", "http://a.example/"},      // leading zeros
		{"http://a.example:/", "http://a.example/"},          // empty port
		{"https://a.example/a/#top", "https://a.example/a/"}, // trailing slash kept; URLKey drops it
		{"https://a.example/#", "https://a.example/"},
		{"https://a.example/?", "https://a.example/?"},
		{"https://user:pa55@A.example/x", "https://user:pa55@a.example/x"},
		{"https://a.example/%7Euser/Caps", "https://a.example/%7Euser/Caps"},
		{"https://a.example/a b", "https://a.example/a%20b"},
		{"https://bücher.example/", "https://xn--bcher-kva.example/"},
		{"https://BÜCHER.example/", "https://xn--bcher-kva.example/"},
		{"https://xn--BCHER-KVA.example/", "https://xn--bcher-kva.example/"},
		{"http://[::FFFF:127.0.0.1]:8080/", "http://[::ffff:127.0.0.1]:8080/"},
		{"http://[2001:DB8:0:0::1]:80/", "http://[2001:db8::1]/"},
		{"http://127.0.0.1:80/", "http://127.0.0.1/"},
		{"  https://a.example/x\n", "https://a.example/x"},
	}
	for _, tt := range tests {
		got, err := config.NormalizeURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeURLErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty URL"},
		{" ", "empty URL"},
		{"/rss.xml", `"/rss.xml" is not an absolute http(s) URL: relative URL`},
		{"rss.xml", `"rss.xml" is not an absolute http(s) URL: relative URL`},
		{"//a.example/rss", `"//a.example/rss" is not an absolute http(s) URL: relative URL`},
		{"javascript:alert(1)", `"javascript:alert(1)" is not an absolute http(s) URL: unsupported scheme "javascript"`},
		{"file:///etc/passwd", `"file:///etc/passwd" is not an absolute http(s) URL: unsupported scheme "file"`},
		{"data:text/html,<b>x</b>", `"data:text/html,<b>x</b>" is not an absolute http(s) URL: unsupported scheme "data"`},
		{"mailto:desk@example.org", `"mailto:desk@example.org" is not an absolute http(s) URL: unsupported scheme "mailto"`},
		{"gopher://a.example/1", `"gopher://a.example/1" is not an absolute http(s) URL: unsupported scheme "gopher"`},
		{"ftp://files.example/a", `"ftp://files.example/a" is not an absolute http(s) URL: unsupported scheme "ftp"`},
		{"http:///rss", `"http:///rss" is not an absolute http(s) URL: no host`},
		{"http:a.example", `"http:a.example" is not an absolute http(s) URL: no host`},
		{"https://:443/", `"https://:443/" is not an absolute http(s) URL: no host`},
		{"https://u:secret@:443/", `"https://u:xxxxx@:443/" is not an absolute http(s) URL: no host`},
		{"http://a.example:0/", `"http://a.example:0/" is not an absolute http(s) URL: invalid port "0"`},
		{"http://a.example:65536/", `"http://a.example:65536/" is not an absolute http(s) URL: invalid port "65536"`},
		{"http://[1.2.3.4]/", `invalid URL: parse "http://[1.2.3.4]/": invalid IP-literal`},
		{"http://a b.example/", `invalid URL: parse "http://a b.example/": invalid character " " in host name`},
		{"https://ä_b.example/", `"https://ä_b.example/" is not an absolute http(s) URL: invalid international host name "ä_b.example": idna: disallowed rune U+005F`},
	}
	for _, tt := range tests {
		got, err := config.NormalizeURL(tt.in)
		if err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want error %q", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("NormalizeURL(%q) error\n got: %v\nwant: %s", tt.in, err, tt.want)
		}
	}
}

func TestURLKey(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://a.example/", "https://a.example/"},
		{"https://a.example/rss", "https://a.example/rss"},
		{"https://a.example/rss/", "https://a.example/rss"},
		{"https://a.example/rss//", "https://a.example/rss/"}, // one slash only
		{"https://a.example/rss/?page=2", "https://a.example/rss?page=2"},
		{"https://a.example/rss?next=/", "https://a.example/rss?next=/"},
		{"https://a.example/?x=/", "https://a.example/?x=/"},
		{"https://u:p@a.example:8080/x/", "https://u:p@a.example:8080/x"},
	}
	for _, tt := range tests {
		if got := config.URLKey(tt.in); got != tt.want {
			t.Errorf("URLKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Spellings of one source share a key.
	var keys []string
	for _, raw := range []string{"HTTP://A.EXAMPLE:80/rss#x", "http://a.example/rss", "http://a.example/rss/", "http://a.Example/rss/#top"} {
		n, err := config.NormalizeURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, config.URLKey(n))
	}
	for _, k := range keys[1:] {
		if k != keys[0] {
			t.Errorf("keys %q differ, want one key", keys)
			break
		}
	}
	if strings.Contains(keys[0], "#") {
		t.Errorf("key %q holds a fragment", keys[0])
	}
}
