package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

// parseArgs parses args into fs and returns the positional arguments. Flags
// may come before, between or after them, so "stet check URL -config F" is
// "stet check -config F URL"; "--" ends the flags and "-" alone is an
// argument. Anything else that starts with '-' and is not a flag of fs is a
// usage error, as is a flag without its value or with a bad one. -h and
// -help print the flags and return flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		switch {
		case f == nil && (name == "h" || name == "help"):
		case f == nil:
			return nil, fmt.Errorf("%w: flag provided but not defined: %s", errUsage, a)
		case !hasValue && !isBoolFlag(f) && i+1 < len(args):
			// The next word is the value, even if it starts with '-'
			// ("-limit -1"): the check of the value then names the flag.
			flags = append(flags, a, args[i+1])
			i++
			continue
		}
		flags = append(flags, a)
	}
	out := fs.Output()
	fs.SetOutput(io.Discard) // a bad flag is reported once, by realMain
	err := fs.Parse(flags)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(out, "flags of %s (they may also follow its arguments):\n", fs.Name())
		fs.PrintDefaults()
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// noArgs is the check of commands that take no positional arguments.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	return nil
}

// firstError is the first of errs that is not nil, so that a command
// reports one usage problem at a time, in the order its flags are listed.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Limits of the flags that take numbers or durations.
const (
	maxSince = config.Duration(36500 * 24 * time.Hour) // 100 years
	maxLimit = 10000
)

// checkSince accepts a positive duration up to maxSince; 0 means no bound.
func checkSince(d config.Duration) error {
	if d < 0 || d > maxSince {
		return fmt.Errorf("%w: -since must be a positive duration such as 24h or 7d, at most %s (100 years); got %s",
			errUsage, maxSince, d)
	}
	return nil
}

// checkLimit accepts 1..maxLimit; 0 means no limit.
func checkLimit(n int) error {
	if n < 0 || n > maxLimit {
		return fmt.Errorf("%w: -limit must be between 1 and %d (0 or absent: no limit); got %d", errUsage, maxLimit, n)
	}
	return nil
}

// checkKind accepts "" (every kind) or a kind of change the storage defines.
func checkKind(kind string) error {
	if kind != "" && !slices.Contains(storage.ChangeKinds(), kind) {
		return fmt.Errorf("%w: -kind must be one of %s; got %q", errUsage, strings.Join(storage.ChangeKinds(), ", "), kind)
	}
	return nil
}

// checkListen accepts host:port with a numeric port; the host may be empty.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return fmt.Errorf("%w: -listen must be host:port, such as 127.0.0.1:8080 or :8080; got %q", errUsage, addr)
	}
	return nil
}

// versionNumber parses a version id as `stet history` prints it: 3 or v3.
func versionNumber(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(s, "v"), "V"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: version %q must be a positive integer, such as 3 or v3", errUsage, s)
	}
	return id, nil
}
