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

var _ MutualReader[string] = (*Memory[string])(nil)

// mutualPage is how many friends HasFriendInCommon lists at a time.
const mutualPage = 256

// HasFriendInCommon reports whether a and b have a friend in common: it
// pages through a's friends and checks each against b's follows both ways.
func (m *Memory[ID]) HasFriendInCommon(ctx context.Context, a, b ID) (bool, error) {
	if a == b {
		return false, nil
	}
	var buf [mutualPage]ID
	var after Cursor
	for {
		friends, next, err := m.Related(ctx, a, Friends, after, mutualPage, buf[:0])
		if err != nil {
			return false, err
		}
		for _, f := range friends {
			if f == b {
				continue
			}
			if p, _ := m.Pair(ctx, b, f); p.Edges.Has(FollowAB | FollowBA) {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		after = next
	}
}
