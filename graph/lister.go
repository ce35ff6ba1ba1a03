package graph

import (
	"context"
	"errors"
	"fmt"
)

// Relation names one of a user's own lists of related users, for a
// [Lister]. Each is a list the user could see themselves: whom they follow,
// who follows them, whom they blocked or restricted, whose numbers their
// synced contacts hold, their Facebook friends. Who has the user's number,
// or who blocked them, are other users' lists and are not Relations.
type Relation uint8

// Relations. They carry the type's name (unlike the inbox modes Friends
// and Following, which are who may message a user, not lists of users).
const (
	RelationFollowing       Relation = iota + 1 // users the user follows
	RelationFollowers                           // users who follow the user
	RelationBlocked                             // users the user blocked
	RelationRestricted                          // users the user restricted
	RelationContacts                            // users whose number the user has: their key is in the user's synced contacts
	RelationFacebookFriends                     // the user's Facebook friends
	RelationFriends                             // users the user follows who follow them back
)

var relationNames = [...]string{"", "following", "followers", "blocked", "restricted", "contacts", "facebook_friends", "friends"}

// String returns following, followers, blocked, restricted, contacts,
// facebook_friends or friends.
func (r Relation) String() string {
	if r != 0 && int(r) < len(relationNames) {
		return relationNames[r]
	}
	return fmt.Sprintf("Relation(%d)", uint8(r))
}

// Cursor marks where the next page of a listing starts; the zero Cursor is
// the first page, and a listing returns the zero Cursor after its last
// page. It is opaque to callers: a store encodes whatever finds its place
// (the in-memory store, a position in its own order; a database, the last
// ID of the page, for WHERE id > $cursor ORDER BY id LIMIT $n).
type Cursor string

// ErrBadCursor is returned for a cursor the store did not issue.
var ErrBadCursor = errors.New("graph: bad cursor")

// Lister is an optional capability of a [Reader]: a user's relations page
// by page, and the number of users. The audience preview (package privacy)
// needs it to say who could message a user; a host without it gets an
// error wrapping [errors.ErrUnsupported] from the preview, and every
// decision works as before. A database implements Related as one indexed
// range scan per page.
type Lister[ID comparable] interface {
	// Related appends to dst up to limit users in id's relation rel,
	// starting after the cursor, and returns dst and the cursor of the
	// next page: the zero Cursor when there is none. The order is the
	// store's own but stable, so a user who stays in the relation during a
	// paginated scan is listed exactly once. An unknown id has empty
	// relations.
	Related(ctx context.Context, id ID, rel Relation, after Cursor, limit int, dst []ID) ([]ID, Cursor, error)

	// CountUsers returns the number of users the store knows, whatever
	// their status.
	CountUsers(ctx context.Context) (int, error)
}
