package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinScheduleInterval is the shortest interval an "@every" schedule may
// have. robfig/cron runs a schedule at most once a second and silently turns
// a shorter, zero or negative interval into one second, so anything below
// it would not mean what it says.
const MinScheduleInterval = time.Second

// ParseSchedule parses a standard 5-field cron spec or a descriptor such as
// "@hourly" or "@every 10m". It rejects schedules that never run and
// "@every" intervals below MinScheduleInterval or with a fraction of a
// second, which robfig/cron would round instead of honouring.
func ParseSchedule(spec string) (Schedule, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("invalid cron schedule %q: %w", spec, err)
	}
	if _, every, ok := strings.Cut(spec, "@every "); ok {
		// cron.Every has already rounded the interval: check the one written.
		if d, err := time.ParseDuration(every); err == nil {
			if err := checkInterval(d); err != nil {
				return Schedule{}, fmt.Errorf("invalid cron schedule %q: %w", spec, err)
			}
		}
	}
	if err := checkSchedule(sched); err != nil {
		return Schedule{}, fmt.Errorf("invalid cron schedule %q: %w", spec, err)
	}
	return Schedule{Spec: spec, Schedule: sched}, nil
}

// checkInterval accepts whole seconds from MinScheduleInterval up.
func checkInterval(d time.Duration) error {
	if d < MinScheduleInterval {
		return fmt.Errorf("interval %s is below the minimum of %s", d, MinScheduleInterval)
	}
	if d%time.Second != 0 {
		return fmt.Errorf("interval %s is not a whole number of seconds", d)
	}
	return nil
}

// checkSchedule rejects a parsed schedule that runs more often than
// MinScheduleInterval or never. Two firings of a 5-field spec are at least
// a minute apart, so only a constant delay can be too short. A spec that
// never fires names a date that does not exist, such as February 30:
// robfig/cron's Next looks five years ahead and returns the zero time when
// it finds nothing, and five years from the start of a leap year include a
// February 29.
func checkSchedule(s cron.Schedule) error {
	if cd, ok := s.(cron.ConstantDelaySchedule); ok {
		return checkInterval(cd.Delay)
	}
	from := time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(from).IsZero() {
		return errors.New("never runs")
	}
	return nil
}

// UnmarshalText parses a cron spec, so a bad one is reported with its position.
func (s *Schedule) UnmarshalText(b []byte) error {
	parsed, err := ParseSchedule(string(b))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// MarshalText returns the spec as written.
func (s Schedule) MarshalText() ([]byte, error) { return []byte(s.Spec), nil }

// String returns the spec as written.
func (s Schedule) String() string { return s.Spec }

// IsZero reports whether no schedule was set.
func (s Schedule) IsZero() bool { return s.Schedule == nil }
