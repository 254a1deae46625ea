package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/stet/stet/storage"
)

// runVerify re-hashes every kept body and walks the hash chain of captures,
// with the summaries stet gc left of the captures it pruned. It prints one
// line either way: the summary, whose last link is worth noting down (only
// it shows that nothing was removed from the end), or the first capture or
// summary that does not hold up (exit status 1). -link ID:HEX also checks a
// link noted down earlier, of a capture kept or since pruned.
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags("verify", e)
	var sf storeFlags
	sf.register(fs)
	noted := fs.String("link", "", "also check a link noted down earlier: CAPTURE:HEX (kept or pruned since)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	id, link, err := parseNotedLink(*noted)
	if err != nil {
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
	fmt.Fprintln(e.stdout, verifyLine(sum))
	if id != 0 {
		return checkNotedLink(ctx, e, st, id, link)
	}
	return nil
}

func verifyLine(sum storage.ChainSummary) string {
	if sum.Captures == 0 {
		return fmt.Sprintf("ok: no captures, %d bodies", sum.Bodies)
	}
	if sum.Summaries == 0 {
		return fmt.Sprintf("ok: %d captures, %d bodies; last link %s (capture %d)", sum.Captures, sum.Bodies, sum.LastLink, sum.LastID)
	}
	last := fmt.Sprintf("capture %d", sum.LastID)
	if sum.LastSummary != 0 {
		last = fmt.Sprintf("seal of summary %d, after capture %d", sum.LastSummary, sum.LastID)
	}
	return fmt.Sprintf("ok: %d captures, %d bodies, %d summaries of %d pruned captures; last link %s (%s)",
		sum.Captures, sum.Bodies, sum.Summaries, sum.Pruned, sum.LastLink, last)
}

// parseNotedLink reads -link CAPTURE:HEX; "" is no link.
func parseNotedLink(s string) (int64, string, error) {
	if s == "" {
		return 0, "", nil
	}
	ids, link, ok := strings.Cut(s, ":")
	id, err := strconv.ParseInt(ids, 10, 64)
	link = strings.ToLower(link)
	if !ok || err != nil || id <= 0 || len(link) != 64 || strings.Trim(link, "0123456789abcdef") != "" {
		return 0, "", fmt.Errorf("%w: -link wants CAPTURE:HEX, a capture id and its 64-digit link, got %q", errUsage, s)
	}
	return id, link, nil
}

// checkNotedLink compares a noted link with the one the chain holds for
// that capture: exit status 1 if they differ.
func checkNotedLink(ctx context.Context, e *env, st *storage.Store, id int64, noted string) error {
	have, summary, err := st.CaptureLink(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("capture %d: the chain holds no such capture, kept or pruned", id)
	}
	if err != nil {
		return err
	}
	where := "kept"
	if summary != 0 {
		where = fmt.Sprintf("pruned, its link kept by summary %d", summary)
	}
	if have != noted {
		return fmt.Errorf("capture %d (%s): link mismatch: the chain holds %s", id, where, have)
	}
	fmt.Fprintf(e.stdout, "ok: capture %d (%s) has the link noted\n", id, where)
	return nil
}
