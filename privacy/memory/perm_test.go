package memory

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestPermIsABijection(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.Uint32().Draw(t, "x")
		if got := unpermOf(permOf(x)); got != x {
			t.Fatalf("unpermOf(permOf(%d)) = %d", x, got)
		}
	})
	if permOf(1) == 1 || permOf(2) == 2 {
		t.Errorf("permOf is the identity")
	}
}

func TestIntersect(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.SliceOf(rapid.Uint32Range(0, 40)).Draw(t, "a")
		b := rapid.SliceOf(rapid.Uint32Range(0, 40)).Draw(t, "b")
		slices.Sort(a)
		a = slices.Compact(a)
		slices.Sort(b)
		b = slices.Compact(b)
		var want []uint32
		for _, x := range a {
			if slices.Contains(b, x) {
				want = append(want, x)
			}
		}
		if diff := cmp.Diff(want, intersect(nil, a, b)); diff != "" {
			t.Fatalf("mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestContains(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.SliceOf(rapid.Uint32Range(0, 100)).Draw(t, "s")
		slices.Sort(s)
		s = slices.Compact(s)
		x := rapid.Uint32Range(0, 101).Draw(t, "x")
		if got, want := contains(s, x), slices.Contains(s, x); got != want {
			t.Fatalf("contains(%v, %d) = %v", s, x, got)
		}
		if got, want := searchFrom(s, x), func() int { i, _ := slices.BinarySearch(s, x); return i }(); got != want {
			t.Fatalf("searchFrom(%v, %d) = %d, want %d", s, x, got, want)
		}
	})
}
