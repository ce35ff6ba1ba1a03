package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRollout runs the example on a small world: the cohort only ever
// gains, a rollout only ever opens inboxes, and the table is printed.
func TestRollout(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, 2000, 1); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"pairs compared", "newly allowed", "0 newly denied", "→  allow requests message_request", "Impact of the growth, 10% → 50%"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}
