package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		pos    []string
		config string
		json   bool
		limit  int
	}{
		{"flags first", []string{"-config", "F", "-json", "u1"}, []string{"u1"}, "F", true, 0},
		{"flags after", []string{"u1", "-config", "F", "-json"}, []string{"u1"}, "F", true, 0},
		{"interleaved", []string{"u1", "-json", "u2", "--config=F", "u3"}, []string{"u1", "u2", "u3"}, "F", true, 0},
		{"-- ends flags", []string{"u1", "--", "-json", "-config"}, []string{"u1", "-json", "-config"}, "", false, 0},
		{"- is an argument", []string{"-", "-json"}, []string{"-"}, "", true, 0},
		{"negative value", []string{"u1", "-limit", "-1"}, []string{"u1"}, "", false, -1},
		{"bool with value", []string{"-json=false", "u1"}, []string{"u1"}, "", false, 0},
		{"value like a flag", []string{"-config", "-json"}, nil, "-json", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			config := fs.String("config", "", "")
			asJSON := fs.Bool("json", false, "")
			limit := fs.Int("limit", 0, "")
			pos, err := parseArgs(fs, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pos, tt.pos) || *config != tt.config || *asJSON != tt.json || *limit != tt.limit {
				t.Errorf("parseArgs(%q) = %q, config %q, json %v, limit %d; want %q, %q, %v, %d",
					tt.args, pos, *config, *asJSON, *limit, tt.pos, tt.config, tt.json, tt.limit)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, args := range [][]string{{"u1", "-bogus"}, {"u1", "-config"}, {"-limit", "x"}, {"u1", "-1"}} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.String("config", "", "")
		fs.Int("limit", 0, "")
		if _, err := parseArgs(fs, args); !errors.Is(err, errUsage) {
			t.Errorf("parseArgs(%q) = %v, want a usage error", args, err)
		}
	}
}

// TestUsageErrors runs each command with a bad command line in an empty
// folder: each must exit 2 naming the problem and create nothing.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"changes", "-since", "-5h"}, "-since must be a positive duration"},
		{[]string{"changes", "-since", "40000d"}, "at most 36500d"},
		{[]string{"changes", "-since", "soon"}, "-since"},
		{[]string{"changes", "-limit", "-1"}, "-limit must be between 1 and 10000"},
		{[]string{"changes", "-limit", "10001"}, "-limit must be between 1 and 10000"},
		{[]string{"changes", "-limit", "many"}, "-limit"},
		{[]string{"changes", "-kind", "bogus"}, "-kind must be one of changed, removed, restored"},
		{[]string{"changes", "-bogus"}, "-bogus"},
		{[]string{"changes", "extra"}, `unexpected argument "extra"`},
		{[]string{"history"}, "exactly one URL"},
		{[]string{"history", "http://a.test/", "http://b.test/"}, "exactly one URL"},
		{[]string{"history", "http://a.test/", "-5"}, "-5"},
		{[]string{"diff", "http://a.test/", "0", "1"}, `version "0" must be a positive integer`},
		{[]string{"diff", "http://a.test/", "v1", "x"}, `version "x" must be a positive integer`},
		{[]string{"diff", "http://a.test/", "-1", "2"}, "-1"},
		{[]string{"diff", "http://a.test/", "1"}, "two version ids"},
		{[]string{"serve", "-listen", "nonsense"}, "-listen must be host:port"},
		{[]string{"serve", "-listen", "localhost"}, "-listen must be host:port"},
		{[]string{"serve", "-listen", ":99999"}, "-listen must be host:port"},
		{[]string{"serve", "extra"}, "unexpected argument"},
		{[]string{"sources", "extra"}, "unexpected argument"},
		{[]string{"sources", "-limit", "5"}, "-limit"},
		{[]string{"check"}, "no URL"},
		{[]string{"check", "http://a.test/", "-bogus"}, "-bogus"},
		{[]string{"check", "http://a.test/", "-config"}, "-config"},
		{[]string{"run", "extra"}, "unexpected argument"},
		{[]string{"run", "-log-level", "loud"}, "-log-level must be debug, info, warn or error"},
		{[]string{"demo", "extra"}, "unexpected argument"},
		{[]string{"demo", "-step-timeout", "-1s"}, "-step-timeout must be a positive duration"},
		{[]string{"extract", "-format", "xml"}, "-format must be text or json"},
		{[]string{"extract", "a.html", "-x"}, "-x"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runWithin(t, 20*time.Second, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "usage: stet "+tt.args[0]) {
				t.Errorf("code %d, stderr %q; want 2 and %q with the usage line", code, stderr, tt.want)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("bad command lines left %s in the folder", left[0].Name())
	}
}

func TestHelpExitsZero(t *testing.T) {
	code, _, stderr := run(t, "changes", "-h")
	if code != 0 || !strings.Contains(stderr, "-since") {
		t.Errorf("changes -h: code %d, stderr %q", code, stderr)
	}
}
