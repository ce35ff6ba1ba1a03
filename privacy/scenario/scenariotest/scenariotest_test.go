package scenariotest_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/scenario"
	"github.com/dmprivacy/dmprivacy/privacy/scenario/scenariotest"
)

func TestRun(t *testing.T) {
	scenariotest.Run(t, "testdata/*.dm")
}

// acme is a host's policy: TikTok's, with DMs from 13.
func acme(name string) (*privacy.Policy, error) {
	if name != "acme" {
		return nil, errors.New("unknown policy")
	}
	p := privacy.TikTok()
	p.Name, p.MinAge = "acme", 13
	return p, nil
}

func TestRunWithHostPolicy(t *testing.T) {
	scenariotest.RunWith(t, &scenario.Options{Policies: acme}, "testdata/acme.dm.txt")
}

// TestChild is run by TestFailures in a child process, on the file it names.
func TestChild(t *testing.T) {
	glob := os.Getenv("SCENARIOTEST_CHILD")
	if glob == "" {
		t.Skip("run by TestFailures")
	}
	opts := &scenario.Options{}
	if strings.Contains(glob, "acme") {
		opts.Policies = privacy.PolicyByName // without the host's resolver: policy acme is unknown
	}
	scenariotest.RunWith(t, opts, glob)
}

// TestFailures checks that failing checks and bad files fail the test,
// with messages that point at the line.
func TestFailures(t *testing.T) {
	cases := []struct {
		glob string
		want []string
	}{
		{"testdata/wrong.dm.txt", []string{
			"--- FAIL: TestChild/wrong.dm.txt:6",
			"testdata/wrong.dm.txt:6: expect ben ana allow primary friend",
			"want allow primary friend",
			"got  deny not_friend",
			"trace:",
			"route most permissive route [deny, reason not_friend]",
		}},
		{"testdata/bad.dm.txt", []string{`bad scenario file: testdata/bad.dm.txt:4:12: unknown user "zed"`}},
		{"testdata/acme.dm.txt", []string{`bad scenario file: testdata/acme.dm.txt:1:8: privacy: unknown policy "acme"`}},
		{"testdata/*.none", []string{`no file matches "testdata/*.none"`}},
	}
	for _, c := range cases {
		t.Run(c.glob, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
			cmd.Env = append(os.Environ(), "SCENARIOTEST_CHILD="+c.glob)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("the child test passed (err %v), want it to fail:\n%s", err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	// The passing check of wrong.dm.txt passed: only line 6 failed.
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SCENARIOTEST_CHILD=testdata/wrong.dm.txt")
	out, _ := cmd.CombinedOutput()
	for _, w := range []string{"--- PASS: TestChild/wrong.dm.txt:4", "--- PASS: TestChild/wrong.dm.txt:7"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
