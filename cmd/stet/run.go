package main

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/stet/stet/daemon"
	"github.com/stet/stet/metrics"
	"github.com/stet/stet/web"
)

func runDaemon(ctx context.Context, e *env, args []string) error {
	fs := newFlags("run", e)
	var sf storeFlags
	sf.register(fs)
	var lf logFlags
	lf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	cfg, st, err := sf.openWrite(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("stet starting", "version", version, "config", cfg.File, "database", st.Path())
	reg := storeMetrics(st, log)
	pipeline, err := metrics.NewPipeline(reg)
	if err != nil {
		return err
	}
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: log, Metrics: pipeline})
	if err != nil {
		return err
	}
	// The listener is bound before systemd hears that stet is ready.
	var ln net.Listener
	status := "watching; no web UI"
	if cfg.Web.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.Web.Listen); err != nil {
			return fmt.Errorf("web: listen on %s: %w", cfg.Web.Listen, err)
		}
		status = "watching; web UI on http://" + ln.Addr().String() + "/"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	webErr := make(chan error, 1)
	if ln != nil {
		opt := webOptions(cfg.Web, log, checkAction(d))
		opt.Metrics = metricsHandler(reg)
		go func() { webErr <- serveHandler(ctx, log, web.Handler(st, opt), ln) }()
	} else {
		webErr <- nil
	}
	stopped := notifySystemd(ctx, log, status)
	runErr := d.Run(ctx)
	cancel()
	<-stopped
	return errors.Join(runErr, <-webErr)
}
