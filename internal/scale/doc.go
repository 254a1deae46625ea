// Package scale measures stet at newsroom scale: a synthetic publisher of
// configurable size on loopback addresses (Newsroom), a driver that runs
// the real stet binary against it in phases and reads the process's CPU,
// I/O and memory from /proc (Run, RunPolite), and a trivial fetcher over
// the same server as the baseline for throughput.
//
// The figures are produced by the benchmarks in bench_test.go:
//
//	go test ./internal/scale -run '^$' -bench Scale -benchtime 1x
//	STET_SCALE_ARTICLES=1000,10000 go test ./internal/scale -run '^$' -bench Scale -benchtime 1x -timeout 2h
//
// It needs Linux: hosts are 127.0.0.2, 127.0.0.3, … (all of 127/8 routes to
// loopback there) and the measurements read /proc.
package scale
