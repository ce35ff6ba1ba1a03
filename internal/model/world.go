package model

import (
	"maps"
	"math"
	"slices"
	"time"
)

// The TikTok preset's numbers, from the specification in package privacy.
const (
	MinAge        = 16             // the minimum DM age (steps 2b and 4)
	AdultAge      = 18             // 18+ is an adult (step 4b, defaults, Everyone)
	RequestCap    = 20             // pending requests a sender may have started in the window (step 12)
	RequestWindow = 24 * time.Hour // the cap's window: (at − 24 h, at]
)

// User is what the model knows about an account.
type User struct {
	// Status is active, deactivated, suspended or deleted.
	Status string

	// Birth is the date of birth (its UTC calendar date counts). When it
	// is zero, the age comes from Band as of BandAsOf, and with no band
	// either the age is unknown.
	Birth time.Time

	// Band is a verified age band on the date BandAsOf: under13, 13-15,
	// 16-17 or 18+; empty if none.
	Band     string
	BandAsOf time.Time

	Verified         bool
	HideFromContacts bool // "suggest my account to my contacts" is off
	HideFromFacebook bool // "suggest my account to my Facebook friends" is off
}

// Conversation is the thread of an unordered pair.
type Conversation struct {
	Starter string
	State   string // pending, held, accepted or declined
	Started time.Time
}

// World is every fact of the model. The zero World is not usable; call
// [NewWorld].
type World struct {
	// Users by name. A name missing here is an unknown account.
	Users map[string]User

	// Follows, Blocks and Restricts hold {from, to}: from follows, blocked
	// or restricted to.
	Follows   map[[2]string]bool
	Blocks    map[[2]string]bool
	Restricts map[[2]string]bool

	// Facebook holds both {a, b} and {b, a} for Facebook friends.
	Facebook map[[2]string]bool

	// Keys is each user's own contact key (their hashed number).
	Keys map[string]string

	// Contacts is each user's synced address book, as a set of keys.
	// A has B's number when Contacts[A] holds Keys[B].
	Contacts map[string]map[string]bool

	// Modes is each user's chosen inbox mode: everyone, suggested,
	// friends or noone. A user missing here never chose.
	Modes map[string]string

	// Conversations by [PairKey].
	Conversations map[[2]string]Conversation

	// OtherRequests is, per sender, the start times of pending requests
	// to people outside Users (they count toward the cap like any other).
	OtherRequests map[string][]time.Time
}

// NewWorld returns an empty world.
func NewWorld() *World {
	return &World{
		Users:         map[string]User{},
		Follows:       map[[2]string]bool{},
		Blocks:        map[[2]string]bool{},
		Restricts:     map[[2]string]bool{},
		Facebook:      map[[2]string]bool{},
		Keys:          map[string]string{},
		Contacts:      map[string]map[string]bool{},
		Modes:         map[string]string{},
		Conversations: map[[2]string]Conversation{},
		OtherRequests: map[string][]time.Time{},
	}
}

// Clone returns a deep copy of w.
func (w *World) Clone() *World {
	c := &World{
		Users:         maps.Clone(w.Users),
		Follows:       maps.Clone(w.Follows),
		Blocks:        maps.Clone(w.Blocks),
		Restricts:     maps.Clone(w.Restricts),
		Facebook:      maps.Clone(w.Facebook),
		Keys:          maps.Clone(w.Keys),
		Contacts:      map[string]map[string]bool{},
		Modes:         maps.Clone(w.Modes),
		Conversations: maps.Clone(w.Conversations),
		OtherRequests: map[string][]time.Time{},
	}
	for u, book := range w.Contacts {
		c.Contacts[u] = maps.Clone(book)
	}
	for u, ts := range w.OtherRequests {
		c.OtherRequests[u] = slices.Clone(ts)
	}
	return c
}

// Names returns the users' names, sorted.
func (w *World) Names() []string {
	return slices.Sorted(maps.Keys(w.Users))
}

// PairKey returns the key of the unordered pair {a, b} in Conversations.
func PairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// Friends reports whether a and b follow each other.
func (w *World) Friends(a, b string) bool {
	return w.Follows[[2]string{a, b}] && w.Follows[[2]string{b, a}]
}

// HasNumber reports whether a has b's number: a's synced contacts hold
// b's key.
func (w *World) HasNumber(a, b string) bool {
	k := w.Keys[b]
	return k != "" && w.Contacts[a][k]
}

// Mode returns the mode that applies to user at time at: the one they
// chose, or else NoOne under 18 and Friends from 18. A chosen Everyone
// counts as the default while the user may be under 18 (the fail-safe:
// Everyone is for adults, and a birth date corrected downward must not
// leave a minor in it).
func (w *World) Mode(user string, at time.Time) string {
	youngest, _ := w.Users[user].Ages(at)
	if m, ok := w.Modes[user]; ok && (m != "everyone" || youngest >= AdultAge) {
		return m
	}
	if youngest >= AdultAge {
		return "friends"
	}
	return "noone"
}

// PendingCount is how many requests sender has pending that started in
// (at − 24 h, at].
func (w *World) PendingCount(sender string, at time.Time) int {
	inWindow := func(t time.Time) bool {
		return t.After(at.Add(-RequestWindow)) && !t.After(at)
	}
	n := 0
	for _, c := range w.Conversations {
		if c.Starter == sender && c.State == "pending" && inWindow(c.Started) {
			n++
		}
	}
	for _, t := range w.OtherRequests[sender] {
		if inWindow(t) {
			n++
		}
	}
	return n
}

// pendingSince is how many requests sender has pending that started after
// at − 24 h, later than at included: what a send counts, so that a send
// whose clock lags another's still sees the other's request.
func (w *World) pendingSince(sender string, at time.Time) int {
	n := w.PendingCount(sender, at)
	for _, c := range w.Conversations {
		if c.Starter == sender && c.State == "pending" && c.Started.After(at) {
			n++
		}
	}
	for _, t := range w.OtherRequests[sender] {
		if t.After(at) {
			n++
		}
	}
	return n
}

// Ages returns the youngest and the oldest u can be at time at, in whole
// years: both the exact age with a birth date; the bounds of every birth
// date that was in the band on BandAsOf with a band; 0 and MaxInt with
// neither.
func (u User) Ages(at time.Time) (youngest, oldest int) {
	if !u.Birth.IsZero() {
		a := yearsOld(u.Birth, at)
		return a, a
	}
	var lo, hi int
	switch u.Band {
	case "under13":
		lo, hi = 0, 12
	case "13-15":
		lo, hi = 13, 15
	case "16-17":
		lo, hi = 16, 17
	case "18+":
		lo, hi = 18, math.MaxInt
	default:
		return 0, math.MaxInt
	}
	if u.BandAsOf.IsZero() {
		return 0, math.MaxInt
	}
	// The youngest was born on the day they turned lo on BandAsOf.
	youngest = max(0, yearsOld(birthday(u.BandAsOf, lo), at))
	if hi == math.MaxInt {
		return youngest, math.MaxInt
	}
	// The oldest was born the day after someone who turned hi+1 on
	// BandAsOf.
	oldest = max(0, yearsOld(birthday(u.BandAsOf, hi+1).AddDate(0, 0, 1), at))
	return youngest, oldest
}

// yearsOld is someone's age in whole years on the UTC date of at.
func yearsOld(birth, at time.Time) int {
	by, bm, bd := birth.UTC().Date()
	y, m, d := at.UTC().Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age-- // the birthday has not come yet this year
	}
	return age
}

// birthday returns the birth date of someone who turns years old on the
// UTC date of t: 28 February stands in for a 29th that does not exist.
func birthday(t time.Time, years int) time.Time {
	y, m, d := t.UTC().Date()
	y -= years
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	if m == time.February && d == 29 && !leap {
		d = 28
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
