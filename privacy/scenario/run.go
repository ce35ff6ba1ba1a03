package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// Options configure parsing and running. The zero Options, like a nil
// *Options, means the defaults: the built-in presets, the in-memory
// stores, no traces, every check, the default [Limits].
type Options struct {
	// Policies resolves a file's policy line (and the default, tiktok)
	// to a policy; nil means [privacy.PolicyByName]. A host pins its own
	// policy by resolving the names its files use to it.
	Policies func(name string) (*privacy.Policy, error)

	// NewEnv returns a fresh world and engine for one file, for its
	// policy and clock (now returns the scenario clock as the file runs);
	// nil means [MemoryEnv]. A host runs the files on its own stores by
	// returning a World over its write path and an engine over its
	// readers.
	NewEnv func(p *privacy.Policy, now func() time.Time) (*Env, error)

	// Explain records the engine's trace of each checked decision in
	// [Result.Trace].
	Explain bool

	// Filter, if not nil, keeps only the checks for which it returns true
	// given "file:line statement" (the runner's -run). World statements
	// always run.
	Filter func(check string) bool

	// Limits bound what a file may cost to parse and to run; the zero
	// Limits means the defaults.
	Limits Limits
}

// Env is what one file runs on: a world to write and an engine that reads
// it.
type Env struct {
	World  World
	Engine Engine

	// Close, if not nil, is called when the file has run.
	Close func() error
}

// World is the write path a scenario builds its world with. [MemoryWorld]
// is the in-memory one; a host adapter implements it over its own write
// helpers to run scenario files on its store. Contact keys are opaque:
// every user gets the key [ContactKey] of their name.
type World interface {
	SetUser(id string, u graph.User) error
	SetContactKey(id string, key graph.ContactKey) error
	AddContact(id string, key graph.ContactKey) error
	RemoveContact(id string, key graph.ContactKey) error
	SetEdge(kind graph.Edge, from, to string, on bool) error
	SetSettings(id string, s inbox.Settings) error
	SetConversation(from, to string, s inbox.State, at time.Time) error
}

// Engine is what the checks ask; *privacy.Engine[string] implements it.
type Engine interface {
	Check(ctx context.Context, q privacy.Request[string]) (privacy.Decision, error)
	Explain(ctx context.Context, q privacy.Request[string]) (*privacy.Explanation, error)
}

// GroupEngine is the optional capability group lines need;
// *privacy.Engine[string] implements it. The evaluator looks for it on the
// [Engine] with a type assertion; on an engine without it (a host's own)
// every group check fails as unsupported.
type GroupEngine interface {
	CanAddToGroup(ctx context.Context, inviter, invitee string, members []string) (privacy.GroupDecision, error)
}

// MemoryWorld is the in-memory [World]: the embedded store.
type MemoryWorld struct {
	Store *memory.Store[string]
}

// SetUser calls Store.SetUser.
func (w MemoryWorld) SetUser(id string, u graph.User) error { return w.Store.SetUser(id, u) }

// SetContactKey calls Store.SetContactKey.
func (w MemoryWorld) SetContactKey(id string, k graph.ContactKey) error {
	return w.Store.SetContactKey(id, k)
}

// AddContact calls Store.AddContact.
func (w MemoryWorld) AddContact(id string, k graph.ContactKey) error {
	return w.Store.AddContact(id, k)
}

// RemoveContact calls Store.RemoveContact.
func (w MemoryWorld) RemoveContact(id string, k graph.ContactKey) error {
	return w.Store.RemoveContact(id, k)
}

// SetEdge calls Store.SetEdge.
func (w MemoryWorld) SetEdge(kind graph.Edge, from, to string, on bool) error {
	return w.Store.SetEdge(kind, from, to, on)
}

// SetSettings calls Store.SetSettings.
func (w MemoryWorld) SetSettings(id string, s inbox.Settings) error {
	return w.Store.SetSettings(id, s)
}

// SetConversation calls Store.SetConversation.
func (w MemoryWorld) SetConversation(from, to string, s inbox.State, at time.Time) error {
	return w.Store.SetConversation(from, to, s, at)
}

// MemoryEnv returns fresh in-memory stores and an engine over them with
// policy p and clock now: the default [Options.NewEnv].
func MemoryEnv(p *privacy.Policy, now func() time.Time) (*Env, error) {
	s := memory.New[string]()
	e, err := privacy.New[string](s, s, &privacy.Options{Policy: p, Now: now})
	if err != nil {
		return nil, err
	}
	return &Env{World: MemoryWorld{Store: s}, Engine: e}, nil
}

// ContactKey returns the synthetic contact key of a user: "dm:" and their
// name. contact A B adds B's key to A's synced contacts.
func ContactKey(name string) graph.ContactKey { return graph.ContactKey("dm:" + name) }

// Result is the outcome of one check.
type Result struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Statement string `json:"statement"`

	// Expected and Actual are the check's want and got in the file's
	// words: "allow primary friend", "deny not_friend"; for a view,
	// the view and the decision behind it ("not_allowed (deny
	// not_friend)"); for reach, the two lists.
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Pass     bool   `json:"pass"`

	// Unsupported marks a check the engine cannot answer (a group line on
	// an engine without group adds); it never passes.
	Unsupported bool `json:"unsupported,omitempty"`

	// Details lists, for a failed reach, each sender who landed elsewhere
	// than expected.
	Details []string `json:"details,omitempty"`

	// Trace is the engine's explanation of each decision the check made,
	// when Options.Explain is set.
	Trace string `json:"trace,omitempty"`
}

// ID returns "file:line statement", the text Options.Filter matches.
func (r *Result) ID() string { return fmt.Sprintf("%s:%d %s", r.File, r.Line, r.Statement) }

// String returns the result on one line: "file:line: statement: want X,
// got Y" for a failure (with the senders a reach got wrong), "file:line:
// ok: statement" for a pass.
func (r *Result) String() string {
	if r.Pass {
		return fmt.Sprintf("%s:%d: ok: %s", r.File, r.Line, r.Statement)
	}
	s := fmt.Sprintf("%s:%d: %s: want %s, got %s", r.File, r.Line, r.Statement, r.Expected, r.Actual)
	if len(r.Details) > 0 {
		s += " (" + strings.Join(r.Details, "; ") + ")"
	}
	return s
}

// Run parses nothing: it builds f's world statement by statement in a
// fresh [Env] and returns the result of every check, in order. A failing
// check is a Result, not an error; the error is for an environment that
// could not be built, a world write that failed (a host store refusing
// it), ctx ending, or a run that took longer than opts' Limits.Time (an
// [*Error] at the statement that was running, wrapping [ErrTimeLimit] and
// context.DeadlineExceeded). The results so far come with the error.
func (f *File) Run(ctx context.Context, opts *Options) ([]Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.NewEnv == nil {
		o.NewEnv = MemoryEnv
	}
	lim := o.limits()
	if lim.time > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, lim.time, ErrTimeLimit)
		defer cancel()
	}
	stopped := func(src Source) error {
		if !errors.Is(context.Cause(ctx), ErrTimeLimit) {
			return ctx.Err()
		}
		return &Error{File: f.Name, Line: src.Line, Column: 1, Msg: fmt.Sprintf("the run took longer than %v, the time limit, and was stopped at this statement: use fewer users or fewer checks, or split the file", lim.time),
			Err: fmt.Errorf("%w (%w)", ErrTimeLimit, context.DeadlineExceeded)}
	}
	clock := f.Start
	env, err := o.NewEnv(f.Policy, func() time.Time { return clock })
	if err != nil {
		return nil, fmt.Errorf("%s: building the environment: %w", f.Name, err)
	}
	if env.Close != nil {
		defer env.Close()
	}
	r := &runner{f: f, o: &o, env: env}
	var results []Result
	for _, st := range f.Stmts {
		src := st.Src()
		if ctx.Err() != nil {
			return results, stopped(src)
		}
		clock = src.At
		if isCheck(st) {
			res := Result{File: f.Name, Line: src.Line, Statement: src.Text}
			if o.Filter != nil && !o.Filter(res.ID()) {
				continue
			}
			r.check(ctx, st, &res)
			if ctx.Err() != nil {
				return results, stopped(src) // the check's answer is not whole
			}
			results = append(results, res)
			continue
		}
		if err := r.apply(st); err != nil {
			return results, fmt.Errorf("%s:%d: %s: %w", f.Name, src.Line, src.Text, err)
		}
	}
	return results, nil
}

// RunFile parses the file at path and runs it. A bad file's error is an
// [*Error].
func RunFile(ctx context.Context, path string, opts *Options) ([]Result, error) {
	f, err := ParseFile(path, opts)
	if err != nil {
		return nil, err
	}
	return f.Run(ctx, opts)
}

type runner struct {
	f   *File
	o   *Options
	env *Env
}

func (r *runner) apply(st Stmt) error {
	w := r.env.World
	switch s := st.(type) {
	case *UserStmt:
		if err := w.SetUser(s.Name, s.User); err != nil {
			return err
		}
		if !s.Set {
			if err := w.SetContactKey(s.Name, ContactKey(s.Name)); err != nil {
				return err
			}
		}
		return w.SetSettings(s.Name, s.Settings)
	case *EdgeStmt:
		if s.Kind == graph.Contact {
			if s.On {
				return w.AddContact(s.From, ContactKey(s.To))
			}
			return w.RemoveContact(s.From, ContactKey(s.To))
		}
		return w.SetEdge(s.Kind, s.From, s.To, s.On)
	case *ConversationStmt:
		return w.SetConversation(s.From, s.To, s.State, s.At)
	case *AdvanceStmt:
		return nil
	}
	return fmt.Errorf("scenario: unknown statement %T", st)
}

// Bounds on what one result holds, so that a check over many users keeps
// a readable and bounded answer.
const (
	maxDetails    = 50       // Result.Details of one reach
	maxTraceBytes = 64 << 10 // Result.Trace of one check
)

// decide asks the engine, with the trace when it is wanted and the check's
// trace is not yet full (then it counts the decision in *untraced).
func (r *runner) decide(ctx context.Context, s, rc string, at time.Time, trace *strings.Builder, untraced *int) (privacy.Decision, error) {
	q := privacy.Request[string]{Sender: s, Recipient: rc, At: at}
	if !r.o.Explain || trace.Len() >= maxTraceBytes {
		if r.o.Explain {
			*untraced++
		}
		return r.env.Engine.Check(ctx, q)
	}
	x, err := r.env.Engine.Explain(ctx, q)
	if x == nil {
		return privacy.Decision{}, err
	}
	fmt.Fprintf(trace, "%s → %s: %s", s, rc, x)
	return x.Decision, err
}

func (r *runner) check(ctx context.Context, st Stmt, res *Result) {
	var trace strings.Builder
	untraced := 0
	defer func() {
		if untraced > 0 {
			fmt.Fprintf(&trace, "… and %d more decisions, not traced: the trace of one check is cut at %d bytes\n", untraced, maxTraceBytes)
		}
		res.Trace = trace.String()
	}()
	switch s := st.(type) {
	case *ExpectStmt:
		res.Expected = s.Expected()
		d, err := r.decide(ctx, s.Sender, s.Recipient, s.At, &trace, &untraced)
		if err != nil {
			res.Actual = "error: " + err.Error()
			return
		}
		res.Actual = d.String()
		res.Pass = d.Allowed == s.Allowed && (!s.Allowed || d.Folder == s.Folder) &&
			(s.Reason == "" || d.Reason.String() == s.Reason)
	case *ViewStmt:
		res.Expected = s.View.String()
		d, err := r.decide(ctx, s.Sender, s.Recipient, s.At, &trace, &untraced)
		if err != nil {
			res.Actual = "error: " + err.Error()
			return
		}
		res.Actual = fmt.Sprintf("%s (%s)", d.View, d)
		res.Pass = d.View == s.View
	case *ReachStmt:
		r.reach(ctx, s, res, &trace, &untraced)
	case *GroupStmt:
		res.Expected = s.Expected()
		ge, ok := r.env.Engine.(GroupEngine)
		if !ok {
			res.Unsupported = true
			res.Actual = "unsupported: this engine has no group decision (CanAddToGroup), so group lines cannot be checked yet"
			return
		}
		d, err := ge.CanAddToGroup(ctx, s.Inviter, s.Invitee, s.Members)
		if err != nil {
			res.Actual = "error: " + err.Error()
			return
		}
		res.Actual = d.String()
		res.Pass = d.Outcome == s.Outcome && (s.Reason == "" || d.Reason.String() == s.Reason)
	}
}

// reach decides for every user declared before s; it stops early when ctx
// ends, leaving a partial result the caller drops.
func (r *runner) reach(ctx context.Context, s *ReachStmt, res *Result, trace *strings.Builder, untraced *int) {
	want := make(map[string]inbox.Folder, len(s.Primary)+len(s.Requests))
	for _, n := range s.Primary {
		want[n] = inbox.Primary
	}
	for _, n := range s.Requests {
		want[n] = inbox.Requests
	}
	res.Expected = reachText(s.Primary, s.Requests)
	var got [3][]string // by folder
	var errs []error
	wrong := 0 // senders who landed elsewhere than expected, or failed
	detail := func(format string, args ...any) {
		if wrong++; wrong <= maxDetails {
			res.Details = append(res.Details, fmt.Sprintf(format, args...))
		}
	}
	for _, u := range r.f.Users[:s.Declared] {
		if u == s.Recipient {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		d, err := r.decide(ctx, u, s.Recipient, s.At, trace, untraced)
		if err != nil {
			if len(errs) < maxDetails {
				errs = append(errs, fmt.Errorf("%s: %w", u, err))
			}
			detail("%s: error: %v", u, err)
			continue
		}
		got[d.Folder] = append(got[d.Folder], u)
		if w := want[u]; w != d.Folder {
			wt := "deny"
			if w != inbox.NoFolder {
				wt = w.String()
			}
			detail("%s: want %s, got %s", u, wt, d)
		}
	}
	if wrong > maxDetails {
		res.Details = append(res.Details, fmt.Sprintf("… and %d more", wrong-maxDetails))
	}
	res.Actual = reachText(got[inbox.Primary], got[inbox.Requests])
	res.Pass = wrong == 0
	if err := errors.Join(errs...); err != nil {
		res.Actual += "; errors: " + err.Error()
	}
}

func reachText(primary, requests []string) string {
	return "primary=" + strings.Join(primary, ",") + " requests=" + strings.Join(requests, ",")
}
