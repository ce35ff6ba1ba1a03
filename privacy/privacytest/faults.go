package privacytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// errInjected is the store failure the fail-closed rule injects.
var errInjected = errors.New("privacytest: injected store failure")

// faults counts the reads of one call and fails the one whose number
// (from 0) is at; -1 fails none. cancel, when set, is called at that read
// instead of failing it (the context ends while the facts are read).
type faults struct {
	calls, at int
	failed    string   // the read that failed
	reads     []string // the reads made, in order
	cancel    func()
}

func (f *faults) tick(read string) error {
	n := f.calls
	f.calls++
	f.reads = append(f.reads, read)
	if n != f.at {
		return nil
	}
	f.failed = read
	if f.cancel != nil {
		f.cancel()
		return nil
	}
	if testHooks.swallow {
		return nil
	}
	return fmt.Errorf("%w at read %d (%s)", errInjected, n, read)
}

func (f *faults) reset(at int) {
	f.calls, f.at, f.failed, f.reads, f.cancel = 0, at, "", f.reads[:0], nil
}

// A failed read answers with values that would let a message through, so
// an engine that used them would be caught.
var (
	openUser   = graph.User{Status: graph.Active, Birth: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Verified: true}
	openThread = inbox.Conversation[string]{State: inbox.Accepted}
)

// faultyGraph and faultyInbox are the embedded store read through the
// required reads only (and friends in common), as two values: the engine
// reads a decision in a dozen calls.
type faultyGraph struct {
	st *memory.Store[string]
	f  *faults
}

func (g faultyGraph) User(ctx context.Context, id string) (graph.User, error) {
	if err := g.f.tick("User"); err != nil {
		return openUser, err
	}
	return g.st.User(ctx, id)
}

func (g faultyGraph) HasEdge(ctx context.Context, k graph.Edge, from, to string) (bool, error) {
	if err := g.f.tick("HasEdge"); err != nil {
		return k != graph.Block, err
	}
	return g.st.HasEdge(ctx, k, from, to)
}

func (g faultyGraph) HasFriendInCommon(ctx context.Context, a, b string) (bool, error) {
	if err := g.f.tick("HasFriendInCommon"); err != nil {
		return true, err
	}
	return g.st.HasFriendInCommon(ctx, a, b)
}

type faultyInbox struct {
	st *memory.Store[string]
	f  *faults
}

func (x faultyInbox) Settings(ctx context.Context, id string) (inbox.Settings, error) {
	if err := x.f.tick("Settings"); err != nil {
		return inbox.Settings{Mode: inbox.Everyone}, err
	}
	return x.st.Settings(ctx, id)
}

func (x faultyInbox) Conversation(ctx context.Context, a, b string) (inbox.Conversation[string], error) {
	if err := x.f.tick("Conversation"); err != nil {
		return openThread, err
	}
	return x.st.Conversation(ctx, a, b)
}

func (x faultyInbox) PendingRequests(ctx context.Context, s string, after, upTo time.Time) (int, error) {
	if err := x.f.tick("PendingRequests"); err != nil {
		return 0, err
	}
	return x.st.PendingRequests(ctx, s, after, upTo)
}

// faultyStore is the embedded store as one value with every capability
// the engine uses: the one-call fact readers, the pair reader, friends in
// common and Send.
type faultyStore struct {
	faultyGraph
	faultyInbox
}

func (s *faultyStore) Pair(ctx context.Context, a, b string) (graph.Pair, error) {
	if err := s.faultyGraph.f.tick("Pair"); err != nil {
		return graph.Pair{A: openUser, B: openUser}, err
	}
	return s.faultyGraph.st.Pair(ctx, a, b)
}

func (s *faultyStore) Facts(ctx context.Context, q inbox.Query[string]) (inbox.Facts[string], error) {
	if err := s.faultyGraph.f.tick("Facts"); err != nil {
		return inbox.Facts[string]{Pair: graph.Pair{A: openUser, B: openUser}, Conversation: openThread}, err
	}
	return s.faultyGraph.st.Facts(ctx, q)
}

func (s *faultyStore) FactsBatch(ctx context.Context, q inbox.BatchQuery[string], dst []inbox.Facts[string]) error {
	if err := s.faultyGraph.f.tick("FactsBatch"); err != nil {
		for i := range dst {
			dst[i] = inbox.Facts[string]{Pair: graph.Pair{A: openUser, B: openUser}, Conversation: openThread}
		}
		return err
	}
	return s.faultyGraph.st.FactsBatch(ctx, q, dst)
}

func (s *faultyStore) Send(ctx context.Context, q inbox.Query[string], decide func(f *inbox.Facts[string]) (inbox.Delivery, error)) (inbox.Conversation[string], error) {
	if err := s.faultyGraph.f.tick("Send"); err != nil {
		return openThread, err
	}
	return s.faultyGraph.st.Send(ctx, q, decide)
}

// wiring is one way a host wires its stores: its name and an engine over
// the built world that counts and fails reads through f.
type wiring struct {
	name    string
	e       *privacy.Engine[string]
	oneCall bool
}

func wirings(b *built, f *faults) ([]wiring, error) {
	opts := &privacy.Options{Policy: b.w.Policy, Now: func() time.Time { return b.w.At }}
	split, err := privacy.New[string](faultyGraph{b.st, f}, faultyInbox{b.st, f}, opts)
	if err != nil {
		return nil, err
	}
	one := &faultyStore{faultyGraph{b.st, f}, faultyInbox{b.st, f}}
	oneCall, err := privacy.New[string](one, one, opts)
	if err != nil {
		return nil, err
	}
	return []wiring{{"the required reads", split, false}, {"one store with the one-call fact readers", oneCall, true}}, nil
}

// failClosed: a store error at any read of a check, a batch, a group add
// or a send gives the zero decision (a deny) and the error; a context that
// ends before or while the facts are read does too; and reads that do not
// fail answer as the store does.
func (k *kit) failClosed(t *rapid.T) {
	w := k.world(t)
	names := w.Names()
	b := k.build(t, w)
	var checks []func(*built) *violation
	for range 3 {
		q := Request(w).Draw(t, "request")
		checks = append(checks, failPair(q.Sender, q.Recipient))
	}
	checks = append(checks, failBatch(oneOf(names).Draw(t, "batch sender")), failGroup(groupRequests(w).Draw(t, "group add")), failSend(Request(w).Draw(t, "send")))
	for _, check := range checks {
		if check(b) != nil {
			k.fail(t, w, names, onBuilt(check))
		}
	}
}

// failEach runs call with each read of it failing in turn, and with the
// context ending at each read, over every wiring, and returns the first
// violation what reports. A read that fails must give the zero decision
// and the error. A context that ends while the reads answer correctly must
// give the zero decision and the context's error, as a failed read does:
// the engine cannot know what a read cut short by the context missed.
func failEach(b *built, call func(e *privacy.Engine[string], ctx context.Context) (string, bool, error), what func(read int, f *faults, got string, err error, wiring string) *violation) *violation {
	f := &faults{}
	ws, err := wirings(b, f)
	if err != nil {
		return nil
	}
	for _, wr := range ws {
		f.reset(-1)
		if got, _, err := call(wr.e, context.Background()); err != nil {
			return what(-1, f, got, err, wr.name)
		}
		if wr.oneCall && !slices.Contains(f.reads, "Facts") && !slices.Contains(f.reads, "FactsBatch") {
			return what(-1, f, "", fmt.Errorf("the engine never read the facts in one call (%v), though one store is both its readers and implements inbox.FactReader", f.reads), wr.name)
		}
		reads := f.calls
		for i := range reads {
			for _, cancel := range []bool{false, true} {
				ctx, stop := context.WithCancel(context.Background())
				f.reset(i)
				if cancel {
					f.cancel = stop
				}
				got, zero, err := call(wr.e, ctx)
				stop()
				want := errInjected
				if cancel {
					want = context.Canceled
				}
				if zero && errors.Is(err, want) {
					continue
				}
				return what(i, f, got, err, wr.name)
			}
		}
	}
	return nil
}

func failPair(s, r string) func(*built) *violation {
	return func(b *built) *violation {
		clean, err := b.check(s, r)
		if err != nil {
			return nil
		}
		return failEach(b, func(e *privacy.Engine[string], ctx context.Context) (string, bool, error) {
			d, err := e.Check(ctx, privacy.Request[string]{Sender: s, Recipient: r, At: b.w.At})
			if err == nil && ctx.Err() == nil {
				// no failure: the answer must be the store's own
				if d != clean {
					return d.String(), false, fmt.Errorf("answered %v, but %v on the embedded store itself", d, clean)
				}
				return "", true, nil
			}
			return d.String(), d == privacy.Decision{}, err
		}, func(read int, f *faults, got string, err error, wiring string) *violation {
			return failViolation(b, read, f, fmt.Sprintf("%s → %s", s, r), got, err, wiring, expect(s, r, clean))
		})
	}
}

func failBatch(s string) func(*built) *violation {
	return func(b *built) *violation {
		rs := b.w.Names()
		clean, err := b.e.CheckMany(context.Background(), privacy.BatchRequest[string]{Sender: s, Recipients: rs, At: b.w.At}, nil)
		if err != nil {
			return nil
		}
		return failEach(b, func(e *privacy.Engine[string], ctx context.Context) (string, bool, error) {
			ds, err := e.CheckMany(ctx, privacy.BatchRequest[string]{Sender: s, Recipients: rs, At: b.w.At}, nil)
			if err == nil && ctx.Err() == nil {
				if d := diff(clean, ds); d != "" {
					return fmt.Sprint(ds), false, fmt.Errorf("answered differently from the embedded store itself (-store +read):\n%s", d)
				}
				return "", true, nil
			}
			zero := len(ds) == len(rs)
			for _, d := range ds {
				zero = zero && d == privacy.Decision{}
			}
			return fmt.Sprint(ds), zero, err
		}, func(read int, f *faults, got string, err error, wiring string) *violation {
			return failViolation(b, read, f, fmt.Sprintf("the batch %s → %v", s, rs), got, err, wiring, expect(s, rs[0], clean[0]))
		})
	}
}

func failGroup(q privacy.GroupRequest[string]) func(*built) *violation {
	return func(b *built) *violation {
		clean, err := b.group(q)
		if err != nil {
			return nil
		}
		return failEach(b, func(e *privacy.Engine[string], ctx context.Context) (string, bool, error) {
			d, err := e.CheckGroup(ctx, q)
			if err == nil && ctx.Err() == nil {
				if d != clean {
					return d.String(), false, fmt.Errorf("answered %v, but %v on the embedded store itself", d, clean)
				}
				return "", true, nil
			}
			return d.String(), d == privacy.GroupDecision{}, err
		}, func(read int, f *faults, got string, err error, wiring string) *violation {
			return failViolation(b, read, f, fmt.Sprintf("%s adding %s to a group with %v", q.Inviter, q.Invitee, q.Members), got, err, wiring,
				groupLine(q, clean.Outcome, clean.Reason.String()))
		})
	}
}

// failSend: a store whose Send fails records nothing and the engine
// returns the zero Decision with the error.
func failSend(q privacy.Request[string]) func(*built) *violation {
	return func(b *built) *violation {
		clean, err := b.check(q.Sender, q.Recipient)
		if err != nil {
			return nil
		}
		f := &faults{}
		f.reset(0)
		one := &faultyStore{faultyGraph{b.st, f}, faultyInbox{b.st, f}}
		e, err := privacy.New[string](one, one, &privacy.Options{Policy: b.w.Policy, Now: func() time.Time { return b.w.At }})
		if err != nil {
			return nil
		}
		d, _, err := e.Send(context.Background(), q)
		if d == (privacy.Decision{}) && errors.Is(err, errInjected) {
			return nil
		}
		return failViolation(b, 0, f, fmt.Sprintf("sending %s → %s", q.Sender, q.Recipient), d.String(), err,
			"one store with Send", expect(q.Sender, q.Recipient, clean))
	}
}

func failViolation(b *built, read int, f *faults, call, got string, err error, wiring, line string) *violation {
	what := fmt.Sprintf("%s, read through %s, with no read failing: %v.", call, wiring, err)
	if read >= 0 {
		how := "failing"
		if f.cancel != nil {
			how = "ending the context at"
		}
		what = fmt.Sprintf("%s, read through %s, %s read %d (%s): got %s and error %v; a failed read must give the zero decision, a deny, and the error.",
			call, wiring, how, read, f.failed, got, err)
	}
	return &violation{rule: RuleFailClosed, world: b.w, what: what,
		note:  "A scenario file cannot inject a store failure: the file checks the decision of the store that does not fail.",
		lines: []string{line}}
}
