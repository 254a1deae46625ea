package scale

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// runConfig is what a run's config.toml says. Everything it does not name
// is stet's default; the file it writes says why each named setting is
// there.
type runConfig struct {
	db              string
	perHostInterval time.Duration // 0: the default (2s)
	step            time.Duration // 0: the default [recheck] steps
	tick            time.Duration // 0: the default (5s)
	feeds           []string
	webhook         string // "": none
}

func (c runConfig) write(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by internal/scale: stet's defaults except where noted\n[storage]\npath = %q\n\n", c.db)
	b.WriteString("[fetch]\n# the newsroom is on loopback addresses\nallow_private = true\n")
	if c.perHostInterval > 0 {
		fmt.Fprintf(&b, "# throughput phase: politeness (default 2s) out of the way, to see what the machine can do\nper_host_interval = %q\n",
			c.perHostInterval.String())
	}
	if c.step > 0 {
		fmt.Fprintf(&b, "\n[recheck]\n# one short step, so re-checks and edit reports happen within the run\nsteps = [{ until = \"30d\", every = %q }]\n",
			c.step.String())
	}
	if c.tick > 0 {
		fmt.Fprintf(&b, "\n[daemon]\n# the harness's own test only: shorter waits for due pages\ntick = %q\n", c.tick.String())
	}
	for _, u := range c.feeds {
		fmt.Fprintf(&b, "\n[[feed]]\nurl = %q\n", u)
	}
	if c.webhook != "" {
		fmt.Fprintf(&b, "\n[[webhook]]\nurl = %q\nsecret = \"scale\"\nevents = [\"change.changed\"]\nallow_private = true\n", c.webhook)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
