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
	d, err := e.decideGroup(ctx, q, tr)
	if err != nil {
		return GroupDecision{}, err
	}
	// A context that ended while the facts were read may have cut a read
	// short in a way the store did not report: fail closed, as Check does,
	// whatever the decision was.
	if err := ctx.Err(); err != nil {
		return GroupDecision{}, fmt.Errorf("privacy: %w", err)
	}
	return d, nil
}

func (e *Engine[ID]) decideGroup(ctx context.Context, q *GroupRequest[ID], tr *trace) (GroupDecision, error) {
	if err := ctx.Err(); err != nil {
		return GroupDecision{}, fmt.Errorf("privacy: %w", err)
	}
	if q.At.IsZero() {
		q.At = e.now()
	}
	c := e.c
	fail := func(err error) (GroupDecision, error) {
		return GroupDecision{}, fmt.Errorf("privacy: group add: %w", err)
	}
	cut := e.cuts.at(q.At, &c.ages)

	// The inviter as the sender, the invitee as the recipient: every fact
	// a direct message would read.
	var in inbox.Facts[ID]
	if e.facts != nil {
		var err error
		if in, err = e.facts.Facts(ctx, inbox.Query[ID]{Sender: q.Inviter, Recipient: q.Invitee, At: q.At}); err != nil {
			return fail(err)
		}
	} else if err := e.readFacts(ctx, q.Inviter, q.Invitee, &in); err != nil {
		return fail(err)
	}
	if err := e.friendOfFriend(ctx, q.Inviter, q.Invitee, &in.Pair); err != nil {
		return fail(err)
	}
	var f facts
	factsOf(&in, q.Inviter, q.Invitee, q.Tags, -1, &f)
	tr.start(q.At, &f)
	auds := audiencesOf(&f)

	// The inviter's own gates, as for a message: self, status, age, their
	// block of the invitee.
	if r, ok := senderGates(c, &f, cut, tr); ok {
		return groupDeny(r), nil
	}
	if tr.gateStatus("3b", "invitee", f.r.status) {
		return groupDeny(ReasonRecipientUnavailable), nil
	}

	// Every other member, as seen from the invitee: one pair each.
	members := []facts{f}
	seen := make(map[ID]bool, len(q.Members))
	for _, m := range q.Members {
		if m == q.Inviter || m == q.Invitee || seen[m] {
			continue
		}
		seen[m] = true
		p, err := e.pair(ctx, m, q.Invitee)
		if err != nil {
			return fail(err)
		}
		mf := facts{s: personOf(&p.A), r: personOf(&p.B), edges: p.Edges, pending: -1}
		members = append(members, mf)
	}
	// A block either way between the invitee and anyone in the group:
	// the single check's blocking gates on each pair, both ways.
	blocked := false
	for i := range members {
		m := &members[i]
		rev := m.reverse()
		if blockGate(m) || blockGate(&rev) {
			blocked = true
		}
	}
	if tr.gate("3c", "a block either way between the invitee and a member", blocked) {
		return groupDeny(ReasonGroupBlocked), nil
	}
	if tr.gateAge("4", "invitee below the minimum age for groups", &f.r, c.ages[cutGroupMin], !cut.atLeast(&f.r, cutGroupMin)) {
		return groupDeny(ReasonRecipientAge), nil
	}
	// The minor rule on every pair the group would connect, both ways:
	// a member to the invitee as a message would be, and the invitee to
	// each member.
	unsafe := false
	for i := range members {
		m := &members[i]
		rev := m.reverse()
		if minorGate(c, m, audiencesOf(m), cut) || minorGate(c, &rev, audiencesOf(&rev), cut) {
			unsafe = true
		}
	}
	if tr.gate("4b", "the group would connect a minor with an adult who could not message them", unsafe) {
		return groupDeny(ReasonGroupMinorProtection), nil
	}

	band := cut.band(&f.r)
	var rf *RuleFacts
	if c.custom {
		x := ruleFacts(&in, &f, &Request[ID]{Sender: q.Inviter, Recipient: q.Invitee, At: q.At, Tags: q.Tags})
		rf = &x
		for i := range e.policy.Gates {
			g := &e.policy.Gates[i]
			if tr.gateCustom(g.Name, g.Deny(*rf)) {
				d := groupDeny(ReasonPolicyGate)
				d.Rule = g.Name
				return d, nil
			}
		}
	}

	// The invitee's group setting, or their inbox mode when it follows it.
	gmode := c.groupMode(f.settings.Groups, band)
	t, mode, dm := &c.groups[gmode], gmode, false
	if gmode == inbox.ModeDefault {
		mode, _ = c.mode(f.settings.Mode, band)
		t, dm = &c.modes[mode], true
	}
	if rf != nil {
		rf.Mode = mode
	}
	tr.groupMode(&e.policy, f.settings.Groups, mode, dm)
	best, why, rule := c.route(t, mode, auds, rf, true, tr)
	var d GroupDecision
	switch {
	case best == inbox.RoutePrimary:
		d = GroupDecision{Outcome: GroupAllow, Reason: why, View: ViewAllowed, Rule: rule}
	case best == inbox.RouteRequests || e.policy.Groups.FallbackInvite:
		d = GroupDecision{Outcome: GroupInvite, Reason: ReasonGroupInvite, View: ViewAllowed, Rule: rule}
	default:
		if dm {
			// The inbox table's reasons are about messages; a group add
			// it refuses is refused by the invitee's setting.
			why = ReasonGroupInvitesClosed
		}
		d = groupDeny(why)
		d.Rule = rule
		return d, nil
	}

	if e.policy.Groups.MinorNeedsFriend && !cut.atLeast(&f.r, cutAdult) {
		friend := false
		for _, m := range members[1:] {
			if m.edges.Has(graph.FollowAB | graph.FollowBA) {
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
