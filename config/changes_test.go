package config_test

import (
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

func TestChangesAndClassSubscriptions(t *testing.T) {
	for _, tc := range []struct{ doc, wantErr string }{
		{"[changes]\nflap_after = 0\n", "config.toml:2:14: changes.flap_after"},
		{"[changes]\nflap_window = \"0s\"\n", "config.toml:2:15: changes.flap_window"},
		{"[[webhook]]\nurl = \"https://h.example/x\"\nclasses = [\"number\", \"numbers\"]\n",
			`config.toml:3:22: webhook[0].classes[1]: unknown class "numbers"`},
		{"[changes]\nflap_after = 3\nflap_window = \"2d\"\n[[webhook]]\nurl = \"https://h.example/x\"\nclasses = [\"number\", \"stealth\"]\n", ""},
	} {
		_, err := config.Parse(strings.NewReader(tc.doc), "config.toml")
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tc.doc, err)
		case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
			t.Errorf("%q: error %v, want prefix %q", tc.doc, err, tc.wantErr)
		}
	}
	w := config.Webhook{URL: "https://h.example/x", Classes: []string{"number", "stealth"}}
	for _, tc := range []struct {
		typ     string
		classes []string
		want    bool
	}{
		{"change.changed", []string{"number", "wording"}, true},
		{"change.changed", []string{"wording"}, false},
		{"change.changed", nil, false},
	} {
		if got := w.WantsChange(tc.typ, tc.classes); got != tc.want {
			t.Errorf("WantsChange(%s, %v) = %v, want %v", tc.typ, tc.classes, got, tc.want)
		}
	}
	if !(config.Webhook{}).WantsChange("change.changed", nil) {
		t.Error("an entry without classes must want every change")
	}
}
