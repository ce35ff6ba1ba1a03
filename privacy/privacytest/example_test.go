package privacytest_test

import (
	"context"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
	"github.com/dmprivacy/dmprivacy/privacy/privacytest"
)

// The tests in this file are written as a host writes them in its own
// repository: a policy of its own, a property of its own over the kit's
// generators, and its stores under the stack kit.

// acmePolicy is a host's policy: TikTok, with a gate that keeps accounts
// nobody vouches for — not verified, not followed by the recipient, no
// conversation yet — from starting chats.
func acmePolicy() *privacy.Policy {
	p := privacy.TikTok()
	p.Name = "acme"
	p.Gates = append(p.Gates, privacy.Gate{Name: "unvouched", Deny: unvouched})
	return p
}

func unvouched(f privacy.RuleFacts) bool {
	return !f.Sender.Verified && !f.Edges.Has(graph.FollowBA) && f.Conversation == inbox.NoThread
}

// TestAcmePolicyKeepsTheRules runs the policy kit over the host's policy:
// every rule of the decision model, on random worlds.
func TestAcmePolicyKeepsTheRules(t *testing.T) {
	t.Parallel()
	privacytest.CheckPolicy(t, acmePolicy(), nil)
}

// TestAcmeGate is the host's own property, over the kit's generators: no
// message from an unvouched sender is ever allowed.
func TestAcmeGate(t *testing.T) {
	t.Parallel()
	p := acmePolicy()
	rapid.Check(t, func(t *rapid.T) {
		w := privacytest.Worlds(p).Draw(t, "world")
		q := privacytest.Request(w).Draw(t, "request")
		st := memory.New[string]()
		if err := privacytest.Apply(st, w, w.Name); err != nil {
			t.Fatal(err)
		}
		e, err := privacy.New[string](st, st, &privacy.Options{Policy: p, Now: func() time.Time { return w.At }})
		if err != nil {
			t.Fatal(err)
		}
		x, err := e.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		sender, _ := st.User(context.Background(), q.Sender)
		c, _ := st.Conversation(context.Background(), q.Sender, q.Recipient)
		f := privacy.RuleFacts{Sender: sender, Edges: x.Edges, Conversation: c.State}
		if x.Decision.Allowed && unvouched(f) {
			t.Fatalf("%s → %s is %v, from an unvouched sender, in\n%s", q.Sender, q.Recipient, x.Decision, w)
		}
	})
}

// TestAcmeStack runs the stack kit over the host's stores. The embedded
// store stands in for them here; a host returns its adapter over a fresh
// (or emptied) database, as examples/postgres does.
func TestAcmeStack(t *testing.T) {
	t.Parallel()
	privacytest.CheckStack(t, func(t *testing.T) privacytest.Stack[int64] {
		s := memory.New[int64]()
		return privacytest.Stack[int64]{Graph: s, Inbox: s, Writer: s}
	}, func(i int) int64 { return int64(i) + 1000 }, &privacytest.Options{Policies: []*privacy.Policy{acmePolicy()}})
}
