package config_test

import (
	"testing"
	"time"

	"github.com/stet/stet/config"
)

func TestRecheckInterval(t *testing.T) {
	r := config.Default().Recheck
	const day = 24 * time.Hour
	tests := []struct {
		age  time.Duration
		want time.Duration
		ok   bool
	}{
		{0, 15 * time.Minute, true},
		{6*time.Hour - 1, 15 * time.Minute, true},
		{6 * time.Hour, time.Hour, true},
		{47 * time.Hour, time.Hour, true},
		{48 * time.Hour, 6 * time.Hour, true},
		{14*day - 1, 6 * time.Hour, true},
		{20 * day, 6 * time.Hour, true}, // past the last step: its every still applies
		{30*day - 1, 6 * time.Hour, true},
		{30 * day, 0, false},
		{400 * day, 0, false},
	}
	for _, tt := range tests {
		got, ok := r.Interval(tt.age)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Interval(%v) = %v, %v; want %v, %v", tt.age, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSiteRule(t *testing.T) {
	cfg := config.Default()
	cfg.Sites = []config.Site{
		{Host: "news.example", Body: "#exact"},
		{Host: "*.example", Body: "#wild"},
		{Host: "*.blogs.example", Body: "#deeper"},
		{Host: "www.paper.example", Body: "#www"},
	}
	tests := []struct {
		host string
		want string // Body of the rule, "" for none
	}{
		{"news.example", "#exact"},
		{"NEWS.example:443", "#exact"},
		{"www.news.example", "#exact"},
		{"paper.example", "#www"},
		{"www.paper.example", "#www"},
		{"sport.example", "#wild"},
		{"example", "#wild"},
		{"a.blogs.example", "#deeper"},
		{"blogs.example", "#deeper"},
		{"example.org", ""},
		{"notexample", ""},
	}
	for _, tt := range tests {
		got := ""
		if s := cfg.SiteRule(tt.host); s != nil {
			got = s.Body
		}
		if got != tt.want {
			t.Errorf("SiteRule(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestUserAgentString(t *testing.T) {
	tests := []struct {
		ua, contact, want string
	}{
		{config.DefaultUserAgent, "", config.DefaultUserAgent},
		{"bot/1", "mailto:desk@example.org", "bot/1 (+mailto:desk@example.org)"},
		{"bot/1 (+mailto:desk@example.org)", "mailto:desk@example.org", "bot/1 (+mailto:desk@example.org)"},
	}
	for _, tt := range tests {
		cfg := config.Default()
		cfg.Fetch.UserAgent, cfg.Fetch.Contact = tt.ua, tt.contact
		if got := cfg.UserAgentString(); got != tt.want {
			t.Errorf("UserAgentString(%q, %q) = %q, want %q", tt.ua, tt.contact, got, tt.want)
		}
	}
}
