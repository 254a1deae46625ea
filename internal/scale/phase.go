package scale

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Phase is one measured stretch of a run: Count events (fetches,
// re-checks) while stet used Daemon and this process (the newsroom, the
// receiver) used Self.
type Phase struct {
	Count        int64
	Daemon, Self Delta
	HWM          int64 // stet's peak RSS at the end of the stretch
}

// Rate is events per second.
func (p Phase) Rate() float64 { return float64(p.Count) / p.Daemon.Wall.Seconds() }

// CPUPer is stet's CPU time per event.
func (p Phase) CPUPer() time.Duration { return p.Daemon.CPU / time.Duration(max(p.Count, 1)) }

// WriteBytesPer is what stet sent to the storage layer per event.
func (p Phase) WriteBytesPer() float64 {
	return float64(p.Daemon.WriteBytes) / float64(max(p.Count, 1))
}

// WCharPer is what stet passed to write calls per event, sockets included.
func (p Phase) WCharPer() float64 { return float64(p.Daemon.WChar) / float64(max(p.Count, 1)) }

// WritesPer is how many write calls stet made per event, sockets included.
func (p Phase) WritesPer() float64 { return float64(p.Daemon.SysCW) / float64(max(p.Count, 1)) }

// Cores is how many CPUs stet kept busy on average.
func (p Phase) Cores() float64 { return p.Daemon.CPU.Seconds() / p.Daemon.Wall.Seconds() }

// SelfCores is how many CPUs this process (the newsroom) kept busy.
func (p Phase) SelfCores() float64 { return p.Self.CPU.Seconds() / p.Daemon.Wall.Seconds() }

// OtherCores is the machine's busy CPUs not accounted for by stet or this
// process: other programs competing for the cores.
func (p Phase) OtherCores() float64 {
	return (p.Daemon.MachineCPU - p.Daemon.CPU - p.Self.CPU).Seconds() / p.Daemon.Wall.Seconds()
}

// pollEvery is how often a watch reads the counters.
const pollEvery = 20 * time.Millisecond

// watch measures stet while served (the newsroom's count of answers)
// climbs target above its value at the call and the database records
// them: from the first poll that sees served move to the one that sees
// committed report true, after served reached target. It also returns
// when the first move was seen. It fails if nothing moves for stall, or
// stet exits.
func watch(ctx context.Context, p *Proc, served func() int64, target int64, committed func() (bool, error), stall time.Duration) (Phase, time.Time, error) {
	base := served()
	tk := time.NewTicker(pollEvery)
	defer tk.Stop()
	var start, startSelf Sample
	var startN, last int64
	var first time.Time
	lastMove := time.Now()
	for {
		select {
		case <-ctx.Done():
			return Phase{}, first, ctx.Err()
		case <-p.exited:
			return Phase{}, first, p.exitError()
		case <-tk.C:
		}
		c := served() - base
		if first.IsZero() && c > 0 {
			var err error
			if start, startSelf, err = sampleBoth(p); err != nil {
				return Phase{}, first, err
			}
			first, startN = start.At, c
		}
		if c >= target {
			done, err := committed()
			if err != nil {
				return Phase{}, first, err
			}
			if done {
				end, endSelf, err := sampleBoth(p)
				if err != nil {
					return Phase{}, first, err
				}
				return Phase{Count: c - startN, Daemon: end.Sub(start), Self: endSelf.Sub(startSelf), HWM: end.HWM}, first, nil
			}
		}
		if c != last {
			last, lastMove = c, time.Now()
		} else if time.Since(lastMove) > stall {
			return Phase{}, first, fmt.Errorf("stalled at %d of %d for %s", c, target, stall)
		}
	}
}

func sampleBoth(p *Proc) (Sample, Sample, error) {
	s, err := p.Sample()
	if err != nil {
		return s, Sample{}, err
	}
	self, err := ReadSample(0)
	return s, self, err
}

// Quantile is the q quantile (nearest rank) of ds, 0 when empty.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// sleepUntil waits until t or ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
