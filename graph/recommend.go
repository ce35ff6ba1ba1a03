package graph

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

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

// Scores of each signal. A contact or Facebook link outranks any number of
// mutual friends up to recommendMutualCap.
const (
	scoreContact       = 1000
	scoreFacebook      = 500
	recommendMutualCap = 100
)

// Recommend is RecommendAt at the current time.
func (m *Memory[ID]) Recommend(ctx context.Context, user ID, n int) ([]Suggestion[ID], error) {
	return m.RecommendAt(ctx, user, n, time.Now())
}

// RecommendAt returns up to n suggested friends for user at time t, best
// first: people whose number user has (when their "suggest to contacts" is
// on), their Facebook friends (when "suggest to Facebook friends" is on),
// and friends of their friends, a weaker signal that only ranks. Ties go to
// the user added to the store first, so the answer is deterministic.
//
// Nobody user follows already is suggested, nor anyone unavailable, nor
// anyone with a block between them in either direction. Suggestions never
// cross the line of 18: a minor is never suggested an adult, nor an adult a
// minor (an unknown age can be either, so it crosses nothing). Suggested
// friends are a contact channel, and this keeps them from being one between
// adults and children.
//
// An unknown user gets no suggestions and no error. RecommendAt takes no
// lock; under concurrent writes each user's relations are read as one
// snapshot, but different users' at slightly different times.
func (m *Memory[ID]) RecommendAt(_ context.Context, user ID, n int, t time.Time) ([]Suggestion[ID], error) {
	if n <= 0 {
		return nil, nil
	}
	ui, e, ok := m.users.Get(user)
	if !ok {
		return nil, nil
	}
	u := m.snapshot(&e.Val)
	if !u.user.Available() {
		return nil, nil
	}
	sc, _ := recPool.Get().(*recScratch)
	if sc == nil {
		sc = new(recScratch)
	}
	defer sc.release()
	// Every signal is an entry key<<32 | what, where key is the
	// candidate's key in sets (sortedset.Perm of its index): sorted, a
	// candidate's signals come together and add up, in the order of user's
	// own sets, which a merge then skips through. (A few thousand integers
	// sort faster than a map takes them, and each phase below is a loop of
	// independent loads, whose cache misses the CPU overlaps.)
	const (
		isContact  = 1 << 31
		isFacebook = 1 << 30
	)
	signals := sc.signals[:0]
	book := u.view.all(setBook, nil)
	owners := slices.Grow(sc.owners[:0], len(book))[:len(book)]
	for i, k := range book {
		owners[i] = m.keys.At(sortedset.Unperm(k)).Val.owner.Load()
	}
	for _, o := range owners {
		if o != 0 && m.users.At(o-1).Val.user.Load()&hideCF == 0 {
			signals = append(signals, uint64(sortedset.Perm(o-1))<<32|isContact)
		}
	}
	for _, k := range u.view.all(setFacebook, nil) {
		if m.users.At(sortedset.Unperm(k)).Val.user.Load()&hideFF == 0 {
			signals = append(signals, uint64(k)<<32|isFacebook)
		}
	}
	friends := u.view.friends(sc.friends[:0], &sc.scratch)
	views := slices.Grow(sc.views[:0], len(friends))[:len(friends)]
	for i, f := range friends {
		m.users.At(sortedset.Unperm(f)).Val.load(&views[i])
	}
	pu := sortedset.Perm(ui)
	fof := sc.fof
	for i := range views {
		fof = views[i].friends(fof[:0], &sc.scratch)
		for _, k := range fof {
			if k != pu {
				signals = append(signals, uint64(k)<<32|1)
			}
		}
	}
	slices.Sort(signals)
	sc.signals, sc.owners, sc.friends, sc.views, sc.fof = signals, owners, friends, views, fof

	// One candidate per key, with its score; those user follows or
	// blocked are out already (merged against user's sets, in the same
	// order), and their own facts are read only for the few that rank.
	cands := sc.cands[:0]
	ranked := sc.ranked[:0] // (maxScore - score)<<53 | idx<<21 | position in cands
	const maxScore = scoreContact + scoreFacebook + recommendMutualCap
	follows, blocks := u.view.all(setOut, nil), u.view.all(setBlocks, nil)
	for i := 0; i < len(signals); {
		key := uint32(signals[i] >> 32)
		c := recCandidate{idx: sortedset.Unperm(key)}
		var contact, facebook bool
		for ; i < len(signals) && uint32(signals[i]>>32) == key; i++ {
			w := uint32(signals[i])
			contact = contact || w&isContact != 0
			facebook = facebook || w&isFacebook != 0
			c.mutuals += int(w & 1)
		}
		for len(follows) > 0 && follows[0] < key {
			follows = follows[1:]
		}
		for len(blocks) > 0 && blocks[0] < key {
			blocks = blocks[1:]
		}
		if key == pu || (len(follows) > 0 && follows[0] == key) || (len(blocks) > 0 && blocks[0] == key) {
			continue
		}
		c.score, c.reason = min(c.mutuals, recommendMutualCap), SuggestFriendOfFriend
		if facebook {
			c.score, c.reason = c.score+scoreFacebook, SuggestFacebook
		}
		if contact {
			c.score, c.reason = c.score+scoreContact, SuggestContact
		}
		// Ties go to the user added first: by idx.
		ranked = append(ranked, uint64(maxScore-c.score)<<53|uint64(c.idx)<<21|uint64(len(cands)))
		cands = append(cands, c)
	}
	// Most candidates rank far below the first n: keep the best few in a
	// small sorted array instead of sorting them all, and sort them all
	// only if filtering rejects so many that the few run out.
	sc.cands, sc.ranked = cands, ranked
	best := topKeys(sc.best[:0], ranked, n+m.pool)
	sc.best = best
	if len(cands) >= 1<<21 {
		// Too many to pack positions: sort the candidates themselves.
		slices.SortFunc(cands, func(a, b recCandidate) int {
			if a.score != b.score {
				return b.score - a.score
			}
			return int(a.idx) - int(b.idx)
		})
		best, ranked = nil, nil
	}
	next := func(i int) *recCandidate {
		switch {
		case best == nil:
			return &cands[i]
		case i == len(best) && len(best) < len(ranked):
			slices.Sort(ranked) // the few ran out: all of them, in order
			best = ranked
		}
		if i >= len(best) {
			return nil
		}
		return &cands[best[i]&(1<<21-1)]
	}

	// Filter in rank order, reading only as many candidates as it takes.
	uYoung, uOld := u.user.AgeRange(t)
	var out []Suggestion[ID]
	for i := range cands {
		if len(out) == n {
			break
		}
		c := next(i)
		if c == nil {
			break
		}
		ce := m.users.At(c.idx)
		cs := m.snapshot(&ce.Val)
		if !cs.user.Available() || cs.view.has(setBlocks, pu) {
			continue
		}
		cYoung, cOld := cs.user.AgeRange(t)
		if (uYoung < 18 && cOld >= 18) || (uOld >= 18 && cYoung < 18) {
			continue
		}
		out = append(out, Suggestion[ID]{ID: ce.Key, Reason: c.reason, Mutuals: c.mutuals, Score: c.score})
	}
	return out, nil
}

// topKeys returns the k smallest of keys, sorted (all of them if fewer), in
// best's array.
func topKeys(best, keys []uint64, k int) []uint64 {
	best = slices.Grow(best[:0], k+1)
	for _, x := range keys {
		if len(best) == k && x >= best[k-1] {
			continue
		}
		i, _ := slices.BinarySearch(best, x)
		best = slices.Insert(best, i, x)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

// recCandidate is one suggestion in the making.
type recCandidate struct {
	idx     uint32
	mutuals int
	reason  SuggestReason
	score   int
}

// recScratch is the working memory of a RecommendAt, reused (a call on a
// user with hundreds of contacts and follows would otherwise allocate a
// few hundred kilobytes, and the collector would mark the whole store
// that much more often).
type recScratch struct {
	signals               []uint64
	owners                []uint32
	views                 []view
	friends, fof, scratch []uint32
	cands                 []recCandidate
	ranked, best          []uint64
}

var recPool sync.Pool

func (sc *recScratch) release() {
	clear(sc.views) // they point at blocks
	if cap(sc.signals) > 1<<20 {
		return // an outsized call: let it go
	}
	recPool.Put(sc)
}

// all appends set i's keys to dst, whatever form the set takes.
func (v *view) all(i int, dst []uint32) []uint32 {
	if v.x != nil && v.x.big[i] != nil {
		return v.x.big[i].AppendFrom(dst, 0, -1)
	}
	if dst == nil {
		return v.set(i)
	}
	return append(dst, v.set(i)...)
}

// friends appends to dst the keys of the users who follow this one and
// whom this one follows, using scratch for big sets.
func (v *view) friends(dst []uint32, scratch *[]uint32) []uint32 {
	out, in := v.set(setOut), v.set(setIn)
	if v.x != nil && (v.x.big[setOut] != nil || v.x.big[setIn] != nil) {
		if *scratch == nil {
			*scratch = make([]uint32, 0, v.size(setOut)+v.size(setIn))
		}
		*scratch = v.all(setOut, (*scratch)[:0])
		mid := len(*scratch)
		*scratch = v.all(setIn, *scratch)
		out, in = (*scratch)[:mid], (*scratch)[mid:]
	}
	return sortedset.Intersect(dst, out, in)
}
