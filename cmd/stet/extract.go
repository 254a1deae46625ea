package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/stet/stet/extract"
)

// extractJSON is `stet extract -format json`; field names are a contract.
type extractJSON struct {
	Title     string `json:"title"`
	Byline    string `json:"byline"`
	Published string `json:"published"`
	Modified  string `json:"modified"`
	Lang      string `json:"lang"`
	Canonical string `json:"canonical,omitempty"`
	Charset   string `json:"charset,omitempty"`
	Text      string `json:"text"`
}

func runExtract(_ context.Context, e *env, args []string) error {
	fs := newFlags("extract", e)
	format := fs.String("format", "text", "output format: text or json")
	outDir := fs.String("o", "", "write DIR/NAME.txt (or .json) for each NAME.html instead of stdout")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: -format must be text or json; got %q", errUsage, *format)
	}
	if len(files) == 0 {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
		out, err := extractOne(b, *format)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(out)
		return err
	}
	failed := 0
	for _, in := range files {
		if err := extractFile(e, in, *outDir, *format); err != nil {
			fmt.Fprintf(e.stderr, "stet extract: %s: %v\n", in, err)
			failed++
		}
	}
	if failed > 0 {
		return errReported
	}
	return nil
}

func extractFile(e *env, in, outDir, format string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	out, err := extractOne(b, format)
	if err != nil {
		return err
	}
	if outDir == "" {
		_, err = e.stdout.Write(out)
		return err
	}
	ext := ".txt"
	if format == "json" {
		ext = ".json"
	}
	name := strings.TrimSuffix(filepath.Base(in), filepath.Ext(in)) + ext
	return os.WriteFile(filepath.Join(outDir, name), out, 0o644)
}

func extractOne(b []byte, format string) ([]byte, error) {
	a, err := extract.HTML(bytes.NewReader(b), extract.Options{})
	if err != nil {
		return nil, err
	}
	if format == "text" {
		if a.Text == "" {
			return nil, nil
		}
		return []byte(a.Text + "\n"), nil
	}
	j := extractJSON{Title: a.Title, Byline: a.Byline, Lang: a.Lang, Canonical: a.Canonical, Charset: a.Charset, Text: a.Text}
	if !a.Published.IsZero() {
		j.Published = a.Published.Format("2006-01-02T15:04:05Z07:00")
	}
	if !a.Modified.IsZero() {
		j.Modified = a.Modified.Format("2006-01-02T15:04:05Z07:00")
	}
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
