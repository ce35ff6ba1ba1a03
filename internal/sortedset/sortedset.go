package sortedset

import "slices"

// Contains reports whether x is in the sorted set s.
func Contains(s []uint32, x uint32) bool {
	// A branch-free search: the loop runs a number of times that depends
	// only on len(s), and the comparison becomes a conditional move, so
	// the CPU mispredicts nothing on sets of varying contents.
	n := len(s)
	if n == 0 {
		return false
	}
	base := 0
	for n > 1 {
		half := n >> 1
		if s[base+half] <= x {
			base += half
		}
		n -= half
	}
	return s[base] == x
}

// Search returns the index of the first value in s that is >= x.
func Search(s []uint32, x uint32) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Insert adds x to s, returning the new set and whether x was absent.
func Insert(s []uint32, x uint32) ([]uint32, bool) {
	i, ok := slices.BinarySearch(s, x)
	if ok {
		return s, false
	}
	return slices.Insert(s, i, x), true
}

// Remove deletes x from s, returning the new set and whether x was present.
func Remove(s []uint32, x uint32) ([]uint32, bool) {
	i, ok := slices.BinarySearch(s, x)
	if !ok {
		return s, false
	}
	return slices.Delete(s, i, i+1), true
}

// permMul is odd, so multiplying by it is a bijection of uint32; it is the
// golden-ratio constant of Fibonacci hashing, which spreads consecutive
// integers evenly over the top bits.
const permMul = 0x9E3779B1

// permInv is permMul's inverse modulo 2³².
var permInv = func() uint32 {
	x := uint32(permMul) // Newton's iteration: each step doubles the correct bits.
	for range 5 {
		x *= 2 - permMul*x
	}
	return x
}()

// Perm maps a dense index to its key in a set.
func Perm(i uint32) uint32 { return i * permMul }

// Unperm maps a key back to its dense index: Unperm(Perm(i)) == i.
func Unperm(k uint32) uint32 { return k * permInv }

// Intersect appends to dst the values in both sorted sets a and b.
func Intersect(dst, a, b []uint32) []uint32 {
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			dst = append(dst, a[0])
			a, b = a[1:], b[1:]
		}
	}
	return dst
}
