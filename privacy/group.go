package privacy

import "fmt"

// GroupOutcome is the answer to a group add: may an inviter add an invitee
// to a group chat? The zero value, [GroupDeny], is the safe one.
type GroupOutcome uint8

// Group outcomes, as DESIGN.md and scenario files name them.
const (
	GroupDeny   GroupOutcome = iota // the invitee is not added
	GroupInvite                     // the invitee gets an invitation they must accept
	GroupAllow                      // the invitee is added
	numGroupOutcomes
)

var groupOutcomeNames = [numGroupOutcomes]string{"deny", "invite", "allow"}

// String returns deny, invite or allow.
func (o GroupOutcome) String() string {
	if o < numGroupOutcomes {
		return groupOutcomeNames[o]
	}
	return fmt.Sprintf("GroupOutcome(%d)", uint8(o))
}

// ParseGroupOutcome returns the outcome named deny, invite or allow.
func ParseGroupOutcome(text string) (GroupOutcome, error) {
	for i, n := range groupOutcomeNames {
		if n == text {
			return GroupOutcome(i), nil
		}
	}
	return GroupDeny, fmt.Errorf("privacy: unknown group outcome %q (want allow, invite or deny)", text)
}

// GroupDecision is the answer to a group add (DESIGN.md's
// CanAddToGroup(inviter, invitee, members)): the outcome and its audit
// reason. Like [Decision], the zero GroupDecision denies. The engine's
// group decision itself comes with the group presets; this type is
// declared first so that tools such as the scenario runner can look for it.
type GroupDecision struct {
	Outcome GroupOutcome
	Reason  Reason
}

// String returns the decision as scenario files write it: "allow friend"
// or "deny group_blocked".
func (d GroupDecision) String() string {
	return d.Outcome.String() + " " + d.Reason.String()
}
