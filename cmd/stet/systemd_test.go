package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// notifySocket listens where systemd would, and returns each datagram.
func notifySocket(t *testing.T, addr string) (*net.UnixConn, func() string) {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	next := func() string {
		t.Helper()
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	return conn, next
}

func TestNotifySystemd(t *testing.T) {
	for _, kind := range []string{"path", "abstract"} {
		t.Run(kind, func(t *testing.T) {
			addr := filepath.Join(t.TempDir(), "notify")
			if kind == "abstract" {
				addr = fmt.Sprintf("@stet-test-%d-%d", os.Getpid(), time.Now().UnixNano())
			}
			_, next := notifySocket(t, addr)
			t.Setenv("NOTIFY_SOCKET", addr)
			t.Setenv("WATCHDOG_USEC", "100000")
			t.Setenv("WATCHDOG_PID", fmt.Sprint(os.Getpid()))
			ctx, cancel := context.WithCancel(t.Context())
			done := notifySystemd(ctx, slog.New(slog.DiscardHandler), "watching 3 sources")
			if got, want := next(), "READY=1\nSTATUS=watching 3 sources"; got != want {
				t.Errorf("first message %q, want %q", got, want)
			}
			if got := next(); got != "WATCHDOG=1" {
				t.Errorf("second message %q, want a watchdog ping", got)
			}
			cancel()
			<-done
			for got := next(); got != "STOPPING=1"; got = next() {
				if got != "WATCHDOG=1" {
					t.Fatalf("message %q after the stop, want STOPPING=1", got)
				}
			}
		})
	}
}

// TestNotifySystemdOutside: without $NOTIFY_SOCKET nothing is sent and
// nothing is left running.
func TestNotifySystemdOutside(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	done := notifySystemd(t.Context(), slog.New(slog.DiscardHandler), "x")
	select {
	case <-done:
	default:
		t.Error("notifySystemd outside systemd left a goroutine running")
	}
}

// unitFile parses contrib/systemd/stet.service into section.key -> values.
func unitFile(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("../../contrib/systemd/stet.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit line %q is not key=value", line)
			}
			keys[section+"."+k] = append(keys[section+"."+k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestSystemdUnit(t *testing.T) {
	unit := unitFile(t)
	want := map[string]string{
		"Service.Type":                    "notify",
		"Service.Restart":                 "on-failure",
		"Service.User":                    "stet",
		"Service.StateDirectory":          "stet",
		"Service.ConfigurationDirectory":  "stet",
		"Service.NoNewPrivileges":         "yes",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.PrivateDevices":          "yes",
		"Service.ProtectKernelTunables":   "yes",
		"Service.ProtectKernelModules":    "yes",
		"Service.ProtectKernelLogs":       "yes",
		"Service.ProtectControlGroups":    "yes",
		"Service.RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
		"Service.RestrictNamespaces":      "yes",
		"Service.LockPersonality":         "yes",
		"Service.MemoryDenyWriteExecute":  "yes",
		"Service.SystemCallArchitectures": "native",
		"Service.CapabilityBoundingSet":   "",
		"Service.UMask":                   "0077",
		"Service.ReadWritePaths":          "/var/lib/stet",
		"Service.TimeoutStopSec":          "90s",
		"Install.WantedBy":                "multi-user.target",
	}
	for k, v := range want {
		if got, ok := unit[k]; !ok || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := unit["Service.SystemCallFilter"]; !slices.Contains(got, "@system-service") {
		t.Errorf("SystemCallFilter = %q, want @system-service", got)
	}
	// The command line it runs must be one stet accepts.
	exec := strings.Fields(unit["Service.ExecStart"][0])
	if exec[0] != "/usr/local/bin/stet" || exec[1] != "run" {
		t.Fatalf("ExecStart = %q, want /usr/local/bin/stet run ...", exec)
	}
	fs := newFlags("run", &env{stdout: io.Discard, stderr: io.Discard})
	var sf storeFlags
	sf.register(fs)
	var lf logFlags
	lf.register(fs)
	if _, err := parseArgs(fs, exec[2:]); err != nil {
		t.Errorf("ExecStart's flags: %v", err)
	}
	if _, err := lf.logger(io.Discard); err != nil {
		t.Errorf("ExecStart's log flags: %v", err)
	}
}

// TestSystemdUnitVerify runs systemd-analyze verify on the unit, with
// ExecStart pointed at an executable that exists here.
func TestSystemdUnitVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	b, err := os.ReadFile("../../contrib/systemd/stet.service")
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stet.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "/usr/local/bin/stet", exe)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), analyze, "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
