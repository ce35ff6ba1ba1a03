package privacy

import (
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

// audiences is the set of audiences a sender is in, one bit each.
type audiences uint16

func (a audiences) has(x inbox.Audience) bool { return a&(1<<x) != 0 }

// audiencesOf returns the audiences the sender (Pair.A) is in relative to
// the recipient (Pair.B).
func audiencesOf[ID comparable](f *inbox.Facts[ID], sender, recipient ID) audiences {
	e := f.Pair.Edges
	s := f.Pair.A
	var a audiences
	set := func(x inbox.Audience, ok bool) {
		if ok {
			a |= 1 << x
		}
	}
	c := f.Conversation
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
	auds audiences
}

// evaluate runs the gates, the routing table and the restrict adjustment.
// It reads nothing: every fact is in f. tr is nil on the hot path.
func evaluate[ID comparable](p *Policy, q *Request[ID], f *inbox.Facts[ID], tr *trace) evaluation {
	s, r, e := &f.Pair.A, &f.Pair.B, f.Pair.Edges
	friends := e.Has(graph.FollowAB | graph.FollowBA)

	if tr.gate("1", "sender is the recipient", q.Sender == q.Recipient) {
		return evaluation{d: deny(ReasonSelf)}
	}
	if tr.gateStatus("2", "sender", s.Status) {
		return evaluation{d: deny(ReasonSenderUnavailable)}
	}
	sYoung, sOld := s.AgeRange(q.At)
	if tr.gateAge("2b", "sender below the minimum age", sYoung, sOld, p.MinAge, p.MinAge > 0 && sYoung < p.MinAge) {
		return evaluation{d: deny(ReasonSenderAge)}
	}
	if tr.gate("3", "sender blocked the recipient", e.Has(graph.BlockAB)) {
		return evaluation{d: deny(ReasonSenderBlockedRecipient)}
	}
	if tr.gateStatus("3b", "recipient", r.Status) {
		return evaluation{d: deny(ReasonRecipientUnavailable)}
	}
	if tr.gate("3c", "recipient blocked the sender", e.Has(graph.BlockBA)) {
		return evaluation{d: deny(ReasonBlockedByRecipient)}
	}
	rYoung, rOld := r.AgeRange(q.At)
	if tr.gateAge("4", "recipient below the minimum age", rYoung, rOld, p.MinAge, p.MinAge > 0 && rYoung < p.MinAge) {
		return evaluation{d: deny(ReasonRecipientAge)}
	}
	adult := p.adultAge()
	if tr.gateMinor("4b", sOld, rYoung, adult, friends,
		p.ProtectMinors && rYoung < adult && sOld >= adult && !friends) {
		return evaluation{d: deny(ReasonMinorProtection)}
	}

	band := graph.AgeUnknown
	if r.AgeKnown() {
		band = graph.BandOf(rYoung)
	}
	mode := f.Settings.Mode
	if mode == inbox.ModeDefault {
		mode = p.Availability.Default(band)
	}
	var rule *ModeRule
	if mode.Valid() {
		rule = &p.Modes[mode]
	}
	auds := audiencesOf(f, q.Sender, q.Recipient)
	tr.mode(p, f.Settings.Mode, mode, band)

	best, why := inbox.Deny, ReasonInboxClosed
	if rule != nil && rule.Name != "" {
		why = rule.Deny
		if why == ReasonError {
			why = ReasonInboxClosed
		}
		for a := range inbox.Audience(inbox.NumAudiences) {
			if !auds.has(a) {
				continue
			}
			rt := rule.Table[a]
			tr.route(a, rt, rt > best)
			if rt > best {
				best, why = rt, audienceReason[a]
			}
		}
	}
	if best == inbox.Deny {
		tr.outcome(best, why)
		return evaluation{d: deny(why), mode: mode, auds: auds}
	}
	d := allow(best.Folder(), why)
	tr.outcome(best, why)

	if tr.gateRestrict(best, e.Has(graph.RestrictBA)) {
		d = allow(inbox.Requests, ReasonRestricted)
	}
	return evaluation{d: d, mode: mode, auds: auds}
}

// needsCap reports whether adjustment 12 applies to ev: the base is a
// message request, the policy has a cap, and the sender has no pending or
// held thread of their own to the recipient (a follow-up takes no new
// slot). Only then is the pending count needed.
func needsCap[ID comparable](p *Policy, ev *evaluation, f *inbox.Facts[ID], sender ID) bool {
	if ev.d.Reason != ReasonMessageRequest || p.RequestCap <= 0 {
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
