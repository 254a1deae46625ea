// Command stet watches what publishers publish and keeps every version of it.
//
// Usage: stet <command> [flags]. Run "stet help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is the stet release; set with -ldflags "-X main.version=..." when building releases.
var version = "0.1.0-dev"

type command struct {
	name, args, help string
	run              func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: its output streams.
type env struct {
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"demo", "[-dir DIR] [-v] [-step-timeout 20s]", "run the whole loop against a simulated local newsroom, then summarise", runDemo},
		{"run", "[-config F] [-db F] [-log-level L] [-log-format text|json]", "run the daemon until SIGINT/SIGTERM", runDaemon},
		{"check", "[-config F] [-db F] [-json] [-v] URL...", "fetch URLs now, store a version if changed, print the result", runCheck},
		{"changes", "[-config F] [-db F] [-since 24h] [-url U] [-kind K] [-class C] [-all] [-limit N] [-before ID] [-json]", "list change reports, newest first", runChanges},
		{"history", "[-config F] [-db F] [-json] URL", "list every version of a page", runHistory},
		{"search", "[-config F] [-db F] [-deleted] [-url U] [-since D] [-limit N] [-cursor C] [-json] QUERY", "search the text and titles of every version ever stored", runSearch},
		{"diff", "[-config F] [-db F] URL [VERSION VERSION]", "show the diff between two versions (default: latest two)", runDiff},
		{"serve", "[-config F] [-db F] [-listen HOST:PORT] [-check-now] [-log-level L] [-log-format text|json]", "serve the web UI and JSON API over the database", runServe},
		{"passwd", "[-algo argon2id|bcrypt]", "read a password on stdin, print its hash for [[web.user]] password_hash", runPasswd},
		{"sources", "[-config F] [-db F] [-json] [-pages] [-failing]", "list sources and pages with their last status and next due time", runSources},
		{"status", "[-config F] [-db F] [-json]", "show the daemons (alive, dead), the work they claimed and the queue", runStatus},
		{"extract", "[-format text|json] [-o DIR] [FILE...]", "run the extractor alone on HTML files or stdin", runExtract},
		{"verify", "[-config F] [-db F] [-link CAPTURE:HEX]", "re-hash every kept body and check the hash chain of captures", runVerify},
		{"gc", "[-config F] [-db F] [-dry-run] [-older-than D] [-vacuum]", "prune captures that changed nothing, older than [storage] keep_captures", runGC},
		{"migrate", "-from sqlite:FILE|postgres:DSN -to sqlite:FILE|postgres:DSN [-json]", "copy a whole database to another backend and check every table by count and hash", runMigrate},
		{"export", "(-change ID | -url U) [-since D] -o FILE.warc.gz [-config F] [-db F]", "write a change's or a page's captures, versions and changes as a WARC file", runExport},
		{"opml", "import [-config F] [-print] [-schedule S] FILE.opml | export [-config F] [-o FILE]", "add an OPML file's feeds to the config, or write the config's feeds as OPML", runOPML},
		{"version", "", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "stet", version)
			return nil
		}},
	}
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

// errUsage marks errors whose message is a usage problem (exit status 2).
var errUsage = errors.New("usage")

// errReported means the command already printed its errors (exit status 1).
var errReported = errors.New("errors reported")

func realMain(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errReported):
			return 1
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "stet %s: %v\nusage: stet %s %s\n", c.name, err, c.name, c.args)
			return 2
		default:
			fmt.Fprintf(stderr, "stet %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "stet: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "stet watches what publishers publish and keeps every version of it.")
	fmt.Fprintln(w, "\nusage: stet <command> [flags] [arguments]")
	for _, c := range commands() {
		if len(c.args) > 48 {
			fmt.Fprintf(w, "  %-8s %s\n  %-8s %-48s %s\n", c.name, c.args, "", "", c.help)
			continue
		}
		fmt.Fprintf(w, "  %-8s %-48s %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nFlags may also follow arguments; -- ends them. Only run, check and gc write the")
	fmt.Fprintln(w, "database; run and check create it only when it is named by -config, ./config.toml or -db.")
}

func newFlags(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("stet "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
