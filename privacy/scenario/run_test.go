package scenario

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

func run(t *testing.T, text string, opts *Options) []Result {
	t.Helper()
	f, err := Parse("test.dm", strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := f.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// brief is a result without its trace, for comparisons.
type brief struct {
	Line             int
	Expected, Actual string
	Pass             bool
}

func briefs(rs []Result) []brief {
	var out []brief
	for _, r := range rs {
		out = append(out, brief{r.Line, r.Expected, r.Actual, r.Pass})
	}
	return out
}

func TestRunSpecExample(t *testing.T) {
	got := briefs(run(t, specExample, nil))
	want := []brief{
		{19, "allow primary existing_conversation", "allow primary existing_conversation", true},
		{20, "deny blocked_by_recipient", "deny blocked_by_recipient", true},
		{21, "not_allowed", "not_allowed (deny blocked_by_recipient)", true},
		{26, "deny inbox_closed", "deny inbox_closed", true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// TestRunFailures checks that wrong expectations fail, each with what was
// expected and what the engine decided.
func TestRunFailures(t *testing.T) {
	const text = `now 2026-03-01
user ana age=30 mode=everyone
user ben age=30
user cy age=30
follow ana ben
expect ben ana allow primary               # passes: the reason is optional
expect ben ana allow primary friend        # wrong reason
expect ben ana allow requests              # wrong folder
expect ben ana deny                        # wrong decision
expect cy ana allow requests message_request
view cy ana not_allowed                    # wrong view
reach ana primary=ben requests=            # cy is missing
reach ana primary=cy requests=ben          # both wrong
`
	got := briefs(run(t, text, nil))
	want := []brief{
		{6, "allow primary", "allow primary followed_by_recipient", true},
		{7, "allow primary friend", "allow primary followed_by_recipient", false},
		{8, "allow requests", "allow primary followed_by_recipient", false},
		{9, "deny", "allow primary followed_by_recipient", false},
		{10, "allow requests message_request", "allow requests message_request", true},
		{11, "not_allowed", "allowed (allow requests message_request)", false},
		{12, "primary=ben requests=", "primary=ben requests=cy", false},
		{13, "primary=cy requests=ben", "primary=ben requests=cy", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	res := run(t, text, nil)
	wantDetails := []string{
		"ben: want requests, got allow primary followed_by_recipient",
		"cy: want primary, got allow requests message_request",
	}
	if diff := cmp.Diff(wantDetails, res[7].Details); diff != "" {
		t.Errorf("reach details (-want +got):\n%s", diff)
	}
	wantLine := "test.dm:12: reach ana primary=ben requests=: want primary=ben requests=, got primary=ben requests=cy (cy: want deny, got allow requests message_request)"
	if got := res[6].String(); got != wantLine {
		t.Errorf("String() =\n%s\nwant\n%s", got, wantLine)
	}
}

// TestRunReachOnlyDeclared: reach covers the users declared before it, not
// those declared later.
func TestRunReachOnlyDeclared(t *testing.T) {
	got := briefs(run(t, "user ana age=30 mode=everyone\nuser ben age=30\nreach ana primary= requests=ben\nuser cy age=30\nreach ana primary= requests=ben,cy\n", nil))
	for _, b := range got {
		if !b.Pass {
			t.Errorf("line %d: want %s, got %s", b.Line, b.Expected, b.Actual)
		}
	}
}

// TestRunGroup: group lines run on the engine's CanAddToGroup.
func TestRunGroup(t *testing.T) {
	res, err := RunFile(context.Background(), "testdata/group.dm", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{16, "allow primary friend", "allow primary friend", true},
		{17, "deny group_blocked", "deny group_blocked", true},
		{18, "deny group_minor_protection", "deny group_minor_protection", true},
		{19, "allow friend", "allow friend", true},
	}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// noGroups hides an engine's group decision, as a host engine without one.
type noGroups struct{ Engine }

// TestRunGroupUnsupported: on an engine without CanAddToGroup, group lines
// are unsupported checks that fail, and the other checks still run.
func TestRunGroupUnsupported(t *testing.T) {
	opts := &Options{NewEnv: func(p *privacy.Policy, now func() time.Time) (*Env, error) {
		env, err := MemoryEnv(p, now)
		if err == nil {
			env.Engine = noGroups{env.Engine}
		}
		return env, err
	}}
	res, err := RunFile(context.Background(), "testdata/group.dm", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{16, "allow primary friend", "allow primary friend", true},
		{17, "deny group_blocked", unsupported, false},
		{18, "deny group_minor_protection", unsupported, false},
		{19, "allow friend", unsupported, false},
	}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	for _, r := range res[1:] {
		if !r.Unsupported {
			t.Errorf("line %d: Unsupported is false", r.Line)
		}
	}
}

const unsupported = "unsupported: this engine has no group decision (CanAddToGroup), so group lines cannot be checked yet"

// groupEngine replaces an engine's group decision with a scripted one.
type groupEngine struct {
	Engine
	calls []string
}

func (g *groupEngine) CanAddToGroup(_ context.Context, inviter, invitee string, members []string) (privacy.GroupDecision, error) {
	g.calls = append(g.calls, fmt.Sprintf("%s adds %s to %v", inviter, invitee, members))
	if invitee == "cy" {
		return privacy.GroupDecision{Outcome: privacy.GroupInvite, Reason: privacy.ReasonFriend}, nil
	}
	return privacy.GroupDecision{Outcome: privacy.GroupDeny, Reason: privacy.ReasonError}, errors.New("store down")
}

func TestRunGroupEngine(t *testing.T) {
	ge := &groupEngine{}
	opts := &Options{NewEnv: func(p *privacy.Policy, now func() time.Time) (*Env, error) {
		env, err := MemoryEnv(p, now)
		ge.Engine = env.Engine
		env.Engine = ge
		return env, err
	}}
	res, err := RunFile(context.Background(), "testdata/group.dm", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{
		{16, "allow primary friend", "allow primary friend", true},
		{17, "deny group_blocked", "error: store down", false},
		{18, "deny group_minor_protection", "invite friend", false},
		{19, "allow friend", "error: store down", false},
	}
	if diff := cmp.Diff(want, briefs(res)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantCalls := []string{"ana adds ben to [dee]", "ana adds cy to [ben]", "ben adds ana to [dee]"}
	if diff := cmp.Diff(wantCalls, ge.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestRunFilter(t *testing.T) {
	re := regexp.MustCompile(`:2[01] |view`)
	var ids []string
	for _, r := range run(t, specExample, &Options{Filter: re.MatchString}) {
		ids = append(ids, r.ID())
	}
	want := []string{"test.dm:20 expect eve ana deny blocked_by_recipient", "test.dm:21 view eve ana not_allowed"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("filtered checks (-want +got):\n%s", diff)
	}
}

func TestRunExplain(t *testing.T) {
	for _, explain := range []bool{false, true} {
		res := run(t, "user ana age=30 mode=everyone\nuser ben age=30\nexpect ben ana allow requests\nreach ana primary= requests=ben\n", &Options{Explain: explain})
		for _, r := range res {
			has := strings.Contains(r.Trace, "ben → ana: decision: allow requests message_request") && strings.Contains(r.Trace, "most permissive route")
			if has != explain {
				t.Errorf("Explain %v, line %d: trace %q", explain, r.Line, r.Trace)
			}
		}
	}
}

// recorder is a World that logs each write, and fails on one.
type recorder struct {
	log  []string
	fail string
}

func (w *recorder) write(s string) error {
	w.log = append(w.log, s)
	if s == w.fail {
		return errors.New("refused")
	}
	return nil
}
func (w *recorder) SetUser(id string, u graph.User) error {
	return w.write(fmt.Sprintf("user %s %v %s", id, u.Status, u.Birth.Format(time.DateOnly)))
}
func (w *recorder) SetContactKey(id string, k graph.ContactKey) error {
	return w.write(fmt.Sprintf("key %s %s", id, k))
}
func (w *recorder) AddContact(id string, k graph.ContactKey) error {
	return w.write(fmt.Sprintf("add contact %s %s", id, k))
}
func (w *recorder) RemoveContact(id string, k graph.ContactKey) error {
	return w.write(fmt.Sprintf("remove contact %s %s", id, k))
}
func (w *recorder) SetEdge(kind graph.Edge, from, to string, on bool) error {
	return w.write(fmt.Sprintf("edge %v %s %s %v", kind, from, to, on))
}
func (w *recorder) SetSettings(id string, s inbox.Settings) error {
	return w.write(fmt.Sprintf("settings %s %v", id, s.Mode))
}
func (w *recorder) SetConversation(from, to string, s inbox.State, at time.Time) error {
	return w.write(fmt.Sprintf("conversation %s %s %v %s", from, to, s, at.Format(time.RFC3339)))
}

// TestRunWorld checks the writes a file makes through a host's World.
func TestRunWorld(t *testing.T) {
	const text = `now 2026-03-01
user ana age=30 mode=friends
user ben age=20 status=deactivated
contact ana ben
uncontact ana ben
facebook ana ben
unrestrict ben ana
advance 90m
conversation ben ana held
set ben status=active
`
	w := &recorder{}
	var clock []time.Time
	opts := &Options{NewEnv: func(p *privacy.Policy, now func() time.Time) (*Env, error) {
		clock = append(clock, now())
		return &Env{World: w, Engine: nil, Close: func() error { clock = append(clock, now()); return nil }}, nil
	}}
	run(t, text, opts)
	want := []string{
		"user ana active 1996-03-01", "key ana dm:ana", "settings ana friends",
		"user ben deactivated 2006-03-01", "key ben dm:ben", "settings ben default",
		"add contact ana dm:ben", "remove contact ana dm:ben",
		"edge facebook ana ben true", "edge restrict ben ana false",
		"conversation ben ana held 2026-03-01T01:30:00Z",
		"user ben active 2006-03-01", "settings ben default",
	}
	if diff := cmp.Diff(want, w.log); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	wantClock := []time.Time{date(2026, 3, 1), date(2026, 3, 1).Add(90 * time.Minute)}
	if diff := cmp.Diff(wantClock, clock); diff != "" {
		t.Errorf("the env's clock when built and closed (-want +got):\n%s", diff)
	}

	// A write the world refuses stops the run, naming the line.
	w = &recorder{fail: "edge facebook ana ben true"}
	f, err := Parse("test.dm", strings.NewReader(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "test.dm:6: facebook ana ben: refused") {
		t.Errorf("a refused write: error %v, want it to name line 6", err)
	}
}

// failing is an engine whose store is down.
type failing struct{}

func (failing) Check(context.Context, privacy.Request[string]) (privacy.Decision, error) {
	return privacy.Decision{}, errors.New("store down")
}
func (failing) Explain(context.Context, privacy.Request[string]) (*privacy.Explanation, error) {
	return &privacy.Explanation{}, errors.New("store down")
}

func TestRunEngineError(t *testing.T) {
	opts := &Options{NewEnv: func(p *privacy.Policy, now func() time.Time) (*Env, error) {
		env, err := MemoryEnv(p, now)
		env.Engine = failing{}
		return env, err
	}}
	for _, explain := range []bool{false, true} {
		opts.Explain = explain
		got := briefs(run(t, "user ana\nuser ben\nexpect ben ana deny\nview ben ana not_allowed\nreach ana primary= requests=\n", opts))
		want := []brief{
			{3, "deny", "error: store down", false},
			{4, "not_allowed", "error: store down", false},
			{5, "primary= requests=", "primary= requests=; errors: ben: store down", false},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Explain %v: results (-want +got):\n%s", explain, diff)
		}
	}
	envErr := &Options{NewEnv: func(*privacy.Policy, func() time.Time) (*Env, error) { return nil, errors.New("no database") }}
	f := mustParse(t, "user ana\n")
	if _, err := f.Run(context.Background(), envErr); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("an env that cannot be built: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Run(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled run: %v, want context.Canceled", err)
	}
}

// TestRunTwice: a File is not changed by running it.
func TestRunTwice(t *testing.T) {
	f := mustParse(t, specExample)
	a, _ := f.Run(context.Background(), nil)
	b, _ := f.Run(context.Background(), nil)
	if diff := cmp.Diff(a, b); diff != "" || len(a) != 4 {
		t.Errorf("second run differs (-first +second):\n%s", diff)
	}
}
