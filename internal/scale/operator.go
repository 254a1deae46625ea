package scale

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"
)

// operatorPages are the web pages and API answers timed on the result.
var operatorPages = []string{"/pages", "/api/changes", "/sources", "/"}

// operator times the operator's commands (each a new process that opens
// the database) and, under `stet serve`, the pages; each twice, keeping the
// slower.
func (x *runner) operator(ctx context.Context) error {
	if !x.o.Operator {
		return nil
	}
	for _, args := range [][]string{{"sources"}, {"changes", "-limit", "100"}} {
		var worst time.Duration
		for range 2 {
			d, err := x.o.Stet.Run(ctx, io.Discard, io.Discard, append(args, "-config", x.cfgPath)...)
			if err != nil {
				return err
			}
			worst = max(worst, d)
		}
		x.addTiming("stet "+args[0], worst)
	}
	return x.serve(ctx)
}

func (x *runner) addTiming(name string, d time.Duration) {
	x.r.Operator = append(x.r.Operator, Timing{name, d})
	x.o.Logf("%s: %s", name, d.Round(time.Millisecond))
}

func (x *runner) serve(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	began := time.Now()
	p, err := x.o.Stet.Start(filepath.Join(x.o.Dir, "serve.log"), "serve", "-config", x.cfgPath, "-listen", addr)
	if err != nil {
		return err
	}
	defer func() { _ = p.Stop(30 * time.Second) }()
	client := &http.Client{Timeout: time.Minute}
	base := "http://" + addr
	for {
		if err := get(ctx, client, base+"/healthz"); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.exited:
			return p.exitError()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Since(began) > x.o.Stall {
			return fmt.Errorf("stet serve not answering after %s", x.o.Stall)
		}
	}
	x.addTiming("stet serve ready", time.Since(began))
	for _, path := range operatorPages {
		var worst time.Duration
		for range 2 {
			start := time.Now()
			if err := get(ctx, client, base+path); err != nil {
				return err
			}
			worst = max(worst, time.Since(start))
		}
		x.addTiming("GET "+path, worst)
	}
	return nil
}

// get GETs u and reads the whole answer, which must be 200.
func get(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

// freeAddr is a loopback address with a port free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
