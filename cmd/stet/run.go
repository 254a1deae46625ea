package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/stet/stet/daemon"
)

func runDaemon(ctx context.Context, e *env, args []string) error {
	fs := newFlags("run", e)
	var sf storeFlags
	sf.register(fs)
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("%w: -log-level must be debug, info, warn or error; got %q", errUsage, *level)
	}
	cfg, st, err := sf.openWrite(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log := newLogger(e.stderr, lvl)
	log.Info("stet starting", "version", version, "config", cfg.File, "database", st.Path())
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: log})
	if err != nil {
		return err
	}
	if cfg.Web.Listen == "" {
		return d.Run(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	webErr := make(chan error, 1)
	go func() { webErr <- serveWeb(ctx, log, st, cfg.Web.Listen) }()
	runErr := d.Run(ctx)
	cancel()
	return errors.Join(runErr, <-webErr)
}
