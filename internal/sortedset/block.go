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

// Offsets is where each set of a block starts: set i is the words
// [Offsets[i], Offsets[i+1]) of the block. Decoding the header once and
// slicing only the sets a reader needs is cheaper than [Open].
type Offsets [MaxSets + 1]uint32

// Locate sets o to the offsets of the k sets of block b (all zero for
// nil). It writes through a pointer: returning the array by value costs
// copies that stall on store forwarding, on the hot path of every check.
func Locate(b *uint32, k int, o *Offsets) {
	if b == nil {
		*o = Offsets{}
		return
	}
	if k == MaxSets {
		LocateFull(b, *b, o)
		return
	}
	hw := headerWords(k)
	h := unsafe.Slice(b, hw)
	off := uint32(hw)
	for i := range k {
		o[i] = off
		off += h[i/2] >> (16 * (i % 2)) & 0xffff
	}
	for i := k; i <= MaxSets; i++ {
		o[i] = off
	}
}

// LocateFull is Locate for a block of MaxSets sets (not nil) whose first
// word, h0, the caller has loaded already: straight-line, for readers that
// decode a block on every pair check, and for batches that load the first
// words of many blocks ahead (their misses overlapping) and locate later.
func LocateFull(b *uint32, h0 uint32, o *Offsets) {
	h := unsafe.Slice(b, 3)
	h1, h2 := h[1], h[2]
	o0 := uint32(3)
	o1 := o0 + h0&0xffff
	o2 := o1 + h0>>16
	o3 := o2 + h1&0xffff
	o4 := o3 + h1>>16
	o5 := o4 + h2&0xffff
	o[0], o[1], o[2], o[3], o[4], o[5], o[6] = o0, o1, o2, o3, o4, o5, o5+h2>>16
}

// At returns set i of block b located at o.
func At(b *uint32, o *Offsets, i int) []uint32 {
	n := o[i+1] - o[i]
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*uint32)(unsafe.Add(unsafe.Pointer(b), 4*uintptr(o[i]))), n)
}
