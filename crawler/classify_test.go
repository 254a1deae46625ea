package crawler_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stet/stet/crawler"
)

func page(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

const cloudflarePage = `<!DOCTYPE html><html><head><title>Just a moment...</title></head>
<body><div id="cf-browser-verification"><script>window._cf_chl_opt={cvId:'3'}</script></div></body></html>`

const captchaArticle = `<html><head><title>How CAPTCHA became a chore</title></head><body><article>
<p>Every captcha asks you to click traffic lights. Vendors like DataDome sell bot detection.</p></article></body></html>`

func TestClassifyAnswers(t *testing.T) {
	bigArticle := "<html><head><title>Inside the WAF business</title></head><body>" +
		strings.Repeat("<p>Some challenge pages carry a cf-chl- token in their markup.</p>", 1000) + "</body></html>"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		class   crawler.Class
		reason  string
	}{
		{"ok", page(200, nil, "<p>hi</p>"), crawler.ClassOK, ""},
		{"404", page(404, nil, "not here"), crawler.ClassGone, "status 404"},
		{"410", page(410, nil, "gone"), crawler.ClassGone, "status 410"},
		{"403 plain", page(403, nil, "forbidden"), crawler.ClassBlocked, "status 403"},
		{"401", page(401, nil, ""), crawler.ClassBlocked, "status 401"},
		{"403 cloudflare", page(403, nil, cloudflarePage), crawler.ClassBlocked, "cloudflare challenge (status 403)"},
		{"403 akamai", page(403, nil, `<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>Reference #18.2 https://errors.edgesuite.net/18</BODY></HTML>`),
			crawler.ClassBlocked, "access denied page (status 403)"},
		{"200 cloudflare", page(200, nil, cloudflarePage), crawler.ClassBlocked, "cloudflare challenge"},
		{"200 cf-mitigated", page(200, map[string]string{"Cf-Mitigated": "challenge"}, "<p>x</p>"), crawler.ClassBlocked, "cloudflare challenge"},
		{"200 datadome", page(200, nil, `<html><body><p>Please enable JS and disable any ad blocker</p><script src="https://ct.captcha-delivery.com/c.js"></script></body></html>`),
			crawler.ClassBlocked, "datadome challenge"},
		{"200 perimeterx", page(200, nil, `<div id="px-captcha"></div>`), crawler.ClassBlocked, "perimeterx captcha"},
		{"200 google consent", page(200, nil, `<title>Before you continue to Google</title><form action="https://consent.google.com/save">`),
			crawler.ClassBlocked, "consent wall"},
		{"article mentioning captcha", page(200, nil, captchaArticle), crawler.ClassOK, ""},
		{"big article quoting a marker", page(200, nil, bigArticle), crawler.ClassOK, ""},
		{"soft 404", page(200, nil, `<title>404 Not Found</title><p>Sorry</p>`), crawler.ClassGone, "page says not found (status 200)"},
		{"soft 404 with site name", page(200, nil, `<title>Page not found | Daily</title>`), crawler.ClassGone, "page says not found (status 200)"},
		{"soft 404 chinese", page(200, nil, `<title>页面不存在_新华网</title>`), crawler.ClassGone, "page says not found (status 200)"},
		{"article about 404 errors", page(200, nil, `<title>How 404 errors took over the web</title><p>x</p>`), crawler.ClassOK, ""},
		{"article titled not found", page(200, nil, `<title>Not found: the missing millions</title><p>x</p>`), crawler.ClassOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, _ := serve(t, tt.handler)
			resp, err := fetch(t, newClient(t, crawler.Options{}), ts.URL+"/story")
			wantClass(t, resp, err, tt.class, tt.reason)
			if resp.Body == nil && tt.name != "401" {
				t.Error("Body = nil; ok, blocked and gone pages keep theirs")
			}
		})
	}
}

func TestClassifyErrors(t *testing.T) {
	for _, status := range []int{400, 418, 500, 502, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			ts, _ := serve(t, page(status, nil, "oops"))
			c := newClient(t, crawler.Options{})
			resp, err := fetch(t, c, ts.URL)
			fe := wantFailure(t, resp, err, crawler.ClassError, fmt.Sprintf("status %d", status), nil)
			if fe.Status != status || resp.Status != status {
				t.Errorf("Status = %d (response %d), want %d", fe.Status, resp.Status, status)
			}
			if !c.HostBackoff(hostOf(t, ts.URL)).IsZero() {
				t.Errorf("status %d backed the host off; only 429/503 do", status)
			}
		})
	}
}

func TestResponseRecord(t *testing.T) {
	ts, _ := serve(t, page(200, map[string]string{"Content-Type": "text/html; charset=iso-8859-1"}, "caf\xe9"))
	c := newClient(t, crawler.Options{UserAgent: "stet-test/1.0"})
	resp, err := fetch(t, c, ts.URL+"/x#frag")
	wantClass(t, resp, err, crawler.ClassOK, "")
	if string(resp.Body) != "caf\xe9" {
		t.Errorf("Body = %q, want the raw bytes (charset decoding is extract's job)", resp.Body)
	}
	if resp.URL != ts.URL+"/x#frag" || resp.FinalURL != ts.URL+"/x" || resp.Status != 200 {
		t.Errorf("URL, FinalURL, Status = %s, %s, %d", resp.URL, resp.FinalURL, resp.Status)
	}
	if resp.ContentType != "text/html; charset=iso-8859-1" || resp.Header.Get("Content-Type") != resp.ContentType {
		t.Errorf("ContentType = %q", resp.ContentType)
	}
	if got := resp.RequestHeader.Get("User-Agent"); got != "stet-test/1.0" {
		t.Errorf("User-Agent sent = %q", got)
	}
	if resp.Robots != "ignored" {
		t.Errorf("Robots = %q, want ignored", resp.Robots)
	}
}
