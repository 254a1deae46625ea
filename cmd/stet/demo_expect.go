package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/stet/stet/internal/newsroom"
	"github.com/stet/stet/storage"
)

// expectations matches the changes the daemon stores against the script:
// each change must be the one its step expects of its page, nothing else
// may be reported, and every expected change must come.
type expectations struct {
	base    string            // the newsroom's URL, prefix of every page URL
	step    string            // name of the current step
	pending []newsroom.Expect // of the current step, not yet reported
	stepOf  map[int64]string  // version id -> the step after which it was first seen

	expected, matched int
	wrong             []string // reported, but not as expected
	unexpected        []string // reported, but not scripted (churn, or twice)
	missing           []string // scripted, never reported
}

func newExpectations(base string) *expectations {
	return &expectations{base: base, stepOf: map[int64]string{}}
}

// start makes s the current step; what the previous one still waited for
// is missing.
func (x *expectations) start(s newsroom.Step) {
	x.giveUp()
	x.step, x.pending = s.Name, slices.Clone(s.Expect)
	x.expected += len(s.Expect)
}

// done reports whether every expected change of the current step came.
func (x *expectations) done() bool { return len(x.pending) == 0 }

// giveUp records what the current step still waits for as missing.
func (x *expectations) giveUp() {
	for _, e := range x.pending {
		x.missing = append(x.missing, fmt.Sprintf("step %q: %s of %s", x.step, e.Kind, e.Path))
	}
	x.pending = nil
}

// seen records that version id was first seen after the current step,
// unless it was seen before (a restored or settled page's version).
func (x *expectations) seen(id int64) {
	if _, ok := x.stepOf[id]; !ok && id != 0 {
		x.stepOf[id] = x.step
	}
}

// judge matches ch against the current step and returns a one-line verdict.
func (x *expectations) judge(ch storage.Change) string {
	i := slices.IndexFunc(x.pending, func(e newsroom.Expect) bool { return x.base+e.Path == ch.URL })
	if i < 0 {
		x.unexpected = append(x.unexpected, fmt.Sprintf("#%d %s of %s", ch.ID, ch.Kind, ch.URL))
		return "UNEXPECTED: no scripted edit of this page in this step"
	}
	e := x.pending[i]
	x.pending = slices.Delete(x.pending, i, i+1)
	x.seen(ch.NewVersionID)
	if err := e.Match(x.report(ch)); err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		x.wrong = append(x.wrong, fmt.Sprintf("step %q, #%d: %s", x.step, ch.ID, msg))
		return "NOT AS SCRIPTED: " + msg
	}
	x.matched++
	return "as scripted"
}

// report puts ch in the script's terms.
func (x *expectations) report(ch storage.Change) newsroom.Report {
	r := newsroom.Report{Kind: ch.Kind, Classes: ch.Classes, Suppressed: ch.Suppressed}
	if ch.RevertsTo != 0 {
		r.RevertsTo = x.stepOf[ch.RevertsTo]
		if r.RevertsTo == "" {
			r.RevertsTo = fmt.Sprintf("(version %d, of no step)", ch.RevertsTo)
		}
	}
	return r
}

// ok reports whether every scripted change came exactly as expected.
func (x *expectations) ok() bool {
	return x.matched == x.expected && len(x.wrong)+len(x.unexpected)+len(x.missing) == 0
}

// printReport prints one change as the demo shows it: kind and classes,
// what it reverts to, whether it was suppressed, the summary and the report
// (not for a suppressed change: it repeats an earlier one), then the verdict.
func printReport(w io.Writer, ch storage.Change, x *expectations, verdict string) {
	fmt.Fprintf(w, "#%d %s [%s]  %s  %s\n", ch.ID, ch.Kind, strings.Join(ch.Classes, " "),
		ch.DetectedAt.Local().Format(time.TimeOnly), ch.URL)
	fmt.Fprintf(w, "    %q\n", ch.Title)
	if ch.RevertsTo != 0 {
		fmt.Fprintf(w, "    reverts to version %d, first seen after step %q\n", ch.RevertsTo, x.stepOf[ch.RevertsTo])
	}
	if ch.Suppressed {
		fmt.Fprintf(w, "    suppressed: the page is flapping among texts it showed before; stored, no webhook\n")
	}
	if ch.Summary != "" {
		fmt.Fprintf(w, "    %s\n", ch.Summary)
	}
	if ch.Diff != "" && !ch.Suppressed {
		fmt.Fprintln(w, indent(ch.Diff, "    "))
	}
	fmt.Fprintf(w, "    -> %s\n\n", verdict)
}

// webhooks compares what the receiver got with the stored changes: one
// event of the right type for every change that is not suppressed, and
// none for those that are. It returns the number of suppressed changes
// and the problems found.
func (r *demoRun) webhooks(ctx context.Context) (suppressed int, problems []string, err error) {
	chs, err := r.st.Changes(ctx, storage.ChangeFilter{WithSuppressed: true})
	if err != nil {
		return 0, nil, err
	}
	got := r.rcv.changeEvents()
	for _, c := range chs {
		typ, ok := got[c.ID]
		switch {
		case c.Suppressed:
			suppressed++
			if ok {
				problems = append(problems, fmt.Sprintf("suppressed change #%d raised %s", c.ID, typ))
			}
		case !ok:
			problems = append(problems, fmt.Sprintf("no webhook for change #%d", c.ID))
		case typ != "change."+c.Kind:
			problems = append(problems, fmt.Sprintf("change #%d (%s) raised %s", c.ID, c.Kind, typ))
		}
		delete(got, c.ID)
	}
	for id, typ := range got {
		problems = append(problems, fmt.Sprintf("%s for change #%d, which is not stored", typ, id))
	}
	sort.Strings(problems)
	return suppressed, problems, nil
}

// foundCounts says where the tracked pages came from and what the PDFs
// among them did.
type foundCounts struct {
	sources    map[string]int // sources by kind
	pages      map[string]int // pages by the kind of source that found them first
	pdfs       int            // pages whose latest version was read from a PDF
	pdfChanges int
	pdfClasses map[string]int // the PDF changes by their classes, "number stealth"
}

func (r *demoRun) found(ctx context.Context) (foundCounts, error) {
	f := foundCounts{sources: map[string]int{}, pages: map[string]int{}, pdfClasses: map[string]int{}}
	srcs, err := r.st.Sources(ctx)
	if err != nil {
		return f, err
	}
	kind := map[int64]string{}
	for _, s := range srcs {
		kind[s.ID] = s.Kind
		f.sources[s.Kind]++
	}
	pages, err := r.st.Pages(ctx, 0)
	if err != nil {
		return f, err
	}
	pdf := map[int64]bool{}
	for _, p := range pages {
		f.pages[kind[p.SourceID]]++
		if pdf[p.ID] = r.isPDF(ctx, p.ID); pdf[p.ID] {
			f.pdfs++
		}
	}
	chs, err := r.st.Changes(ctx, storage.ChangeFilter{WithSuppressed: true})
	if err != nil {
		return f, err
	}
	for _, c := range chs {
		if pdf[c.PageID] {
			f.pdfChanges++
			f.pdfClasses["["+strings.Join(c.Classes, " ")+"]"]++
		}
	}
	return f, nil
}

// isPDF reports whether the page's latest version was read from a PDF,
// by the raw body kept with it, as the daemon tells a PDF.
func (r *demoRun) isPDF(ctx context.Context, pageID int64) bool {
	v, err := r.st.LatestVersion(ctx, pageID)
	if err != nil {
		return false
	}
	c, err := r.st.CaptureByID(ctx, v.CaptureID)
	if err != nil || c.BodyHash == "" {
		return false
	}
	body, err := r.st.Body(ctx, c.BodyHash)
	return err == nil && bytes.HasPrefix(body, []byte("%PDF-"))
}
