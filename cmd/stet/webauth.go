package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/stet/stet/config"
	"github.com/stet/stet/daemon"
	"github.com/stet/stet/web"
)

// webOptions turns [web] into the web package's options: its access
// control, with the Host check always on, and the check action (nil: none).
func webOptions(w config.Web, log *slog.Logger, check web.CheckFunc) web.Options {
	return web.Options{
		Logger: log,
		Check:  check,
		Auth: web.Auth{
			Mode:       w.Auth,
			Token:      w.BearerToken(),
			Users:      w.UserHashes(),
			CheckHost:  true,
			Hosts:      w.Hosts,
			SessionTTL: w.SessionTTL.D(),
		},
	}
}

// checkAction is the web UI's "check now" over d: the check `stet check`
// runs, described in one line.
func checkAction(d *daemon.Daemon) web.CheckFunc {
	return func(ctx context.Context, pageID int64) (string, error) {
		r, err := d.CheckPage(ctx, pageID)
		if errors.Is(err, daemon.ErrCheckRunning) {
			return "a check of this page is already running; reload in a moment", nil
		}
		if err != nil {
			return "", err
		}
		return outcomeLine(r), nil
	}
}

// outcomeLine is a check's result as `stet check` would summarise it:
// "changed: version 4 (1 paragraph changed (+1 −1 words))".
func outcomeLine(r daemon.Result) string {
	line := r.Status
	switch {
	case r.Status == daemon.StatusError || (r.Status == daemon.StatusGone && r.Reason != ""):
		return line + ": " + r.Reason
	case r.VersionID != 0 && r.Status != daemon.StatusUnchanged:
		line += fmt.Sprintf(": version %d", r.VersionID)
	}
	if r.Summary != "" {
		line += " (" + r.Summary + ")"
	}
	return line
}
