package privacytest

import (
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// recorder is a rapid.TB that keeps what rapid reports, so a test can run
// a kit over a broken policy or stack and look at the failure instead of
// failing itself.
type recorder struct {
	name   string
	failed bool
	msgs   []string
}

type stop struct{}

func (r *recorder) Helper()                   {}
func (r *recorder) Name() string              { return r.name }
func (r *recorder) Logf(string, ...any)       {}
func (r *recorder) Log(...any)                {}
func (r *recorder) Skipf(string, ...any)      { panic(stop{}) }
func (r *recorder) Skip(...any)               { panic(stop{}) }
func (r *recorder) SkipNow()                  { panic(stop{}) }
func (r *recorder) Error(args ...any)         { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fatal(args ...any)         { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recorder) FailNow()                  { r.failed = true; panic(stop{}) }
func (r *recorder) Fail()                     { r.failed = true }
func (r *recorder) Failed() bool              { return r.failed }
func (r *recorder) Fatalf(f string, a ...any) { r.Errorf(f, a...); panic(stop{}) }
func (r *recorder) Errorf(f string, a ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(f, a...))
}

// check runs one rapid property over a recorder and returns what it
// reported, or "" if it passed.
func check(name string, prop func(*rapid.T)) (msg string) {
	r := &recorder{name: name}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stop); !ok {
					panic(p)
				}
			}
		}()
		rapid.Check(r, prop)
	}()
	if !r.failed {
		return ""
	}
	return strings.Join(r.msgs, "\n")
}

// PolicyFailures runs the policy kit's given rules (all if none) over p,
// one rapid run each on a recorder, and returns the failure message of
// each rule that failed.
func PolicyFailures(p *privacy.Policy, opts *Options, rules ...string) (map[string]string, error) {
	out := map[string]string{}
	err := checkPolicy(p, opts, func(rule, skip string, prop func(*rapid.T)) {
		if skip != "" || (len(rules) > 0 && !contains(rules, rule)) {
			return
		}
		if msg := check("privacytest-"+rule, prop); msg != "" {
			out[rule] = msg
		}
	})
	return out, err
}

// StackFailure runs the stack kit over the stacks newStack returns on a
// recorder and returns its failure message, or "".
func StackFailure[ID comparable](newStack func() Stack[ID], id func(int) ID, opts *Options) (string, error) {
	policies, err := stackPolicies(id, opts)
	if err != nil {
		return "", err
	}
	return check("privacytest-stack", func(t *rapid.T) {
		c := drawStackCase(t, policies)
		if v := compareStack(c, newStack(), id); v != nil {
			t.Fatal(v.message())
		}
	}), nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// BreakReaders makes every engine the policy kit builds read its stores
// through readers, until the returned function is called.
func BreakReaders(readers func(st *memory.Store[string]) (graph.Reader[string], inbox.Reader[string])) (restore func()) {
	testHooks.readers = readers
	return func() { testHooks.readers = nil }
}

// SwallowFaults makes the fail-closed rule's injected failures answer
// without their error, until the returned function is called.
func SwallowFaults() (restore func()) {
	testHooks.swallow = true
	return func() { testHooks.swallow = false }
}
