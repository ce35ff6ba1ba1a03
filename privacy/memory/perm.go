package memory

// Sets hold keys, not indexes: perm maps a record's index to its key in
// every set, a fixed bijection of uint32 that spreads any run of indexes
// evenly over the key space. That is what lets a big set bucket its keys by
// their top bits, and it gives every set, small or big, the same order, so
// a paginated listing survives a set changing form between two pages.

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

// permOf maps a record's index to its key in a set.
func permOf(i uint32) uint32 { return i * permMul }

// unpermOf maps a key back to its record's index: unpermOf(permOf(i)) == i.
func unpermOf(k uint32) uint32 { return k * permInv }

// intersect appends to dst the keys in both sorted sets a and b.
func intersect(dst, a, b []uint32) []uint32 {
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
