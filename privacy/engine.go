package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// Errors of the engine, for [errors.Is]. A store's own error is wrapped, so
// errors.Is finds it too.
var (
	ErrNilReader = errors.New("privacy: nil reader")

	// ErrUnknownUser is graph.ErrUnknownUser: errors.Is finds it under
	// either name.
	ErrUnknownUser = graph.ErrUnknownUser
)

// Options configure an [Engine]. The zero Options, like a nil *Options,
// means the defaults.
type Options struct {
	// Policy is the platform's rules; nil means [TikTok].
	Policy *Policy

	// Now is the engine's clock, used by CanMessage and by requests whose
	// At is zero; nil means time.Now.
	Now func() time.Time

	// Observer, if not nil, is told of every decision: it must be an
	// [Observer] for the engine's ID type (an ObserverFunc[int64], say),
	// and New refuses anything else. Unset, observing costs nothing.
	Observer any
}

// Engine decides who may message whom, over a host's graph and inbox
// readers and a policy. It holds no state of its own beyond its
// configuration, so it is safe for concurrent use, and every decision reads
// the stores afresh: on the embedded store, once a write returns, every
// later decision sees it.
type Engine[ID comparable] struct {
	graph  graph.Reader[ID]
	inbox  inbox.Reader[ID]
	facts  inbox.FactReader[ID]      // nil unless one value is both readers and has the capability
	batch  inbox.BatchFactReader[ID] // likewise
	sender inbox.Sender[ID]          // likewise
	pairs  graph.PairReader[ID]      // nil unless the graph reader has it
	mutual graph.MutualReader[ID]    // set only when the policy routes friends of friends
	policy Policy
	c      *compiled
	now    func() time.Time
	cuts   cutCache
	obs    Observer[ID] // nil unless Options.Observer is set
}

// New returns an engine over the host's readers. Optional capabilities are
// discovered once, by type assertion on public interfaces:
//
//   - one value passed as both the graph and the inbox reader that
//     implements [inbox.FactReader] answers every fact of a decision in one
//     call ([inbox.BatchFactReader]: of a batch; [inbox.Sender]: decides and
//     records a send in one step). Two different values are read through
//     their required methods, each answering for its own facts;
//   - a graph reader that implements [graph.PairReader] answers the graph
//     facts of a pair in one call, and [graph.MutualReader] the friends of
//     friends a policy may route (New fails without it if the policy does).
//
// A wrapper around a store is read through the wrapper's own methods: one
// that embeds the store inherits its capabilities too, so it must override
// them as well, or hold the store in a named field. New fails if a reader
// is nil, the policy is invalid (see [Policy.Validate]) or the observer is
// not an [Observer] of ID.
func New[ID comparable](g graph.Reader[ID], in inbox.Reader[ID], opts *Options) (*Engine[ID], error) {
	if g == nil || in == nil {
		return nil, ErrNilReader
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Policy == nil {
		o.Policy = TikTok()
	}
	if err := o.Policy.Validate(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	obs, err := observerOf[ID](o.Observer)
	if err != nil {
		return nil, err
	}
	e := &Engine[ID]{graph: g, inbox: in, policy: o.Policy.clone(), now: o.Now, obs: obs}
	e.c = compile(&e.policy)
	if inbox.SameReader(g, in) {
		e.facts, _ = in.(inbox.FactReader[ID])
		e.batch, _ = in.(inbox.BatchFactReader[ID])
		e.sender, _ = in.(inbox.Sender[ID])
	}
	e.pairs, _ = g.(graph.PairReader[ID])
	if e.policy.usesFriendOfFriend() {
		mr, ok := g.(graph.MutualReader[ID])
		if !ok {
			return nil, fmt.Errorf("%w %q: it routes friends of friends, and the graph reader is not a graph.MutualReader (use the embedded store, or implement HasFriendInCommon)", ErrInvalidPolicy, e.policy.Name)
		}
		e.mutual = mr
	}
	return e, nil
}

// Policy returns a copy of the engine's policy.
func (e *Engine[ID]) Policy() *Policy {
	p := e.policy.clone()
	return &p
}

// CanMessage decides, now, whether sender may message recipient and where
// the message lands. It is Check with At set to the engine's clock.
func (e *Engine[ID]) CanMessage(ctx context.Context, sender, recipient ID) (Decision, error) {
	return e.Check(ctx, Request[ID]{Sender: sender, Recipient: recipient, At: e.now()})
}

// Check decides the request. A deny is a value, not an error: the error is
// non-nil only when a store failed or ctx ended, and then the decision is
// the zero Decision, a deny (fail closed). Check does not allocate on the
// embedded store.
func (e *Engine[ID]) Check(ctx context.Context, q Request[ID]) (Decision, error) {
	if e.obs != nil {
		start := time.Now()
		d, err := e.check(ctx, &q, nil)
		e.obs.Observe(Observation[ID]{Op: OpCheck, Request: q, Decision: d, Duration: time.Since(start), Err: err})
		return d, err
	}
	return e.check(ctx, &q, nil)
}

// Explain decides the request like Check and returns the trace of the steps
// taken and the facts used. The decision is Check's: the trace only
// observes the one decision function.
func (e *Engine[ID]) Explain(ctx context.Context, q Request[ID]) (*Explanation, error) {
	tr := &trace{}
	start := time.Now()
	d, err := e.check(ctx, &q, tr)
	if e.obs != nil {
		e.obs.Observe(Observation[ID]{Op: OpExplain, Request: q, Decision: d, Duration: time.Since(start), Err: err})
	}
	return tr.explanation(d), err
}

func (e *Engine[ID]) check(ctx context.Context, q *Request[ID], tr *trace) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("privacy: %w", err)
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	var in inbox.Facts[ID]
	pending := -1
	if e.facts != nil {
		fq := inbox.Query[ID]{Sender: q.Sender, Recipient: q.Recipient, At: q.At}
		if e.c.capN > 0 {
			fq.Window = e.policy.RequestWindow
		}
		var err error
		if in, err = e.facts.Facts(ctx, fq); err != nil {
			return Decision{}, fmt.Errorf("privacy: reading facts: %w", err)
		}
		if fq.Window > 0 {
			pending = in.PendingRequests
		}
	} else if err := e.readFacts(ctx, q.Sender, q.Recipient, &in); err != nil {
		return Decision{}, err
	}
	if e.mutual != nil {
		if err := e.friendOfFriend(ctx, q.Sender, q.Recipient, &in.Pair); err != nil {
			return Decision{}, err
		}
	}
	d, err := e.decideFacts(ctx, q, &in, &counter{n: pending}, tr)
	if err != nil {
		return Decision{}, err
	}
	// A context that ended while the facts were read may have cut a read
	// short in a way the store did not report: fail closed.
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("privacy: %w", err)
	}
	return d, nil
}

// decideFacts runs the decision over what a reader returned, counting the
// sender's pending requests through cnt if step 12 needs the count.
func (e *Engine[ID]) decideFacts(ctx context.Context, q *Request[ID], in *inbox.Facts[ID], cnt *counter, tr *trace) (Decision, error) {
	var f facts
	factsOf(in, q.Sender, q.Recipient, q.Tags, cnt.n, &f)
	var rf *RuleFacts
	if e.c.custom {
		x := ruleFacts(in, &f, q)
		rf = &x
	}
	cut := e.cuts.at(q.At, &e.c.ages)
	tr.start(q.At, &f)
	d, need := decide(e.c, &f, rf, cut, tr)
	if need {
		if cnt.n < 0 {
			n, err := e.inbox.PendingRequests(ctx, q.Sender, q.At.Add(-e.policy.RequestWindow), q.At)
			if err != nil {
				return Decision{}, fmt.Errorf("privacy: counting pending requests: %w", err)
			}
			cnt.n = n
		}
		tr.count(cnt.n)
		d = capped(e.c, d, cnt.n, tr)
	}
	return d, nil
}

// counter is a sender's pending count, -1 until it is read: a batch reads
// it once for all its recipients.
type counter struct{ n int }

// readFacts reads the facts of a decision without the one-call capability:
// the graph pair (one call with a PairReader), the recipient's settings and
// the conversation. The pending count is read later, only if the cap
// applies.
func (e *Engine[ID]) readFacts(ctx context.Context, sender, recipient ID, f *inbox.Facts[ID]) error {
	var err error
	if f.Pair, err = e.pair(ctx, sender, recipient); err != nil {
		return fmt.Errorf("privacy: reading the graph: %w", err)
	}
	if f.Settings, err = e.inbox.Settings(ctx, recipient); err != nil {
		return fmt.Errorf("privacy: reading settings: %w", err)
	}
	if f.Conversation, err = e.inbox.Conversation(ctx, sender, recipient); err != nil {
		return fmt.Errorf("privacy: reading the conversation: %w", err)
	}
	return nil
}

// pair reads the graph facts of (a, b): A is a, B is b.
func (e *Engine[ID]) pair(ctx context.Context, a, b ID) (graph.Pair, error) {
	if e.pairs != nil {
		return e.pairs.Pair(ctx, a, b)
	}
	return graph.ReadPair(ctx, e.graph, a, b)
}

// friendOfFriend sets the friend-in-common bit of p (A is sender, B
// recipient) when the policy routes that audience.
func (e *Engine[ID]) friendOfFriend(ctx context.Context, sender, recipient ID, p *graph.Pair) error {
	if e.mutual == nil || sender == recipient {
		return nil
	}
	ok, err := e.mutual.HasFriendInCommon(ctx, sender, recipient)
	if err != nil {
		return fmt.Errorf("privacy: reading friends in common: %w", err)
	}
	if ok {
		p.Edges |= graph.MutualFriendAB
	}
	return nil
}

// ValidateSettings reports whether user may choose s now under the engine's
// policy: nil, or an error wrapping [inbox.ErrModeUnavailable] that names
// the mode and why (the user's age band, a rollout cohort), or
// [ErrUnknownUser]. Hosts call it before storing settings; a mode validated
// once stays valid as the user ages.
func (e *Engine[ID]) ValidateSettings(ctx context.Context, user ID, s inbox.Settings) error {
	return e.ValidateSettingsAt(ctx, user, s, e.now())
}

// ValidateSettingsAt is ValidateSettings at time at.
func (e *Engine[ID]) ValidateSettingsAt(ctx context.Context, user ID, s inbox.Settings, at time.Time) error {
	u, err := e.graph.User(ctx, user)
	if err != nil {
		return fmt.Errorf("privacy: reading user: %w", err)
	}
	if u.Status == graph.StatusUnknown {
		return fmt.Errorf("privacy: validating settings: %w: %v", ErrUnknownUser, user)
	}
	band := e.bandAt(&u, at)
	if s.Mode.Valid() && s.Mode != inbox.ModeDefault && e.policy.Modes[s.Mode].Name == "" {
		return &inbox.ModeError{Mode: s.Mode, Band: band, Why: "policy " + e.policy.Name + " does not offer it"}
	}
	err = e.policy.Availability.Validate(s, band, inbox.CohortKey(user))
	var me *inbox.ModeError
	if errors.As(err, &me) && me.Name == "" && me.Mode.Valid() {
		// Name the mode as the user knows it (Instagram's "standard").
		n := e.policy.ModeName(me.Mode)
		if me.Groups {
			n = e.policy.GroupModeName(me.Mode)
		}
		if n != me.Mode.String() {
			me.Name = n
		}
	}
	return err
}

// bandAt returns the age band of u's youngest age at time at.
func (e *Engine[ID]) bandAt(u *graph.User, at time.Time) graph.AgeBand {
	p := personOf(u)
	return e.cuts.at(at, &e.c.ages).band(&p)
}

// EffectiveMode returns the mode that applies to user at time at — the one
// they chose, or their age band's default, also when their band may not
// hold the mode they chose (the fail-safe) — and whether it is their
// choice.
func (e *Engine[ID]) EffectiveMode(ctx context.Context, user ID, at time.Time) (inbox.Mode, bool, error) {
	s, err := e.inbox.Settings(ctx, user)
	if err != nil {
		return inbox.ModeDefault, false, fmt.Errorf("privacy: reading settings: %w", err)
	}
	u, err := e.graph.User(ctx, user)
	if err != nil {
		return inbox.ModeDefault, false, fmt.Errorf("privacy: reading user: %w", err)
	}
	m, failSafe := e.c.mode(s.Mode, e.bandAt(&u, at))
	return m, s.Mode != inbox.ModeDefault && !failSafe, nil
}
