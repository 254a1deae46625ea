package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stet/stet/storage"
)

// Escaped forms of the hostile strings, as html/template writes them in
// text and attribute context.
const (
	xssScriptEscaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
	xssAttrEscaped   = `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`
)

func TestHostileContentIsEscaped(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	targets := []string{
		"/",
		"/?url=" + strings.ReplaceAll(xssURL, ":", "%3A"),
		"/changes/" + id(f.removed),
		"/changes/" + id(f.res),
		"/pages",
		"/pages/" + id(f.hostilePage.ID),
		"/versions/" + id(f.hostileV),
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			res := get(t, h, target)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d", res.status)
			}
			mustNotContain(t, target, res.body, "<script", "<img", `href="javascript:`, "onerror=alert(1)>")
			if !strings.Contains(res.body, xssScriptEscaped) && !strings.Contains(res.body, xssAttrEscaped) {
				t.Errorf("%s shows neither hostile string in escaped form", target)
			}
		})
	}
}

func TestHostileDiffMarks(t *testing.T) {
	f := seed(t)
	body := get(t, quietHandler(f.st, &bytes.Buffer{}), "/changes/"+id(f.removed)).body
	mustContain(t, "change", body,
		"\n- "+xssScriptEscaped+"\n~ [-"+xssScriptEscaped+"-]{&#43;"+xssAttrEscaped+"&#43;}\n</pre>",
		`<h1><span class="badge removed">removed</span> `+xssScriptEscaped+`</h1>`,
		`<dd>`+xssAttrEscaped+`</dd>`) // the summary
}

func TestJavascriptURLIsNeutralised(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	for _, target := range []string{"/", "/changes/" + id(f.removed), "/pages", "/pages/" + id(f.hostilePage.ID), "/versions/" + id(f.hostileV)} {
		body := get(t, h, target).body
		// html/template replaces an unsafe URL with this marker; the text
		// of the link still shows the URL, escaped but harmless.
		mustContain(t, target, body, `<a href="#ZgotmplZ" rel="noopener noreferrer nofollow">javascript:alert(1)</a>`)
	}
}

func TestVersionTextParagraphs(t *testing.T) {
	f := seed(t)
	body := get(t, quietHandler(f.st, &bytes.Buffer{}), "/versions/"+id(f.hostileV)).body
	mustContain(t, "version", body,
		"<p>Intro "+xssScriptEscaped+"</p>",
		"<p>Second "+xssAttrEscaped+"</p>",
		"By "+xssAttrEscaped)
}

func TestSecurityHeaders(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	targets := []string{"/", "/changes/" + id(f.changed), "/pages", "/pages/" + id(f.page.ID),
		"/versions/" + id(f.v1), "/sources", "/api/changes", "/healthz", "/changes/999", "/?kind=x", "/nowhere"}
	for _, target := range targets {
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			res := do(t, h, method, target)
			for k, v := range want {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s %s: %s = %q, want %q", method, target, k, got, v)
				}
			}
		}
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	f := seed(t)
	h := quietHandler(f.st, &bytes.Buffer{})
	for _, target := range []string{"/", "/changes/" + id(f.changed), "/pages", "/sources", "/api/changes", "/healthz"} {
		if res := do(t, h, http.MethodHead, target); res.status != http.StatusOK {
			t.Errorf("HEAD %s = %d, want 200", target, res.status)
		}
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			res := do(t, h, method, target)
			if res.status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d, want 405", method, target, res.status)
			}
			if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || strings.Contains(allow, method) {
				t.Errorf("%s %s: Allow = %q", method, target, allow)
			}
		}
	}
}

func TestDatabaseErrorsDoNotLeak(t *testing.T) {
	f := seed(t)
	var logs bytes.Buffer
	h := quietHandler(f.st, &logs)
	f.st.Close()
	for _, target := range []string{"/", "/changes/1", "/pages", "/pages/1", "/versions/1", "/sources", "/api/changes"} {
		res := get(t, h, target)
		if res.status != http.StatusInternalServerError {
			t.Errorf("%s = %d, want 500", target, res.status)
		}
		mustNotContain(t, target, strings.ToLower(res.body), "sql", "closed", "stet.db")
	}
	if res := get(t, h, "/healthz"); res.status != http.StatusServiceUnavailable || res.body == "ok" {
		t.Errorf("healthz on a closed store = %d %q, want 503", res.status, res.body)
	}
	mustContain(t, "log", logs.String(), "database is closed", "path=/changes/1")
}

// TestHostileBlocks stores a change whose page text holds the marks of the
// old text diff and markup: every view shows it as text, with only the
// stored edits marked.
func TestHostileBlocks(t *testing.T) {
	st := openStore(t)
	added := "{+ [- " + xssScript + " -] +} \\[-"
	cid := storeChange(t, st, storage.Change{Blocks: blocksOf(t, hostileOld, hostileNew+"\n\n"+added)})
	h := quietHandler(st, &bytes.Buffer{})
	for _, target := range []string{"/", "/changes/" + id(cid)} {
		body := get(t, h, target).body
		mustContain(t, target, body,
			`<span class="label">¶1</span> Prices [-see note] rose by <del>3</del><ins>4</ins> {&#43;x&#43;} `+xssScriptEscaped+`.</p>`,
			`<span class="label">¶2</span> <ins>{&#43; [- `+xssScriptEscaped+` -] &#43;} \[-</ins></p>`)
		mustNotContain(t, target, body, "<script", `<del>see note`, `<ins>x`)
	}
	res := get(t, h, "/api/changes")
	mustNotContain(t, "api", res.body, "<script")
	mustContain(t, "api", res.body, `"text":"Prices [-see note] rose by "`, `{"op":"delete","text":"3"},{"op":"insert","text":"4"}`,
		`\u003cscript\u003e`)
}
