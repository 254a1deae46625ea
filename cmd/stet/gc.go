package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/storage"
)

// gcPause is the gap between gc's transactions, so that a daemon writing
// to the same database gets the lock between two batches.
const gcPause = 10 * time.Millisecond

// runGC prunes the captures that changed nothing and are older than
// [storage] keep_captures (or -older-than), in batches of one transaction
// each, and says what it pruned and how large the file is. -dry-run
// counts and writes nothing; -vacuum then rebuilds the file without its
// free pages (with no daemon running) and turns on incremental
// auto-vacuum, so that later runs give what they free back to the file
// system.
func runGC(ctx context.Context, e *env, args []string) error {
	flags := newFlags("gc", e)
	var sf storeFlags
	sf.register(flags)
	dry := flags.Bool("dry-run", false, "count what would be pruned; write nothing")
	vacuum := flags.Bool("vacuum", false, "then rebuild the file without its free pages and turn on incremental auto-vacuum (stop the daemon first)")
	var olderThan config.Duration
	flags.TextVar(&olderThan, "older-than", config.Duration(0), "prune captures older than this (at least 1d); default: [storage] keep_captures")
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *dry && *vacuum {
		return fmt.Errorf("%w: -dry-run and -vacuum do not go together", errUsage)
	}
	cfg, _, err := sf.load()
	if err != nil {
		return err
	}
	keep, err := gcAge(cfg, olderThan)
	if err != nil {
		return err
	}
	// gc never creates a database, even one it would write to.
	if _, err := os.Stat(cfg.Storage.Path); cfg.Storage.Driver == config.DriverSQLite && errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist", cfg.Storage.Path)
	}
	open := sf.openWrite
	if *dry {
		open = sf.openRead
	}
	_, st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *vacuum {
		if err := noDaemonAlive(ctx, st); err != nil {
			return err
		}
	}
	res, err := st.GC(ctx, storage.GCOptions{Before: time.Now().Add(-keep.D()), DryRun: *dry,
		PruneBodies: cfg.Storage.KeepBodies == "all", Pause: gcPause})
	if err != nil {
		return err
	}
	printGC(e, res, *dry, keep)
	if !*dry {
		if _, err := st.IncrementalVacuum(ctx); err != nil {
			return err
		}
	}
	return gcFile(ctx, e, st, *vacuum)
}

// gcAge is -older-than, else [storage] keep_captures.
func gcAge(cfg *config.Config, olderThan config.Duration) (config.Duration, error) {
	switch {
	case olderThan != 0 && olderThan < config.MinKeepCaptures:
		return 0, fmt.Errorf("%w: -older-than must be at least %s, got %s", errUsage, config.MinKeepCaptures, olderThan)
	case olderThan != 0:
		return olderThan, nil
	case cfg.Storage.KeepCaptures.Forever():
		return 0, fmt.Errorf("%w: nothing to prune: [storage] keep_captures is \"forever\"; set it, or pass -older-than D", errUsage)
	}
	return cfg.Storage.KeepCaptures.Age, nil
}

// noDaemonAlive refuses to VACUUM under a running daemon: VACUUM holds
// the write lock for as long as it rewrites the file, and the daemon's
// commits would time out meanwhile.
func noDaemonAlive(ctx context.Context, st *storage.Store) error {
	n, err := st.DaemonsAlive(ctx, time.Now())
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d daemon(s) are running on this database (stet status): stop them before -vacuum, "+
			"which blocks every write while it rewrites the file", n)
	}
	return nil
}

func printGC(e *env, res storage.GCResult, dry bool, keep config.Duration) {
	verb, bodies := "pruned", fmt.Sprintf("%d bodies deleted", res.Bodies)
	if dry {
		verb, bodies = "would prune", fmt.Sprintf("up to %d bodies", res.Bodies)
	}
	fmt.Fprintf(e.stdout, "%s %d of %d captures older than %s examined, in %d summaries (%d transactions); %s; about %s freed\n",
		verb, res.Pruned, res.Examined, keep, res.Summaries, res.Batches, bodies, fmtBytes(max(res.Bytes, 0)))
}

// gcFile says how large the database is, and vacuums it if asked.
func gcFile(ctx context.Context, e *env, st *storage.Store, vacuum bool) error {
	fst, err := st.FileStats(ctx)
	if err != nil {
		return err
	}
	if !vacuum {
		fmt.Fprintf(e.stdout, "database %s, %s of it free pages SQLite reuses for new rows", fmtBytes(fst.Bytes), fmtBytes(fst.FreeBytes))
		if fst.AutoVacuum != "incremental" {
			fmt.Fprint(e.stdout, " (stet gc -vacuum gives them back to the file system)")
		}
		fmt.Fprintln(e.stdout)
		return nil
	}
	if err := st.Vacuum(ctx); err != nil {
		return err
	}
	after, err := st.FileStats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "vacuumed: database %s, was %s; auto-vacuum is %s, so later runs give what they free back\n",
		fmtBytes(after.Bytes), fmtBytes(fst.Bytes), after.AutoVacuum)
	return nil
}
