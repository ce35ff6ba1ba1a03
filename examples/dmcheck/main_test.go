package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	// Run as the command itself when TestExitStatus asks, so that the
	// real os.Exit path is tested.
	if os.Getenv("DMCHECK_AS_MAIN") == "1" {
		os.Args = append([]string{"dmcheck"}, strings.Fields(os.Getenv("DMCHECK_ARGS"))...)
		main()
	}
	os.Exit(m.Run())
}

const wrongLine = "testdata/wrong.dm:6: expect ben ana allow primary friend: want allow primary friend, got deny not_friend"

func TestRun(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string // a substring
	}{
		{"pass", []string{"testdata/pass.dm"}, 0, "3 passed, 0 failed\n", ""},
		{"wrong expectation", []string{"testdata/wrong.dm"}, 1, wrongLine + "\n2 passed, 1 failed\n", ""},
		{"malformed file", []string{"testdata/bad.dm"}, 2, "0 passed, 0 failed\n", `testdata/bad.dm:4:12: unknown user "zed"`},
		{"a bad file does not stop the others", []string{"testdata/bad.dm", "testdata/wrong.dm", "testdata/pass.dm"}, 2, wrongLine + "\n5 passed, 1 failed\n", "testdata/bad.dm:4:12:"},
		{"missing file", []string{"testdata/pass.dm", "testdata/none.dm"}, 2, "3 passed, 0 failed\n", "testdata/none.dm: cannot open the file: no such file or directory"},
		{"-run keeps the failing check", []string{"-run", `wrong.dm:6 `, "testdata/wrong.dm", "testdata/pass.dm"}, 1, wrongLine + "\n0 passed, 1 failed\n", ""},
		{"-run drops it", []string{"-run", "deny not_friend", "testdata/wrong.dm"}, 0, "1 passed, 0 failed\n", ""},
		{"no files", nil, 2, "", "no scenario files given"},
		{"bad -run", []string{"-run", "(", "testdata/pass.dm"}, 2, "", "bad -run pattern"},
		{"bad flag", []string{"-verbose", "testdata/pass.dm"}, 2, "", "flag provided but not defined"},
		{"help", []string{"-h"}, 0, "", `{"type":"summary","passed":N,"failed":N,"bad_files":N}`},
		{"help names the format's documentation", []string{"-h"}, 0, "", "go doc github.com/dmprivacy/dmprivacy/privacy/scenario"},
		{"help warns about go run", []string{"-h"}, 0, "", "build the command to\ntell 1 from 2"},
		{"help says the limits", []string{"-h"}, 0, "", "1000000 decisions asked by its checks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, &stdout, &stderr)
			}
			if diff := cmp.Diff(c.stdout, stdout.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, &stderr)
			}
		})
	}
}

func TestRunExplain(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-explain", "testdata/wrong.dm"}, &stdout, &stderr); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, want := range []string{
		"testdata/wrong.dm:4: ok: expect ben ana deny not_friend\n    ben → ana: decision: deny not_friend (sender view not_allowed)\n",
		wrongLine + "\n    ben → ana: decision: deny not_friend",
		"      ✓ mode  recipient's mode is friends [chosen by the recipient]\n",
		"2 passed, 1 failed\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, &stdout)
		}
	}
}

func TestRunJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-json", "testdata/wrong.dm", "testdata/bad.dm"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit status %d, want 2", code)
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		got = append(got, m)
	}
	want := []map[string]any{
		{"type": "check", "file": "testdata/wrong.dm", "line": 4.0, "statement": "expect ben ana deny not_friend", "expected": "deny not_friend", "actual": "deny not_friend", "pass": true},
		{"type": "check", "file": "testdata/wrong.dm", "line": 6.0, "statement": "expect ben ana allow primary friend", "expected": "allow primary friend", "actual": "deny not_friend", "pass": false},
		{"type": "check", "file": "testdata/wrong.dm", "line": 7.0, "statement": "reach ana primary= requests=", "expected": "primary= requests=", "actual": "primary= requests=", "pass": true},
		{"type": "error", "file": "testdata/bad.dm", "line": 4.0, "column": 12.0, "token": "zed", "error": `testdata/bad.dm:4:12: unknown user "zed": declare it with a user line before this one`},
		{"type": "summary", "passed": 2.0, "failed": 1.0, "bad_files": 1.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON lines (-want +got):\n%s", diff)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not empty with -json:\n%s", &stderr)
	}
}

// TestExitStatus runs the command as a process and checks the status it
// exits with.
func TestExitStatus(t *testing.T) {
	for args, want := range map[string]int{
		"testdata/pass.dm":                   0,
		"testdata/wrong.dm testdata/pass.dm": 1,
		"testdata/pass.dm testdata/bad.dm":   2,
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "DMCHECK_AS_MAIN=1", "DMCHECK_ARGS="+args)
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != want {
			t.Errorf("dmcheck %s: exit status %d, want %d\n%s", args, code, want, out)
		}
	}
}
