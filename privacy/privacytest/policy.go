package privacytest

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
)

// Options configure the kits. The zero Options, like a nil *Options, means
// the defaults.
type Options struct {
	// Ladder is the mode ladder CheckPolicy holds the policy's decisions
	// to, tightest mode first: a recipient who moves one rung up admits
	// every sender they admitted, in a folder at least as good. Nil means
	// the ladder the policy's tables declare: every pair of offered modes
	// where one's table routes every audience at least as well as the
	// other's (inbox.Table.AtLeast).
	Ladder []inbox.Mode

	// AllowMinorsOff accepts a policy that turns the minor rule off
	// (privacy.MinorRule.Off). Without it CheckPolicy holds such a policy
	// to the SDK's default minor rule — an adult reaches a minor only as
	// their friend — and reports where it fails.
	AllowMinorsOff bool

	// Policies are the policies CheckStack decides under, one drawn per
	// world. Nil means every preset, each with its request cap (if it
	// has one) lowered to 2 so that small worlds reach it.
	Policies []*privacy.Policy
}

// The rules CheckPolicy checks, in the order it runs them: the names of
// its subtests and of the rule in a failure message.
const (
	RuleBlocksDeny       = "blocks deny"
	RuleMinimumAge       = "minimum age"
	RuleMinorRule        = "minor rule"
	RuleSenderView       = "sender view"
	RuleBlockLooksClosed = "block looks closed"
	RuleRestrictSilent   = "restrict is silent"
	RuleFailClosed       = "fail closed"
	RuleDeterministic    = "deterministic"
	RuleModeLadder       = "mode ladder"
	RuleOneDecision      = "explain equals check"
)

// Rules returns the rules CheckPolicy checks, in order.
func Rules() []string {
	return []string{
		RuleBlocksDeny, RuleMinimumAge, RuleMinorRule, RuleSenderView, RuleBlockLooksClosed,
		RuleRestrictSilent, RuleFailClosed, RuleDeterministic, RuleModeLadder, RuleOneDecision,
	}
}

// CheckPolicy checks that p keeps every rule of the decision model on
// random worlds (see the package documentation for the rules and how each
// is checked), one parallel subtest of t per rule, each a rapid property
// over rapid's default number of worlds (-rapid.checks). A violation
// fails the subtest with the rule, the decision and the smallest world
// found, printed as a scenario file whose last check fails.
//
// It fails t at once if p is not a valid policy (privacy.Policy.Validate)
// or opts name a ladder p does not offer.
func CheckPolicy(t *testing.T, p *privacy.Policy, opts *Options) {
	t.Helper()
	err := checkPolicy(p, opts, func(rule, skip string, prop func(*rapid.T)) {
		t.Run(rule, func(t *testing.T) {
			if skip != "" {
				t.Skip(skip)
			}
			t.Parallel()
			rapid.Check(t, prop)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// kit is one run of the policy kit.
type kit struct {
	p      *privacy.Policy
	o      Options
	ladder [][2]inbox.Mode // (tighter, looser) pairs
}

// checkPolicy runs every rule through run, with a reason to skip it or
// the property; it returns an error if p or the options are unusable.
func checkPolicy(p *privacy.Policy, opts *Options, run func(rule, skip string, prop func(*rapid.T))) error {
	if p == nil {
		return fmt.Errorf("privacytest: nil policy")
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("privacytest: %w", err)
	}
	k := &kit{p: p}
	if opts != nil {
		k.o = *opts
	}
	var err error
	if k.ladder, err = ladder(p, k.o.Ladder); err != nil {
		return err
	}
	for _, r := range []struct {
		name string
		skip string
		prop func(*rapid.T)
	}{
		{RuleBlocksDeny, "", k.blocksDeny},
		{RuleMinimumAge, "", k.minimumAge},
		{RuleMinorRule, when(p.Minors.Off && k.o.AllowMinorsOff, "the policy turns the minor rule off, and Options.AllowMinorsOff accepts it"), k.minorRule},
		{RuleSenderView, "", k.senderView},
		{RuleBlockLooksClosed, "", k.blockLooksClosed},
		{RuleRestrictSilent, when(p.IgnoreRestrict, "the policy has no restrict (IgnoreRestrict)"), k.restrictSilent},
		{RuleFailClosed, "", k.failClosed},
		{RuleDeterministic, "", k.deterministic},
		{RuleModeLadder, when(len(k.ladder) == 0, "the policy declares no mode ladder: no offered mode routes every audience at least as well as another"), k.modeLadder},
		{RuleOneDecision, "", k.oneDecision},
	} {
		run(r.name, r.skip, r.prop)
	}
	return nil
}

func when(cond bool, why string) string {
	if cond {
		return why
	}
	return ""
}

// ladder returns the (tighter, looser) pairs of modes the ladder rule
// checks: consecutive modes of the given ladder, or every pair of offered
// modes whose tables say one is at least as loose as the other.
func ladder(p *privacy.Policy, given []inbox.Mode) ([][2]inbox.Mode, error) {
	var out [][2]inbox.Mode
	if given != nil {
		for i, m := range given {
			if !m.Valid() || m == inbox.ModeDefault || p.Modes[m].Name == "" {
				return nil, fmt.Errorf("privacytest: Options.Ladder[%d] is %v, which policy %s does not offer", i, m, p.Name)
			}
			if i > 0 {
				out = append(out, [2]inbox.Mode{given[i-1], m})
			}
		}
		return out, nil
	}
	for lo := inbox.Mode(1); lo < inbox.NumModes; lo++ {
		for hi := inbox.Mode(1); hi < inbox.NumModes; hi++ {
			l, h := p.Modes[lo], p.Modes[hi]
			if lo == hi || l.Name == "" || h.Name == "" || !h.Table.AtLeast(l.Table) {
				continue
			}
			if l.Table.AtLeast(h.Table) && hi < lo {
				continue // the same table twice: one pair is enough
			}
			out = append(out, [2]inbox.Mode{lo, hi})
		}
	}
	return out, nil
}

// world draws a world under the kit's policy.
func (k *kit) world(t *rapid.T) *World { return Worlds(k.p).Draw(t, "world") }

// build builds w, failing t if the embedded store refuses it.
func (k *kit) build(t *rapid.T, w *World) *built {
	b, err := build(w, nil)
	if err != nil {
		t.Fatalf("privacytest: building a generated world: %v\n%s", err, w.DM())
	}
	return b
}

// decide is b's decision s → r, failing t on an error (the embedded store
// never fails).
func (k *kit) decide(t *rapid.T, b *built, s, r string) privacy.Decision {
	d, err := b.check(s, r)
	if err != nil {
		t.Fatalf("privacytest: %s → %s on the embedded store: %v", s, r, err)
	}
	return d
}

// fail reports the violation check finds in w, after shrinking w to the
// smallest world on which check still finds one. keep are the users the
// check names.
func (k *kit) fail(t *rapid.T, w *World, keep []string, check func(*World) *violation) {
	t.Helper()
	small := minimize(w.Clone(), keep, check)
	v := check(small)
	if v == nil { // the check was not reproducible: report the world as drawn
		v = check(w)
	}
	t.Fatal(v.message())
}

// onBuilt adapts a check of a built world to a check of a world, for
// minimize: a world that cannot be built has no violation.
func onBuilt(check func(*built) *violation) func(*World) *violation {
	return func(w *World) *violation {
		b, err := build(w, nil)
		if err != nil {
			return nil
		}
		return check(b)
	}
}

// others returns names without n.
func others(names []string, n string) []string {
	var out []string
	for _, x := range names {
		if x != n {
			out = append(out, x)
		}
	}
	return out
}

// open gives a and b every relation that could let one message the other:
// friends both ways, each other's numbers, Facebook friends and an
// accepted conversation.
func open(w *World, a, b string) {
	for _, k := range []graph.Edge{graph.Follow, graph.Contact} {
		w.SetEdge(k, a, b, true)
		w.SetEdge(k, b, a, true)
	}
	w.SetEdge(graph.Facebook, a, b, true)
	w.SetConversation(Conversation{From: a, To: b, State: inbox.Accepted, Started: w.At})
}

// perm returns a permutation function drawn from seed.
func perm(seed uint64) func(n int) []int {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return func(n int) []int { return r.Perm(n) }
}
