package privacy

import (
	"math/bits"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

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

// audiencesOf returns the audiences the sender (Pair.A) is in relative to
// the recipient (Pair.B), given their conversation c.
func audiencesOf[ID comparable](pair *graph.Pair, c *inbox.Conversation[ID], recipient ID) inbox.Audiences {
	e := pair.Edges
	s := &pair.A
	var a inbox.Audiences
	set := func(x inbox.Audience, ok bool) {
		if ok {
			a |= 1 << x
		}
	}
	set(inbox.AudienceConversation, c.State == inbox.Accepted ||
		(c.Exists() && c.State != inbox.Declined && c.Starter == recipient))
	set(inbox.AudienceFriend, e.Has(graph.FollowAB|graph.FollowBA))
	set(inbox.AudienceRecommendedContact, e.Has(graph.ContactBA) && !s.HideFromContacts)
	set(inbox.AudienceRecommendedFacebook, e.Has(graph.FacebookAB) && !s.HideFromFacebook)
	set(inbox.AudienceFollowed, e.Has(graph.FollowBA))
	set(inbox.AudienceFollower, e.Has(graph.FollowAB))
	set(inbox.AudienceContact, e.Has(graph.ContactBA))
	set(inbox.AudienceReverseContact, e.Has(graph.ContactAB))
	set(inbox.AudienceFacebookFriend, e.Has(graph.FacebookAB))
	set(inbox.AudienceFriendOfFriend, e.Has(graph.MutualFriendAB) && !e.Has(graph.FollowAB|graph.FollowBA))
	set(inbox.AudienceVerified, s.Verified)
	set(inbox.AudienceAnyone, true)
	return a
}

// evaluation is the state of one decision: the base outcome of steps 1–10b
// and adjustment 11. Adjustment 12 needs the pending count, which a caller
// may have to read first (see needsCap).
type evaluation struct {
	d    Decision
	mode inbox.Mode // the recipient's effective mode, once known
	auds inbox.Audiences
}

// gates runs the rules every policy keeps (steps 1–4), the minor rule (4b)
// and the host's gates. It returns the deny and true if one of them
// decides. It reads nothing: every fact is in the arguments.
func gates[ID comparable](p *Policy, sender, recipient ID, pair *graph.Pair, auds inbox.Audiences, ages *ageFacts, tr *trace) (Decision, bool) {
	s, r, e := &pair.A, &pair.B, pair.Edges
	if tr.gate("1", "sender is the recipient", sender == recipient) {
		return deny(ReasonSelf), true
	}
	if tr.gateStatus("2", "sender", s.Status) {
		return deny(ReasonSenderUnavailable), true
	}
	minAge := p.minAge()
	if tr.gateAge("2b", "sender below the minimum age", ages.sYoung, ages.sOld, minAge, ages.sYoung < minAge) {
		return deny(ReasonSenderAge), true
	}
	if tr.gate("3", "sender blocked the recipient", e.Has(graph.BlockAB)) {
		return deny(ReasonSenderBlockedRecipient), true
	}
	if tr.gateStatus("3b", "recipient", r.Status) {
		return deny(ReasonRecipientUnavailable), true
	}
	if tr.gate("3c", "recipient blocked the sender", e.Has(graph.BlockBA)) {
		return deny(ReasonBlockedByRecipient), true
	}
	if tr.gateAge("4", "recipient below the minimum age", ages.rYoung, ages.rOld, minAge, ages.rYoung < minAge) {
		return deny(ReasonRecipientAge), true
	}
	adult := p.adultAge()
	reach := p.minorReach()
	if tr.gateMinor("4b", ages.sOld, ages.rYoung, adult, reach, auds,
		!p.Minors.Off && ages.rYoung < adult && ages.sOld >= adult && auds&reach == 0) {
		return deny(ReasonMinorProtection), true
	}
	return Decision{}, false
}

// ageFacts are the youngest and oldest the sender and recipient can be at
// the decision's time.
type ageFacts struct {
	sYoung, sOld, rYoung, rOld int
	rBand                      graph.AgeBand // the recipient's band, AgeUnknown if no age is known
}

// evaluate runs the gates, the routing table and the restrict adjustment.
// It reads nothing: every fact is in f. at is the age table of q.At's day
// (nil computes ages from the calendar); tr is nil on the hot path.
func evaluate[ID comparable](p *Policy, q *Request[ID], f *inbox.Facts[ID], at *ageTable, tr *trace) evaluation {
	s, r, e := &f.Pair.A, &f.Pair.B, f.Pair.Edges
	var ages ageFacts
	if at != nil && tr == nil {
		ages.sYoung, ages.sOld = at.rangeOf(s, q.At)
		ages.rYoung, ages.rOld = at.rangeOf(r, q.At)
	} else { // exact ages, for traces
		ages.sYoung, ages.sOld = s.AgeRange(q.At)
		ages.rYoung, ages.rOld = r.AgeRange(q.At)
	}
	if r.AgeKnown() {
		ages.rBand = graph.BandOf(ages.rYoung)
	}
	auds := audiencesOf(&f.Pair, &f.Conversation, q.Recipient)
	if d, ok := gates(p, q.Sender, q.Recipient, &f.Pair, auds, &ages, tr); ok {
		return evaluation{d: d}
	}

	mode := f.Settings.Mode
	if mode == inbox.ModeDefault {
		mode = p.Availability.Default(ages.rBand)
	}
	tr.mode(p, f.Settings.Mode, mode, ages.rBand)

	// The host's gates and audiences see the pair's facts.
	var cf Facts
	if len(p.Gates) > 0 || len(p.Audiences) > 0 {
		cf = Facts{Sender: *s, Recipient: *r, Edges: e, Conversation: f.Conversation.State,
			StartedBySender: f.Conversation.Exists() && f.Conversation.Starter == q.Sender,
			Mode:            mode, Tags: q.Tags, At: q.At}
	}
	for i := range p.Gates {
		g := &p.Gates[i]
		if tr.gateCustom(g.Name, g.Deny(cf)) {
			d := deny(ReasonPolicyGate)
			d.Rule = g.Name
			return evaluation{d: d, mode: mode, auds: auds}
		}
	}

	best, why, rule := route(p, mode, f.Settings.Routes, auds, &cf, tr)
	if best == inbox.Deny {
		d := deny(why)
		d.Rule = rule
		tr.outcome(best, why)
		return evaluation{d: d, mode: mode, auds: auds}
	}
	d := allow(best.Folder(), why)
	d.Rule = rule
	tr.outcome(best, why)

	if tr.gateRestrict(best, !p.IgnoreRestrict && e.Has(graph.RestrictBA)) {
		d = allow(inbox.Requests, ReasonRestricted)
	}
	return evaluation{d: d, mode: mode, auds: auds}
}

// route returns the most permissive route of the audiences the sender is
// in under mode, and its reason: the first audience, in precedence order,
// with that route; the host's audiences come after the built-in ones.
func route(p *Policy, mode inbox.Mode, over inbox.Overrides, auds inbox.Audiences, cf *Facts, tr *trace) (inbox.Route, Reason, string) {
	best, why, rule := inbox.Deny, ReasonInboxClosed, ""
	if !mode.Valid() || p.Modes[mode].Name == "" {
		return best, why, rule // a mode the policy does not offer admits nobody
	}
	mr := &p.Modes[mode]
	if mr.Deny != ReasonError {
		why = mr.Deny
	}
	table := mr.Table
	if p.KeepConversations {
		table[inbox.AudienceConversation] = inbox.RoutePrimary
	}
	if p.Availability.PerAudience {
		table = over.Apply(table)
	}
	// The audiences the sender is in, lowest (first in precedence) first.
	for s := uint16(auds) & (1<<inbox.NumAudiences - 1); s != 0; s &= s - 1 {
		a := inbox.Audience(bits.TrailingZeros16(s))
		rt := table[a]
		tr.route(a, "", rt, rt > best)
		if rt > best {
			best, why = rt, audienceReason[a]
		}
	}
	for i := range p.Audiences {
		c := &p.Audiences[i]
		if !c.Match(*cf) {
			continue
		}
		rt := c.Routes[mode]
		tr.route(0, c.Name, rt, rt > best)
		if rt > best {
			best, why, rule = rt, ReasonCustomAudience, c.Name
		}
	}
	return best, why, rule
}

// needsCap reports whether adjustment 12 applies to ev: the base is a
// message request, the policy caps this sender, and the sender has no
// pending or held thread of their own to the recipient (a follow-up takes
// no new slot). Only then is the pending count needed.
func needsCap[ID comparable](p *Policy, ev *evaluation, f *inbox.Facts[ID], sender ID) bool {
	if ev.d.Reason != ReasonMessageRequest || p.RequestCap <= 0 {
		return false
	}
	if p.CapExemptVerified && f.Pair.A.Verified {
		return false
	}
	c := f.Conversation
	own := c.Exists() && c.Starter == sender && (c.State == inbox.Pending || c.State == inbox.Held)
	return !own
}

// applyCap is adjustment 12, given the sender's pending count.
func applyCap(p *Policy, d Decision, pending int, tr *trace) Decision {
	if tr.gateCap(pending, p.RequestCap, pending >= p.RequestCap) {
		return deny(ReasonRequestLimit)
	}
	return d
}
