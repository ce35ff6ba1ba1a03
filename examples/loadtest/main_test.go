package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRun runs a small load test, with a writer, and checks the report
// names everything it promises.
func TestRun(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-users", "3000", "-decisions", "30000", "-writes", "2000", "-pausecheck", "50ms"}, &out, &errs); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, errs.String())
	}
	for _, want := range []string{"world ", "load ", "bytes per follow edge", "ms of mark CPU", "machine ", "per second", "p50 ", "p99 ", "p99.9 ", "writes "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errs.String(), "building") || !strings.Contains(errs.String(), "100%") {
		t.Errorf("no progress bar on stderr:\n%q", errs.String())
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"-users", "5"}, &out, &errs); err == nil {
		t.Errorf("a world of 5 users was accepted")
	}
}
