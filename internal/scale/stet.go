package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Stet says how to run stet: Argv[0] is the binary (a `go build` of
// cmd/stet, or a test binary that Env turns into one), Argv[1:] come
// before each command's own arguments.
type Stet struct {
	Argv []string
	Env  []string // added to this process's environment
}

func (s Stet) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.Argv[0], append(s.Argv[1:len(s.Argv):len(s.Argv)], args...)...)
	cmd.Env = append(os.Environ(), s.Env...)
	return cmd
}

// Run runs one stet command to the end, its output to stdout and its log to
// stderr, and says how long it took.
func (s Stet) Run(ctx context.Context, stdout, stderr io.Writer, args ...string) (time.Duration, error) {
	cmd := s.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		return 0, fmt.Errorf("stet %v: %w", args, err)
	}
	return time.Since(start), nil
}

// Proc is a running stet process.
type Proc struct {
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{}
	err    error // set before exited closes
}

// Start starts stet with args, its log appended to logPath.
func (s Stet) Start(logPath string, args ...string) (*Proc, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := s.command(context.Background(), args...) // ended by Stop, never by a context
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start stet %v: %w", args, err)
	}
	p := &Proc{cmd: cmd, log: log, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Sample reads the process's counters.
func (p *Proc) Sample() (Sample, error) {
	select {
	case <-p.exited:
		return Sample{}, p.exitError()
	default:
	}
	return ReadSample(p.Pid())
}

// ErrExited means the stet process ended while it was being measured.
var ErrExited = errors.New("stet exited")

func (p *Proc) exitError() error {
	return fmt.Errorf("%w (pid %d): %v; see %s", ErrExited, p.Pid(), p.err, p.log.Name())
}

// Stop sends SIGTERM and waits for the process to finish its checks in
// flight and exit; after timeout it is killed, and that is an error.
func (p *Proc) Stop(timeout time.Duration) error {
	select {
	case <-p.exited:
		return p.exitError()
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.exited:
		if p.err != nil {
			return fmt.Errorf("stet (pid %d) after SIGTERM: %w; see %s", p.Pid(), p.err, p.log.Name())
		}
		return nil
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("stet (pid %d) still running %s after SIGTERM: killed", p.Pid(), timeout)
	}
}
