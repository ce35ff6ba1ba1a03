package privacy

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
)

// TestCutsMatchCalendar: the day's cut-offs answer every age question as
// the calendar does (graph.User.AgeRange and BandAt), for birth dates and
// verified bands, at any age a policy may name (the old age table stopped
// at 40), at decision times across leap days and day boundaries.
func TestCutsMatchCalendar(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(-3*366, 3*366).Draw(t, "day"))
		at := day.Add(time.Duration(rapid.Int64Range(0, int64(24*time.Hour)-1).Draw(t, "time")))
		var u graph.User
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			u.Birth = graph.BirthForAge(at, rapid.IntRange(-1, maxAge+2).Draw(t, "age")).
				AddDate(0, 0, rapid.IntRange(-2, 2).Draw(t, "shift")).
				Add(time.Duration(rapid.IntRange(0, 23).Draw(t, "hour")) * time.Hour)
		case 1:
			u.Band = graph.AgeBand(rapid.IntRange(1, 4).Draw(t, "band"))
			u.BandAsOf = at.AddDate(0, 0, -rapid.IntRange(-400, 3000).Draw(t, "verified days ago"))
		}
		n := rapid.IntRange(1, maxAge).Draw(t, "n")
		ages := [numCuts]int{cutMin: n, cutAdult: 18, cutGroupMin: 13, cut13: 13, cut16: 16, cut18: 18}
		cut := newDayCuts(dayNumber(at), &ages)
		p := personOf(&u)
		young, old := u.AgeRange(at)
		if got, want := cut.atLeast(&p, cutMin), young >= n; got != want {
			t.Fatalf("%+v at %v: youngest %d ≥ %d is %v, cut-offs say %v", u, at, young, n, want, got)
		}
		if got, want := cut.mayBe(&p, cutMin), old >= n; got != want {
			t.Fatalf("%+v at %v: oldest %d ≥ %d is %v, cut-offs say %v", u, at, old, n, want, got)
		}
		if got, want := cut.band(&p), u.BandAt(at); got != want {
			t.Fatalf("%+v at %v: band %v, cut-offs say %v", u, at, want, got)
		}
	})
}

// TestBirthForAgeMatchesTime: the day arithmetic is package time's.
func TestBirthForAgeMatchesTime(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		day := rapid.Int64Range(-800000, 800000).Draw(t, "day")
		n := rapid.IntRange(0, 200).Draw(t, "n")
		at := time.Unix(day*86400, 0).UTC()
		if got, want := birthForAge(day, n), dayNumber(graph.BirthForAge(at, n)); got != want {
			t.Fatalf("birthForAge(%v, %d) = %d, want %d", at, n, got, want)
		}
		if y, m, d := civil(day); daysOf(y, m, d) != day {
			t.Fatalf("civil(%d) = %d-%d-%d, which is day %d", day, y, m, d, daysOf(y, m, d))
		}
	})
}
