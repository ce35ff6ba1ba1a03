package graph_test

import (
	"math"
	"testing"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgeRangeFromBirth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		birth time.Time
		at    time.Time
		want  int
	}{
		{"day before 16th birthday", date(2010, 6, 30), date(2026, 6, 29), 15},
		{"16th birthday", date(2010, 6, 30), date(2026, 6, 30), 16},
		{"last second of the day before", date(2010, 6, 30), time.Date(2026, 6, 29, 23, 59, 59, 0, time.UTC), 15},
		{"leapling before 1 March in a common year", date(2008, 2, 29), date(2026, 2, 28), 17},
		{"leapling on 1 March in a common year", date(2008, 2, 29), date(2026, 3, 1), 18},
		{"leapling on 29 February", date(2008, 2, 29), date(2028, 2, 29), 20},
		{"birth date in another zone counts by UTC date", time.Date(2010, 6, 30, 23, 0, 0, 0, time.FixedZone("x", -5*3600)), date(2026, 7, 1), 16},
	}
	for _, tc := range tests {
		u := graph.User{Status: graph.Active, Birth: tc.birth}
		y, o := u.AgeRange(tc.at)
		if y != tc.want || o != tc.want {
			t.Errorf("%s: AgeRange = %d, %d, want %d", tc.name, y, o, tc.want)
		}
	}
}

func TestAgeRangeFromBand(t *testing.T) {
	t.Parallel()
	asOf := date(2026, 1, 1)
	tests := []struct {
		band         graph.AgeBand
		at           time.Time
		young, older int
	}{
		{graph.Age16to17, asOf, 16, 17},
		{graph.Age16to17, date(2026, 12, 31), 16, 18},
		{graph.Age16to17, date(2027, 1, 1), 17, 18},
		{graph.Age16to17, date(2028, 1, 1), 18, 19},
		{graph.Age13to15, date(2029, 1, 1), 16, 18},
		{graph.Age18Plus, date(2027, 1, 1), 19, math.MaxInt},
		{graph.AgeUnder13, asOf, 0, 12},
		{graph.AgeUnknown, asOf, 0, math.MaxInt},
	}
	for _, tc := range tests {
		u := graph.User{Status: graph.Active, Band: tc.band, BandAsOf: asOf}
		y, o := u.AgeRange(tc.at)
		if y != tc.young || o != tc.older {
			t.Errorf("band %v as of %v, at %v: AgeRange = %d, %d, want %d, %d", tc.band, asOf.Format(time.DateOnly), tc.at.Format(time.DateOnly), y, o, tc.young, tc.older)
		}
	}
	if b := (graph.User{Band: graph.Age16to17}).BandAt(asOf); b != graph.AgeUnknown {
		t.Errorf("a band without its date: BandAt = %v, want unknown", b)
	}
	if b := (graph.User{Band: graph.Age16to17, BandAsOf: asOf}).BandAt(date(2028, 1, 1)); b != graph.Age18Plus {
		t.Errorf("16-17 two years on: BandAt = %v, want 18+", b)
	}
}

func TestBirthForAge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		at    time.Time
		years int
		want  time.Time
	}{
		{date(2026, 3, 1), 16, date(2010, 3, 1)},
		{date(2028, 2, 29), 17, date(2011, 2, 28)},
		{date(2028, 2, 29), 16, date(2012, 2, 29)},
	} {
		got := graph.BirthForAge(tc.at, tc.years)
		if !got.Equal(tc.want) {
			t.Errorf("BirthForAge(%v, %d) = %v, want %v", tc.at, tc.years, got, tc.want)
		}
		if y, _ := (graph.User{Birth: got}).AgeRange(tc.at); y != tc.years {
			t.Errorf("born %v is %d on %v, want %d", got, y, tc.at, tc.years)
		}
		if tc.at.Day() != got.Day() {
			continue // 29 February → 28 February: they turned it the day before
		}
		if y, _ := (graph.User{Birth: got}).AgeRange(tc.at.AddDate(0, 0, -1)); y != tc.years-1 {
			t.Errorf("born %v is %d the day before %v, want %d", got, y, tc.at, tc.years-1)
		}
	}
}

func TestTextForms(t *testing.T) {
	t.Parallel()
	for s := graph.Active; s <= graph.Deleted; s++ {
		got, err := graph.ParseStatus(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := graph.ParseStatus("unknown"); err == nil {
		t.Error("ParseStatus(unknown) succeeded")
	}
	for b := graph.AgeUnknown; b <= graph.Age18Plus; b++ {
		got, err := graph.ParseAgeBand(b.String())
		if err != nil || got != b {
			t.Errorf("ParseAgeBand(%q) = %v, %v", b, got, err)
		}
	}
	if graph.BandOf(15) != graph.Age13to15 || graph.BandOf(16) != graph.Age16to17 || graph.BandOf(18) != graph.Age18Plus || graph.BandOf(12) != graph.AgeUnder13 {
		t.Error("BandOf boundaries")
	}
}

func TestEdgesSwap(t *testing.T) {
	t.Parallel()
	for k := graph.Follow; k <= graph.Facebook; k++ {
		ab, ba := graph.EdgeBit(k, true), graph.EdgeBit(k, false)
		if ab.Swap() != ba || ba.Swap() != ab {
			t.Errorf("%v: Swap(%v) = %v, want %v", k, ab, ab.Swap(), ba)
		}
	}
	all := graph.Edges(1<<9 - 1)
	if all.Swap() != all || all.Swap().Swap() != all {
		t.Error("Swap of all edges")
	}
}
