package scenario

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse feeds the parser arbitrary files. It must never panic or hang;
// it must allocate in proportion to the input; a bad file must be an *Error
// that points into the file and yields no File; a good file must run on the
// in-memory stores without error, with one result per check, and its
// statements, written back as text, must parse to the same statements.
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
		return
	}
	roundTrip(t, file)
	if len(data) > 1<<10 {
		return // running is quadratic in the worst case (reach over every user); keep execs fast
	}
	res, err := file.Run(context.Background(), &Options{Explain: len(data)%2 == 0})
	if err != nil {
		t.Fatalf("a parsed file failed to run: %v", err)
	}
	if len(res) != file.Checks() {
		t.Fatalf("%d results for %d checks", len(res), file.Checks())
	}
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
