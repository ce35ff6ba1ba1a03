package memory

import (
	"math/bits"
	"sync/atomic"
)

// The arena holds every variable-length part of the store — relation
// sets, conversation lists, the buckets of big sets — as blocks of uint32
// words in large chunks without pointers, so that the garbage collector
// has nothing to scan however big the store grows, and a record reaches
// its blocks through 32-bit references rather than pointers.
//
// A reference is chunk<<chunkBits | offset; 0 is no block (the first word
// of the first chunk is never handed out). Blocks never cross a chunk.
// Writers (serialized by the store's mutex) allocate and free blocks;
// a freed block is reused at once. Readers never lock: they read words with
// atomic loads (safe while a writer reuses a block under them) and
// validate the record's sequence counter afterwards, so whatever they read
// from a reused block is thrown away. Writers store words with storeWords,
// which is atomic under the race detector (see arena_race.go).

const (
	chunkBits  = 20
	chunkWords = 1 << chunkBits
	maxBlock   = chunkWords - 1 // the largest block
)

type arena struct {
	chunks atomic.Pointer[[][]uint32]

	// The writer's state, under the store's mutex.
	cur   uint32 // the chunk being filled
	off   uint32 // the next free word in it
	freed [numClasses][]uint32
	used  int // words handed out and not freed
}

// Size classes: exact up to 16 words, then four per doubling (16, 20, 24,
// 28, 32, 40, …), so a block wastes at most a fifth of its capacity.
const numClasses = 16 + 4*(chunkBits-4) + 1

// classOf returns the smallest class whose capacity is at least n (n > 0).
func classOf(n int) int {
	if n <= 16 {
		return n - 1
	}
	e := bits.Len(uint(n-1)) - 1 // 2^e < n <= 2^(e+1)
	step := 1 << (e - 2)
	q := (n - 1 - 1<<e) / step // 0..3
	return 16 + 4*(e-4) + q
}

// classCap returns the capacity of class c.
func classCap(c int) int {
	if c < 16 {
		return c + 1
	}
	e := (c-16)/4 + 4
	q := (c - 16) % 4
	return 1<<e + (q+1)*(1<<(e-2))
}

// floorClass returns the largest class whose capacity is at most n.
func floorClass(n int) int {
	c := classOf(n)
	if classCap(c) > n {
		c--
	}
	return c
}

func (a *arena) dir() [][]uint32 {
	if p := a.chunks.Load(); p != nil {
		return *p
	}
	return nil
}

// chunk returns the chunk of ref, or nil.
func (a *arena) chunk(ref uint32) []uint32 {
	d := a.dir()
	if c := ref >> chunkBits; int(c) < len(d) {
		return d[c]
	}
	return nil
}

// alloc returns a block of at least n words (0 < n <= maxBlock) and its
// capacity: a freed one of the right class, or new words.
func (a *arena) alloc(n int) uint32 {
	c := classOf(n)
	if f := a.freed[c]; len(f) > 0 {
		ref := f[len(f)-1]
		a.freed[c] = f[:len(f)-1]
		a.used += classCap(c)
		return ref
	}
	return a.bump(classCap(c))
}

// allocExact returns new words for a block of exactly n words: for bulk
// loads, whose blocks are freed later with exact set (see free).
func (a *arena) allocExact(n int) uint32 { return a.bump(n) }

func (a *arena) bump(n int) uint32 {
	d := a.dir()
	if len(d) == 0 || int(a.off)+n > chunkWords {
		nd := make([][]uint32, len(d)+1)
		copy(nd, d)
		nd[len(d)] = make([]uint32, chunkWords)
		if len(d) > 0 {
			// A store past its first chunk is big enough for its reads
			// to miss the TLB: ask for huge pages (see adviseHuge).
			adviseHuge(addressOf(&nd[len(d)][0]), chunkWords*4)
		}
		a.cur, a.off = uint32(len(d)), 0
		if len(d) == 0 {
			a.off = 1 // reference 0 is no block
		}
		a.chunks.Store(&nd)
	}
	ref := a.cur<<chunkBits | a.off
	a.off += uint32(n)
	a.used += n
	return ref
}

// free returns the block at ref, of n words, to its class. A block from
// alloc has its class's capacity; one from allocExact (exact) has n words,
// and goes to the largest class that fits in them.
func (a *arena) free(ref uint32, n int, exact bool) {
	if ref == 0 || n <= 0 {
		return
	}
	c := classOf(n)
	if exact {
		c = floorClass(n)
		if c < 0 {
			return
		}
	}
	a.freed[c] = append(a.freed[c], ref)
	a.used -= classCap(c)
}

// span returns the words [ref+from, ref+from+n) of the block at ref, for a
// reader, clamped to the chunk: a reader that loaded a torn reference gets
// a short or empty slice, never a fault, and its validation fails.
func (a *arena) span(ref uint32, from, n int) []uint32 {
	c := a.chunk(ref)
	lo := int(ref&(chunkWords-1)) + from
	hi := lo + n
	if hi > len(c) {
		hi = len(c)
	}
	if lo > hi {
		lo = hi
	}
	return c[lo:hi:hi]
}

// words returns the block at ref of n words for its writer, who holds the
// store's mutex and writes it with storeWords.
func (a *arena) words(ref uint32, n int) []uint32 {
	c := a.chunk(ref)
	lo := int(ref & (chunkWords - 1))
	return c[lo : lo+n : lo+n]
}

// load reads word i of s, which a writer may be changing.
func load(s []uint32, i int) uint32 { return atomic.LoadUint32(&s[i]) }
