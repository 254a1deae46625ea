package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	iawarc "github.com/internetarchive/gowarc"
)

// warcResponses reads a WARC file with the Internet Archive's gowarc (not
// the library that wrote it) and returns the payload of each response
// record, after checking its digest.
func warcResponses(t *testing.T, path string) (payloads []string, metadata int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := iawarc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, err := r.ReadRecord()
		if errors.Is(err, io.EOF) {
			return payloads, metadata
		}
		if err != nil {
			t.Fatal(err)
		}
		switch rec.Header.Get("WARC-Type") {
		case "metadata":
			metadata++
		case "response":
			resp, err := http.ReadResponse(bufio.NewReader(rec.Content), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(body)
			if got, want := rec.Header.Get("WARC-Payload-Digest"), "sha256:"+base32.StdEncoding.EncodeToString(sum[:]); got != want {
				t.Errorf("payload digest %s, payload hashes to %s", got, want)
			}
			payloads = append(payloads, string(body))
		}
		rec.Content.Close()
	}
}

func TestExport(t *testing.T) {
	cfg, _, u := checkedThrice(t) // change 1: 12 -> 13, change 2: 13 -> 14
	dir := t.TempDir()
	tests := []struct {
		name      string
		args      []string
		figures   []string // in the responses, in order
		summary   string
		metadatas int // captures + versions + changes
	}{
		{"change", []string{"-change", "1"}, []string{"12", "13"}, "2 captures (2 responses), 2 versions, 1 changes", 2 + 2 + 1},
		{"page", []string{"-url", u}, []string{"12", "13", "14"}, "3 captures (3 responses), 3 versions, 2 changes", 3 + 3 + 2},
		{"page since", []string{"-url", u, "-since", "1h"}, []string{"12", "13", "14"}, "3 captures", 3 + 3 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".warc.gz")
			code, stdout, stderr := run(t, append([]string{"export", "-config", cfg, "-o", out}, tt.args...)...)
			if code != 0 || !strings.HasPrefix(stdout, "wrote "+out+": "+tt.summary) {
				t.Fatalf("export: code %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			payloads, metadata := warcResponses(t, out)
			if len(payloads) != len(tt.figures) || metadata != tt.metadatas {
				t.Fatalf("%d responses, %d metadata records; want %d, %d", len(payloads), metadata, len(tt.figures), tt.metadatas)
			}
			for i, fig := range tt.figures {
				if !strings.Contains(payloads[i], "counted "+fig+" incidents") {
					t.Errorf("response %d does not hold the page with %s incidents: %.80q", i, fig, payloads[i])
				}
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestExportErrors(t *testing.T) {
	cfg, _, u := checkedThrice(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "x.warc.gz")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-o", out}, 2, "either -change ID or -url URL"},
		{[]string{"-change", "1", "-url", u, "-o", out}, 2, "either -change ID or -url URL"},
		{[]string{"-change", "-1", "-o", out}, 2, "-change must be a positive change id"},
		{[]string{"-change", "one", "-o", out}, 2, "-change"},
		{[]string{"-url", u, "-since", "-5h", "-o", out}, 2, "-since must be a positive duration"},
		{[]string{"-url", u}, 2, "-o must name the file to write, ending in .warc.gz"},
		{[]string{"-url", u, "-o", filepath.Join(dir, "x.warc")}, 2, "ending in .warc.gz"},
		{[]string{"-url", u, "-o", out, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-change", "99", "-o", out}, 1, "change 99 is not in "},
		{[]string{"-url", "http://elsewhere.test/", "-o", out}, 1, "http://elsewhere.test/ is not tracked in "},
		{[]string{"-url", u, "-o", filepath.Join(dir, "no-such-folder", "x.warc.gz")}, 1, "no-such-folder"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"export", "-config", cfg}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("failed exports left %s", left[0].Name())
	}
}
