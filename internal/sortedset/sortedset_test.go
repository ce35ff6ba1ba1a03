package sortedset

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
		if got := Unperm(Perm(x)); got != x {
			t.Fatalf("Unperm(Perm(%d)) = %d", x, got)
		}
	})
	if Perm(1) == 1 || Perm(2) == 2 {
		t.Errorf("Perm is the identity")
	}
}

func TestContainsAndSearch(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		s := sortedUnique(rapid.SliceOfN(rapid.Uint32Range(0, 200), 0, 60).Draw(t, "s"))
		x := rapid.Uint32Range(0, 210).Draw(t, "x")
		if got, want := Contains(s, x), slices.Contains(s, x); got != want {
			t.Fatalf("Contains(%v, %d) = %v", s, x, got)
		}
		want, _ := slices.BinarySearch(s, x)
		if got := Search(s, x); got != want {
			t.Fatalf("Search(%v, %d) = %d, want %d", s, x, got, want)
		}
	})
}

func sortedUnique(s []uint32) []uint32 {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestBlockAgainstSlices applies random adds and removes to a block and to
// plain slices, and compares every set after every step; the old block must
// not change (readers may still hold it).
func TestBlockAgainstSlices(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, MaxSets).Draw(t, "k")
		var b *uint32
		model := make([][]uint32, k)
		for range rapid.IntRange(0, 80).Draw(t, "steps") {
			i := rapid.IntRange(0, k-1).Draw(t, "set")
			x := rapid.Uint32Range(0, 40).Draw(t, "x")
			add := rapid.Bool().Draw(t, "add")
			before := Open(b, k)
			snapshot := slices.Clone(before[i])
			var changed, want bool
			b, changed = With(b, k, i, x, add)
			if add {
				model[i], want = Insert(model[i], x)
			} else {
				model[i], want = Remove(model[i], x)
			}
			if changed != want {
				t.Fatalf("With(set %d, %d, add=%v) changed = %v, want %v", i, x, add, changed, want)
			}
			if !slices.Equal(before[i], snapshot) {
				t.Fatalf("With changed the old block: %v, was %v", before[i], snapshot)
			}
			v := Open(b, k)
			for j := range k {
				if !slices.Equal(v[j], model[j]) {
					t.Fatalf("set %d = %v, want %v", j, v[j], model[j])
				}
			}
			if r := rapid.IntRange(0, k-1).Draw(t, "replace"); rapid.Bool().Draw(t, "doReplace") {
				s := sortedUnique(rapid.SliceOfN(rapid.Uint32Range(0, 40), 0, 10).Draw(t, "with"))
				b = Replace(b, k, r, s)
				model[r] = slices.Clone(s)
			}
		}
		empty := true
		for _, s := range model {
			empty = empty && len(s) == 0
		}
		if empty != (b == nil) {
			t.Fatalf("all sets empty = %v, but block nil = %v", empty, b == nil)
		}
	})
}

func TestBigAgainstMap(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		initial := sortedUnique(rapid.SliceOfN(rapid.Uint32(), 0, 300).Draw(t, "initial"))
		b := NewBig(initial)
		model := map[uint32]bool{}
		for _, x := range initial {
			model[x] = true
		}
		// Small keys collide often; large random ones spread over buckets.
		key := rapid.OneOf(rapid.Uint32Range(0, 50), rapid.Uint32(), rapid.SampledFrom(append(initial, 7)))
		for range rapid.IntRange(0, 400).Draw(t, "steps") {
			x := key.Draw(t, "x")
			add := rapid.Float64Range(0, 1).Draw(t, "p") < 0.6
			var changed bool
			b, changed = b.Set(x, add)
			if changed != (model[x] != add) {
				t.Fatalf("Set(%d, %v) changed = %v", x, add, changed)
			}
			if add {
				model[x] = true
			} else {
				delete(model, x)
			}
			if b.Contains(x) != add {
				t.Fatalf("Contains(%d) after Set(%v)", x, add)
			}
		}
		var want []uint32
		for x := range model {
			want = append(want, x)
		}
		slices.Sort(want)
		if diff := cmp.Diff(want, b.AppendFrom(nil, 0, -1)); diff != "" {
			t.Fatalf("keys mismatch (-want +got):\n%s", diff)
		}
		if b.Len() != len(want) {
			t.Fatalf("Len = %d, want %d", b.Len(), len(want))
		}
		// Paging through with any page size visits every key once, in order.
		page := rapid.IntRange(1, 50).Draw(t, "page")
		var got []uint32
		from := uint64(0)
		for {
			p := b.AppendFrom(nil, from, page)
			got = append(got, p...)
			if len(p) < page {
				break
			}
			from = uint64(p[len(p)-1]) + 1
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("paged keys mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestBigGrowsAndShrinks(t *testing.T) {
	t.Parallel()
	b := NewBig(nil)
	for i := range uint32(20000) {
		b, _ = b.Set(Perm(i), true)
	}
	if len(b.buckets) < 20000/(2*bucketTarget) {
		t.Errorf("20000 keys in %d buckets", len(b.buckets))
	}
	for i := range uint32(20000) {
		if !b.Contains(Perm(i)) {
			t.Fatalf("lost %d", i)
		}
	}
	for i := range uint32(19990) {
		b, _ = b.Set(Perm(i), false)
	}
	if b.Len() != 10 || len(b.buckets) > 4 {
		t.Errorf("after removing: Len %d in %d buckets", b.Len(), len(b.buckets))
	}
}
