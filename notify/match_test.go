package notify_test

import (
	"math"
	"testing"
	"time"

	"github.com/stet/stet/notify"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		name      string
		patterns  []string
		eventType string
		want      bool
	}{
		{"nil list", nil, notify.EventChanged, true},
		{"empty list", []string{}, notify.EventSourceFailing, true},
		{"star", []string{"*"}, notify.EventRemoved, true},
		{"exact", []string{"change.removed"}, notify.EventRemoved, true},
		{"exact other", []string{"change.removed"}, notify.EventChanged, false},
		{"prefix", []string{"change.*"}, notify.EventRestored, true},
		{"prefix other family", []string{"change.*"}, notify.EventSourceFailing, false},
		{"prefix needs the dot", []string{"change.*"}, "changes.x", false},
		{"bare prefix is not a pattern", []string{"change"}, notify.EventChanged, false},
		{"any of several", []string{"source.failing", "change.*"}, notify.EventChanged, true},
		{"none of several", []string{"source.failing", "source.recovered"}, notify.EventChanged, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notify.Matches(tt.patterns, tt.eventType); got != tt.want {
				t.Errorf("Matches(%q, %q) = %v, want %v", tt.patterns, tt.eventType, got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	const s = time.Second
	tests := []struct {
		attempt   int
		base, max time.Duration
		want      time.Duration
	}{
		{0, s, time.Hour, s},
		{1, s, time.Hour, s},
		{2, s, time.Hour, 2 * s},
		{3, s, time.Hour, 4 * s},
		{10, s, time.Hour, 512 * s},
		{13, s, time.Hour, time.Hour},
		{1000, s, time.Hour, time.Hour},
		{3, 30 * s, time.Minute, time.Minute},
		{3, s, 0, 4 * s},
		{1000, s, 0, math.MaxInt64},
		{5, 0, time.Hour, 0},
	}
	for _, tt := range tests {
		if got := notify.Backoff(tt.attempt, tt.base, tt.max); got != tt.want {
			t.Errorf("Backoff(%d, %v, %v) = %v, want %v", tt.attempt, tt.base, tt.max, got, tt.want)
		}
	}
}
