package privacytest

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/privacy"
	"github.com/dmprivacy/dmprivacy/privacy/memory"
)

// This file holds what the rules know of a world without asking the
// engine: ages, the audiences of a pair, and the sender view of a denial
// whose cause the recipient keeps to themselves. Each is the package
// documentation of privacy read directly off the world's facts.

func minAge(p *privacy.Policy) int {
	if p.MinAge == 0 {
		return 13
	}
	return p.MinAge
}

func adultAge(p *privacy.Policy) int {
	if p.AdultAge == 0 {
		return 18
	}
	return p.AdultAge
}

func groupMinAge(p *privacy.Policy) int {
	if p.Groups.MinAge == 0 {
		return minAge(p)
	}
	return p.Groups.MinAge
}

// minorReach is the set of audiences through which an adult may reach a
// minor under p: the policy's, friends by default, and also friends when
// the policy turned the rule off (the kit then holds it to the default).
func minorReach(p *privacy.Policy) inbox.Audiences {
	if p.Minors.Reach == 0 {
		return inbox.AudiencesOf(inbox.AudienceFriend)
	}
	return p.Minors.Reach
}

// ages returns the youngest and the oldest user n can be at w.At.
func (w *World) ages(n string) (youngest, oldest int) {
	u := w.user(n)
	if u == nil {
		return 0, math.MaxInt
	}
	return u.Account.AgeRange(w.At)
}

func (w *World) friends(a, b string) bool {
	return w.Has(graph.Follow, a, b) && w.Has(graph.Follow, b, a)
}

// audiences returns the audiences sender s is in relative to recipient r,
// as the package documentation of privacy defines them (anyone aside).
// With conv false the pair's conversation is left out, and with fof false
// friends in common, as for the pairs of a group that do not involve the
// inviter.
func (w *World) audiences(s, r string, conv, fof bool) inbox.Audiences {
	var a inbox.Audiences
	add := func(x inbox.Audience) { a |= inbox.AudiencesOf(x) }
	su := w.user(s)
	if su == nil || w.user(r) == nil {
		return 0
	}
	if c, ok := w.Conversation(s, r); ok && conv {
		if c.State == inbox.Accepted || (c.From == r && c.State != inbox.Declined) {
			add(inbox.AudienceConversation)
		}
	}
	friends := w.friends(s, r)
	if friends {
		add(inbox.AudienceFriend)
	}
	if w.Has(graph.Contact, r, s) {
		add(inbox.AudienceContact)
		if !su.Account.HideFromContacts {
			add(inbox.AudienceRecommendedContact)
		}
	}
	if w.Has(graph.Facebook, s, r) {
		add(inbox.AudienceFacebookFriend)
		if !su.Account.HideFromFacebook {
			add(inbox.AudienceRecommendedFacebook)
		}
	}
	if w.Has(graph.Follow, r, s) {
		add(inbox.AudienceFollowed)
	}
	if w.Has(graph.Follow, s, r) {
		add(inbox.AudienceFollower)
	}
	if w.Has(graph.Contact, s, r) {
		add(inbox.AudienceReverseContact)
	}
	if fof && !friends {
		for _, u := range w.Users {
			if u.Name != s && u.Name != r && w.friends(u.Name, s) && w.friends(u.Name, r) {
				add(inbox.AudienceFriendOfFriend)
				break
			}
		}
	}
	if su.Account.Verified {
		add(inbox.AudienceVerified)
	}
	return a
}

// minorRuleApplies reports whether the minor rule covers s → r at w.At:
// r may be under the age of majority and s may be over it.
func (w *World) minorRuleApplies(p *privacy.Policy, s, r string) bool {
	ry, _ := w.ages(r)
	_, so := w.ages(s)
	return ry < adultAge(p) && so >= adultAge(p)
}

// closedView is what sender s must be shown when their message to r is
// denied for a reason r keeps to themselves (a block, r's age, r's mode):
// the view of the sender view table that depends on facts about s alone
// and on r's public status.
func (w *World) closedView(p *privacy.Policy, s, r string) privacy.View {
	su, ru := w.user(s), w.user(r)
	sy, _ := w.ages(s)
	switch {
	case s == r:
		return privacy.ViewNotAllowed
	case su == nil || !su.Account.Available():
		return privacy.ViewUnavailable
	case sy < minAge(p):
		return privacy.ViewAgeRestricted
	case w.Has(graph.Block, s, r):
		return privacy.ViewYouBlocked
	case ru == nil || !ru.Account.Available():
		return privacy.ViewUnavailable
	}
	return privacy.ViewNotAllowed
}

// testHooks break the engine's view of the stores, for the package's own
// tests: each shows that a rule no policy can break still fails when the
// engine (here, the readers it is given) goes wrong. Set only by
// export_test.go, in tests that do not run in parallel.
var testHooks struct {
	// readers, if set, are what every built world's engine reads.
	readers func(st *memory.Store[string]) (graph.Reader[string], inbox.Reader[string])
	// swallow makes an injected failure answer without its error.
	swallow bool
}

// built is a world written to a fresh embedded store, and an engine over
// it at the world's time.
type built struct {
	w  *World
	st *memory.Store[string]
	e  *privacy.Engine[string]
}

// build writes w to a fresh embedded store, in the order perm gives (nil:
// the world's own), and builds an engine over it under w.Policy.
func build(w *World, perm func(n int) []int) (*built, error) {
	st := memory.New[string]()
	if err := apply(st, w, w.Name, perm); err != nil {
		return nil, fmt.Errorf("writing the world: %w", err)
	}
	var g graph.Reader[string] = st
	var in inbox.Reader[string] = st
	if testHooks.readers != nil {
		g, in = testHooks.readers(st)
	}
	e, err := privacy.New(g, in, &privacy.Options{Policy: w.Policy, Now: func() time.Time { return w.At }})
	if err != nil {
		return nil, err
	}
	return &built{w: w, st: st, e: e}, nil
}

func (b *built) check(s, r string) (privacy.Decision, error) {
	return b.e.Check(context.Background(), privacy.Request[string]{Sender: s, Recipient: r, At: b.w.At})
}

func (b *built) group(q privacy.GroupRequest[string]) (privacy.GroupDecision, error) {
	return b.e.CheckGroup(context.Background(), q)
}

// expect returns the expect line a decision passes.
func expect(s, r string, d privacy.Decision) string {
	if d.Allowed {
		return fmt.Sprintf("expect %s %s allow %v %v", s, r, d.Folder, d.Reason)
	}
	return fmt.Sprintf("expect %s %s deny %v", s, r, d.Reason)
}

// groupLine returns the group line of q with the given outcome (and
// reason, if not empty).
func groupLine(q privacy.GroupRequest[string], outcome privacy.GroupOutcome, reason string) string {
	members := ""
	for i, m := range q.Members {
		if i > 0 {
			members += ","
		}
		members += m
	}
	line := fmt.Sprintf("group %s %s %s %v", q.Inviter, q.Invitee, members, outcome)
	if reason != "" {
		line += " " + reason
	}
	return line
}
