package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// ParseDuration parses a Go duration ("90s", "1h30m") that may start with a
// number of days ("30d", "1d12h", "1.5d").
func ParseDuration(s string) (Duration, error) {
	text := strings.TrimSpace(s)
	i := strings.IndexByte(text, 'd')
	if i < 0 {
		d, err := time.ParseDuration(text)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: use a number with a unit: ms, s, m, h or d", s)
		}
		return Duration(d), nil
	}
	days, err := strconv.ParseFloat(text[:i], 64)
	if err != nil || math.IsNaN(days) || math.IsInf(days, 0) || text[:i] == "" || strings.ContainsAny(text[:i], "eEnNiIxXpP_") {
		return 0, fmt.Errorf("invalid duration %q: use a number with a unit: ms, s, m, h or d", s)
	}
	if math.Abs(days) > float64(math.MaxInt64/int64(day)) {
		return 0, fmt.Errorf("invalid duration %q: too large", s)
	}
	total := time.Duration(days * float64(day))
	if rest := text[i+1:]; rest != "" {
		if rest[0] == '+' || rest[0] == '-' {
			return 0, fmt.Errorf("invalid duration %q: sign after the days", s)
		}
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: use a number with a unit: ms, s, m, h or d", s)
		}
		if days < 0 {
			d = -d
		}
		if (d > 0 && total > math.MaxInt64-d) || (d < 0 && total < math.MinInt64-d) {
			return 0, fmt.Errorf("invalid duration %q: too large", s)
		}
		total += d
	}
	return Duration(total), nil
}

// UnmarshalText parses a duration with ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
	parsed, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalText returns the String form, which ParseDuration reads back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes whole days with a "d" unit ("30d", "1d12h0m0s") and anything
// shorter as time.Duration does.
func (d Duration) String() string {
	v := time.Duration(d)
	if v < day && v > -day {
		return v.String()
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	days, rest := v/day, v%day
	if rest == 0 {
		return fmt.Sprintf("%s%dd", sign, days)
	}
	return fmt.Sprintf("%s%dd%s", sign, days, rest)
}

// byteUnits maps a lower-cased unit to its multiplier: SI units are powers
// of 1000, IEC units ("KiB") powers of 1024.
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseByteSize parses "10MiB", "512KB", "100B" or a plain number of bytes.
// Units are case-insensitive; a fraction is allowed when a unit is given.
func ParseByteSize(s string) (ByteSize, error) {
	text := strings.TrimSpace(s)
	i := strings.IndexFunc(text, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(text)
	}
	num, unit := text[:i], strings.ToLower(strings.TrimSpace(text[i:]))
	mult, ok := byteUnits[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("invalid size %q: use a number of bytes or a unit: B, KB, MB, GB, KiB, MiB, GiB", s)
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		if n > math.MaxInt64/mult {
			return 0, fmt.Errorf("invalid size %q: too large", s)
		}
		return ByteSize(n * mult), nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || unit == "" || unit == "b" {
		return 0, fmt.Errorf("invalid size %q: use a whole number of bytes", s)
	}
	if f*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return ByteSize(f * float64(mult)), nil
}

// UnmarshalText parses a size with ParseByteSize. A bare TOML integer
// (max_body = 1048576) bypasses it: the decoder stores it as bytes directly.
func (b *ByteSize) UnmarshalText(text []byte) error {
	parsed, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = parsed
	return nil
}

// MarshalText returns the String form, which ParseByteSize reads back.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// Int64 returns the size in bytes.
func (b ByteSize) Int64() int64 { return int64(b) }

// String uses the largest IEC unit that divides the size exactly ("10MiB"),
// else plain bytes ("1500B").
func (b ByteSize) String() string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%dB", int64(b))
}
