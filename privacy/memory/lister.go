package memory

import (
	"context"
	"fmt"
	"strconv"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/inbox"
	"github.com/dmprivacy/dmprivacy/internal/seqlock"
)

// relationSets is the set each relation lists.
var relationSets = [...]int{
	graph.RelationFollowing:       setOut,
	graph.RelationFollowers:       setIn,
	graph.RelationBlocked:         setBlocks,
	graph.RelationRestricted:      setRestricts,
	graph.RelationContacts:        setBook,
	graph.RelationFacebookFriends: setFacebook,
	graph.RelationFriends:         setOut, // those also in setIn
}

// CountUsers returns [Store.Len].
func (s *Store[ID]) CountUsers(context.Context) (int, error) { return s.Len(), nil }

// cursor encodes the key a listing continues from; the zero Cursor is the
// start.
func parseCursor(after graph.Cursor) (uint64, error) {
	if after == "" {
		return 0, nil
	}
	from, err := strconv.ParseUint(string(after), 36, 64)
	if err != nil || from > 1<<32 {
		return 0, fmt.Errorf("%w: %q", graph.ErrBadCursor, after)
	}
	return from, nil
}

// Related lists id's relation rel page by page ([graph.Lister]). The order
// is a fixed scrambling of the users' indexes, the same in every set.
func (s *Store[ID]) Related(_ context.Context, id ID, rel graph.Relation, after graph.Cursor, limit int, dst []ID) ([]ID, graph.Cursor, error) {
	if rel == 0 || int(rel) >= len(relationSets) {
		return dst, "", fmt.Errorf("memory: unknown relation %v", rel)
	}
	from, err := parseCursor(after)
	if err != nil {
		return dst, "", err
	}
	_, r, ok := s.lookup(id)
	if !ok || limit <= 0 || from >= 1<<32 {
		return dst, "", nil
	}
	set := relationSets[rel]
	var keys, in []uint32
	for want := limit; ; {
		// One page of the set from `from` on, read as one snapshot.
		var next uint64
		var rd seqlock.Reader
		for ok := rd.Begin(&s.mu, &r.seq, &r.seq); ok; ok = rd.Retry() {
			var l layout
			l.decode(r.lens.Load())
			ref := r.rel.Load()
			keys = s.arena.appendSet(keys[:0], ref, &l, set, from, min(want, 256))
			next = 1 << 32
			if len(keys) > 0 {
				next = uint64(keys[len(keys)-1]) + 1
			}
			if rel == graph.RelationFriends {
				in = in[:0]
				for _, k := range keys {
					if s.arena.has(ref, &l, setIn, k) {
						in = append(in, k)
					}
				}
			}
		}
		if rel == graph.RelationFriends {
			keys = in
		}
		for _, k := range keys {
			i := unpermOf(k)
			if rel == graph.RelationContacts {
				kr := s.keys.rec(i)
				if kr == nil || kr.owner.Load() == 0 {
					continue // a number no account holds (yet)
				}
				i = kr.owner.Load() - 1
			}
			if o := s.rec(i); o != nil {
				dst = append(dst, o.id)
				want--
			}
		}
		if from = next; from >= 1<<32 {
			return dst, "", nil
		}
		if want <= 0 {
			// Peek, so that the last page ends with the zero cursor.
			if more, _, _ := s.Related(context.Background(), id, rel, graph.Cursor(strconv.FormatUint(from, 36)), 1, nil); len(more) == 0 {
				return dst, "", nil
			}
			return dst, graph.Cursor(strconv.FormatUint(from, 36)), nil
		}
	}
}

// Threads lists id's conversations page by page, in a fixed order
// ([inbox.ConversationLister]).
func (s *Store[ID]) Threads(_ context.Context, id ID, after graph.Cursor, limit int, dst []inbox.Thread[ID]) ([]inbox.Thread[ID], graph.Cursor, error) {
	from, err := parseCursor(after)
	if err != nil {
		return dst, "", err
	}
	_, r, ok := s.lookup(id)
	if !ok || limit <= 0 || from >= 1<<32 {
		return dst, "", nil
	}
	var page []thread
	more := false
	var rd seqlock.Reader
	for ok := rd.Begin(&s.mu, &r.seq, &r.seq); ok; ok = rd.Retry() {
		page, more = page[:0], false
		v := s.arena.box(r.box.Load())
		n := len(v.threads) / threadWords
		for j := 0; j < n; j++ {
			w := v.threads[j*threadWords:]
			t := thread{with: load(w, 0), state: inbox.State(load(w, 1) & 0xff), mine: load(w, 1)>>8 != 0,
				started: join(load(w, 2), load(w, 3))}
			if uint64(t.with) < from {
				continue
			}
			if len(page) == limit {
				more = true
				break
			}
			page = append(page, t)
		}
	}
	for _, t := range page {
		o := s.rec(unpermOf(t.with))
		if o == nil {
			continue
		}
		dst = append(dst, inbox.Thread[ID]{With: o.id, Conversation: conversationOf(t, id, o.id)})
	}
	if !more || len(page) == 0 {
		return dst, "", nil
	}
	return dst, graph.Cursor(strconv.FormatUint(uint64(page[len(page)-1].with)+1, 36)), nil
}

// HasFriendInCommon reports whether some third user is a friend (a mutual
// follower) of both a and b ([graph.MutualReader]).
func (s *Store[ID]) HasFriendInCommon(ctx context.Context, a, b ID) (bool, error) {
	if a == b {
		return false, nil
	}
	var buf [256]ID
	var after graph.Cursor
	for {
		friends, next, err := s.Related(ctx, a, graph.RelationFriends, after, len(buf), buf[:0])
		if err != nil {
			return false, err
		}
		for _, f := range friends {
			if f == b {
				continue
			}
			if p, _ := s.Pair(ctx, b, f); p.Edges.Has(graph.FollowAB | graph.FollowBA) {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		after = next
	}
}

// Stats is what a [Store] holds.
type Stats struct {
	Users          int // IDs set with SetUser
	Follows        int // follow edges (a friendship is two)
	Blocks         int
	Restricts      int
	FacebookLinks  int // each link once
	ContactEntries int // synced contact entries, matched or not
	Conversations  int // each once
	ArenaWords     int // words of relations and conversations in use
}

// Stats counts what the store holds, reading every record (milliseconds
// per million users).
func (s *Store[ID]) Stats() Stats {
	st := Stats{Users: s.Len()}
	s.each(func(_ uint32, r *record[ID]) bool {
		var l layout
		var rd seqlock.Reader
		var out, blocks, restricts, fb, book, threads int
		for ok := rd.Begin(&s.mu, &r.seq, &r.seq); ok; ok = rd.Retry() {
			l.decode(r.lens.Load())
			ref := r.rel.Load()
			out, blocks = s.arena.size(ref, &l, setOut), s.arena.size(ref, &l, setBlocks)
			restricts, fb = s.arena.size(ref, &l, setRestricts), s.arena.size(ref, &l, setFacebook)
			book = s.arena.size(ref, &l, setBook)
			threads = len(s.arena.box(r.box.Load()).threads) / threadWords
		}
		st.Follows += out
		st.Blocks += blocks
		st.Restricts += restricts
		st.FacebookLinks += fb
		st.ContactEntries += book
		st.Conversations += threads
		return true
	})
	st.FacebookLinks /= 2
	st.Conversations /= 2
	s.mu.Lock()
	st.ArenaWords = s.arena.used
	s.mu.Unlock()
	return st
}
