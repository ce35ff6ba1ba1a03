package graph

import (
	"fmt"
	"strings"
)

// Edge is a kind of relation between two users. Every kind but Facebook is
// directed: the first user is the actor (A follows B, A blocks B, A has B's
// number in their synced contacts). The zero value is not a valid kind.
type Edge uint8

// Edge kinds.
const (
	Follow   Edge = iota + 1 // A follows B
	Block                    // A blocked B
	Restrict                 // A restricted B: B's messages go to A's requests, silently
	Contact                  // A has B's number: a synced contact of A's matches B's account
	Facebook                 // A and B are Facebook friends (symmetric)
)

var edgeNames = [...]string{"", "follow", "block", "restrict", "contact", "facebook"}

// String returns the kind's text form: follow, block, restrict, contact or
// facebook.
func (e Edge) String() string {
	if e != 0 && int(e) < len(edgeNames) {
		return edgeNames[e]
	}
	return fmt.Sprintf("Edge(%d)", uint8(e))
}

// Valid reports whether e is one of the defined kinds.
func (e Edge) Valid() bool { return e >= Follow && e <= Facebook }

// Edges is a set of the relations between two users A and B, one bit per
// kind and direction. It is what a [PairReader] returns for a pair.
type Edges uint16

// The relations of a pair (A, B).
const (
	FollowAB       Edges = 1 << iota // A follows B
	FollowBA                         // B follows A
	BlockAB                          // A blocked B
	BlockBA                          // B blocked A
	RestrictAB                       // A restricted B
	RestrictBA                       // B restricted A
	ContactAB                        // A has B's number
	ContactBA                        // B has A's number
	FacebookAB                       // A and B are Facebook friends
	MutualFriendAB                   // A and B have a friend in common (see MutualReader; not set by Pair)
)

// EdgeBit returns the bit of e for the pair (A, B): the edge from A to B
// when aToB is true, else from B to A. Facebook has one bit for both.
func EdgeBit(e Edge, aToB bool) Edges {
	var b Edges
	switch e {
	case Follow:
		b = FollowAB
	case Block:
		b = BlockAB
	case Restrict:
		b = RestrictAB
	case Contact:
		b = ContactAB
	case Facebook:
		return FacebookAB
	default:
		return 0
	}
	if !aToB {
		b <<= 1
	}
	return b
}

// Has reports whether every bit of x is in e.
func (e Edges) Has(x Edges) bool { return e&x == x }

// Swap returns the same relations seen from the pair (B, A).
func (e Edges) Swap() Edges {
	const ab = FollowAB | BlockAB | RestrictAB | ContactAB
	return (e&ab)<<1 | (e&(ab<<1))>>1 | e&(FacebookAB|MutualFriendAB)
}

var edgesNames = [...]string{
	"follow A→B", "follow B→A", "block A→B", "block B→A",
	"restrict A→B", "restrict B→A", "contact A→B", "contact B→A", "facebook A↔B",
	"friend in common",
}

// String lists the relations in e, for traces and test failures.
func (e Edges) String() string {
	if e == 0 {
		return "none"
	}
	var parts []string
	for i, n := range edgesNames {
		if e&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, ", ")
}

// Pair is every graph fact one decision about A and B needs: both accounts
// and the relations between them.
type Pair struct {
	A, B  User
	Edges Edges
}
