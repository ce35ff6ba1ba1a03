package graph

import (
	"context"
)

// MutualReader is an optional capability: whether two users have a friend
// (a mutual follower) in common, the "friends of friends" audience of
// Messenger-like policies. It is its own call because it costs more than an
// edge lookup: an engine requires it only when its policy routes that
// audience, and then asks once per decision (and per recipient of a batch).
type MutualReader[ID comparable] interface {
	// HasFriendInCommon reports whether some third user is a friend of
	// both a and b; false, nil for unknown users.
	HasFriendInCommon(ctx context.Context, a, b ID) (bool, error)
}
