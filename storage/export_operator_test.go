package storage

import "testing"

// OperatorStorePath returns the path of the synthetic operator store of
// the given number of pages (operator_data_test.go), building it into
// os.TempDir() the first time.
func OperatorStorePath(tb testing.TB, pages int) string { return operatorStorePath(tb, pages) }

// Values of the operator store a benchmark asks about.
const (
	OperatorSources = operatorSources
	OperatorURLPage = 40 // a page with three versions, two changes and ten captures
)

// OperatorURL is the URL of page i of the operator store.
func OperatorURL(i int) string { return opURL(i, 1+(i*7919)%operatorSources) }
