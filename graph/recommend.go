package graph

import (
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
// An unknown user gets no suggestions and no error.
func (m *Memory[ID]) RecommendAt(_ context.Context, user ID, n int, t time.Time) ([]Suggestion[ID], error) {
	if n <= 0 {
		return nil, nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	ui, ok := m.index[user]
	if !ok {
		return nil, nil
	}
	u := &m.nodes[ui]
	if !u.user.Available() {
		return nil, nil
	}
	type cand struct {
		contact, facebook bool
		mutuals           int
	}
	cands := make(map[uint32]*cand)
	get := func(c uint32) *cand {
		p := cands[c]
		if p == nil {
			p = &cand{}
			cands[c] = p
		}
		return p
	}
	for _, k := range u.book {
		if owner := m.keyOwner[k]; owner != 0 {
			if c := owner - 1; !m.nodes[c].user.HideFromContacts {
				get(c).contact = true
			}
		}
	}
	for _, c := range u.facebook {
		if !m.nodes[c].user.HideFromFacebook {
			get(c).facebook = true
		}
	}
	for _, f := range m.friends(ui) {
		for _, c := range m.friends(f) {
			if c != ui {
				get(c).mutuals++
			}
		}
	}

	uYoung, uOld := u.user.AgeRange(t)
	out := make([]Suggestion[ID], 0, min(n, len(cands)))
	idx := make([]uint32, 0, len(cands))
	for c, p := range cands {
		cn := &m.nodes[c]
		switch {
		case c == ui, !cn.user.Available(),
			sortedset.Contains(u.following, c),
			sortedset.Contains(u.blocks, c), sortedset.Contains(cn.blocks, ui):
			continue
		}
		cYoung, cOld := cn.user.AgeRange(t)
		if (uYoung < 18 && cOld >= 18) || (uOld >= 18 && cYoung < 18) {
			continue
		}
		if !p.contact && !p.facebook && p.mutuals == 0 {
			continue
		}
		idx = append(idx, c)
	}
	score := func(c uint32) (int, SuggestReason) {
		p := cands[c]
		s, r := min(p.mutuals, recommendMutualCap), SuggestFriendOfFriend
		if p.facebook {
			s, r = s+scoreFacebook, SuggestFacebook
		}
		if p.contact {
			s, r = s+scoreContact, SuggestContact
		}
		return s, r
	}
	slices.SortFunc(idx, func(a, b uint32) int {
		sa, _ := score(a)
		sb, _ := score(b)
		if sa != sb {
			return sb - sa
		}
		return int(a) - int(b)
	})
	for _, c := range idx[:min(n, len(idx))] {
		s, r := score(c)
		out = append(out, Suggestion[ID]{ID: m.nodes[c].id, Reason: r, Mutuals: cands[c].mutuals, Score: s})
	}
	return out, nil
}

// friends returns the users who follow i and whom i follows, in index order.
func (m *Memory[ID]) friends(i uint32) []uint32 {
	n := &m.nodes[i]
	var out []uint32
	a, b := n.following, n.followers
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			out = append(out, a[0])
			a, b = a[1:], b[1:]
		}
	}
	return out
}
