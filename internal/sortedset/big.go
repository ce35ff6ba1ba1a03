package sortedset

import (
	"math/bits"
	"sync/atomic"
)

// bucketTarget is the mean bucket length a Big aims for: a bucket is a few
// cache lines to search, and a write copies one bucket.
const bucketTarget = 64

// Big is a set of uint32 keys too large to copy on every write (a
// celebrity's followers): keys are split by their top bits into buckets,
// each an immutable one-set block behind an atomic pointer, so a write
// copies one bucket of about 64 keys and a lookup searches one. Keys must
// be spread evenly over uint32, as [Perm]uted indexes are.
//
// Readers need no lock. Writers must be serialized by the caller; a write
// that grows or shrinks the bucket array returns a new Big, which the
// caller publishes in place of the old one.
type Big struct {
	shift   uint8 // a key's bucket is key >> shift
	buckets []atomic.Pointer[uint32]
	n       atomic.Int64
}

// NewBig returns a Big holding the sorted keys.
func NewBig(keys []uint32) *Big {
	nb := 1
	for nb*bucketTarget < len(keys) {
		nb *= 2
	}
	b := &Big{shift: uint8(32 - bits.TrailingZeros(uint(nb))), buckets: make([]atomic.Pointer[uint32], nb)}
	b.n.Store(int64(len(keys)))
	// One allocation for every bucket: each is a one-set block (one header
	// word, then its keys).
	slab := make([]uint32, nb+len(keys))
	off := 0
	for i := range nb {
		j := len(keys)
		if i+1 < nb {
			j = Search(keys, uint32(uint64(i+1)<<b.shift))
		}
		v := View{keys[:j]}
		if w := len(v[0]); w > 0 {
			b.buckets[i].Store(Write(slab[off:off+1+w:off+1+w], 1, &v))
			off += 1 + w
		}
		keys = keys[j:]
	}
	return b
}

// Len returns the number of keys.
func (b *Big) Len() int { return int(b.n.Load()) }

func (b *Big) bucket(x uint32) []uint32 {
	return Open(b.buckets[uint64(x)>>b.shift].Load(), 1)[0]
}

// Contains reports whether x is in the set.
func (b *Big) Contains(x uint32) bool { return Contains(b.bucket(x), x) }

// Set adds x (add is true) or removes it, and reports whether the set
// changed. It returns the Big to publish: b itself, or a rebuilt one with
// more or fewer buckets when the set outgrew or shrank below its array.
func (b *Big) Set(x uint32, add bool) (*Big, bool) {
	i := uint64(x) >> b.shift
	p, changed := With(b.buckets[i].Load(), 1, 0, x, add)
	if !changed {
		return b, false
	}
	n := b.n.Load()
	if add {
		n++
	} else {
		n--
	}
	nb := int64(len(b.buckets))
	if (add && (n > 2*bucketTarget*nb || len(Open(p, 1)[0]) >= MaxLen/2)) ||
		(!add && nb > 1 && n < bucketTarget*nb/4) {
		// Rebuild from a consistent copy with the change applied.
		keys := b.AppendFrom(make([]uint32, 0, n+1), 0, -1)
		if add {
			keys, _ = Insert(keys, x)
		} else {
			keys, _ = Remove(keys, x)
		}
		return NewBig(keys), true
	}
	b.buckets[i].Store(p)
	b.n.Store(n)
	return b, true
}

// AppendFrom appends to dst, in increasing order, up to limit keys that are
// >= from (all of them if limit < 0), and returns dst.
func (b *Big) AppendFrom(dst []uint32, from uint64, limit int) []uint32 {
	if from > 1<<32-1 {
		return dst
	}
	for i := from >> b.shift; i < uint64(len(b.buckets)); i++ {
		s := Open(b.buckets[i].Load(), 1)[0]
		if i == from>>b.shift {
			s = s[Search(s, uint32(from)):]
		}
		if limit >= 0 && len(s) > limit {
			s = s[:limit]
		}
		dst = append(dst, s...)
		if limit >= 0 {
			limit -= len(s)
			if limit == 0 {
				break
			}
		}
	}
	return dst
}
