package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/privacy"
)

// unlimited lifts every limit that can be lifted.
var unlimited = &Options{Limits: Limits{Users: -1, Statements: -1, Decisions: -1, Time: -1}}

// lines returns a file of the given lines.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// users returns n user lines, u0 to u(n-1), adults open to everyone.
func users(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user u%d age=30 mode=everyone", i)
	}
	return out
}

func TestLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		limits Limits
		text   string
		want   error // nil: the file parses
		line   int
		token  string
	}{
		{"users at the limit", Limits{Users: 3}, lines(users(3)...), nil, 0, ""},
		{"users over the limit", Limits{Users: 3}, lines(users(4)...), ErrTooManyUsers, 4, "u3"},
		{"set lines are not users", Limits{Users: 1}, lines("user ana", "set ana age=20", "set ana age=21"), nil, 0, ""},
		{"statements at the limit", Limits{Statements: 4}, lines("policy tiktok", "now 2026-01-01", "user ana", "# a comment", "", "user ben"), nil, 0, ""},
		{"statements over the limit", Limits{Statements: 4}, lines("policy tiktok", "now 2026-01-01", "user ana", "# a comment", "", "user ben", "follow ana ben"), ErrTooManyStatements, 7, "follow"},
		{"an expect is one decision", Limits{Decisions: 2}, lines("user ana", "user ben", "expect ana ben deny", "view ana ben not_allowed"), nil, 0, ""},
		{"a third decision", Limits{Decisions: 2}, lines("user ana", "user ben", "expect ana ben deny", "view ana ben not_allowed", "expect ben ana deny"), ErrTooManyDecisions, 5, "expect"},
		{"a reach decides for every other user", Limits{Decisions: 5}, lines(append(users(4), "reach u0 primary= requests=", "reach u1 primary= requests=")...), ErrTooManyDecisions, 6, "reach"},
		{"a reach counts the users declared before it", Limits{Decisions: 5}, lines("user a", "user b", "reach a primary= requests=", "user c", "reach a primary= requests=", "user d", "reach a primary= requests="), ErrTooManyDecisions, 7, "reach"},
		{"a group add reads every member", Limits{Decisions: 2}, lines("user a", "user b", "user c", "user d", "group a b c,d deny"), ErrTooManyDecisions, 5, "group"},
		{"the size limit", Limits{Bytes: 20}, lines("user ana", "user ben", "user cy"), ErrTooLarge, 0, ""},
		{"a negative limit is none", Limits{Users: -1, Statements: -1, Decisions: -1}, lines(append(users(30), "reach u0 primary= requests=")...), nil, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse("x.dm", strings.NewReader(c.text), &Options{Limits: c.limits})
			if c.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, c.want) || !errors.Is(err, ErrLimit) || f != nil {
				t.Fatalf("Parse = %v, %v; want an *Error wrapping %v and ErrLimit, and no file", f, err, c.want)
			}
			if diff := cmp.Diff([2]any{c.line, c.token}, [2]any{e.Line, e.Token}); diff != "" {
				t.Errorf("error %v at the wrong line or token (-want +got):\n%s", err, diff)
			}
		})
	}
}

func TestLimitMessages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		limits Limits
		text   string
		want   string
	}{
		{"users", Limits{Users: 1}, lines("user ana", "user ben"),
			`x.dm:2:6: user ben would be user 2: a file may declare at most 1 users (at "ben")`},
		{"statements", Limits{Statements: 1}, lines("user ana", "user ben"),
			`x.dm:2:1: statement 2: a file may have at most 1 statements: split it into several files (at "user")`},
		{"reach", Limits{Decisions: 2}, lines("user ana", "user ben", "user cy", "expect ana ben deny", "reach ana primary= requests="),
			`x.dm:5:1: this reach line decides for each of the 2 other users declared so far, which brings the checks to 3 decisions, over the limit of 2: use fewer users or fewer checks, or split the file (at "reach")`},
		{"size", Limits{Bytes: 4 << 10}, strings.Repeat("# padding\n", 1000),
			`x.dm: the file is larger than 4 KiB (4096 bytes), the limit: split it into several files`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.dm", strings.NewReader(c.text), &Options{Limits: c.limits})
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if diff := cmp.Diff(c.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultLimits: the zero Limits are the documented defaults, and no
// limit may let a file grow past MaxFileSize.
func TestDefaultLimits(t *testing.T) {
	t.Parallel()
	want := limits{bytes: MaxFileSize, users: DefaultMaxUsers, statements: DefaultMaxStatements, decisions: DefaultMaxDecisions, time: DefaultRunTime}
	for _, o := range []*Options{nil, {}, {Limits: Limits{Bytes: -1}}, {Limits: Limits{Bytes: MaxFileSize + 1}}} {
		if diff := cmp.Diff(want, o.limits(), cmp.AllowUnexported(limits{})); diff != "" {
			t.Errorf("limits of %+v (-want +got):\n%s", o, diff)
		}
	}
}

// pathological is the input of the issue that asked for the limits: 400
// adults open to everyone, then reach lines that each say nobody reaches
// their recipient, 3.3 MB in all. Every reach line fails for 399 senders.
// Before the limits dmcheck ran it for 58 s and 8.9 GB (9.1 GB in the
// issue's report) before printing its failures.
func pathological() []byte {
	var b bytes.Buffer
	b.WriteString("now 2026-03-01\n")
	for _, u := range users(400) {
		b.WriteString(u + "\n")
	}
	for i := 0; b.Len() < 3_300_000; i++ {
		fmt.Fprintf(&b, "reach u%d primary= requests=\n", i%400)
	}
	return b.Bytes()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

// TestPathological: under the default limits, the input fails
// while it is parsed, at the reach line that brings the decisions over the
// limit, having read little more than the file up to that line and
// allocated under 2 MiB; nothing of it runs.
func TestPathological(t *testing.T) {
	data := pathological()
	// 399 decisions per reach line: the limit falls within reach line
	// DefaultMaxDecisions/399 + 1, after the now line and 400 users.
	wantLine := 1 + 400 + DefaultMaxDecisions/399 + 1
	var err error
	r := &countingReader{r: bytes.NewReader(data)}
	n := allocBytes(func() { _, err = Parse("big.dm", r, nil) })
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooManyDecisions) || e.Line != wantLine {
		t.Fatalf("Parse = %v; want ErrTooManyDecisions on line %d", err, wantLine)
	}
	t.Logf("%d-byte file: %v; read %d bytes, allocated %d", len(data), err, r.n, n)
	offset := 0 // where the line that crossed the limit starts
	for range wantLine - 1 {
		offset += bytes.IndexByte(data[offset:], '\n') + 1
	}
	if r.n > offset+2*MaxLineLen {
		t.Errorf("read %d bytes; the line that crossed the limit starts at %d", r.n, offset)
	}
	if ceiling := uint64(2 << 20); n > ceiling {
		t.Errorf("allocated %d bytes, over %d", n, ceiling)
	}

	// A server's tighter limits stop it earlier still.
	_, err = Parse("big.dm", bytes.NewReader(data), &Options{Limits: Limits{Bytes: 256 << 10, Users: 200}})
	if !errors.As(err, &e) || !errors.Is(err, ErrTooManyUsers) || e.Line != 202 {
		t.Errorf("with at most 200 users: %v, want ErrTooManyUsers on line 202", err)
	}
}

// TestRunBounded: a file just within the decisions limit, every reach line
// failing for every sender, runs with memory in proportion to its
// decisions, and each result stays readable: at most maxDetails senders,
// then a count.
func TestRunBounded(t *testing.T) {
	const n, reaches = 200, 20
	text := lines(users(n)...)
	for i := range reaches {
		text += fmt.Sprintf("reach u%d primary= requests=\n", i)
	}
	opts := &Options{Limits: Limits{Decisions: reaches * (n - 1)}}
	f, err := Parse("x.dm", strings.NewReader(text), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Decisions(), reaches*(n-1); got != want {
		t.Errorf("Decisions() = %d, want %d", got, want)
	}
	var res []Result
	alloc := allocBytes(func() { res, err = f.Run(context.Background(), opts) })
	if err != nil {
		t.Fatal(err)
	}
	if perDecision := alloc / uint64(f.Decisions()); perDecision > 1<<10 {
		t.Errorf("the run allocated %d bytes, %d per decision", alloc, perDecision)
	}
	for _, r := range res {
		if r.Pass || len(r.Details) != maxDetails+1 || r.Details[maxDetails] != fmt.Sprintf("… and %d more", n-1-maxDetails) {
			t.Fatalf("result %s: %d details, ending %q", r.String(), len(r.Details), r.Details[len(r.Details)-1])
		}
	}
}

// TestRunTraceBounded: with Explain, one check keeps at most about
// maxTraceBytes of trace, then says how many decisions it left out.
func TestRunTraceBounded(t *testing.T) {
	t.Parallel()
	const n = 400
	text := lines(append(users(n), "reach u0 primary= requests=")...)
	f, err := Parse("x.dm", strings.NewReader(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Run(context.Background(), &Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	tr := res[0].Trace
	if len(tr) > maxTraceBytes+4<<10 {
		t.Errorf("trace of %d bytes, want about %d at most", len(tr), maxTraceBytes)
	}
	if !strings.Contains(tr, "u1 → u0: ") || !strings.Contains(tr, "more decisions, not traced") {
		t.Errorf("trace lacks its first decision or its closing count:\n%s", tr[max(0, len(tr)-300):])
	}
}

// waiting is an engine whose every decision waits for its context to end,
// as a slow host store would.
type waiting struct{ decisions int }

func (w *waiting) Check(ctx context.Context, _ privacy.Request[string]) (privacy.Decision, error) {
	w.decisions++
	<-ctx.Done()
	return privacy.Decision{}, ctx.Err()
}

func (w *waiting) Explain(ctx context.Context, q privacy.Request[string]) (*privacy.Explanation, error) {
	_, err := w.Check(ctx, q)
	return nil, err
}

// TestRunTimeLimit: a run that outlasts Limits.Time stops at the statement
// that was running, with an *Error wrapping ErrTimeLimit and
// context.DeadlineExceeded, and keeps the results before it; a run whose
// caller's context ends returns that context's error.
func TestRunTimeLimit(t *testing.T) {
	t.Parallel()
	text := lines(append(users(50), "reach u0 primary= requests=", "reach u1 primary= requests=")...)
	f, err := Parse("x.dm", strings.NewReader(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &waiting{}
	env := func(*privacy.Policy, func() time.Time) (*Env, error) {
		e, err := MemoryEnv(privacy.TikTok(), func() time.Time { return DefaultStart })
		if err != nil {
			return nil, err
		}
		e.Engine = w
		return e, nil
	}
	res, err := f.Run(context.Background(), &Options{NewEnv: env, Limits: Limits{Time: 20 * time.Millisecond}})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTimeLimit) || !errors.Is(err, ErrLimit) || !errors.Is(err, context.DeadlineExceeded) || e.Line != 51 {
		t.Fatalf("Run = %v; want an *Error on line 51 wrapping ErrTimeLimit and context.DeadlineExceeded", err)
	}
	if len(res) != 0 || w.decisions != 1 {
		t.Errorf("%d results after %d decisions; want none after one: the reach stops at once", len(res), w.decisions)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Run(ctx, &Options{NewEnv: env}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrLimit) {
		t.Errorf("Run with a canceled context = %v, want context.Canceled", err)
	}
}
