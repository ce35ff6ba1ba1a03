// Command dmcheck runs scenario files (.dm) against the dmprivacy engine and
// reports the checks that fail.
//
//	dmcheck [-run REGEX] [-explain] [-json] FILE...
//
// Build it with go build ./examples/dmcheck (or go install
// github.com/dmprivacy/dmprivacy/examples/dmcheck), or try it from a
// checkout with go run ./examples/dmcheck.
//
// It prints one line per failed check (file:line, the statement, the
// expected and the actual decision with its reason) and a closing line
// "N passed, N failed". A bad file is reported with its file, line, column
// and token, and none of it runs; the other files still do. The format of
// the files is the documentation of package
// github.com/dmprivacy/dmprivacy/privacy/scenario (go doc
// github.com/dmprivacy/dmprivacy/privacy/scenario).
//
// The exit status of the built command:
//
//	0  every check passed
//	1  a check failed
//	2  a file was bad, or the command line was wrong
//
// go run reports any non-zero status of the program as its own exit
// status 1 (printing "exit status 2" first), so a script that tells a
// failed check from a bad file runs the built binary.
//
// Run with -h for the flags and the JSON format.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const help = `usage: dmcheck [-run REGEX] [-explain] [-json] FILE...

Runs each scenario file (.dm) on the embedded store and prints one line per
failed check:

  FILE:LINE: STATEMENT: want EXPECTED, got ACTUAL

then a closing line "N passed, N failed". A bad file is reported on stderr
as FILE:LINE:COLUMN: message, and none of it runs; the other files do.

The format of the files:
  go doc github.com/dmprivacy/dmprivacy/privacy/scenario

Exit status: 0 if every check passed, 1 if any check failed, 2 if any file
was bad or the command line was wrong. Under go run, any non-zero status
shows as "exit status N" and go run itself exits 1: build the command to
tell 1 from 2.
%s

Flags:
`

// limitsHelp says which files are too costly to run: scenario.Limits'
// defaults.
var limitsHelp = fmt.Sprintf(`
A file is bad, too, when it is over a limit: %d MiB, %d users, %d
statements, %d decisions asked by its checks (a reach line decides once
per user declared before it), or a run of %v.`,
	scenario.MaxFileSize>>20, scenario.DefaultMaxUsers, scenario.DefaultMaxStatements,
	scenario.DefaultMaxDecisions, scenario.DefaultRunTime)

const jsonHelp = `
With -json, stdout is one JSON object per line:
  a check:    {"type":"check","file":F,"line":N,"statement":S,"expected":E,
               "actual":A,"pass":B}, plus "unsupported":true for a check the
               engine cannot answer, "details":[...] for a failed reach (the
               senders that landed elsewhere) and "trace":T with -explain
  a bad file: {"type":"error","file":F,"line":N,"column":C,"token":T,
               "error":MESSAGE} (line 0 when it concerns the whole file)
  at the end: {"type":"summary","passed":N,"failed":N,"bad_files":N}
Every check is printed, passed or not.
`

type checkJSON struct {
	Type string `json:"type"`
	scenario.Result
}

type errorJSON struct {
	Type   string `json:"type"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Token  string `json:"token"`
	Error  string `json:"error"`
}

type summaryJSON struct {
	Type     string `json:"type"`
	Passed   int    `json:"passed"`
	Failed   int    `json:"failed"`
	BadFiles int    `json:"bad_files"`
}

// run is the command: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dmcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pattern := fs.String("run", "", "run only the checks whose \"file:line statement\" matches the regular expression `REGEX`")
	explain := fs.Bool("explain", false, "print every check with the engine's trace of each decision it made")
	asJSON := fs.Bool("json", false, "print JSON objects, one a line (see below)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, help, limitsHelp)
		fs.PrintDefaults()
		fmt.Fprint(stderr, jsonHelp)
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "dmcheck: no scenario files given")
		fs.Usage()
		return 2
	}
	opts := &scenario.Options{Explain: *explain}
	if *pattern != "" {
		re, err := regexp.Compile(*pattern)
		if err != nil {
			fmt.Fprintf(stderr, "dmcheck: bad -run pattern: %v\n", err)
			return 2
		}
		opts.Filter = re.MatchString
	}
	enc := json.NewEncoder(stdout)
	var passed, failed, bad int
	for _, path := range fs.Args() {
		results, err := scenario.RunFile(context.Background(), path, opts)
		for i := range results {
			r := &results[i]
			if r.Pass {
				passed++
			} else {
				failed++
			}
			switch {
			case *asJSON:
				enc.Encode(checkJSON{Type: "check", Result: *r})
			case !r.Pass || *explain:
				fmt.Fprintln(stdout, r)
				if *explain {
					fmt.Fprint(stdout, indent(r.Trace))
				}
			}
		}
		if err != nil {
			bad++
			if *asJSON {
				e := errorJSON{Type: "error", File: path, Error: err.Error()}
				if se, ok := err.(*scenario.Error); ok {
					e.Line, e.Column, e.Token = se.Line, se.Column, se.Token
				}
				enc.Encode(e)
			} else {
				fmt.Fprintln(stderr, err)
			}
		}
	}
	if *asJSON {
		enc.Encode(summaryJSON{Type: "summary", Passed: passed, Failed: failed, BadFiles: bad})
	} else {
		fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	}
	switch {
	case bad > 0:
		return 2
	case failed > 0:
		return 1
	}
	return 0
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}
