package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve", e)
	var sf storeFlags
	sf.register(fs)
	var lf logFlags
	lf.register(fs)
	listen := fs.String("listen", "", "address to serve on (default: [web] listen, else 127.0.0.1:8080)")
	checks := fs.Bool("check-now", false, `offer the "check now" action on pages, which opens the database for writing, as stet check does`)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *listen != "" {
		if err := checkListen(*listen); err != nil {
			return err
		}
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	cfg, st, check, err := openServe(ctx, &sf, *checks, log)
	if err != nil {
		return err
	}
	defer st.Close()
	addr := *listen
	if addr == "" {
		addr = cfg.Web.Listen
	}
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if err := cfg.Web.Exposed(addr); err != nil {
		return fmt.Errorf("%w: -listen %w", errUsage, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopped := notifySystemd(ctx, log, "web UI on http://"+ln.Addr().String()+"/")
	opt := webOptions(cfg.Web, log, check)
	opt.Metrics = metricsHandler(storeMetrics(st, log)) // the database's series: no daemon runs here
	err = serveHandler(ctx, log, web.Handler(st, opt), ln)
	cancel()
	<-stopped
	return err
}

// openServe opens the database read-only, or with checks for writing, with
// the daemon's check of one page as the "check now" action.
func openServe(ctx context.Context, sf *storeFlags, checks bool, log *slog.Logger) (*config.Config, *storage.Store, web.CheckFunc, error) {
	if !checks {
		cfg, st, err := sf.openRead(ctx)
		return cfg, st, nil, err
	}
	cfg, st, err := sf.openWrite(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := daemon.New(ctx, daemon.Options{Config: cfg, Store: st, Logger: log})
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return cfg, st, checkAction(d), nil
}

// serveOn serves the plain web UI over st, with no access control, on ln
// until ctx ends.
func serveOn(ctx context.Context, log *slog.Logger, st *storage.Store, ln net.Listener) error {
	return serveHandler(ctx, log, web.Handler(st, web.Options{Logger: log}), ln)
}

// shutdownGrace is how long requests in flight may go on after ctx ends.
const shutdownGrace = 5 * time.Second

// serveHandler serves h on ln until ctx ends, then shuts down gracefully:
// requests in flight get shutdownGrace to finish, then their contexts are
// cancelled (a "check now" stops and its page stays due), and serveHandler
// returns once they have returned, so the store under h can be closed.
func serveHandler(ctx context.Context, log *slog.Logger, h http.Handler, ln net.Listener) error {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("web UI listening", "url", "http://"+ln.Addr().String()+"/")
	served, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-served:
			return
		}
		shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if srv.Shutdown(shut) != nil {
			cancelBase()
			last, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			srv.Shutdown(last)
		}
	}()
	err := srv.Serve(ln)
	close(served)
	<-stopped
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}
