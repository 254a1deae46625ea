package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/stet/stet/storage"
	"github.com/stet/stet/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve", e)
	var sf storeFlags
	sf.register(fs)
	listen := fs.String("listen", "", "address to serve on (default: [web] listen, else 127.0.0.1:8080)")
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
	cfg, st, err := sf.openRead(ctx)
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
	return serveWeb(ctx, newLogger(e.stderr, slog.LevelInfo), st, addr)
}

// serveWeb serves the web UI on addr until ctx ends.
func serveWeb(ctx context.Context, log *slog.Logger, st *storage.Store, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	return serveOn(ctx, log, st, ln)
}

// serveOn serves the web UI on ln until ctx ends, then shuts down gracefully.
func serveOn(ctx context.Context, log *slog.Logger, st *storage.Store, ln net.Listener) error {
	srv := &http.Server{
		Handler:           web.Handler(st, web.Options{Logger: log}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("web UI listening", "url", "http://"+ln.Addr().String()+"/")
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}
