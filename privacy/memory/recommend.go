package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
	"github.com/dmprivacy/dmprivacy/internal/seqlock"
)

// Scores of each signal. A contact or Facebook link outranks any number of
// mutual friends up to recommendMutualCap.
const (
	scoreContact       = 1000
	scoreFacebook      = 500
	recommendMutualCap = 100
	recommendPool      = 32 // candidates ranked beyond n before filtering
)

// Recommend is RecommendAt at the current time.
func (s *Store[ID]) Recommend(ctx context.Context, user ID, n int) ([]graph.Suggestion[ID], error) {
	return s.RecommendAt(ctx, user, n, time.Now())
}

// RecommendAt returns up to n suggested friends for user at time t, best
// first: people whose number user has (when their "suggest to contacts" is
// on), their Facebook friends (when "suggest to Facebook friends" is on),
// and friends of their friends, a weaker signal that only ranks. Ties go
// to the lower record index, so the answer is deterministic.
//
// Nobody user follows already is suggested, nor anyone unavailable, nor
// anyone with a block between them in either direction. Suggestions never
// cross the line of 18: a minor is never suggested an adult, nor an adult a
// minor (an unknown age can be either, so it crosses nothing). Suggested
// friends are a contact channel, and this keeps them from being one between
// adults and children.
//
// An unknown user gets no suggestions and no error. Each user's relations
// are read as one snapshot, different users' at slightly different times.
func (s *Store[ID]) RecommendAt(_ context.Context, user ID, n int, t time.Time) ([]graph.Suggestion[ID], error) {
	if n <= 0 {
		return nil, nil
	}
	ui, r, ok := s.lookup(user)
	if !ok {
		return nil, nil
	}
	sc, _ := recPool.Get().(*recScratch)
	if sc == nil {
		sc = new(recScratch)
	}
	defer sc.release()
	u := s.snap(r, &sc.me)
	var uu graph.User
	unpackUser(&uu, u.user)
	if !uu.Available() {
		return nil, nil
	}
	// Every signal is an entry key<<32 | what, where key is the
	// candidate's key in sets: sorted, a candidate's signals come
	// together and add up.
	const (
		isContact  = 1 << 31
		isFacebook = 1 << 30
	)
	signals := sc.signals[:0]
	for _, k := range u.book {
		kr := s.keys.rec(unpermOf(k))
		if kr == nil {
			continue
		}
		if o := kr.owner.Load(); o != 0 {
			if or := s.rec(o - 1); or != nil && or.user.Load()&hideCF == 0 {
				signals = append(signals, uint64(permOf(o-1))<<32|isContact)
			}
		}
	}
	for _, k := range u.fb {
		if or := s.rec(unpermOf(k)); or != nil && or.user.Load()&hideFF == 0 {
			signals = append(signals, uint64(k)<<32|isFacebook)
		}
	}
	pu := permOf(ui)
	friends := intersect(sc.friends[:0], u.out, u.in)
	for _, f := range friends {
		fr := s.rec(unpermOf(f))
		if fr == nil {
			continue
		}
		fs := s.snap(fr, &sc.other)
		sc.fof = intersect(sc.fof[:0], fs.out, fs.in)
		for _, k := range sc.fof {
			if k != pu {
				signals = append(signals, uint64(k)<<32|1)
			}
		}
	}
	slices.Sort(signals)
	sc.signals, sc.friends = signals, friends

	// One candidate per key, with its score; those user follows or
	// blocked are out already.
	cands := sc.cands[:0]
	follows, blocks := u.out, u.blocks
	for i := 0; i < len(signals); {
		key := uint32(signals[i] >> 32)
		c := recCandidate{idx: unpermOf(key), key: key}
		var contact, facebook bool
		for ; i < len(signals) && uint32(signals[i]>>32) == key; i++ {
			w := uint32(signals[i])
			contact = contact || w&isContact != 0
			facebook = facebook || w&isFacebook != 0
			c.mutuals += int(w & 1)
		}
		if key == pu || has(follows, key) || has(blocks, key) {
			continue
		}
		c.score, c.reason = min(c.mutuals, recommendMutualCap), graph.SuggestFriendOfFriend
		if facebook {
			c.score, c.reason = c.score+scoreFacebook, graph.SuggestFacebook
		}
		if contact {
			c.score, c.reason = c.score+scoreContact, graph.SuggestContact
		}
		cands = append(cands, c)
	}
	sc.cands = cands

	// Filter in rank order, reading only as many candidates as it takes:
	// a heap of the candidates, popped one at a time, since n is small
	// next to them (sorting them all was most of a call's time).
	uYoung, uOld := uu.AgeRange(t)
	var out []graph.Suggestion[ID]
	heapify(cands)
	for h := cands; len(out) < n && len(h) > 0; {
		var c recCandidate
		c, h = popBest(h)
		cr := s.rec(c.idx)
		if cr == nil {
			continue
		}
		cs := s.snap(cr, &sc.other)
		var cu graph.User
		unpackUser(&cu, cs.user)
		if !cu.Available() || has(cs.blocks, pu) {
			continue
		}
		cYoung, cOld := cu.AgeRange(t)
		if (uYoung < 18 && cOld >= 18) || (uOld >= 18 && cYoung < 18) {
			continue
		}
		out = append(out, graph.Suggestion[ID]{ID: cr.id, Reason: c.reason, Mutuals: c.mutuals, Score: c.score})
	}
	return out, nil
}

func has(s []uint32, k uint32) bool {
	_, ok := slices.BinarySearch(s, k)
	return ok
}

// ranksBefore reports whether a ranks before b: a higher score, then the
// lower record number (a stable order for equal scores).
func ranksBefore(a, b *recCandidate) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.idx < b.idx
}

// heapify orders h as a binary heap whose root ranks first.
func heapify(h []recCandidate) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
}

func siftDown(h []recCandidate, i int) {
	for {
		j := 2*i + 1
		if j >= len(h) {
			return
		}
		if r := j + 1; r < len(h) && ranksBefore(&h[r], &h[j]) {
			j = r
		}
		if !ranksBefore(&h[j], &h[i]) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}

// popBest removes the root of the heap h and returns it and the heap left.
func popBest(h []recCandidate) (recCandidate, []recCandidate) {
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	siftDown(h, 0)
	return top, h
}

// recCandidate is one suggestion in the making.
type recCandidate struct {
	idx, key uint32
	mutuals  int
	reason   graph.SuggestReason
	score    int
}

// userSnap is one user's facts and sets, copied out of the arena as one
// snapshot.
type userSnap struct {
	user                      uint64
	out, in, blocks, fb, book []uint32
}

// snap copies r's sets into sn's slices, as one snapshot.
func (s *Store[ID]) snap(r *record[ID], sn *userSnap) *userSnap {
	var rd seqlock.Reader
	for ok := rd.Begin(&s.mu, &r.seq, &r.seq); ok; ok = rd.Retry() {
		var l layout
		l.decode(r.lens.Load())
		ref := r.rel.Load()
		sn.user = r.user.Load()
		sn.out = s.arena.appendSet(sn.out[:0], ref, &l, setOut, 0, -1)
		sn.in = s.arena.appendSet(sn.in[:0], ref, &l, setIn, 0, -1)
		sn.blocks = s.arena.appendSet(sn.blocks[:0], ref, &l, setBlocks, 0, -1)
		sn.fb = s.arena.appendSet(sn.fb[:0], ref, &l, setFacebook, 0, -1)
		sn.book = s.arena.appendSet(sn.book[:0], ref, &l, setBook, 0, -1)
	}
	return sn
}

// recScratch is the working memory of a RecommendAt, reused.
type recScratch struct {
	me, other    userSnap
	signals      []uint64
	friends, fof []uint32
	cands        []recCandidate
}

var recPool sync.Pool

func (sc *recScratch) release() {
	if cap(sc.signals) > 1<<20 || cap(sc.me.in) > 1<<20 {
		return // an outsized call: let it go
	}
	recPool.Put(sc)
}
