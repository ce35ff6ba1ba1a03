package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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
	type cand struct {
		contact, facebook bool
		mutuals           int
	}
	cands := make(map[uint32]cand)
	for _, k := range u.view.all(setBook, nil) {
		if owner := m.keys.At(sortedset.Unperm(k)).Val.owner.Load(); owner != 0 {
			c := owner - 1
			if m.users.At(c).Val.user.Load()&hideCF == 0 {
				p := cands[c]
				p.contact = true
				cands[c] = p
			}
		}
	}
	for _, k := range u.view.all(setFacebook, nil) {
		c := sortedset.Unperm(k)
		if m.users.At(c).Val.user.Load()&hideFF == 0 {
			p := cands[c]
			p.facebook = true
			cands[c] = p
		}
	}
	var scratch []uint32
	friends := u.view.friends(nil, &scratch)
	var fof []uint32
	for _, f := range friends {
		fv := m.users.At(sortedset.Unperm(f)).Val.view()
		fof = fv.friends(fof[:0], &scratch)
		for _, k := range fof {
			if c := sortedset.Unperm(k); c != ui {
				p := cands[c]
				p.mutuals++
				cands[c] = p
			}
		}
	}

	type scored struct {
		idx    uint32
		score  int
		reason SuggestReason
	}
	ranked := make([]scored, 0, len(cands))
	for c, p := range cands {
		s, r := min(p.mutuals, recommendMutualCap), SuggestFriendOfFriend
		if p.facebook {
			s, r = s+scoreFacebook, SuggestFacebook
		}
		if p.contact {
			s, r = s+scoreContact, SuggestContact
		}
		if p.contact || p.facebook || p.mutuals > 0 {
			ranked = append(ranked, scored{c, s, r})
		}
	}
	slices.SortFunc(ranked, func(a, b scored) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return cmp.Compare(a.idx, b.idx)
	})

	// Filter in rank order, reading only as many candidates as it takes.
	uYoung, uOld := u.user.AgeRange(t)
	pu := sortedset.Perm(ui)
	var out []Suggestion[ID]
	for _, s := range ranked {
		if len(out) == n {
			break
		}
		pc := sortedset.Perm(s.idx)
		if s.idx == ui || u.view.has(setOut, pc) || u.view.has(setBlocks, pc) {
			continue
		}
		ce := m.users.At(s.idx)
		cs := m.snapshot(&ce.Val)
		if !cs.user.Available() || cs.view.has(setBlocks, pu) {
			continue
		}
		cYoung, cOld := cs.user.AgeRange(t)
		if (uYoung < 18 && cOld >= 18) || (uOld >= 18 && cYoung < 18) {
			continue
		}
		out = append(out, Suggestion[ID]{ID: ce.Key, Reason: s.reason, Mutuals: cands[s.idx].mutuals, Score: s.score})
	}
	return out, nil
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
