package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stet/stet/config"
)

// TestSharePoliteness checks that shared_politeness "auto" follows the
// storage driver and that "on" and "off" override it.
func TestSharePoliteness(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{"", false},
		{"[daemon]\nshared_politeness = 'auto'\n", false},
		{"[storage]\ndriver = 'postgres'\ndsn = 'postgres://stet@db/stet'\n", true},
		{"[storage]\ndriver = 'postgres'\ndsn = 'postgres://stet@db/stet'\n[daemon]\nshared_politeness = 'off'\n", false},
		{"[daemon]\nshared_politeness = 'on'\n", true},
	}
	for _, tt := range tests {
		cfg, err := config.Parse(strings.NewReader(tt.doc), "config.toml")
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.doc, err)
		}
		if got := cfg.SharePoliteness(); got != tt.want {
			t.Errorf("Parse(%q).SharePoliteness() = %v, want %v", tt.doc, got, tt.want)
		}
	}
}

// TestLease checks the default lease and that a short one is accepted
// with a short fetch timeout.
func TestLease(t *testing.T) {
	if got, want := config.Default().Daemon.Lease.D(), 10*time.Minute; got != want {
		t.Errorf("default lease = %s, want %s", got, want)
	}
	cfg, err := config.Parse(strings.NewReader("[fetch]\ntimeout = '2s'\n[daemon]\nlease = '5s'\n"), "config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Daemon.Lease.D(), 5*time.Second; got != want {
		t.Errorf("lease = %s, want %s", got, want)
	}
}
