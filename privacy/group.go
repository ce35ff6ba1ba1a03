package privacy

import (
	"context"
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
)

// GroupRule is a policy's rule for adding a user to a group chat. A group
// is a second way to reach someone, so every pair it would connect is held
// to the rules of direct messages: blocks either way with any member, and
// the minor rule with every member (the Messenger Kids incident of 2019:
// a group connected children with adults they could not message).
type GroupRule struct {
	// Modes are the group-invite settings' tables, indexed by mode: the
	// inviter's audiences relative to the invitee route to Primary (added
	// at once), Requests (invited; the invitee must accept) or Deny. Which
	// mode applies is the invitee's Settings.Groups, else their band's
	// Availability.GroupDefaults; ModeDefault there means "as for direct
	// messages": the invitee's inbox mode and its table (Bluesky's group
	// setting follows the DM setting until changed).
	Modes [inbox.NumModes]ModeRule

	// MinAge is the minimum age to be in a group chat; zero means the
	// policy's MinAge.
	MinAge int

	// MinorNeedsFriend lets a possible minor be added only when a friend
	// of theirs other than the inviter is already a member (TikTok: 16–17
	// year olds need a mutual friend in the group).
	MinorNeedsFriend bool

	// FallbackInvite turns a refusal by the invitee's setting into an
	// invite they must accept (WhatsApp's private invite, Telegram's
	// link), instead of a deny. Blocks and the age rules still deny.
	FallbackInvite bool
}

// GroupOutcome is the answer to a group add. The zero value denies.
type GroupOutcome uint8

// Group outcomes.
const (
	GroupDeny   GroupOutcome = iota // the invitee may not be added
	GroupAllow                      // the invitee is added
	GroupInvite                     // the invitee is invited and must accept
)

var groupOutcomeNames = [...]string{"deny", "allow", "invite"}

// String returns deny, allow or invite.
func (o GroupOutcome) String() string {
	if int(o) < len(groupOutcomeNames) {
		return groupOutcomeNames[o]
	}
	return fmt.Sprintf("GroupOutcome(%d)", uint8(o))
}

// ParseGroupOutcome returns the outcome named deny, allow or invite.
func ParseGroupOutcome(text string) (GroupOutcome, error) {
	for i, n := range groupOutcomeNames {
		if n == text {
			return GroupOutcome(i), nil
		}
	}
	return GroupDeny, fmt.Errorf("privacy: unknown group outcome %q (want allow, invite or deny)", text)
}

// GroupDecision is the answer to a group add. The zero GroupDecision
// denies, with ReasonError: what a failed check returns.
type GroupDecision struct {
	Outcome GroupOutcome
	Reason  Reason // the audit reason, for the host's back end
	View    View   // what the inviter may be shown: never which member blocked whom
	Rule    string // the host's gate or audience that decided, if any
}

// String returns the decision as scenario files write it: "allow friend",
// "invite group_invite", "deny group_blocked".
func (d GroupDecision) String() string {
	r := d.Reason.String()
	if d.Rule != "" {
		r += "(" + d.Rule + ")"
	}
	return d.Outcome.String() + " " + r
}

// GroupRequest is one group add for [Engine.CheckGroup].
type GroupRequest[ID comparable] struct {
	Inviter, Invitee ID
	Members          []ID      // the group's current members; the inviter may be among them
	At               time.Time // zero means the engine's clock
	Tags             Tags
}

// CanAddToGroup decides, now, whether inviter may add invitee to a group
// whose current members are given: allow, invite (the invitee must accept)
// or deny, with a reason. It is CheckGroup at the engine's clock.
func (e *Engine[ID]) CanAddToGroup(ctx context.Context, inviter, invitee ID, members []ID) (GroupDecision, error) {
	return e.CheckGroup(ctx, GroupRequest[ID]{Inviter: inviter, Invitee: invitee, Members: members, At: e.now()})
}

// CheckGroup decides a group add. In order: the inviter's own gates (self,
// status, age, their block of the invitee); the invitee's status; a block
// either way between the invitee and the inviter or any member
// (group_blocked, which never says who); the invitee's age; the minor rule
// for every pair the group would connect (group_minor_protection); the
// host's gates; then the inviter's audiences relative to the invitee,
// routed by the invitee's group setting; then, for a possible minor, a
// friend already in the group. Like Check, it fails closed: an error comes
// with the zero GroupDecision. It reads the graph once per member.
func (e *Engine[ID]) CheckGroup(ctx context.Context, q GroupRequest[ID]) (GroupDecision, error) {
	return e.observeGroup(ctx, &q, nil)
}

func (e *Engine[ID]) observeGroup(ctx context.Context, q *GroupRequest[ID], tr *trace) (GroupDecision, error) {
	if e.obs == nil {
		return e.checkGroup(ctx, q, tr)
	}
	start := time.Now()
	d, err := e.checkGroup(ctx, q, tr)
	r := Request[ID]{Sender: q.Inviter, Recipient: q.Invitee, At: q.At, Tags: q.Tags}
	e.obs.Observe(Observation[ID]{Op: OpGroup, Request: r, Group: d, Duration: time.Since(start), Err: err})
	return d, err
}

// ExplainGroup decides a group add like CheckGroup and returns the trace.
func (e *Engine[ID]) ExplainGroup(ctx context.Context, q GroupRequest[ID]) (GroupDecision, []Step, error) {
	tr := &trace{}
	d, err := e.observeGroup(ctx, &q, tr)
	return d, tr.steps, err
}

func groupDeny(r Reason) GroupDecision {
	return GroupDecision{Outcome: GroupDeny, Reason: r, View: viewOf(false, r)}
}

func (e *Engine[ID]) checkGroup(ctx context.Context, q *GroupRequest[ID], tr *trace) (GroupDecision, error) {
	if err := ctx.Err(); err != nil {
		return GroupDecision{}, fmt.Errorf("privacy: %w", err)
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	p := &e.policy
	fail := func(err error) (GroupDecision, error) {
		return GroupDecision{}, fmt.Errorf("privacy: group add: %w", err)
	}
	if tr.gate("1", "inviter is the invitee", q.Inviter == q.Invitee) {
		return groupDeny(ReasonSelf), nil
	}
	// The inviter as the sender, the invitee as the recipient.
	pair, err := e.pair(ctx, q.Inviter, q.Invitee)
	if err != nil {
		return fail(err)
	}
	if err := e.friendOfFriend(ctx, q.Inviter, q.Invitee, &pair); err != nil {
		return fail(err)
	}
	conv, err := e.inbox.Conversation(ctx, q.Inviter, q.Invitee)
	if err != nil {
		return fail(err)
	}
	settings, err := e.inbox.Settings(ctx, q.Invitee)
	if err != nil {
		return fail(err)
	}
	inv, ee := &pair.A, &pair.B
	minAge, adult := p.minAge(), p.adultAge()
	iYoung, iOld := inv.AgeRange(q.At)
	eYoung, eOld := ee.AgeRange(q.At)
	if tr.gateStatus("2", "inviter", inv.Status) {
		return groupDeny(ReasonSenderUnavailable), nil
	}
	if tr.gateAge("2b", "inviter below the minimum age", iYoung, iOld, minAge, iYoung < minAge) {
		return groupDeny(ReasonSenderAge), nil
	}
	if tr.gate("3", "inviter blocked the invitee", pair.Edges.Has(graph.BlockAB)) {
		return groupDeny(ReasonSenderBlockedRecipient), nil
	}
	if tr.gateStatus("3b", "invitee", ee.Status) {
		return groupDeny(ReasonRecipientUnavailable), nil
	}

	// Every other member, as seen from the invitee: blocks and ages.
	type member struct {
		pair graph.Pair // A is the member, B the invitee
	}
	members := make([]member, 0, len(q.Members)+1)
	members = append(members, member{pair})
	seen := make(map[ID]bool, len(q.Members))
	for _, m := range q.Members {
		if m == q.Inviter || m == q.Invitee || seen[m] {
			continue
		}
		seen[m] = true
		mp, err := e.pair(ctx, m, q.Invitee)
		if err != nil {
			return fail(err)
		}
		members = append(members, member{mp})
	}
	blocked := false
	for _, m := range members {
		if m.pair.Edges.Has(graph.BlockAB) || m.pair.Edges.Has(graph.BlockBA) {
			blocked = true
		}
	}
	if tr.gate("3c", "a block either way between the invitee and a member", blocked) {
		return groupDeny(ReasonGroupBlocked), nil
	}
	groupMin := p.Groups.MinAge
	if groupMin == 0 {
		groupMin = minAge
	}
	if tr.gateAge("4", "invitee below the minimum age for groups", eYoung, eOld, groupMin, eYoung < groupMin) {
		return groupDeny(ReasonRecipientAge), nil
	}
	if !p.Minors.Off {
		reach := p.minorReach()
		noConv := inbox.Conversation[ID]{}
		unsafe := false
		for i, m := range members {
			mYoung, mOld := m.pair.A.AgeRange(q.At)
			c := &noConv
			if i == 0 {
				c = &conv
			}
			// An adult member to a minor invitee, and an adult invitee
			// to a minor member: each as a direct message would be.
			toInvitee := audiencesOf(&m.pair, c, q.Invitee)
			if eYoung < adult && mOld >= adult && toInvitee&reach == 0 {
				unsafe = true
			}
			if mYoung < adult && eOld >= adult && reverseAudiences(&m.pair)&reach == 0 {
				unsafe = true
			}
		}
		if tr.gate("4b", "the group would connect a minor with an adult who could not message them", unsafe) {
			return groupDeny(ReasonGroupMinorProtection), nil
		}
	}

	band := graph.AgeUnknown
	if ee.AgeKnown() {
		band = graph.BandOf(eYoung)
	}
	auds := audiencesOf(&pair, &conv, q.Invitee)
	var cf Facts
	if len(p.Gates) > 0 || len(p.Audiences) > 0 {
		cf = Facts{Sender: *inv, Recipient: *ee, Edges: pair.Edges, Conversation: conv.State,
			StartedBySender: conv.Exists() && conv.Starter == q.Inviter, Tags: q.Tags, At: q.At}
	}
	for i := range p.Gates {
		g := &p.Gates[i]
		if tr.gateCustom(g.Name, g.Deny(cf)) {
			d := groupDeny(ReasonPolicyGate)
			d.Rule = g.Name
			return d, nil
		}
	}

	// The invitee's group setting, or their DM mode when it follows it.
	gmode := p.Availability.EffectiveGroups(settings, band)
	rules := &p.Groups.Modes
	mode := gmode
	if gmode == inbox.ModeDefault {
		rules = &p.Modes
		mode = settings.Mode
		if mode == inbox.ModeDefault {
			mode = p.Availability.Default(band)
		}
	}
	cf.Mode = mode
	tr.groupMode(p, gmode, mode, rules == &p.Modes)
	best, why, rule := routeGroup(p, rules, mode, auds, &cf, tr)
	var d GroupDecision
	switch {
	case best == inbox.RoutePrimary:
		d = GroupDecision{Outcome: GroupAllow, Reason: why, View: ViewAllowed, Rule: rule}
	case best == inbox.RouteRequests || p.Groups.FallbackInvite:
		d = GroupDecision{Outcome: GroupInvite, Reason: ReasonGroupInvite, View: ViewAllowed, Rule: rule}
	default:
		d = groupDeny(why)
		d.Rule = rule
		return d, nil
	}

	if p.Groups.MinorNeedsFriend && eYoung < adult {
		friend := false
		for _, m := range members[1:] {
			if m.pair.Edges.Has(graph.FollowAB | graph.FollowBA) {
				friend = true
			}
		}
		if tr.gate("group", "a minor invitee with no friend already in the group", !friend) {
			return groupDeny(ReasonGroupMinorNeedsFriend), nil
		}
	}
	if err := ctx.Err(); err != nil {
		return GroupDecision{}, fmt.Errorf("privacy: %w", err)
	}
	return d, nil
}

// reverseAudiences returns the audiences of p.B relative to p.A: how the
// invitee would stand as a sender to the member. Conversations are left
// out: the member's thread with the invitee is not read for groups.
func reverseAudiences(p *graph.Pair) inbox.Audiences {
	rev := graph.Pair{A: p.B, B: p.A, Edges: p.Edges.Swap()}
	var none inbox.Conversation[struct{}]
	return audiencesOf(&rev, &none, struct{}{})
}

// routeGroup routes the inviter's audiences through the group table of
// mode (or the DM table when the group setting follows it).
func routeGroup(p *Policy, rules *[inbox.NumModes]ModeRule, mode inbox.Mode, auds inbox.Audiences, cf *Facts, tr *trace) (inbox.Route, Reason, string) {
	best, why, rule := inbox.Deny, ReasonGroupInvitesClosed, ""
	if !mode.Valid() || rules[mode].Name == "" {
		return best, why, rule
	}
	mr := &rules[mode]
	if mr.Deny != ReasonError {
		why = mr.Deny
	}
	if rules == &p.Modes {
		// The DM table's deny reasons are about messages; a group add
		// refused by it is refused by the invitee's setting.
		why = ReasonGroupInvitesClosed
	}
	for a := range inbox.Audience(inbox.NumAudiences) {
		if !auds.Has(a) {
			continue
		}
		rt := mr.Table[a]
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
		if rt := c.Routes[mode]; rt > best {
			tr.route(0, c.Name, rt, true)
			best, why, rule = rt, ReasonCustomAudience, c.Name
		}
	}
	return best, why, rule
}
