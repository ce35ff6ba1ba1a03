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
	ErrNilReader   = errors.New("privacy: nil reader")
	ErrUnknownUser = errors.New("privacy: unknown user")
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
// the stores afresh: on the embedded stores, once a write returns, every
// later decision sees it.
type Engine[ID comparable] struct {
	graph  graph.Reader[ID]
	inbox  inbox.Reader[ID]
	facts  inbox.FactReader[ID]   // nil unless a reader has the capability
	pairs  graph.PairReader[ID]   // nil unless the graph reader has it
	mutual graph.MutualReader[ID] // set only when the policy routes friends of friends
	policy Policy
	now    func() time.Time
	ages   ageCache
	obs    Observer[ID]     // nil unless Options.Observer is set
	sender inbox.Sender[ID] // nil unless one value is both readers and a Sender
}

// New returns an engine over the host's readers. If either reader
// implements [inbox.FactReader], the engine reads every fact of a decision
// in one call; if the inbox reader is the embedded store, it joins it with
// the graph reader ([inbox.Memory.Join]); otherwise it reads the graph pair
// ([graph.PairReader] if present) and the inbox facts separately. New fails if a reader is nil or
// the policy is invalid (see [Policy.Validate]).
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
	e := &Engine[ID]{graph: g, inbox: in, policy: *o.Policy, now: o.Now, obs: obs}
	if o.Policy.Availability.Rollout != nil {
		e.policy.Availability.Rollout = make(map[inbox.Mode]*inbox.Cohort, len(o.Policy.Availability.Rollout))
		for m, c := range o.Policy.Availability.Rollout {
			cc := *c
			e.policy.Availability.Rollout[m] = &cc
		}
	}
	// Capabilities are discovered once, not per decision.
	if fr, ok := in.(inbox.FactReader[ID]); ok {
		e.facts = fr
	} else if fr, ok := g.(inbox.FactReader[ID]); ok {
		e.facts = fr
	} else if j, ok := in.(joiner[ID]); ok {
		e.facts = j.Join(g) // the embedded inbox store (inbox.Memory.Join)
	}
	if pr, ok := g.(graph.PairReader[ID]); ok {
		e.pairs = pr
	}
	if s, ok := in.(inbox.Sender[ID]); ok && sameValue(g, in) {
		e.sender = s
	}
	if o.Policy.usesFriendOfFriend() {
		mr, ok := g.(graph.MutualReader[ID])
		if !ok {
			return nil, fmt.Errorf("%w %q: it routes friends of friends, and the graph reader is not a graph.MutualReader", ErrInvalidPolicy, o.Policy.Name)
		}
		e.mutual = mr
	}
	return e, nil
}

// joiner is an inbox reader that can read a decision's facts together with
// a graph reader's in one call, as inbox.Memory does.
type joiner[ID comparable] interface {
	Join(g graph.Reader[ID]) inbox.FactReader[ID]
}

// Policy returns a copy of the engine's policy.
func (e *Engine[ID]) Policy() *Policy {
	p := e.policy
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
// embedded stores.
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
// taken and the facts used.
func (e *Engine[ID]) Explain(ctx context.Context, q Request[ID]) (*Explanation, error) {
	tr := &trace{}
	start := time.Now()
	d, err := e.check(ctx, &q, tr)
	if e.obs != nil {
		e.obs.Observe(Observation[ID]{Op: OpExplain, Request: q, Decision: d, Duration: time.Since(start), Err: err})
	}
	x := &Explanation{Decision: d, Steps: tr.steps, Mode: tr.eff, ModeSet: tr.set, Audiences: tr.auds, PendingRequests: tr.pending}
	x.Edges, x.Conversation = tr.edges, tr.conv
	return x, err
}

func (e *Engine[ID]) check(ctx context.Context, q *Request[ID], tr *trace) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("privacy: %w", err)
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	p := &e.policy
	var f inbox.Facts[ID]
	var err error
	haveCount := false
	if e.facts != nil {
		fq := inbox.Query[ID]{Sender: q.Sender, Recipient: q.Recipient, At: q.At}
		if p.RequestCap > 0 {
			fq.Window = p.RequestWindow
			haveCount = true
		}
		f, err = e.facts.Facts(ctx, fq)
		if err != nil {
			return Decision{}, fmt.Errorf("privacy: reading facts: %w", err)
		}
	} else if err = e.readFacts(ctx, q, &f); err != nil {
		return Decision{}, err
	}
	if e.mutual != nil {
		if err := e.friendOfFriend(ctx, q.Sender, q.Recipient, &f.Pair); err != nil {
			return Decision{}, err
		}
	}
	traceFacts(tr, &f)
	ev := evaluate(p, q, &f, e.ages.at(q.At), tr)
	d := ev.d
	if needsCap(p, &ev, &f, q.Sender) {
		n := f.PendingRequests
		if !haveCount {
			n, err = e.inbox.PendingRequests(ctx, q.Sender, q.At.Add(-p.RequestWindow), q.At)
			if err != nil {
				return Decision{}, fmt.Errorf("privacy: counting pending requests: %w", err)
			}
		}
		tr.count(n)
		d = applyCap(p, d, n, tr)
	}
	// A context that ended while the facts were read may have cut a read
	// short in a way the store did not report: fail closed.
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("privacy: %w", err)
	}
	return d, nil
}

// readFacts reads the facts of q without a FactReader: the graph pair (one
// call with a PairReader), the recipient's settings and the conversation.
// The pending count is read later, only if the cap applies.
func (e *Engine[ID]) readFacts(ctx context.Context, q *Request[ID], f *inbox.Facts[ID]) error {
	var err error
	if f.Pair, err = e.pair(ctx, q.Sender, q.Recipient); err != nil {
		return fmt.Errorf("privacy: reading the graph: %w", err)
	}
	if f.Settings, err = e.inbox.Settings(ctx, q.Recipient); err != nil {
		return fmt.Errorf("privacy: reading settings: %w", err)
	}
	if f.Conversation, err = e.inbox.Conversation(ctx, q.Sender, q.Recipient); err != nil {
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
		return fmt.Errorf("%w: %v", ErrUnknownUser, user)
	}
	band := u.BandAt(at)
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

// EffectiveMode returns the mode that applies to user at time at: the one
// they chose, or their age band's default, and whether they chose it.
func (e *Engine[ID]) EffectiveMode(ctx context.Context, user ID, at time.Time) (inbox.Mode, bool, error) {
	s, err := e.inbox.Settings(ctx, user)
	if err != nil {
		return inbox.ModeDefault, false, fmt.Errorf("privacy: reading settings: %w", err)
	}
	if s.Mode != inbox.ModeDefault {
		return s.Mode, true, nil
	}
	u, err := e.graph.User(ctx, user)
	if err != nil {
		return inbox.ModeDefault, false, fmt.Errorf("privacy: reading user: %w", err)
	}
	return e.policy.Availability.Default(u.BandAt(at)), false, nil
}
