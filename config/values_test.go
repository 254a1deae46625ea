package config_test

import (
	"testing"
	"time"

	"github.com/stet/stet/config"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"20s", 20 * time.Second, true},
		{"10ms", 10 * time.Millisecond, true},
		{"1h30m", 90 * time.Minute, true},
		{"30d", 30 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"1.5d", 36 * time.Hour, true},
		{"-1d12h", -36 * time.Hour, true},
		{"0", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"30", 0, false},
		{"5x", 0, false},
		{"1d-2h", 0, false},
		{"12h1d", 0, false},
		{"1e3d", 0, false},
		{"infd", 0, false},
		{"999999999d", 0, false},
	}
	for _, tt := range tests {
		got, err := config.ParseDuration(tt.in)
		if (err == nil) != tt.ok || got.D() != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got.D(), err, tt.want, tt.ok)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{15 * time.Minute, "15m0s"},
		{30 * 24 * time.Hour, "30d"},
		{36 * time.Hour, "1d12h0m0s"},
		{-48 * time.Hour, "-2d"},
	}
	for _, tt := range tests {
		d := config.Duration(tt.in)
		if got := d.String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.in, got, tt.want)
		}
		back, err := config.ParseDuration(d.String())
		if err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", d.String(), back.D(), err, tt.in)
		}
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"10MiB", 10 << 20, true},
		{"512KiB", 512 << 10, true},
		{"1GiB", 1 << 30, true},
		{"10MB", 10_000_000, true},
		{"512KB", 512_000, true},
		{"100B", 100, true},
		{"1048576", 1 << 20, true},
		{"10 mib", 10 << 20, true},
		{"1.5KiB", 1536, true},
		{"", 0, false},
		{"MiB", 0, false},
		{"10 furlongs", 0, false},
		{"-1MiB", 0, false},
		{"1.5", 0, false},
		{"1.5B", 0, false},
		{"9999999TiB", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := config.ParseByteSize(tt.in)
		if (err == nil) != tt.ok || got.Int64() != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d, ok=%v", tt.in, got.Int64(), err, tt.want, tt.ok)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		in   config.ByteSize
		want string
	}{
		{10 << 20, "10MiB"},
		{3 << 10, "3KiB"},
		{1536, "1536B"},
		{1500, "1500B"},
		{0, "0B"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := config.ParseByteSize(tt.in.String()); err != nil || back != tt.in {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in.String(), back, err, tt.in)
		}
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		spec string
		ok   bool
	}{
		{"*/5 * * * *", true},
		{"@every 10m", true},
		{"@every 1s", true}, // the minimum, which the demo uses
		{"@hourly", true},
		{"0 0 29 2 *", true},  // fires in leap years
		{"0 0 31 * *", true},  // fires in the months that have a 31st
		{"0 0 30 2 1", true},  // day of month and day of week are ORed: every Monday in February
		{"@every 0s", false},  // robfig/cron would run it every second
		{"@every -1m", false}, // likewise
		{"@every 1ns", false},
		{"@every 2.5s", false}, // robfig/cron would round it down to 2s
		{"0 0 30 2 *", false},  // never runs
		{"0 0 31 4,6,9,11 *", false},
		{"CRON_TZ=UTC @every 0s", false},
		{"61 * * * *", false},
		{"* * * *", false},
		{"", false},
		{"@sometimes", false},
	}
	for _, tt := range tests {
		var s config.Schedule
		err := s.UnmarshalText([]byte(tt.spec))
		if (err == nil) != tt.ok {
			t.Errorf("UnmarshalText(%q) error = %v, want ok=%v", tt.spec, err, tt.ok)
		}
		if tt.ok && s.String() != tt.spec {
			t.Errorf("String() = %q, want %q", s.String(), tt.spec)
		}
	}
	s, err := config.ParseSchedule("@every 10m")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if got, want := s.Next(from), from.Add(10*time.Minute); !got.Equal(want) {
		t.Errorf("Next(%v) = %v, want %v", from, got, want)
	}
	if b, _ := s.MarshalText(); string(b) != "@every 10m" {
		t.Errorf("MarshalText() = %q", b)
	}
}
