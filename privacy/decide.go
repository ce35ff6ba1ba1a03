package privacy

import (
	"math/bits"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// This file is the decision: one pure function, decide, from a compiled
// policy, the facts of one question and the day's age cut-offs to a
// decision. Check, CheckMany, Send, Explain (which only observes it through
// a trace), every pair of a group add and the audience preview all call it
// or its gates; none has a copy.

// facts is what the decision reads: the two accounts, the relations
// between them, the recipient's settings, the pair's conversation, the
// sender's pending requests, and the request's tags.
type facts struct {
	self         bool
	s, r         person
	edges        graph.Edges // A is the sender, B the recipient
	settings     inbox.Settings
	conv         inbox.State
	convBySender bool // the sender started the thread
	pending      int  // the sender's pending requests in the window; -1 if not read
	tags         Tags
}

// factsOf reads the engine's facts from what a reader returned.
func factsOf[ID comparable](in *inbox.Facts[ID], sender, recipient ID, tags Tags, pending int, f *facts) {
	f.self = sender == recipient
	f.s.read(&in.Pair.A)
	f.r.read(&in.Pair.B)
	f.edges = in.Pair.Edges
	f.settings = in.Settings
	f.conv = in.Conversation.State
	f.convBySender = in.Conversation.State != inbox.NoThread && in.Conversation.Starter == sender
	f.pending = pending
	f.tags = tags
}

// ruleFacts returns what the host's gates and audiences see.
func ruleFacts[ID comparable](in *inbox.Facts[ID], f *facts, q *Request[ID]) RuleFacts {
	return RuleFacts{Sender: in.Pair.A, Recipient: in.Pair.B, Edges: in.Pair.Edges, Conversation: f.conv,
		StartedBySender: f.convBySender, Tags: q.Tags, At: q.At}
}

func lowBit(s inbox.Audiences) int { return bits.TrailingZeros16(uint16(s)) }

// audiencesOf returns the audiences the sender is in relative to the
// recipient (anyone aside: it means everyone else, and routing decides
// when it applies).
func audiencesOf(f *facts) inbox.Audiences {
	e := f.edges
	var a inbox.Audiences
	if f.conv == inbox.Accepted || (f.conv != inbox.NoThread && f.conv != inbox.Declined && !f.convBySender) {
		a |= 1 << inbox.AudienceConversation
	}
	friend := e&(graph.FollowAB|graph.FollowBA) == graph.FollowAB|graph.FollowBA
	if friend {
		a |= 1 << inbox.AudienceFriend
	}
	if e&graph.ContactBA != 0 {
		a |= 1 << inbox.AudienceContact
		if !f.s.hideC {
			a |= 1 << inbox.AudienceRecommendedContact
		}
	}
	if e&graph.FacebookAB != 0 {
		a |= 1 << inbox.AudienceFacebookFriend
		if !f.s.hideF {
			a |= 1 << inbox.AudienceRecommendedFacebook
		}
	}
	if e&graph.FollowBA != 0 {
		a |= 1 << inbox.AudienceFollowed
	}
	if e&graph.FollowAB != 0 {
		a |= 1 << inbox.AudienceFollower
	}
	if e&graph.ContactAB != 0 {
		a |= 1 << inbox.AudienceReverseContact
	}
	if e&graph.MutualFriendAB != 0 && !friend {
		a |= 1 << inbox.AudienceFriendOfFriend
	}
	if f.s.verified {
		a |= 1 << inbox.AudienceVerified
	}
	return a
}

// reverse returns the facts of the pair seen the other way round: the
// recipient as the sender. The conversation is left out (a group add reads
// no member's thread) and so are the settings and the count.
func (f *facts) reverse() facts {
	return facts{self: f.self, s: f.r, r: f.s, edges: f.edges.Swap(), pending: -1}
}

// The gates every policy keeps, each its own function, so that a group add
// runs exactly the single check's gates on every pair it would connect.

func senderGates(c *compiled, f *facts, cut *dayCuts, tr *trace) (Reason, bool) {
	if tr.gate("1", "sender is the recipient", f.self) {
		return ReasonSelf, true
	}
	if tr.gateStatus("2", "sender", f.s.status) {
		return ReasonSenderUnavailable, true
	}
	if tr.gateAge("2b", "sender below the minimum age", &f.s, c.ages[cutMin], !cut.atLeast(&f.s, cutMin)) {
		return ReasonSenderAge, true
	}
	if tr.gate("3", "sender blocked the recipient", f.edges&graph.BlockAB != 0) {
		return ReasonSenderBlockedRecipient, true
	}
	return 0, false
}

func recipientGates(c *compiled, f *facts, auds inbox.Audiences, minAge int, cut *dayCuts, tr *trace) (Reason, bool) {
	if tr.gateStatus("3b", "recipient", f.r.status) {
		return ReasonRecipientUnavailable, true
	}
	if tr.gate("3c", "recipient blocked the sender", blockGate(f)) {
		return ReasonBlockedByRecipient, true
	}
	if tr.gateAge("4", "recipient below the minimum age", &f.r, c.ages[minAge], !cut.atLeast(&f.r, minAge)) {
		return ReasonRecipientAge, true
	}
	if tr.gateMinor("4b", c, f, auds, minorGate(c, f, auds, cut)) {
		return ReasonMinorProtection, true
	}
	return 0, false
}

// blockGate is step 3c: the recipient blocked the sender.
func blockGate(f *facts) bool { return f.edges&graph.BlockBA != 0 }

// minorGate is step 4b: the recipient may be a minor, the sender may be an
// adult, and the sender is in none of the audiences through which the
// policy lets an adult reach a minor.
func minorGate(c *compiled, f *facts, auds inbox.Audiences, cut *dayCuts) bool {
	return !c.minorOff && !cut.atLeast(&f.r, cutAdult) && cut.mayBe(&f.s, cutAdult) && auds&c.reach == 0
}

// decide is the decision: the gates (steps 1–4b), the host's gates, the
// recipient's mode and the routing of the sender's audiences (5–10b), and
// the restrict adjustment (11). The cap (12) needs the sender's pending
// count: when the count matters and f.pending is -1, decide returns
// needCount, and the caller reads it and calls capped. rf is what the
// host's gates and audiences see, nil when the policy has none.
func decide(c *compiled, f *facts, rf *RuleFacts, cut *dayCuts, tr *trace) (d Decision, needCount bool) {
	auds := audiencesOf(f)
	if r, ok := senderGates(c, f, cut, tr); ok {
		return deny(r), false
	}
	if r, ok := recipientGates(c, f, auds, cutMin, cut, tr); ok {
		return deny(r), false
	}
	band := cut.band(&f.r)
	mode, failSafe := c.mode(f.settings.Mode, band)
	tr.mode(c.p, f.settings.Mode, mode, band, failSafe)
	if rf != nil {
		rf.Mode = mode
		for i := range c.p.Gates {
			g := &c.p.Gates[i]
			if tr.gateCustom(g.Name, g.Deny(*rf)) {
				d = deny(ReasonPolicyGate)
				d.Rule = g.Name
				return d, false
			}
		}
	}
	t := &c.modes[mode]
	if c.perAudience && !f.settings.Routes.IsZero() {
		tt := t.with(c.overrides(f.settings.Routes, band))
		t = &tt
	}
	best, why, rule := c.route(t, mode, auds, rf, false, tr)
	if best == inbox.Deny {
		d = deny(why)
		d.Rule = rule
		return d, false
	}
	d = allow(best.Folder(), why)
	d.Rule = rule
	if tr.gateRestrict(best, c.restrict && f.edges&graph.RestrictBA != 0) {
		d = allow(inbox.Requests, ReasonRestricted)
	}
	// Step 12 applies to a new message request only.
	if d.Reason != ReasonMessageRequest || c.capN <= 0 || (c.capExempt && f.s.verified) ||
		(f.convBySender && (f.conv == inbox.Pending || f.conv == inbox.Held)) {
		return d, false
	}
	if f.pending < 0 {
		return d, true
	}
	return capped(c, d, f.pending, tr), false
}

// capped is step 12, given the sender's pending count.
func capped(c *compiled, d Decision, pending int, tr *trace) Decision {
	if tr.gateCap(pending, c.capN, pending >= c.capN) {
		return deny(ReasonRequestLimit)
	}
	return d
}

// route returns the route of a sender in auds under the table t of mode
// (the host's audiences ranked after the built-in ones), the reason and
// the host's audience that decided. The most permissive route among the
// sender's routed audiences wins, the first of them in precedence order
// naming the reason; the anyone row applies only when none of them is
// routed ("everyone else"). In group tables a deny's reason is the group
// setting's.
func (c *compiled) route(t *routing, mode inbox.Mode, auds inbox.Audiences, rf *RuleFacts, group bool, tr *trace) (inbox.Route, Reason, string) {
	if !t.offered {
		return inbox.Deny, t.denyOr(group), ""
	}
	routed := auds & t.routed
	best, first, rule := inbox.Unset, inbox.AudienceAnyone, ""
	switch {
	case routed&t.primary != 0:
		best, first = inbox.RoutePrimary, (routed & t.primary).First()
	case routed&t.requests != 0:
		best, first = inbox.RouteRequests, (routed & t.requests).First()
	case routed != 0:
		best, first = inbox.Deny, routed.First()
	}
	if tr != nil {
		for _, a := range auds.List() {
			r := inbox.Unset
			switch {
			case t.primary.Has(a):
				r = inbox.RoutePrimary
			case t.requests.Has(a):
				r = inbox.RouteRequests
			case t.routed.Has(a):
				r = inbox.Deny
			}
			tr.route(a, "", r, a == first && r == best)
		}
	}
	if rf != nil {
		for i := range c.p.Audiences {
			ca := &c.p.Audiences[i]
			r := ca.Routes[mode]
			if r == inbox.Unset || !ca.Match(*rf) {
				continue
			}
			better := best == inbox.Unset || (r.AtLeast(best) && !best.AtLeast(r))
			tr.route(0, ca.Name, r, better)
			if better {
				best, rule = r, ca.Name
			}
		}
	}
	if best == inbox.Unset {
		best = t.anyone
		if best == inbox.Unset {
			best = inbox.Deny
		}
		tr.anyone(best)
	}
	why := audienceReason[first]
	switch {
	case best == inbox.Deny:
		// A routed audience's deny row, or the anyone row's: the table's
		// deny reason, never the audience's (the no-leak rule).
		why, rule = t.denyOr(group), ""
	case rule != "":
		why = ReasonCustomAudience
	}
	tr.outcome(best, why)
	return best, why, rule
}

func (t *routing) denyOr(group bool) Reason {
	if group && (t.deny == ReasonError || t.deny == ReasonInboxClosed) {
		return ReasonGroupInvitesClosed
	}
	if t.deny == ReasonError {
		return ReasonInboxClosed
	}
	return t.deny
}

// audienceReason is the reason a decision gives when an audience decides it.
var audienceReason = [inbox.NumAudiences]Reason{
	inbox.AudienceConversation:        ReasonExistingConversation,
	inbox.AudienceFriend:              ReasonFriend,
	inbox.AudienceRecommendedContact:  ReasonRecommendedContact,
	inbox.AudienceRecommendedFacebook: ReasonRecommendedFacebook,
	inbox.AudienceFollowed:            ReasonFollowedByRecipient,
	inbox.AudienceFollower:            ReasonFollower,
	inbox.AudienceContact:             ReasonContact,
	inbox.AudienceReverseContact:      ReasonReverseContact,
	inbox.AudienceFacebookFriend:      ReasonFacebookFriend,
	inbox.AudienceFriendOfFriend:      ReasonFriendOfFriend,
	inbox.AudienceVerified:            ReasonVerifiedSender,
	inbox.AudienceAnyone:              ReasonMessageRequest,
}
