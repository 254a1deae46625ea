package config_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

func TestWebhookWants(t *testing.T) {
	tests := []struct {
		events []string
		event  string
		want   bool
	}{
		{nil, "change.changed", true},
		{[]string{"*"}, "source.failing", true},
		{[]string{"change.*"}, "change.removed", true},
		{[]string{"change.*"}, "source.failing", false},
		{[]string{"change.removed"}, "change.removed", true},
		{[]string{"change.removed"}, "change.restored", false},
		{[]string{"change.removed", "source.*"}, "source.recovered", true},
		{[]string{"change.*"}, "changelog.x", false},
	}
	for _, tt := range tests {
		w := config.Webhook{URL: "https://hooks.example/", Events: tt.events}
		if got := w.Wants(tt.event); got != tt.want {
			t.Errorf("Webhook{Events: %q}.Wants(%q) = %v, want %v", tt.events, tt.event, got, tt.want)
		}
	}
}

// TestWebhookEntries checks the keys of [[webhook]] and that one URL with
// different secrets makes different subscribers.
func TestWebhookEntries(t *testing.T) {
	doc := `
[[webhook]]
url = "https://Hooks.example/stet"
secret = "one"

[[webhook]]
url = "https://hooks.example/stet"
secret = "two"
name = "desk"
allow_private = true
`
	cfg, err := config.Parse(strings.NewReader(doc), "c.toml")
	if err != nil {
		t.Fatal(err)
	}
	w0, w1 := cfg.Webhooks[0], cfg.Webhooks[1]
	if got, want := w0.URL, "https://Hooks.example/stet"; got != want {
		t.Errorf("webhook[0].url = %q, want it kept as written, %q", got, want)
	}
	if w0.AllowPrivate || !w1.AllowPrivate {
		t.Errorf("allow_private = %v, %v; want false (the default), true", w0.AllowPrivate, w1.AllowPrivate)
	}
	if got, want := w1.Subscriber(), "desk"; got != want {
		t.Errorf("webhook[1].Subscriber() = %q, want %q", got, want)
	}
	if got := w0.Subscriber(); !strings.HasPrefix(got, "webhook-") || len(got) != len("webhook-")+12 {
		t.Errorf("webhook[0].Subscriber() = %q, want webhook- and 12 hex digits", got)
	}
}

func TestWebhookSubscriber(t *testing.T) {
	derived := func(key, secret string) string {
		sum := sha256.Sum256([]byte(key + "\x00" + secret))
		return "webhook-" + hex.EncodeToString(sum[:])[:12]
	}
	tests := []struct {
		name string
		w    config.Webhook
		want string
	}{
		{"named", config.Webhook{URL: "https://a.example/h", Secret: "s", Name: "desk"}, "desk"},
		{"derived", config.Webhook{URL: "https://a.example/h", Secret: "s"}, derived("https://a.example/h", "s")},
		{"derived from the URL key", config.Webhook{URL: "HTTPS://A.example:443/h/#x", Secret: "s"}, derived("https://a.example/h", "s")},
		{"another secret", config.Webhook{URL: "https://a.example/h", Secret: "t"}, derived("https://a.example/h", "t")},
		{"unsigned", config.Webhook{URL: "https://a.example/h"}, derived("https://a.example/h", "")},
		{"invalid URL", config.Webhook{URL: "hooks", Secret: "s"}, derived("hooks", "s")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Subscriber(); got != tt.want {
				t.Errorf("Subscriber() = %q, want %q", got, tt.want)
			}
		})
	}
	if a, b := tests[1].w.Subscriber(), tests[3].w.Subscriber(); a == b {
		t.Errorf("different secrets share the subscriber %q", a)
	}
}

func TestWebhookLogURL(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"https://hooks.example/stet", "https://hooks.example"},
		{"https://user:pa55@Hooks.Example:443/t/0ken?key=secret#x", "https://hooks.example"},
		{"http://10.0.0.2:8080/hook", "http://10.0.0.2:8080"},
		{"http://[::1]:9000/", "http://[::1]:9000"},
		{"hooks.example/stet?key=secret", ""},
	}
	for _, tt := range tests {
		if got := (config.Webhook{URL: tt.url}).LogURL(); got != tt.want {
			t.Errorf("Webhook{URL: %q}.LogURL() = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// TestWebhookDuplicates covers the cases that are not errors, and
// collisions between a name and the name derived for another entry.
func TestWebhookDuplicates(t *testing.T) {
	a := config.Webhook{URL: "https://hooks.example/stet", Secret: "s"}
	tests := []struct {
		name string
		ws   []config.Webhook
		want string // "" for valid
	}{
		{"same URL, different secrets", []config.Webhook{a, {URL: a.URL, Secret: "t"}}, ""},
		{"same URL, signed and unsigned", []config.Webhook{a, {URL: a.URL}}, ""},
		{"same URL and secret, different names", []config.Webhook{{URL: a.URL, Secret: "s", Name: "x"}, {URL: a.URL + "/", Secret: "s", Name: "y"}},
			"config: webhook[1].url: duplicate of webhook[0].url: same URL and secret"},
		{"name taken by a derived one", []config.Webhook{a, {URL: "https://b.example/", Name: a.Subscriber()}},
			`config: webhook[1]: subscriber name "` + a.Subscriber() + `" is also that of webhook[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Webhooks = tt.ws
			err := cfg.Validate()
			if got := errString(err); got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestWebhookSecretForms checks that a Standard Webhooks secret must
// decode, that the error points at the key without repeating the secret,
// and that any other secret is accepted as it is.
func TestWebhookSecretForms(t *testing.T) {
	tests := []struct {
		name, secret, wantErr string
	}{
		{"plain", "a long random string", ""},
		{"whsec", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ""},
		{"whsec not base64", "whsec_sekrit!!", `config.toml:3:10: webhook[0].secret: a secret starting "whsec_" must continue with the base64 of the key`},
		{"whsec empty", "whsec_", `config.toml:3:10: webhook[0].secret: a secret starting "whsec_"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "[[webhook]]\nurl = \"https://h.example/x\"\nsecret = \"" + tt.secret + "\"\n"
			_, err := config.Parse(strings.NewReader(doc), "config.toml")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want prefix %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}
