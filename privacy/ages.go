package privacy

import (
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

// maxTrackedAge is the oldest age the cutoff table tells apart; every age a
// rule compares with (a policy's minimum and adult ages, the bands' 13, 16
// and 18) is at most this, so a user older is simply "at least this".
const maxTrackedAge = 40

// ageTable answers "how old is a user born on this day" for one decision
// day with integer comparisons: cut[n] is the day number of the latest
// birth date at which a user is n or older. Computing an age from a
// time.Time costs two calendar conversions per user; a decision needs two
// users, so the engine keeps the table of the current day and shares it.
type ageTable struct {
	day int64
	cut [maxTrackedAge + 1]int64
}

// dayNumber is t's UTC calendar day, counted from the Unix epoch.
func dayNumber(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func newAgeTable(at time.Time) *ageTable {
	t := &ageTable{day: dayNumber(at)}
	for n := range t.cut {
		t.cut[n] = dayNumber(graph.BirthForAge(at, n))
	}
	return t
}

// ageCache holds the table of the last day asked about.
type ageCache struct{ p atomic.Pointer[ageTable] }

func (c *ageCache) at(at time.Time) *ageTable {
	if t := c.p.Load(); t != nil && t.day == dayNumber(at) {
		return t
	}
	t := newAgeTable(at)
	c.p.Store(t)
	return t
}

// rangeOf returns the youngest and oldest u can be at the table's day, as
// graph.User.AgeRange does, with ages above maxTrackedAge reported as
// maxTrackedAge (or more). Users without a plain birth date, or born after
// the day, take the exact path.
func (t *ageTable) rangeOf(u *graph.User, at time.Time) (young, old int) {
	if u.Birth.IsZero() {
		return u.AgeRange(at)
	}
	b := dayNumber(u.Birth)
	if b > t.cut[0] {
		return u.AgeRange(at) // born after the decision's day
	}
	if b <= t.cut[maxTrackedAge] {
		return maxTrackedAge, maxTrackedAge
	}
	// cut is decreasing: find the largest n with b <= cut[n]. Days over
	// 365.25 is within one of it; the two loops settle the rest.
	n := min(int((t.day-b)*4/1461), maxTrackedAge)
	for n < maxTrackedAge && b <= t.cut[n+1] {
		n++
	}
	for n > 0 && b > t.cut[n] {
		n--
	}
	return n, n
}
