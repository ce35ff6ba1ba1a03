package graph

import (
	"context"

	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// MutualReader is an optional capability: whether two users have a friend
// (a mutual follower) in common, the "friends of friends" audience of
// Messenger-like policies. It is its own call because it costs more than an
// edge lookup: an engine requires it only when its policy routes that
// audience, and then asks once per decision that gets past the gates.
type MutualReader[ID comparable] interface {
	// HasFriendInCommon reports whether some third user is a friend of
	// both a and b; false, nil for unknown users.
	HasFriendInCommon(ctx context.Context, a, b ID) (bool, error)
}

var _ MutualReader[string] = (*Memory[string])(nil)

// HasFriendInCommon reports whether a and b have a friend in common. It
// walks the friends of whichever of the two has fewer follows and checks
// each against the other's.
func (m *Memory[ID]) HasFriendInCommon(_ context.Context, a, b ID) (bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ia, okA := m.index[a]
	ib, okB := m.index[b]
	if !okA || !okB || ia == ib {
		return false, nil
	}
	if len(m.nodes[ia].following) > len(m.nodes[ib].following) {
		ia, ib = ib, ia
	}
	x, y := &m.nodes[ia], &m.nodes[ib]
	for _, f := range x.following {
		if f == ib || !sortedset.Contains(x.followers, f) {
			continue
		}
		if sortedset.Contains(y.following, f) && sortedset.Contains(y.followers, f) {
			return true, nil
		}
	}
	return false, nil
}
