package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dmprivacy/dmprivacy/examples/postgres/internal/pgtest"
)

// readmeBase is the address the README's curl calls use; the test runs
// them against a dmgate of its own instead.
const readmeBase = "http://127.0.0.1:8080"

// transcript is a console block of the README: commands ("$ …") and the
// output each must print.
type transcript struct {
	cmd, want string
	line      int
}

func readTranscripts(t *testing.T, path string) []transcript {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []transcript
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "```console":
			in = true
		case in && line == "```":
			in = false
		case in && strings.HasPrefix(line, "$ "):
			out = append(out, transcript{cmd: strings.TrimPrefix(line, "$ "), line: n})
		case in && len(out) > 0:
			out[len(out)-1].want += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReadmeCurlCalls runs the curl calls of README.md as written, but for
// the server's address, and compares their output with the README's.
func TestReadmeCurlCalls(t *testing.T) {
	url := pgtest.SchemaURL(t)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed; the README's calls need it (apt-get install -y curl)")
	}
	base := start(t, url).base
	calls := readTranscripts(t, "../../README.md")
	if len(calls) < 10 {
		t.Fatalf("found %d curl calls in README.md, want the whole transcript", len(calls))
	}
	for _, c := range calls {
		if !strings.Contains(c.cmd, readmeBase) {
			t.Errorf("README.md:%d: the call does not use %s: %s", c.line, readmeBase, c.cmd)
			continue
		}
		cmd := exec.Command("bash", "-c", strings.ReplaceAll(c.cmd, readmeBase, base))
		// The README's tokens: $BACKEND a back end's, $BEN user 2's, $CY user 3's.
		cmd.Env = append(os.Environ(), "BACKEND="+backendToken, "BEN="+userToken(2), "CY="+userToken(3))
		got, err := cmd.Output()
		if err != nil {
			t.Errorf("README.md:%d: %s: %v", c.line, c.cmd, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("README.md:%d: %s\nprints:\n%s\nthe README says:\n%s", c.line, c.cmd, got, c.want)
		}
	}
}
