package privacy

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dmprivacy/dmprivacy/graph"
)

// TestAgeTableMatchesCalendar: the cutoff table's ages are the calendar's,
// for every birth date around the tracked ages, at decision times across
// leap days and day boundaries.
func TestAgeTableMatchesCalendar(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 3*366).Draw(t, "day"))
		at := day.Add(time.Duration(rapid.Int64Range(0, int64(24*time.Hour)-1).Draw(t, "time")))
		birth := graph.BirthForAge(at, rapid.IntRange(-1, maxTrackedAge+2).Draw(t, "age")).
			AddDate(0, 0, rapid.IntRange(-2, 2).Draw(t, "shift")).
			Add(time.Duration(rapid.IntRange(0, 23).Draw(t, "hour")) * time.Hour)
		u := graph.User{Status: graph.Active, Birth: birth}
		young, old := newAgeTable(at).rangeOf(&u, at)
		wy, wo := u.AgeRange(at)
		if wy > maxTrackedAge {
			wy, wo = maxTrackedAge, maxTrackedAge
		}
		if young != wy || old != wo {
			t.Fatalf("born %v, at %v: table %d-%d, calendar %d-%d", birth, at, young, old, wy, wo)
		}
	})
	for _, at := range []time.Time{time.Date(2028, 2, 29, 23, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC)} {
		tab := newAgeTable(at)
		for _, b := range []time.Time{time.Date(2011, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2012, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2010, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1952, 12, 31, 0, 0, 0, 0, time.UTC)} {
			u := graph.User{Birth: b}
			y, _ := tab.rangeOf(&u, at)
			wy, _ := u.AgeRange(at)
			if y != min(wy, maxTrackedAge) {
				t.Errorf("born %v at %v: %d, want %d", b, at, y, wy)
			}
		}
	}
}
