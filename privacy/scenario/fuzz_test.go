package scenario

import (
	"bytes"
	"context"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/privacy"
)

// FuzzParse feeds the parser arbitrary files. It must never panic or hang;
// it must allocate in proportion to the input; a bad file must be an *Error
// that points into the file and yields no File; a good file must run on the
// in-memory stores without error, with one result per check and exactly
// the decisions File.Decisions counts, and its statements, written back as
// text, must parse to the same statements. Under small limits drawn from
// the input (checkLimits), a file must parse as it does without them while
// it is within them, and otherwise fail at the very line that crossed one.
//
// The seeds are every .dm file of this package and of the scenario library,
// and the corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte(specExample))
	for _, glob := range []string{"testdata/*.dm", "testdata/bad/*.dm", "../testdata/*.dm"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(fuzzParse)
}

func fuzzParse(t *testing.T, data []byte) {
	var file *File
	var err error
	n := allocBytes(func() { file, err = Parse("fuzz.dm", bytes.NewReader(data), nil) })
	if limit := allocCeiling(len(data)); n > limit {
		t.Fatalf("parsing %d bytes allocated %d bytes, over the ceiling %d", len(data), n, limit)
	}
	if err != nil {
		checkError(t, data, file, err)
	} else {
		roundTrip(t, file)
	}
	checkLimits(t, data, file, err)
	if err != nil || len(data) > 1<<10 {
		return // running is quadratic in the worst case (reach over every user); keep execs fast
	}
	var decisions int
	counted := func(p *privacy.Policy, now func() time.Time) (*Env, error) {
		env, err := MemoryEnv(p, now)
		if err == nil {
			env.Engine = &counter{Engine: env.Engine, n: &decisions}
		}
		return env, err
	}
	res, err := file.Run(context.Background(), &Options{Explain: len(data)%2 == 0, NewEnv: counted})
	if err != nil {
		t.Fatalf("a parsed file failed to run: %v", err)
	}
	if len(res) != file.Checks() {
		t.Fatalf("%d results for %d checks", len(res), file.Checks())
	}
	if decisions != file.Decisions() {
		t.Fatalf("the run asked for %d decisions, File.Decisions says %d", decisions, file.Decisions())
	}
}

// counter counts what the runner asks its engine: a decision per Check or
// Explain, and a group add as its members and one more.
type counter struct {
	Engine
	n *int
}

func (c *counter) Check(ctx context.Context, q privacy.Request[string]) (privacy.Decision, error) {
	*c.n++
	return c.Engine.Check(ctx, q)
}

func (c *counter) Explain(ctx context.Context, q privacy.Request[string]) (*privacy.Explanation, error) {
	*c.n++
	return c.Engine.Explain(ctx, q)
}

func (c *counter) CanAddToGroup(ctx context.Context, inviter, invitee string, members []string) (privacy.GroupDecision, error) {
	*c.n += len(members) + 1
	return c.Engine.(GroupEngine).CanAddToGroup(ctx, inviter, invitee, members)
}

// checkLimits parses data again under small limits drawn from it, and
// checks them against file and err, data parsed under the defaults (which
// fuzz inputs never reach). Within the limits the answer is the same; over
// one, the error is that limit's, at the first line that crosses it: the
// lines before it parse under the limits, at the limit.
func checkLimits(t *testing.T, data []byte, file *File, err error) {
	t.Helper()
	h := fnv.New64a()
	h.Write(data)
	x := h.Sum64()
	lim := Limits{
		Bytes:      int64(max(1, len(data)-1+int(x%3))),
		Users:      1 + int(x>>8%8),
		Statements: 1 + int(x>>16%32),
		Decisions:  1 + int(x>>24%64),
	}
	opts := &Options{Limits: lim}
	small, serr := Parse("fuzz.dm", bytes.NewReader(data), opts)
	var se *Error
	if serr == nil || !errors.Is(serr, ErrLimit) || errors.Is(serr, ErrLineTooLong) {
		if len(data) > int(lim.Bytes) && serr == nil {
			t.Fatalf("a file of %d bytes parsed under a limit of %d", len(data), lim.Bytes)
		}
		if err != nil {
			if serr == nil || serr.Error() != err.Error() {
				t.Fatalf("under %+v: %v, without: %v", lim, serr, err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("under %+v: %v, without the limits the file parses", lim, serr)
		}
		if len(small.Users) > lim.Users || small.lines > lim.Statements || small.Decisions() > lim.Decisions {
			t.Fatalf("a file of %d users, %d statements and %d decisions parsed under %+v", len(small.Users), small.lines, small.Decisions(), lim)
		}
		if !reflect.DeepEqual(small.Stmts, file.Stmts) || !reflect.DeepEqual(small.Users, file.Users) {
			t.Fatalf("under %+v the file parses differently", lim)
		}
		return
	}
	if !errors.As(serr, &se) || small != nil {
		t.Fatalf("under %+v: %v with %v, want an *Error and no file", lim, small, serr)
	}
	checkError(t, data, small, serr)
	if errors.Is(serr, ErrTooLarge) {
		if se.Line != 0 || len(data) <= int(lim.Bytes) {
			t.Fatalf("a file of %d bytes under a limit of %d: %v", len(data), lim.Bytes, serr)
		}
		return
	}
	// The lines before the error parse under the limits, and are at the
	// limit the error names, which the line of the error crosses.
	before := firstLines(data, se.Line-1)
	if _, err := Parse("fuzz.dm", bytes.NewReader(before), opts); err != nil {
		t.Fatalf("under %+v the file fails on line %d (%v), but its first %d lines do not parse: %v", lim, se.Line, serr, se.Line-1, err)
	}
	prev, err := Parse("fuzz.dm", bytes.NewReader(before), nil)
	if err != nil {
		t.Fatalf("the first %d lines parse under %+v, not without limits: %v", se.Line-1, lim, err)
	}
	switch {
	case errors.Is(serr, ErrTooManyStatements):
		if prev.lines != lim.Statements {
			t.Fatalf("under %+v: %v, after %d statements", lim, serr, prev.lines)
		}
	case errors.Is(serr, ErrTooManyUsers):
		if len(prev.Users) != lim.Users || se.Token == "" || !bytes.HasPrefix(bytes.TrimLeft(data[len(before):], " \t\xef\xbb\xbf"), []byte("user")) {
			t.Fatalf("under %+v: %v, after %d users", lim, serr, len(prev.Users))
		}
	case errors.Is(serr, ErrTooManyDecisions):
		// The decisions are counted once the line is known to be good.
		upTo, err := Parse("fuzz.dm", bytes.NewReader(firstLines(data, se.Line)), nil)
		if err != nil || upTo.Decisions() <= lim.Decisions || prev.Decisions() > lim.Decisions {
			t.Fatalf("under %+v: %v; without limits, up to that line: %v", lim, serr, err)
		}
	default:
		t.Fatalf("under %+v: an unknown limit: %v", lim, serr)
	}
}

// firstLines returns the first n lines of data, as the parser splits them.
func firstLines(data []byte, n int) []byte {
	end := 0
	for ; n > 0 && end < len(data); n-- {
		i := bytes.IndexByte(data[end:], '\n')
		if i < 0 {
			return data
		}
		end += i + 1
	}
	return data[:end]
}

func checkError(t *testing.T, data []byte, file *File, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is a %T, want *Error", err, err)
	}
	if file != nil {
		t.Fatalf("a File came with the error %v", err)
	}
	if e.File != "fuzz.dm" || e.Msg == "" {
		t.Fatalf("error %#v: want the file's name and a message", e)
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	if e.Line < 0 || e.Line > lines || (e.Line == 0 && e.Column != 0) {
		t.Fatalf("error at %d:%d in a file of %d lines: %v", e.Line, e.Column, lines, err)
	}
	if e.Line > 0 && !errors.Is(err, ErrLineTooLong) {
		line := bytes.Split(data, []byte("\n"))[e.Line-1]
		if e.Column < 1 || e.Column > len(line)+1 {
			t.Fatalf("column %d in a line of %d bytes: %v", e.Column, len(line), err)
		}
		if e.Token != "" && !bytes.HasPrefix(line[e.Column-1:], []byte(e.Token)) {
			t.Fatalf("token %q is not at column %d of %q", e.Token, e.Column, line)
		}
	}
}

// roundTrip writes file's statements back as text, one a line, and checks
// that they parse to the same statements.
func roundTrip(t *testing.T, file *File) {
	t.Helper()
	var b strings.Builder
	b.WriteString("policy " + file.PolicyName + "\nnow " + file.Start.Format(time.RFC3339Nano) + "\n")
	for _, s := range file.Stmts {
		b.WriteString(s.Src().Text + "\n")
	}
	again, err := Parse("again.dm", strings.NewReader(b.String()), nil)
	if err != nil {
		t.Fatalf("the statements written back do not parse: %v\n%s", err, b.String())
	}
	if len(again.Stmts) != len(file.Stmts) {
		t.Fatalf("%d statements written back parse to %d", len(file.Stmts), len(again.Stmts))
	}
	for i, s := range again.Stmts {
		renumber(s, file.Stmts[i].Src().Line)
	}
	if reflect.DeepEqual(file.Stmts, again.Stmts) {
		return // the fast path; cmp also equates times in equal zones
	}
	if diff := cmp.Diff(file.Stmts, again.Stmts); diff != "" {
		t.Fatalf("statements written back parse differently (-first +again):\n%s", diff)
	}
}

func renumber(s Stmt, line int) {
	switch s := s.(type) {
	case *UserStmt:
		s.Line = line
	case *EdgeStmt:
		s.Line = line
	case *ConversationStmt:
		s.Line = line
	case *AdvanceStmt:
		s.Line = line
	case *ExpectStmt:
		s.Line = line
	case *ViewStmt:
		s.Line = line
	case *ReachStmt:
		s.Line = line
	case *GroupStmt:
		s.Line = line
	}
}
