package inbox

import (
	"fmt"
	"time"
)

// State is where a conversation is in the message-request lifecycle. The
// zero value, [NoThread], means the pair has no conversation.
type State uint8

// Conversation states.
const (
	NoThread State = iota // no conversation between the pair
	Pending               // a message request awaiting the recipient's answer
	Held                  // a restricted delivery waiting in the recipient's requests
	Accepted              // an accepted conversation
	Declined              // a refused request
)

var stateNames = [...]string{"none", "pending", "held", "accepted", "declined"}

// String returns none, pending, held, accepted or declined.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// ParseState returns the state named pending, held, accepted or declined.
func ParseState(text string) (State, error) {
	for i, n := range stateNames[1:] {
		if n == text {
			return State(i + 1), nil
		}
	}
	return NoThread, fmt.Errorf("inbox: unknown conversation state %q (want pending, held, accepted or declined)", text)
}

// MarshalText implements [encoding.TextMarshaler].
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Conversation is the one thread between an unordered pair of users. The zero
// Conversation means there is none.
type Conversation[ID comparable] struct {
	Starter ID        // who sent the first message
	State   State     // NoThread if there is no conversation
	Started time.Time // when the first message was sent
}

// Exists reports whether there is a conversation.
func (c Conversation[ID]) Exists() bool { return c.State != NoThread }

// Delivery is how an allowed message lands, as a decision routes it; it
// drives the conversation's lifecycle (the embedded store's Deliver, or
// [Next] in a host's own write).
type Delivery uint8

// Deliveries.
const (
	Undelivered Delivery = iota // denied: nothing lands
	ToPrimary                   // to the recipient's chats
	AsRequest                   // as a message request (counts toward the sender's cap)
	AsHeld                      // as a restricted delivery in the recipient's requests (never counts)
)

var deliveryNames = [...]string{"undelivered", "primary", "request", "held"}

// String returns undelivered, primary, request or held.
func (d Delivery) String() string {
	if int(d) < len(deliveryNames) {
		return deliveryNames[d]
	}
	return fmt.Sprintf("Delivery(%d)", uint8(d))
}

// Next returns the conversation after from delivers a message as d at time
// at, given the current conversation c between from and the other user:
//
//   - no thread, or a declined one: a new thread started by from, accepted
//     when delivered to Primary, else pending (a request) or held;
//   - from's own pending or held thread: accepted when a message now lands
//     in Primary, else unchanged (a follow-up takes no new request slot);
//   - the other user's pending or held thread: accepted (replying to a
//     request accepts it);
//   - an accepted thread stays accepted.
//
// Next returns c unchanged for an Undelivered message.
func Next[ID comparable](c Conversation[ID], from ID, d Delivery, at time.Time) Conversation[ID] {
	if d == Undelivered || d > AsHeld {
		return c
	}
	switch c.State {
	case NoThread, Declined:
		next := Conversation[ID]{Starter: from, Started: at}
		switch d {
		case ToPrimary:
			next.State = Accepted
		case AsRequest:
			next.State = Pending
		case AsHeld:
			next.State = Held
		}
		return next
	case Pending, Held:
		if c.Starter != from || d == ToPrimary {
			c.State = Accepted
		}
	}
	return c
}
