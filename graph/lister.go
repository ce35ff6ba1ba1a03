package graph

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// Relation names one of a user's own lists of related users, for a
// [Lister]. Each is a list the user could see themselves: whom they follow,
// who follows them, whom they blocked or restricted, whose numbers their
// synced contacts hold, their Facebook friends. Who has the user's number,
// or who blocked them, are other users' lists and are not Relations.
type Relation uint8

// Relations.
const (
	Following       Relation = iota + 1 // users the user follows
	Followers                           // users who follow the user
	Blocked                             // users the user blocked
	Restricted                          // users the user restricted
	Contacts                            // users whose number the user has: their key is in the user's synced contacts
	FacebookFriends                     // the user's Facebook friends
	Friends                             // users the user follows who follow them back
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

var relationSets = [...]int{
	Following:       setOut,
	Followers:       setIn,
	Blocked:         setBlocks,
	Restricted:      setRestricts,
	Contacts:        setBook,
	FacebookFriends: setFacebook,
	Friends:         setOut, // filtered by setIn
}

// CountUsers returns [Memory.Len].
func (m *Memory[ID]) CountUsers(context.Context) (int, error) { return m.Len(), nil }

// Related lists id's relation rel page by page (see [Lister]). The order is
// a fixed scrambling of the order users were added in.
func (m *Memory[ID]) Related(_ context.Context, id ID, rel Relation, after Cursor, limit int, dst []ID) ([]ID, Cursor, error) {
	if rel == 0 || int(rel) >= len(relationSets) {
		return dst, "", fmt.Errorf("graph: unknown relation %v", rel)
	}
	from := uint64(0)
	if after != "" {
		var err error
		if from, err = strconv.ParseUint(string(after), 36, 64); err != nil || from > 1<<32 {
			return dst, "", fmt.Errorf("%w: %q", ErrBadCursor, after)
		}
	}
	_, e, ok := m.users.Get(id)
	if !ok || limit <= 0 || from == 1<<32 {
		return dst, "", nil
	}
	i := relationSets[rel]
	n := &e.Val
	for want := limit; ; {
		keys, next := m.page(n, i, rel, from, want)
		for _, k := range keys {
			dst = append(dst, m.users.At(k).Key)
		}
		want -= len(keys)
		if from = next; from == 1<<32 {
			return dst, "", nil
		}
		if want == 0 {
			// Peek, so that the last page ends with the zero cursor.
			if more, _ := m.page(n, i, rel, from, 1); len(more) == 0 {
				return dst, "", nil
			}
			return dst, Cursor(strconv.FormatUint(from, 36)), nil
		}
	}
}

// page returns the indexes of up to want users of set i of n from key from
// on, and the key to continue from (1<<32 at the end).
func (m *Memory[ID]) page(n *node, i int, rel Relation, from uint64, want int) ([]uint32, uint64) {
	var buf [64]uint32
	out := make([]uint32, 0, min(want, len(buf)))
	for len(out) < want && from < 1<<32 {
		keys := buf[:0]
		limit := min(want-len(out), len(buf))
		v := n.view()
		if v.x != nil && v.x.big[i] != nil {
			keys = v.x.big[i].AppendFrom(keys, from, limit)
		} else {
			s := v.set(i)
			s = s[sortedset.Search(s, uint32(min(from, 1<<32-1))):]
			keys = append(keys, s[:min(len(s), limit)]...)
		}
		if len(keys) == 0 {
			return out, 1 << 32
		}
		for _, k := range keys {
			idx := sortedset.Unperm(k)
			if rel == Friends && !v.has(setIn, k) {
				continue
			}
			if rel == Contacts {
				owner := m.keys.At(idx).Val.owner.Load()
				if owner == 0 {
					continue // a number no account holds (yet)
				}
				idx = owner - 1
			}
			out = append(out, idx)
		}
		from = uint64(keys[len(keys)-1]) + 1
	}
	return out, from
}

// Stats is what a [Memory] holds.
type Stats struct {
	Users          int
	Follows        int // follow edges (a friendship is two)
	Blocks         int
	Restricts      int
	FacebookLinks  int // each link once
	ContactEntries int // synced contact entries, matched or not
}

// Stats counts what the store holds, reading each user's set lengths (a
// scan of every user: milliseconds per million).
func (m *Memory[ID]) Stats() Stats {
	s := Stats{Users: m.Len()}
	for i := range uint32(s.Users) {
		v := m.users.At(i).Val.view()
		s.Follows += v.size(setOut)
		s.Blocks += v.size(setBlocks)
		s.Restricts += v.size(setRestricts)
		s.FacebookLinks += v.size(setFacebook)
		s.ContactEntries += v.size(setBook)
	}
	s.FacebookLinks /= 2
	return s
}
