package scenario_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/privacy/scenario"
)

func ExampleFile_Run() {
	const text = `now 2026-03-01
user ana age=24 mode=suggested
user ben age=31
user cy  age=17
follow ben ana
follow ana ben
contact ana cy
expect ben ana allow primary friend
expect cy ana allow primary recommended_contact
set ana mode=friends
expect cy ana allow primary recommended_contact   # wrong now: not_friend
reach ana primary=ben requests=
`
	f, err := scenario.Parse("ana.dm", strings.NewReader(text), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	results, _ := f.Run(context.Background(), nil)
	for _, r := range results {
		fmt.Println(r.String())
	}
	// Output:
	// ana.dm:8: ok: expect ben ana allow primary friend
	// ana.dm:9: ok: expect cy ana allow primary recommended_contact
	// ana.dm:11: expect cy ana allow primary recommended_contact: want allow primary recommended_contact, got deny not_friend
	// ana.dm:12: ok: reach ana primary=ben requests=
}

func ExampleParse_error() {
	_, err := scenario.Parse("bad.dm", strings.NewReader("user ana age=30\nfollow ana bob\n"), nil)
	fmt.Println(err)
	var e *scenario.Error
	if errors.As(err, &e) {
		fmt.Printf("line %d, column %d, token %q\n", e.Line, e.Column, e.Token)
	}
	// Output:
	// bad.dm:2:12: unknown user "bob": declare it with a user line before this one
	// line 2, column 12, token "bob"
}

// A server that runs files from its users bounds them tighter than the
// defaults; a file over a limit fails while it is parsed, at the line that
// crossed it, and nothing of it runs.
func ExampleLimits() {
	opts := &scenario.Options{Limits: scenario.Limits{
		Bytes:     64 << 10,
		Users:     100,
		Decisions: 2,
		Time:      2 * time.Second,
	}}
	const text = `user ana age=30
user ben age=30
user cy age=30
expect ben ana deny not_friend
reach ana primary= requests=
`
	_, err := scenario.Parse("web.dm", strings.NewReader(text), opts)
	fmt.Println(err)
	fmt.Println(errors.Is(err, scenario.ErrLimit), errors.Is(err, scenario.ErrTooManyDecisions))
	// Output:
	// web.dm:5:1: this reach line decides for each of the 2 other users declared so far, which brings the checks to 3 decisions, over the limit of 2: use fewer users or fewer checks, or split the file (at "reach")
	// true true
}
