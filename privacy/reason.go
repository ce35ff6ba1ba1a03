package privacy

import "fmt"

// Reason is the machine-readable cause of a decision, for the host's back
// end: audit logs, metrics, support tools. It may reveal what the recipient
// hid (a block, their age); never show it to the sender, whose screen gets
// the [View]. The zero value, [ReasonError], is the reason of the zero
// [Decision]: a decision that failed closed.
type Reason uint8

// Reasons. The numbered ones are the steps of the decision table in the
// package documentation; the text forms are how scenario files, JSON and
// logs spell them.
const (
	ReasonError                  Reason = iota // a store failed or the context ended: denied (fail closed)
	ReasonSelf                                 // 1: sender is the recipient
	ReasonSenderUnavailable                    // 2: sender unknown, deactivated, suspended or deleted
	ReasonSenderAge                            // 2b: sender below the minimum DM age
	ReasonSenderBlockedRecipient               // 3: the sender blocked the recipient
	ReasonRecipientUnavailable                 // 3b: recipient unknown, deactivated, suspended or deleted
	ReasonBlockedByRecipient                   // 3c: the recipient blocked the sender
	ReasonRecipientAge                         // 4: recipient below the minimum DM age
	ReasonMinorProtection                      // 4b: an adult stranger to a minor
	ReasonInboxClosed                          // 5: the recipient's mode admits nobody
	ReasonExistingConversation                 // 6: an accepted thread, or one the recipient started
	ReasonFriend                               // 7: mutual followers
	ReasonNotFriend                            // 8: mode Friends, not a friend
	ReasonRecommendedContact                   // 9: the recipient has the sender's number
	ReasonRecommendedFacebook                  // 9: Facebook friends
	ReasonNotSuggested                         // 9b: mode SuggestedFriends, not suggested
	ReasonFollowedByRecipient                  // 10: the recipient follows the sender
	ReasonMessageRequest                       // 10b: a stranger's message request
	ReasonRestricted                           // 11: the recipient restricted the sender
	ReasonRequestLimit                         // 12: the sender's pending-request cap is reached
	ReasonFollower                             // the sender follows the recipient (per-audience presets)
	ReasonContact                              // the recipient has the sender's number, as an audience
	ReasonReverseContact                       // the sender has the recipient's number
	ReasonFacebookFriend                       // Facebook friends, as an audience
	ReasonFriendOfFriend                       // a friend in common
	ReasonVerifiedSender                       // the sender is verified
	ReasonNotFollowed                          // the mode admits only people the recipient follows
	ReasonNotVerified                          // the mode admits people followed and verified senders only
	ReasonNotContact                           // the mode admits friends and contacts only
	ReasonRequestsOff                          // the recipient turned off requests from this audience
	ReasonPolicyGate                           // a host-defined gate refused (Decision.Rule names it)
	ReasonCustomAudience                       // a host-defined audience admitted (Decision.Rule names it)
	ReasonGroupInviterNotFriend                // group add: only a friend may add the invitee
	ReasonGroupMinorNeedsFriend                // group add: a minor needs a friend already in the group
	ReasonGroupBlocked                         // group add: a block between the invitee and a member
	ReasonGroupMinorProtection                 // group add: it would connect a minor with an adult stranger
	ReasonGroupInvitesClosed                   // group add: the invitee's group setting refuses the inviter
	ReasonGroupInvite                          // group add: an invite the invitee must accept
	numReasons
)

var reasonNames = [numReasons]string{
	"error", "self", "sender_unavailable", "sender_age", "sender_blocked_recipient",
	"recipient_unavailable", "blocked_by_recipient", "recipient_age", "minor_protection",
	"inbox_closed", "existing_conversation", "friend", "not_friend", "recommended_contact",
	"recommended_facebook", "not_suggested", "followed_by_recipient", "message_request",
	"restricted", "request_limit", "follower", "contact", "reverse_contact",
	"facebook_friend", "friend_of_friend", "verified_sender", "not_followed",
	"not_verified", "not_contact", "requests_off", "policy_gate", "custom_audience",
	"group_inviter_not_friend", "group_minor_needs_friend", "group_blocked",
	"group_minor_protection", "group_invites_closed", "group_invite",
}

// String returns the reason's text form, e.g. blocked_by_recipient.
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// ParseReason returns the reason with the given text form.
func ParseReason(text string) (Reason, error) {
	for i, n := range reasonNames {
		if n == text {
			return Reason(i), nil
		}
	}
	return ReasonError, fmt.Errorf("privacy: unknown reason %q", text)
}

// MarshalText implements [encoding.TextMarshaler].
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (r *Reason) UnmarshalText(text []byte) error {
	v, err := ParseReason(string(text))
	if err == nil {
		*r = v
	}
	return err
}

// View is what the sender may be shown about a decision. It depends only on
// whether the message is allowed, on facts about the sender alone (their
// status, age, blocks and request cap) and on the recipient's public account
// status: a recipient's block, restriction, age or mode never shows through
// it beyond what "not allowed" says. The zero value is [ViewNotAllowed].
type View uint8

// Sender views.
const (
	ViewNotAllowed    View = iota // "you can't message this account": covers blocks, ages and modes alike
	ViewAllowed                   // the message is sent (wherever it lands)
	ViewYouBlocked                // the sender blocked the recipient and may unblock
	ViewAgeRestricted             // the sender is too young to send messages
	ViewRequestLimit              // the sender has too many unanswered requests
	ViewUnavailable               // the sender's or the recipient's account is not active
	numViews
)

var viewNames = [numViews]string{"not_allowed", "allowed", "you_blocked", "age_restricted", "request_limit", "unavailable"}

// String returns the view's text form, e.g. not_allowed.
func (v View) String() string {
	if v < numViews {
		return viewNames[v]
	}
	return fmt.Sprintf("View(%d)", uint8(v))
}

// ParseView returns the view with the given text form.
func ParseView(text string) (View, error) {
	for i, n := range viewNames {
		if n == text {
			return View(i), nil
		}
	}
	return ViewNotAllowed, fmt.Errorf("privacy: unknown sender view %q", text)
}

// MarshalText implements [encoding.TextMarshaler].
func (v View) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (v *View) UnmarshalText(text []byte) error {
	x, err := ParseView(string(text))
	if err == nil {
		*v = x
	}
	return err
}

// denyView is the sender view of each deny reason. Every reason that stems
// from the recipient's hidden facts or their mode maps to ViewNotAllowed.
var denyView = [numReasons]View{
	ReasonError:                  ViewNotAllowed,
	ReasonSelf:                   ViewNotAllowed,
	ReasonSenderUnavailable:      ViewUnavailable,
	ReasonSenderAge:              ViewAgeRestricted,
	ReasonSenderBlockedRecipient: ViewYouBlocked,
	ReasonRecipientUnavailable:   ViewUnavailable,
	ReasonRequestLimit:           ViewRequestLimit,
}

// viewOf returns the sender view of a decision.
func viewOf(allowed bool, r Reason) View {
	if allowed {
		return ViewAllowed
	}
	if r < numReasons {
		return denyView[r]
	}
	return ViewNotAllowed
}
