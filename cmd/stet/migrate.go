package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stet/stet/storage"
)

// runMigrate copies a whole database to another backend: stet migrate
// -from sqlite:FILE -to postgres:DSN (or back). The source is opened
// read-only; the target is created (SQLite) or given stet's schema
// (PostgreSQL) and must be empty. Every table is then counted and hashed
// on both sides, and the target's hash chain is verified, so a copy that
// prints "ok" holds what the source held.
func runMigrate(ctx context.Context, e *env, args []string) error {
	flags := newFlags("migrate", e)
	from := flags.String("from", "", "the database to copy: sqlite:FILE or postgres:DSN")
	to := flags.String("to", "", "the empty database to copy into: sqlite:FILE or postgres:DSN")
	asJSON := flags.Bool("json", false, "print the report as JSON")
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("%w: migrate needs -from and -to (sqlite:FILE or postgres:DSN)", errUsage)
	}
	src, err := parseDatabase(*from)
	if err != nil {
		return err
	}
	dst, err := parseDatabase(*to)
	if err != nil {
		return err
	}
	if src == dst {
		return fmt.Errorf("%w: -from and -to name the same database", errUsage)
	}
	in, err := src.open(ctx, false)
	if err != nil {
		return err
	}
	defer in.Close()
	if n, err := in.DaemonsAlive(ctx, time.Now()); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("%d daemon(s) still write to %s (see stet status): stop them before migrating", n, src)
	}
	out, err := dst.open(ctx, true)
	if err != nil {
		return err
	}
	defer out.Close()
	start := time.Now()
	rep, err := in.CopyDatabase(ctx, out, nil)
	if err != nil {
		return fmt.Errorf("migrate %s to %s: %w", src, dst, err)
	}
	chain, err := out.VerifyChain(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s to %s: the copy's hash chain does not verify: %w", src, dst, err)
	}
	if *asJSON {
		type table struct {
			Table  string `json:"table"`
			Rows   int64  `json:"rows"`
			SHA256 string `json:"sha256"`
		}
		var ts []table
		for _, c := range rep.Tables {
			ts = append(ts, table{c.Table, c.TargetRows, c.TargetHash})
		}
		return json.NewEncoder(e.stdout).Encode(map[string]any{
			"from": src.String(), "to": dst.String(), "tables": ts, "passages_indexed": rep.Passages,
			"chain":   map[string]any{"captures": chain.Captures, "summaries": chain.Summaries, "last_link": chain.LastLink},
			"seconds": time.Since(start).Seconds(),
		})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tSHA-256 (both sides)")
	for _, c := range rep.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%.16s\n", c.Table, c.TargetRows, c.TargetHash)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "ok: %s copied to %s in %s; search index rebuilt (%d passages); hash chain verified: %d captures, %d pruned ranges, last link %s\n",
		src, dst, time.Since(start).Round(time.Millisecond), rep.Passages, chain.Captures, chain.Summaries, chain.LastLink)
	return nil
}

// database is a database named on the command line.
type database struct{ driver, target string }

func (d database) String() string {
	if d.driver == "postgres" {
		return "postgres:" + storage.RedactDSN(d.target)
	}
	return "sqlite:" + d.target
}

// parseDatabase reads sqlite:FILE, postgres:DSN or a postgres:// URL.
func parseDatabase(s string) (database, error) {
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return database{"postgres", s}, nil
	case strings.HasPrefix(s, "postgres:"):
		return database{"postgres", strings.TrimPrefix(s, "postgres:")}, nil
	case strings.HasPrefix(s, "sqlite:"):
		return database{"sqlite", strings.TrimPrefix(s, "sqlite:")}, nil
	}
	return database{}, fmt.Errorf("%w: %q: name a database as sqlite:FILE or postgres:DSN", errUsage, s)
}

func (d database) open(ctx context.Context, write bool) (*storage.Store, error) {
	switch {
	case d.driver == "postgres" && write:
		return storage.OpenPostgres(ctx, d.target)
	case d.driver == "postgres":
		return storage.OpenPostgresReadOnly(ctx, d.target)
	case write:
		if _, err := os.Stat(d.target); err == nil {
			return nil, fmt.Errorf("%s exists: migrate copies into a new SQLite file only", d.target)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return storage.Open(ctx, d.target)
	default:
		return storage.OpenReadOnly(ctx, d.target)
	}
}
