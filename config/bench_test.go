package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

// BenchmarkLoad100kSources loads a file of 100,000 sources, half feeds and
// half pages, to keep Load linear in the size of the file.
func BenchmarkLoad100kSources(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "big.toml")
	doc := manySources(n)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := config.Load(path)
		if err != nil {
			b.Fatal(err)
		}
		if got, want := len(cfg.Feeds)+len(cfg.Pages), n; got != want {
			b.Fatalf("loaded %d sources, want %d", got, want)
		}
	}
}

// manySources returns a valid configuration with n sources: feeds with a
// schedule, pages with a name, on a few hundred hosts.
func manySources(n int) string {
	var b strings.Builder
	b.WriteString("[storage]\npath = \"big.db\"\n\n[fetch]\ncontact = \"mailto:desk@example.org\"\n")
	for i := range n {
		host := fmt.Sprintf("news%d.example", i%300)
		if i%2 == 0 {
			fmt.Fprintf(&b, "\n[[feed]]\nurl = \"https://%s/feeds/%d.xml\"\nschedule = \"@every 15m\"\n", host, i)
		} else {
			fmt.Fprintf(&b, "\n[[page]]\nname = \"page %d\"\nurl = \"https://%s/articles/%d\"\n", i, host, i)
		}
	}
	return b.String()
}

// TestParseMemoryIsLinear guards BenchmarkLoad100kSources without timing
// anything: doubling the number of sources must about double the bytes
// Parse allocates. An index that copies the document up to each key makes
// the ratio about 4.
func TestParseMemoryIsLinear(t *testing.T) {
	allocated := func(n int) uint64 {
		doc := manySources(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := config.Parse(strings.NewReader(doc), "big.toml"); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(2000), allocated(4000)
	if got, max := float64(large)/float64(small), 3.0; got > max {
		t.Errorf("Parse allocated %d bytes for 2000 sources and %d for 4000: ratio %.2f, want at most %.1f", small, large, got, max)
	}
}
