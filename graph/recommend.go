package graph

import "fmt"

// SuggestReason says why a user is suggested: the strongest signal that
// holds.
type SuggestReason uint8

// Suggestion signals, strongest first.
const (
	SuggestContact        SuggestReason = iota + 1 // the user has their number
	SuggestFacebook                                // Facebook friends
	SuggestFriendOfFriend                          // a friend of a friend (a weaker signal)
)

var suggestNames = [...]string{"", "contact", "facebook", "friend_of_friend"}

// String returns contact, facebook or friend_of_friend.
func (r SuggestReason) String() string {
	if r != 0 && int(r) < len(suggestNames) {
		return suggestNames[r]
	}
	return fmt.Sprintf("SuggestReason(%d)", uint8(r))
}

// Suggestion is one suggested friend.
type Suggestion[ID comparable] struct {
	ID      ID
	Reason  SuggestReason // the strongest signal
	Mutuals int           // friends the two have in common
	Score   int           // the ranking score: higher first
}
