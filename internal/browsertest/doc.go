// Package browsertest drives stet's web UI in a real headless Chromium:
// what an editor reads (search, inline and side-by-side diffs, the version
// picker, the login) and what crawled text must never do (run a script).
// It has tests only. They need Chromium (Debian's chromium package, or
// $STET_CHROMIUM); without it they skip, unless STET_BROWSER=require,
// which .ci/run sets so CI cannot pass without them.
package browsertest
