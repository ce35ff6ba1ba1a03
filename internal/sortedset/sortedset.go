// Package sortedset implements sets of dense uint32 indexes kept as sorted
// slices: compact, cache-friendly and allocation-free to query.
package sortedset

import "slices"

// linearMax is the length up to which a linear scan beats binary search.
const linearMax = 16

// Contains reports whether x is in the sorted set s.
func Contains(s []uint32, x uint32) bool {
	if len(s) <= linearMax {
		for _, v := range s {
			if v >= x {
				return v == x
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(s, x)
	return ok
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
