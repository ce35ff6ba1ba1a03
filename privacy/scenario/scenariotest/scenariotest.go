package scenariotest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

// Run runs every scenario file matching glob on the embedded stores, one
// subtest per check. It fails the test if the glob matches no file.
func Run(t *testing.T, glob string) {
	t.Helper()
	RunWith(t, nil, glob)
}

// RunWith is [Run] with options: opts.Policies and opts.NewEnv let a host
// run the files under its own policy or on its own stores. Traces are
// always recorded, for the failure messages; opts.Filter still applies.
func RunWith(t *testing.T, opts *scenario.Options, glob string) {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		t.Fatalf("scenariotest: bad glob %q: %v", glob, err)
	}
	if len(paths) == 0 {
		t.Fatalf("scenariotest: no file matches %q", glob)
	}
	var o scenario.Options
	if opts != nil {
		o = *opts
	}
	o.Explain = true
	for _, path := range paths {
		runFile(t, path, &o)
	}
}

func runFile(t *testing.T, path string, o *scenario.Options) {
	t.Helper()
	base := filepath.Base(path)
	f, err := scenario.ParseFile(path, o)
	if err != nil {
		t.Errorf("bad scenario file: %v", err)
		return
	}
	results, err := f.Run(context.Background(), o)
	for _, r := range results {
		t.Run(fmt.Sprintf("%s:%d", base, r.Line), func(t *testing.T) {
			t.Helper()
			if r.Pass {
				return
			}
			msg := fmt.Sprintf("%s:%d: %s\nwant %s\ngot  %s", r.File, r.Line, r.Statement, r.Expected, r.Actual)
			for _, d := range r.Details {
				msg += "\n     " + d
			}
			if r.Trace != "" {
				msg += "\ntrace:\n" + r.Trace
			}
			t.Error(msg)
		})
	}
	if err != nil {
		t.Errorf("running %s: %v", path, err)
	}
}
