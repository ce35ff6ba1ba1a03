package graph_test

import (
	"fmt"
	"time"

	"github.com/dmprivacy/dmprivacy/graph"
)

// A verified age band bounds the age at later times; rules take the side
// that protects.
func ExampleUser_AgeRange() {
	u := graph.User{Status: graph.Active, Band: graph.Age16to17, BandAsOf: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, at := range []string{"2026-01-01", "2026-06-01", "2027-01-01", "2028-01-01"} {
		t, _ := time.Parse(time.DateOnly, at)
		young, old := u.AgeRange(t)
		fmt.Println(at, young, old, u.BandAt(t))
	}
	// Output:
	// 2026-01-01 16 17 16-17
	// 2026-06-01 16 18 16-17
	// 2027-01-01 17 18 16-17
	// 2028-01-01 18 19 18+
}
