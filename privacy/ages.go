package privacy

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

// Ages without calendars. A person's age is known as the range of days
// they can have been born on: from earliest to latest (both the same day
// for a birth date; a verified band gives a range; an unknown age, every
// day). A rule "at least n years old" compares the day with cut[n], the
// latest birth day at which someone is n on the decision's day, so a
// decision computes no dates: the cut-offs of the day are computed once
// and shared (see dayCuts).

// person is one account as the decision function reads it.
type person struct {
	status   graph.Status
	verified bool
	hideC    bool  // "suggest me to my contacts" is off
	hideF    bool  // "suggest me to my Facebook friends" is off
	known    bool  // the age is known
	latest   int32 // the latest day they can have been born: their youngest age
	earliest int32 // the earliest: their oldest age
}

const (
	dayInf  = math.MaxInt32
	dayNInf = math.MinInt32
)

// dayNumber is t's UTC calendar day, counted from the Unix epoch.
func dayNumber(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func clampDay(d int64) int32 { return int32(max(min(d, dayInf-1), dayNInf+1)) }

// personOf reads u's facts.
func personOf(u *graph.User) person {
	var p person
	p.read(u)
	return p
}

// read sets p to u's facts, in place: the decision's facts are read field
// by field, and writing them where they are read saves copying a struct
// whose fields were just written one byte at a time.
func (p *person) read(u *graph.User) {
	p.status, p.verified, p.hideC, p.hideF = u.Status, u.Verified, u.HideFromContacts, u.HideFromFacebook
	if !u.Birth.IsZero() {
		d := clampDay(dayNumber(u.Birth))
		p.latest, p.earliest, p.known = d, d, true
		return
	}
	p.readBand(u)
}

// readBand is read for a user without a birth date: a verified band, or
// no age at all.
func (p *person) readBand(u *graph.User) {
	switch {
	case u.AgeKnown():
		lo, hi := bandRange(u.Band)
		asOf := dayNumber(u.BandAsOf)
		p.latest = clampDay(birthForAge(asOf, lo))
		p.earliest = dayNInf
		if hi != math.MaxInt {
			p.earliest = clampDay(birthForAge(asOf, hi+1) + 1)
		}
		p.known = true
	default:
		p.latest, p.earliest, p.known = dayInf, dayNInf, false
	}
}

// birthForAge is graph.BirthForAge on day numbers: the day n years before
// day, the same calendar day (28 February for a 29th in a year without
// one). It is calendar arithmetic without package time, for the decisions
// about users of a verified band.
func birthForAge(day int64, n int) int64 {
	y, m, d := civil(day)
	y -= int64(n)
	if m == 2 && d == 29 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		d = 28
	}
	return daysOf(y, m, d)
}

// civil returns the proleptic Gregorian date of a day number (days since
// 1970-01-01), and daysOf the reverse (Howard Hinnant's algorithms).
func civil(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func daysOf(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// bandRange is the youngest and oldest whole age of a band.
func bandRange(b graph.AgeBand) (int, int) {
	switch b {
	case graph.AgeUnder13:
		return 0, 12
	case graph.Age13to15:
		return 13, 15
	case graph.Age16to17:
		return 16, 17
	case graph.Age18Plus:
		return 18, math.MaxInt
	}
	return 0, math.MaxInt
}

// The ages the rules compare with, as slots of dayCuts.cut.
const (
	cutMin      = iota // the policy's minimum age
	cutAdult           // its age of majority
	cutGroupMin        // the minimum age for group chats
	cut13              // the bands' lines
	cut16
	cut18
	numCuts
)

// dayCuts are the cut-offs of one decision day: cut[i] is the latest birth
// day at which someone is ages[i] years old on that day.
type dayCuts struct {
	day int64
	cut [numCuts]int32
}

func newDayCuts(day int64, ages *[numCuts]int) *dayCuts {
	c := &dayCuts{day: day}
	t := time.Unix(day*86400, 0).UTC()
	for i, n := range ages {
		c.cut[i] = clampDay(dayNumber(graph.BirthForAge(t, n)))
	}
	return c
}

// atLeast reports whether p is at least the age of slot i: their youngest
// age, the side that protects.
func (c *dayCuts) atLeast(p *person, i int) bool { return p.latest <= c.cut[i] }

// mayBe reports whether p may be the age of slot i or older: their oldest
// age.
func (c *dayCuts) mayBe(p *person, i int) bool { return p.earliest <= c.cut[i] }

// band returns the age band of p's youngest age; AgeUnknown when no age is
// known.
func (c *dayCuts) band(p *person) graph.AgeBand {
	switch {
	case !p.known:
		return graph.AgeUnknown
	case p.latest <= c.cut[cut18]:
		return graph.Age18Plus
	case p.latest <= c.cut[cut16]:
		return graph.Age16to17
	case p.latest <= c.cut[cut13]:
		return graph.Age13to15
	}
	return graph.AgeUnder13
}

// ageRange returns p's youngest and oldest age at day, for traces.
func ageRange(p *person, at time.Time) (int, int) {
	u := graph.User{}
	if !p.known {
		return 0, math.MaxInt
	}
	u.Birth = time.Unix(int64(p.latest)*86400, 0).UTC()
	young, _ := u.AgeRange(at)
	old := math.MaxInt
	if p.earliest != dayNInf {
		u.Birth = time.Unix(int64(p.earliest)*86400, 0).UTC()
		old, _ = u.AgeRange(at)
	}
	return young, old
}

// cutCache holds the cut-offs of the last day asked about.
type cutCache struct{ p atomic.Pointer[dayCuts] }

func (cc *cutCache) at(t time.Time, ages *[numCuts]int) *dayCuts {
	d := dayNumber(t)
	if c := cc.p.Load(); c != nil && c.day == d {
		return c
	}
	return cc.refresh(d, ages)
}

func (cc *cutCache) refresh(d int64, ages *[numCuts]int) *dayCuts {
	c := newDayCuts(d, ages)
	cc.p.Store(c)
	return c
}
