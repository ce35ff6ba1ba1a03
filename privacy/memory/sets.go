package memory

import "slices"

// A user's relations are six sorted sets of uint32 keys — the permOf of
// the other user's index (of a contact key's, for the book) — packed one
// after the other in one arena block. Their lengths live in the record
// (lens), so a reader that has the record knows where every set starts and
// reads only the lines it searches.
//
// A set longer than promote (a celebrity's followers) is big: its place in
// the block is one word, the reference of a directory that splits the set
// by the keys' top bits into buckets of about bucketTarget keys, each its
// own block, so a write copies one bucket and a lookup searches one.

// The sets, in block order: those every pair check searches first, so
// that finding them takes no sum of the lengths before them.
const (
	setOut       = iota // users this one follows
	setIn               // this user's followers
	setBlocks           // users this one blocked
	setRestricts        // users this one restricted
	setFacebook         // Facebook friends
	setBook             // synced contacts: keys, not users
	numSets
)

// lens word: 10 bits of length per set; bigLen marks a big set. exactF
// marks a block allocated at its exact size (by a bulk load).
const (
	lenBits = 10
	lenMask = 1<<lenBits - 1
	bigLen  = lenMask
	exactF  = 1 << 62
)

// promoteLen is the length beyond which a set leaves the block for a big
// set, and demoteLen the length below which it comes back.
const (
	promoteLen = bigLen - 1
	demoteLen  = 256
)

// layout is a block's sets as a reader or writer decoded them.
type layout struct {
	n   [numSets]uint32 // length in keys, or the big set's length for a big one
	off [numSets]uint32 // where each set starts in the block
	big uint8           // bit i: set i is big
}

func (l *layout) decode(w uint64) {
	o := uint32(0)
	l.big = 0
	for i := range numSets {
		n := uint32(w >> (lenBits * i) & lenMask)
		l.off[i] = o
		if n == bigLen {
			l.big |= 1 << i
			l.n[i] = 0
			o++
		} else {
			l.n[i] = n
			o += n
		}
	}
}

// Readers do not decode a layout: setLen and setOff read one set's place
// from the lens word, and the sets a pair check searches most (out, in)
// come first.

// setLen returns the length field of set i: its length, or bigLen.
func setLen(w uint64, i int) uint32 { return uint32(w>>(lenBits*uint(i))) & lenMask }

// setOff returns where set i starts in the block: the words of the sets
// before it (one for a big set).
func setOff(w uint64, i int) uint32 {
	o := uint32(0)
	for j := 0; j < i; j++ {
		n := setLen(w, j)
		if n == bigLen {
			n = 1
		}
		o += n
	}
	return o
}

// words returns the block's length in words.
func (l *layout) words() int {
	last := numSets - 1
	if l.big&(1<<last) != 0 {
		return int(l.off[last]) + 1
	}
	return int(l.off[last] + l.n[last])
}

// lensOf packs inline lengths (or bigLen) into a lens word.
func lensOf(n *[numSets]uint32, big uint8) uint64 {
	var w uint64
	for i := range numSets {
		v := uint64(n[i])
		if big&(1<<i) != 0 {
			v = bigLen
		}
		w |= v << (lenBits * i)
	}
	return w
}

// contains reports whether x is in the sorted set s, which a writer may be
// reusing (then the answer is discarded by validation). The search is
// branch-free: its loop count depends only on len(s).
func contains(s []uint32, x uint32) bool {
	n := len(s)
	if n == 0 {
		return false
	}
	// A branch-free binary search: the loop count depends on n only, and
	// base moves by arithmetic (the compiler makes a branch of an if here,
	// which mispredicts half the time).
	base := 0
	for n > 1 {
		half := n >> 1
		d := int64(load(s, base+half)) - int64(x) - 1
		base += half & int(d>>63) // half if s[base+half] <= x
		n -= half
	}
	return load(s, base) == x
}

// Big sets. A directory block is [shift, count, bucket refs…]: key k is in
// bucket k>>shift. A bucket block is [length, keys…].
const bucketTarget = 64

// has reports whether key is in set i of the block at ref laid out as l.
func (a *arena) has(ref uint32, l *layout, i int, key uint32) bool {
	if l.big&(1<<i) == 0 {
		return l.n[i] != 0 && contains(a.span(ref, int(l.off[i]), int(l.n[i])), key)
	}
	w := a.span(ref, int(l.off[i]), 1)
	if len(w) == 0 {
		return false
	}
	return a.bigHas(load(w, 0), key)
}

func (a *arena) bigHas(dir uint32, key uint32) bool {
	h := a.span(dir, 0, 2)
	if len(h) < 2 {
		return false
	}
	shift := shiftOf(load(h, 0))
	b := a.span(dir, 2+int(key>>shift), 1)
	if len(b) == 0 {
		return false
	}
	bucket := load(b, 0)
	n := a.span(bucket, 0, 1)
	if len(n) == 0 {
		return false
	}
	return contains(a.span(bucket, 1, int(load(n, 0))), key)
}

// size returns the length of set i.
func (a *arena) size(ref uint32, l *layout, i int) int {
	if l.big&(1<<i) == 0 {
		return int(l.n[i])
	}
	w := a.span(ref, int(l.off[i]), 1)
	if len(w) == 0 {
		return 0
	}
	h := a.span(load(w, 0), 1, 1)
	if len(h) == 0 {
		return 0
	}
	return int(load(h, 0))
}

// appendSet appends the keys of set i from from on (in order), up to limit
// of them (all if limit < 0), and returns dst. It reads with atomic loads;
// a reader validates afterwards.
func (a *arena) appendSet(dst []uint32, ref uint32, l *layout, i int, from uint64, limit int) []uint32 {
	if from >= 1<<32 || limit == 0 {
		return dst
	}
	if l.big&(1<<i) == 0 {
		s := a.span(ref, int(l.off[i]), int(l.n[i]))
		for j := searchFrom(s, uint32(from)); j < len(s); j++ {
			dst = append(dst, load(s, j))
			if limit > 0 {
				if limit--; limit == 0 {
					break
				}
			}
		}
		return dst
	}
	w := a.span(ref, int(l.off[i]), 1)
	if len(w) == 0 {
		return dst
	}
	return a.appendBig(dst, load(w, 0), from, limit)
}

// appendBig is appendSet for the big set of directory dir.
func (a *arena) appendBig(dst []uint32, dir uint32, from uint64, limit int) []uint32 {
	h := a.span(dir, 0, 2)
	if len(h) < 2 || from >= 1<<32 {
		return dst
	}
	shift := shiftOf(load(h, 0))
	nb := 1 << (32 - shift)
	refs := a.span(dir, 2, nb)
	for b := int(from >> shift); b < len(refs); b++ {
		bucket := load(refs, b)
		n := a.span(bucket, 0, 1)
		if len(n) == 0 {
			continue
		}
		s := a.span(bucket, 1, int(load(n, 0)))
		for j := searchFrom(s, uint32(from)); j < len(s); j++ {
			dst = append(dst, load(s, j))
			if limit > 0 {
				if limit--; limit == 0 {
					return dst
				}
			}
		}
	}
	return dst
}

// shiftOf clamps a directory's shift word, which a torn read may have
// made anything, to a shift a bucket index can be computed with.
func shiftOf(w uint32) uint32 { return min(w, 32) }

// searchFrom returns the index of the first key in s that is >= x.
func searchFrom(s []uint32, x uint32) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if load(s, m) < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Writers. Every function below runs under the store's mutex, on a record
// whose sequence counter the caller has made odd.

// setWith returns a copy of the sorted keys s with x added or removed, and
// whether that changed it.
func setWith(s []uint32, x uint32, add bool) ([]uint32, bool) {
	j, found := slices.BinarySearch(s, x)
	if found == add {
		return s, false
	}
	if add {
		return slices.Insert(slices.Clone(s), j, x), true
	}
	return slices.Delete(slices.Clone(s), j, j+1), true
}

// change adds key to set i of r, or removes it, and reports whether the
// set changed.
func (s *Store[ID]) change(r *record[ID], i int, key uint32, add bool) bool {
	var l layout
	w := r.lens.Load()
	l.decode(w)
	ref := r.rel.Load()
	a := &s.arena
	if l.big&(1<<i) != 0 {
		slot := &a.words(ref, l.words())[l.off[i]]
		dir := *slot
		ndir, n, changed := s.bigSet(dir, key, add)
		switch {
		case !changed:
		case n < s.demote:
			keys := a.appendBig(nil, ndir, 0, -1)
			s.freeBig(ndir)
			s.replace(r, i, keys, false)
		case ndir != dir:
			storeWord(slot, ndir)
		}
		return changed
	}
	old := a.words(ref, l.words())[l.off[i] : l.off[i]+l.n[i]]
	keys, changed := setWith(old, key, add)
	if !changed {
		return false
	}
	s.replace(r, i, keys, len(keys) > s.promote)
	return true
}

// replace sets set i of r to the sorted keys, in a big set when big, and
// publishes a new block.
func (s *Store[ID]) replace(r *record[ID], i int, keys []uint32, big bool) {
	var l layout
	w := r.lens.Load()
	l.decode(w)
	ref := r.rel.Load()
	a := &s.arena
	oldWords := l.words()
	old := a.words(ref, oldWords)

	n := l.n
	bigs := l.big
	n[i] = uint32(len(keys))
	bigs &^= 1 << i
	var dir uint32
	if big {
		dir = s.newBig(keys)
		bigs |= 1 << i
		n[i] = 0
	}
	var nl layout
	nl.decode(lensOf(&n, bigs))
	total := nl.words()
	var nref uint32
	if total > 0 {
		nref = a.alloc(total)
		dst := a.words(nref, total)
		for j := range numSets {
			switch {
			case j == i && big:
				storeWord(&dst[nl.off[j]], dir)
			case j == i:
				storeWords(dst[nl.off[j]:], keys)
			case bigs&(1<<j) != 0:
				storeWord(&dst[nl.off[j]], old[l.off[j]])
			default:
				storeWords(dst[nl.off[j]:], old[l.off[j]:l.off[j]+l.n[j]])
			}
		}
	}
	r.rel.Store(nref)
	nw := lensOf(&n, bigs)
	r.lens.Store(nw)
	var dst []uint32
	if total > 0 {
		dst = a.words(nref, total)
	}
	rare, book := filters(dst, &nl)
	r.rare.Store(rare)
	r.book.Store(book)
	a.free(ref, oldWords, w&exactF != 0)
}

// Filters. Most users' blocks, restrictions and Facebook links are few, and
// a pair is rarely in them: a record keeps one word with a bit set for each
// of them (filterBit), so that a pair check searches those sets only when
// the bit of the other user is set — usually never. The synced contacts
// have a word of their own. A big set sets every bit.

// filterMul are odd multipliers, one per set, so that a user blocked and
// a user restricted usually set different bits.
var filterMul = [numSets]uint32{setBlocks: 0x9E3779B1, setRestricts: 0x85EBCA77, setFacebook: 0xC2B2AE3D, setBook: 0x27D4EB2F}

// filterBit is the bit of key (a set's key) in the filter of set i.
func filterBit(i int, key uint32) uint64 { return 1 << (key * filterMul[i] >> 26) }

// filters returns the filters of the sets in words, laid out as l.
func filters(words []uint32, l *layout) (rare, book uint64) {
	for _, i := range [...]int{setBlocks, setRestricts, setFacebook} {
		if l.big&(1<<i) != 0 {
			rare = ^uint64(0)
			continue
		}
		for _, k := range words[l.off[i] : l.off[i]+l.n[i]] {
			rare |= filterBit(i, k)
		}
	}
	if l.big&(1<<setBook) != 0 {
		return rare, ^uint64(0)
	}
	for _, k := range words[l.off[setBook] : l.off[setBook]+l.n[setBook]] {
		book |= filterBit(setBook, k)
	}
	return rare, book
}

// newBig builds a big set of the sorted keys and returns its directory.
func (s *Store[ID]) newBig(keys []uint32) uint32 {
	nb := 1
	for nb*bucketTarget < len(keys) && nb < 1<<18 {
		nb *= 2
	}
	shift := uint32(32)
	for v := nb; v > 1; v >>= 1 {
		shift--
	}
	a := &s.arena
	dir := a.alloc(2 + nb)
	d := a.words(dir, 2+nb)
	storeWord(&d[0], shift)
	storeWord(&d[1], uint32(len(keys)))
	for b := range nb {
		j := len(keys)
		if b+1 < nb {
			j, _ = slices.BinarySearch(keys, uint32(uint64(b+1)<<shift))
		}
		storeWord(&d[2+b], s.newBucket(keys[:j]))
		keys = keys[j:]
	}
	return dir
}

func (s *Store[ID]) newBucket(keys []uint32) uint32 {
	a := &s.arena
	ref := a.alloc(1 + len(keys))
	w := a.words(ref, 1+len(keys))
	storeWord(&w[0], uint32(len(keys)))
	storeWords(w[1:], keys)
	return ref
}

func (s *Store[ID]) freeBig(dir uint32) {
	a := &s.arena
	h := a.words(dir, 2)
	nb := 1 << (32 - h[0])
	d := a.words(dir, 2+nb)
	for _, b := range d[2:] {
		a.free(b, 1+int(a.words(b, 1)[0]), false)
	}
	a.free(dir, 2+nb, false)
}

// bigSet adds key to the big set dir or removes it; it returns the set's
// directory (a new one when the set outgrew its buckets and was rebuilt
// with twice as many; the old one is freed), its new length and whether it
// changed. A rebuild copies the whole set, but only when its length
// doubles, so a write costs a bucket's copy amortized.
func (s *Store[ID]) bigSet(dir uint32, key uint32, add bool) (uint32, int, bool) {
	a := &s.arena
	h := a.words(dir, 2)
	shift := h[0]
	nb := 1 << (32 - shift)
	d := a.words(dir, 2+nb)
	b := int(key >> shift)
	bucket := d[2+b]
	bn := int(a.words(bucket, 1)[0])
	keys, changed := setWith(a.words(bucket, 1+bn)[1:], key, add)
	if !changed {
		return dir, int(h[1]), false
	}
	n := int(h[1]) - 1
	if add {
		n += 2
	}
	if n > 2*bucketTarget*nb && nb < 1<<18 {
		all := a.appendBig(make([]uint32, 0, n), dir, 0, -1)
		all, _ = setWith(all, key, add)
		s.freeBig(dir)
		return s.newBig(all), n, true
	}
	storeWord(&d[2+b], s.newBucket(keys))
	storeWord(&h[1], uint32(n))
	a.free(bucket, 1+bn, false)
	return dir, n, true
}
