package notify

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 28, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"30", 30 * time.Second},
		{"Fri, 28 Mar 2025 09:10:00 GMT", 10 * time.Minute},
		{"Fri, 28 Mar 2025 08:59:00 GMT", 0}, // past
		{"Friday, 28-Mar-25 09:00:30 GMT", 30 * time.Second},
		{"tomorrow", 0},
		{"99999999999999999999", 0}, // overflows int64: not a number we trust
		{"9223372036854775807", time.Duration(1<<63-1) / time.Second * time.Second},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
