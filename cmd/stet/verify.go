package main

import (
	"context"
	"fmt"
)

// runVerify re-hashes every kept body and walks the hash chain of captures.
// It prints one line either way: the summary, whose last link is worth
// noting down (only it shows that no capture was removed from the end), or
// the first capture that does not hold up (exit status 1).
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags("verify", e)
	var sf storeFlags
	sf.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	_, st, err := sf.openRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := st.VerifyChain(ctx)
	if err != nil {
		return err
	}
	if sum.Captures == 0 {
		fmt.Fprintf(e.stdout, "ok: no captures, %d bodies\n", sum.Bodies)
		return nil
	}
	fmt.Fprintf(e.stdout, "ok: %d captures, %d bodies; last link %s (capture %d)\n", sum.Captures, sum.Bodies, sum.LastLink, sum.LastID)
	return nil
}
