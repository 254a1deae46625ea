package config_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stet/stet/config"
)

// FuzzParse checks that any document either parses into a valid config or
// fails with *config.Error values only, each naming the file.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../config.toml"); err == nil {
		f.Add(string(b))
	}
	f.Add("[[feed]]\nurl = 'https://a.example/'\nschedule = '61 * * * *'\n")
	f.Add("[recheck]\nsteps = [{ until = '6h', every = 'x' }]\n")
	f.Add("[[site]]\nhost = '*.a.example'\nremove = ['div..x']\n[fetch]\ntimeout = 3\n")
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := config.Parse(strings.NewReader(doc), "f.toml")
		if err == nil {
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("Parse accepted a config that Validate rejects: %v", verr)
			}
			return
		}
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			ce, ok := errors.AsType[*config.Error](e)
			if !ok || ce.File != "f.toml" {
				t.Fatalf("error %q (%T) is not a *config.Error for f.toml", e, e)
			}
		}
	})
}
