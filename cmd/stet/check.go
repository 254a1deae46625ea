package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/stet/stet/daemon"
)

// checkJSON is one line of `stet check -json`; its field names are a contract.
type checkJSON struct {
	URL       string    `json:"url"`
	Status    string    `json:"status"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Diff      string    `json:"diff,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Class     string    `json:"class,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	HTTP      int       `json:"http_status,omitempty"`
	VersionID int64     `json:"version,omitempty"`
	ChangeID  int64     `json:"change,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags("check", e)
	var sf storeFlags
	sf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per URL")
	verbose := fs.Bool("v", false, "print the whole story of each fetch")
	urls, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(urls) == 0 {
		return fmt.Errorf("%w: no URL given", errUsage)
	}
	cfg, st, err := sf.openWrite(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: newLogger(io.Discard, slog.LevelError)})
	if err != nil {
		return err
	}
	failed := false
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, u := range urls {
		r, err := d.Check(ctx, u)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r = outcome(u, r, err)
		if *verbose {
			printStory(e.stderr, r)
		}
		if r.Status == daemon.StatusError || (r.Status == daemon.StatusGone && r.VersionID == 0) {
			failed = true
			fmt.Fprintf(e.stderr, "stet check: %s: %s\n", r.URL, r.Reason)
		}
		if *asJSON {
			if err := enc.Encode(toCheckJSON(r)); err != nil {
				return err
			}
			continue
		}
		printCheck(e.stdout, r)
	}
	if failed {
		return errReported
	}
	return nil
}

// outcome is the result check prints for u: a check that returned an error
// failed, whatever its Result says, with the error as the reason, and
// nothing it found (version, change, diff) was stored.
func outcome(u string, r daemon.Result, err error) daemon.Result {
	if r.URL == "" {
		r.URL = u
	}
	if err == nil {
		return r
	}
	r.Status, r.Reason = daemon.StatusError, err.Error()
	r.VersionID, r.ChangeID, r.Diff, r.Summary = 0, 0, "", ""
	return r
}

func toCheckJSON(r daemon.Result) checkJSON {
	j := checkJSON{URL: r.URL, Status: r.Status, Title: r.Title, Text: r.Text, Diff: r.Diff, Summary: r.Summary,
		Class: string(r.Class), Reason: r.Reason, VersionID: r.VersionID, ChangeID: r.ChangeID, CheckedAt: time.Now().UTC()}
	if r.Response != nil {
		j.HTTP = r.Response.Status
		if !r.Response.Started.IsZero() {
			j.CheckedAt = r.Response.Started.UTC()
		}
	}
	return j
}

func printCheck(w io.Writer, r daemon.Result) {
	fmt.Fprintf(w, "%-9s %s\n", r.Status, r.URL)
	if r.Title != "" {
		fmt.Fprintf(w, "          %q\n", r.Title)
	}
	switch {
	case r.Reason != "" && r.Status == daemon.StatusError:
		fmt.Fprintf(w, "          %s\n", r.Reason)
	case r.Status == daemon.StatusNew:
		fmt.Fprintf(w, "          version %d stored: %d paragraphs, %d characters\n", r.VersionID,
			strings.Count(r.Text, "\n\n")+1, len([]rune(r.Text)))
	case r.Summary != "":
		fmt.Fprintf(w, "          %s\n", r.Summary)
	}
	if r.Diff != "" {
		fmt.Fprintln(w, indent(r.Diff, "    "))
	}
}

// printStory is `check -v`: everything about one fetch an operator may need.
func printStory(w io.Writer, r daemon.Result) {
	resp := r.Response
	fmt.Fprintf(w, "== %s\n", r.URL)
	if resp == nil {
		fmt.Fprintf(w, "   not fetched: %s\n", r.Reason)
		return
	}
	fmt.Fprintf(w, "   robots.txt:   %s\n", orDash(resp.Robots))
	fmt.Fprintf(w, "   request headers:\n")
	printHeaders(w, resp.RequestHeader)
	for i, h := range resp.Redirects {
		fmt.Fprintf(w, "   redirect %d:   %d %s -> %s\n", i+1, h.Status, h.From, h.To)
	}
	if resp.FinalURL != "" && resp.FinalURL != resp.URL {
		fmt.Fprintf(w, "   final URL:    %s (permanent: %v)\n", resp.FinalURL, resp.Permanent)
	}
	fmt.Fprintf(w, "   status:       %d %s\n", resp.Status, http.StatusText(resp.Status))
	if len(resp.Header) > 0 {
		fmt.Fprintf(w, "   response headers:\n")
		printHeaders(w, resp.Header)
	}
	fmt.Fprintf(w, "   bytes:        %d\n", len(resp.Body))
	if r.Article != nil {
		fmt.Fprintf(w, "   charset:      %s\n", r.Article.Charset)
		if r.Article.Fallback {
			fmt.Fprintf(w, "   extraction:   site rule matched nothing; generic extractor used\n")
		}
	}
	fmt.Fprintf(w, "   class:        %s %s\n", r.Class, r.Reason)
	fmt.Fprintf(w, "   time:         %s\n", resp.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "   result:       %s\n", r.Status)
}

func printHeaders(w io.Writer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "     %s: %s\n", k, strings.Join(h[k], ", "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
