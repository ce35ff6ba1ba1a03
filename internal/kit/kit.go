// Package kit holds what the conformance kits (graph/graphtest and
// inbox/inboxtest) share: collecting differences without a testing.T,
// checking the caller's ID function, and keeping long diffs readable.
package kit

import (
	"errors"
	"fmt"
)

// Reporter is the part of testing.TB a kit reports through.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Collector is a Reporter that keeps every difference, for the kits'
// TestStore functions.
type Collector struct{ errs []error }

// Errorf records one difference.
func (c *Collector) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// Err returns every recorded difference joined, or nil.
func (c *Collector) Err() error { return errors.Join(c.errs...) }

// MaxIDs is more than the number of user numbers any kit's world uses.
const MaxIDs = 64

// CheckIDs reports whether id gives MaxIDs distinct IDs; pkg prefixes the
// error ("graphtest").
func CheckIDs[ID comparable](pkg string, id func(int) ID) error {
	if id == nil {
		return fmt.Errorf("%s: nil id function", pkg)
	}
	seen := make(map[ID]int, MaxIDs)
	for i := range MaxIDs {
		if j, dup := seen[id(i)]; dup {
			return fmt.Errorf("%s: id(%d) and id(%d) are both %v; the id function must give distinct IDs", pkg, j, i, id(i))
		}
		seen[id(i)] = i
	}
	return nil
}

// Truncate keeps a failure readable when a store gets everything wrong.
func Truncate(d string) string {
	const max = 6000
	if len(d) <= max {
		return d
	}
	return d[:max] + "\n\t... (diff truncated)"
}
