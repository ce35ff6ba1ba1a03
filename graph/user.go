package graph

import (
	"fmt"
	"math"
	"time"
)

// Status is an account's state. The zero value, [StatusUnknown], means there
// is no such account, and every policy treats it as unavailable.
type Status uint8

// Account states.
const (
	StatusUnknown Status = iota // no such account (the zero value)
	Active                      // a normal, reachable account
	Deactivated                 // closed by its owner, may come back
	Suspended                   // closed by the platform
	Deleted                     // gone for good
)

var statusNames = [...]string{"unknown", "active", "deactivated", "suspended", "deleted"}

// String returns the status's text form: unknown, active, deactivated,
// suspended or deleted.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// ParseStatus returns the status named by text (as written by [Status.String]).
// It accepts every state but unknown.
func ParseStatus(text string) (Status, error) {
	for i, n := range statusNames[1:] {
		if n == text {
			return Status(i + 1), nil
		}
	}
	return StatusUnknown, fmt.Errorf("graph: unknown account status %q (want active, deactivated, suspended or deleted)", text)
}

// MarshalText implements [encoding.TextMarshaler].
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; unknown names are errors.
func (s *Status) UnmarshalText(text []byte) error {
	v, err := ParseStatus(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// AgeBand is a range of ages. It is how a platform knows the age of a user
// whose age was verified (by an ID check or an estimate) rather than
// declared as a birth date. The zero value, [AgeUnknown], is treated as the
// youngest possible age by every rule: unknown ages fail closed.
type AgeBand uint8

// Age bands.
const (
	AgeUnknown AgeBand = iota // no age known: treated as under 13
	AgeUnder13                // not allowed on most platforms
	Age13to15
	Age16to17
	Age18Plus
)

// NumAgeBands is the number of AgeBand values, for tables indexed by band.
const NumAgeBands = 5

var bandNames = [...]string{"unknown", "under13", "13-15", "16-17", "18+"}

// bandRange holds the youngest and oldest whole age in each band.
var bandRange = [...][2]int{
	AgeUnknown: {0, math.MaxInt},
	AgeUnder13: {0, 12},
	Age13to15:  {13, 15},
	Age16to17:  {16, 17},
	Age18Plus:  {18, math.MaxInt},
}

// String returns the band's text form: unknown, under13, 13-15, 16-17 or 18+.
func (b AgeBand) String() string {
	if int(b) < len(bandNames) {
		return bandNames[b]
	}
	return fmt.Sprintf("AgeBand(%d)", uint8(b))
}

// ParseAgeBand returns the band named by text (as written by [AgeBand.String]).
func ParseAgeBand(text string) (AgeBand, error) {
	for i, n := range bandNames {
		if n == text {
			return AgeBand(i), nil
		}
	}
	return AgeUnknown, fmt.Errorf("graph: unknown age band %q (want under13, 13-15, 16-17 or 18+)", text)
}

// BandOf returns the band an exact age in whole years falls in.
func BandOf(years int) AgeBand {
	switch {
	case years < 13:
		return AgeUnder13
	case years < 16:
		return Age13to15
	case years < 18:
		return Age16to17
	default:
		return Age18Plus
	}
}

// User is what the rules need to know about an account. It holds no age,
// only what an age is computed from at decision time: a user turns 16 and 18
// on a day, and decisions flip that day.
//
// The zero User is an unknown account ([StatusUnknown]) of unknown age with
// suggestions on: a reader returns it for an ID it does not know.
type User struct {
	// Status is the account's state; only Active accounts send or receive.
	Status Status

	// Birth is the date of birth (its UTC calendar date is used). When it
	// is zero, the age comes from Band as of BandAsOf.
	Birth time.Time

	// Band is a verified age band, valid on the date BandAsOf. It is used
	// only when Birth is zero. A user verified as 16–17 on a date may be
	// older since: [User.AgeRange] gives the youngest and oldest they can
	// be at a later time, and each rule takes the side that protects.
	Band     AgeBand
	BandAsOf time.Time

	// Verified marks an identity-verified account (X's "Verified users").
	Verified bool

	// HideFromContacts turns off "suggest your account to people who have
	// your number": the user is then never a recommended friend of someone
	// through their synced contacts.
	HideFromContacts bool

	// HideFromFacebook turns off "suggest your account to your Facebook
	// friends".
	HideFromFacebook bool
}

// Available reports whether the account is active: deactivated, suspended,
// deleted and unknown accounts neither send nor receive.
func (u User) Available() bool { return u.Status == Active }

// AgeRange returns the youngest and the oldest the user can be at time t, in
// whole years. With a birth date both are the exact age. With a verified
// band they bound every birth date consistent with the band on BandAsOf.
// With neither, the range is [0, MaxInt]: an unknown age may be anything.
func (u User) AgeRange(t time.Time) (youngest, oldest int) {
	if !u.Birth.IsZero() {
		a := yearsBetween(u.Birth, t)
		return a, a
	}
	if !u.AgeKnown() {
		return 0, math.MaxInt
	}
	r := bandRange[u.Band]
	youngest = yearsBetween(BirthForAge(u.BandAsOf, r[0]), t)
	oldest = math.MaxInt
	if r[1] != math.MaxInt {
		// The earliest birth still in the band on BandAsOf: the day after
		// someone turned r[1]+1.
		earliest := BirthForAge(u.BandAsOf, r[1]+1).AddDate(0, 0, 1)
		oldest = yearsBetween(earliest, t)
	}
	return max(youngest, 0), max(oldest, 0)
}

// AgeKnown reports whether the user has a birth date or a dated verified
// band.
func (u User) AgeKnown() bool {
	return !u.Birth.IsZero() || (u.Band != AgeUnknown && int(u.Band) < len(bandRange) && !u.BandAsOf.IsZero())
}

// BandAt returns the age band of the youngest age the user can be at t: the
// band that protects them most.
func (u User) BandAt(t time.Time) AgeBand {
	if !u.AgeKnown() {
		return AgeUnknown
	}
	y, _ := u.AgeRange(t)
	return BandOf(y)
}

// BirthForAge returns the latest birth date at which someone is the given
// number of whole years old on the UTC date of t: the same calendar day,
// years earlier. A user with this birth date turned that age on that day,
// except on 29 February: when the birth year has none, the date is 28
// February, and the user turned that age the day before.
func BirthForAge(t time.Time, years int) time.Time {
	y, m, d := t.UTC().Date()
	y -= years
	if m == time.February && d == 29 && !isLeap(y) {
		d = 28
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// yearsBetween returns the whole years from birth to t, by UTC calendar date.
// Someone born on 29 February turns a year older on 1 March in years
// without one.
func yearsBetween(birth, t time.Time) int {
	by, bm, bd := birth.UTC().Date()
	ty, tm, td := t.UTC().Date()
	a := ty - by
	if tm < bm || (tm == bm && td < bd) {
		a--
	}
	return a
}
