package storage

// WithScanLimitForTest bounds the work of one search call to n passages
// and places, so tests can reach the bound with a small database.
func WithScanLimitForTest(o SearchOptions, n int) SearchOptions {
	o.maxScan = n
	return o
}
