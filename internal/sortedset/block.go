package sortedset

import "unsafe"

// A block is k sorted sets packed into one immutable []uint32 allocation,
// referenced by a pointer to its first word so that it fits an
// atomic.Pointer[uint32]: a header of ceil(k/2) words holding each set's
// length in 16 bits, then the sets one after the other. A nil block holds
// k empty sets. Grouping a user's sets in one block puts every relation of
// a pair check a cache line or two apart, and costs one pointer per user.
//
// Blocks are never written once published. Writers build a new block
// ([With], [Replace]) and publish it; readers [Open] whatever block they
// loaded.

// MaxSets is the most sets a block holds.
const MaxSets = 6

// MaxLen is the most values one set in a block holds; a store keeps a
// larger set in a [Big].
const MaxLen = 1<<16 - 1

// View is the sets of one block, as slices into it.
type View [MaxSets][]uint32

func headerWords(k int) int { return (k + 1) / 2 }

func lenAt(h []uint32, i int) int { return int(h[i/2] >> (16 * (i % 2)) & 0xffff) }

// Open returns the k sets of block b.
func Open(b *uint32, k int) (v View) {
	if b == nil {
		return v
	}
	hw := headerWords(k)
	h := unsafe.Slice(b, hw)
	var lens [MaxSets]int
	total := hw
	for i := range k {
		lens[i] = lenAt(h, i)
		total += lens[i]
	}
	all := unsafe.Slice(b, total)
	off := hw
	for i := range k {
		v[i] = all[off : off+lens[i] : off+lens[i]]
		off += lens[i]
	}
	return v
}

// Words returns the number of uint32 words a block with sets of the given
// lengths takes, zero if every set is empty (the nil block).
func Words(k int, lens *[MaxSets]int) int {
	n := 0
	for i := range k {
		n += lens[i]
	}
	if n == 0 {
		return 0
	}
	return headerWords(k) + n
}

// Write lays the sets of v out as a block in dst, which must be exactly
// Words long, and returns a pointer to it (nil for an empty block). Every
// set must be sorted and at most MaxLen long.
func Write(dst []uint32, k int, v *View) *uint32 {
	if len(dst) == 0 {
		return nil
	}
	hw := headerWords(k)
	clear(dst[:hw])
	off := hw
	for i := range k {
		s := v[i]
		dst[i/2] |= uint32(len(s)) << (16 * (i % 2))
		copy(dst[off:], s)
		off += len(s)
	}
	return &dst[0]
}

// Build returns a new block holding the sets of v.
func Build(k int, v *View) *uint32 {
	var lens [MaxSets]int
	for i := range k {
		lens[i] = len(v[i])
	}
	n := Words(k, &lens)
	if n == 0 {
		return nil
	}
	return Write(make([]uint32, n), k, v)
}

// With returns a copy of block b with x added to (add) or removed from set
// i, and whether that changed the set. When nothing changes it returns b
// itself and allocates nothing.
func With(b *uint32, k, i int, x uint32, add bool) (*uint32, bool) {
	v := Open(b, k)
	s := v[i]
	j := Search(s, x)
	present := j < len(s) && s[j] == x
	if present == add {
		return b, false
	}
	var lens [MaxSets]int
	for n := range k {
		lens[n] = len(v[n])
	}
	if add {
		lens[i]++
	} else {
		lens[i]--
	}
	n := Words(k, &lens)
	if n == 0 {
		return nil, true
	}
	dst := make([]uint32, n)
	hw := headerWords(k)
	off := hw
	for n := range k {
		dst[n/2] |= uint32(lens[n]) << (16 * (n % 2))
		if n != i {
			off += copy(dst[off:], v[n])
			continue
		}
		off += copy(dst[off:], s[:j])
		if add {
			dst[off] = x
			off++
			off += copy(dst[off:], s[j:])
		} else {
			off += copy(dst[off:], s[j+1:])
		}
	}
	return &dst[0], true
}

// Replace returns a copy of block b with set i replaced by s (sorted, at
// most MaxLen long).
func Replace(b *uint32, k, i int, s []uint32) *uint32 {
	v := Open(b, k)
	v[i] = s
	return Build(k, &v)
}
