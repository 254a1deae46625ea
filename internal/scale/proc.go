package scale

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// Sample is one reading of a process (and of the whole machine) from /proc.
type Sample struct {
	At         time.Time
	CPU        time.Duration // user + system time of the process, all threads
	WriteBytes int64         // /proc/<pid>/io write_bytes: bytes sent to the storage layer
	WChar      int64         // /proc/<pid>/io wchar: bytes passed to write(2) and the like, sockets included
	SysCW      int64         // /proc/<pid>/io syscw: write calls, sockets included
	RSS, HWM   int64         // /proc/<pid>/status VmRSS and VmHWM (peak), bytes
	MachineCPU time.Duration // busy time of all CPUs (/proc/stat), to see other load
}

// Delta is what happened between two samples.
type Delta struct {
	Wall, CPU, MachineCPU    time.Duration
	WriteBytes, WChar, SysCW int64
}

// Sub is what happened from o to s.
func (s Sample) Sub(o Sample) Delta {
	return Delta{Wall: s.At.Sub(o.At), CPU: s.CPU - o.CPU, MachineCPU: s.MachineCPU - o.MachineCPU,
		WriteBytes: s.WriteBytes - o.WriteBytes, WChar: s.WChar - o.WChar, SysCW: s.SysCW - o.SysCW}
}

// ReadSample reads pid's counters. pid 0 means this process.
func ReadSample(pid int) (Sample, error) {
	dir := "/proc/self"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid)
	}
	s := Sample{At: time.Now()}
	var err error
	if s.CPU, err = readStatCPU(dir + "/stat"); err != nil {
		return s, err
	}
	io, err := readKeyed(dir+"/io", ":")
	if err != nil {
		return s, err
	}
	s.WriteBytes, s.WChar, s.SysCW = io["write_bytes"], io["wchar"], io["syscw"]
	st, err := readKeyed(dir+"/status", ":")
	if err != nil {
		return s, err
	}
	s.RSS, s.HWM = st["VmRSS"]<<10, st["VmHWM"]<<10 // kB
	s.MachineCPU, err = readMachineCPU()
	return s, err
}

// readStatCPU is utime + stime from /proc/<pid>/stat. The command name in
// parentheses may hold spaces, so fields are counted after the last ')'.
func readStatCPU(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("scale: %s: no command name", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 { // state is field 3; utime 14 and stime 15
		return 0, fmt.Errorf("scale: %s: %d fields", path, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("scale: %s: bad utime/stime %q %q", path, f[11], f[12])
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// readKeyed reads "key<sep> value [unit]" lines into numbers.
func readKeyed(path, sep string) (map[string]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, sep)
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			m[strings.TrimSpace(k)] = n
		}
	}
	return m, nil
}

// readMachineCPU is the busy time of all CPUs: the first line of
// /proc/stat without idle and iowait.
func readMachineCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("scale: /proc/stat: unexpected %q", line)
	}
	var busy int64
	for i, v := range f[1:8] { // user nice system idle iowait irq softirq
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("scale: /proc/stat: %w", err)
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}
