package intern

import (
	"hash/maphash"
	"sync/atomic"
)

const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

// Entry is a key and its value.
type Entry[K comparable, V any] struct {
	Key K
	Val V
}

type chunk[K comparable, V any] [chunkSize]Entry[K, V]

type table struct {
	slots []atomic.Uint64
}

// Map interns keys of type K to dense indexes 0, 1, 2… in the order they
// were added, with a value of type V per key. The zero Map is empty and
// ready to use.
type Map[K comparable, V any] struct {
	index atomic.Pointer[table]
	dir   atomic.Pointer[[]*chunk[K, V]]
	n     atomic.Uint32
}

// seed is shared by every Map, so that two maps over the same keys agree
// on hashes (and a zero Map needs no constructor).
var seed = maphash.MakeSeed()

// Hash returns the hash of k that [Map.Find] takes.
func Hash[K comparable](k K) uint64 { return maphash.Comparable(seed, k) }

// Len returns the number of keys.
func (m *Map[K, V]) Len() int { return int(m.n.Load()) }

// At returns the entry of index i, which must be below Len.
func (m *Map[K, V]) At(i uint32) *Entry[K, V] {
	return &(*m.dir.Load())[i>>chunkBits][i&chunkMask]
}

// Get returns the index and entry of k, or ok false if k was never added.
func (m *Map[K, V]) Get(k K) (i uint32, e *Entry[K, V], ok bool) {
	return m.Find(k, Hash(k))
}

// position maps the low 32 bits of a hash onto [0, n) without a division
// (Lemire's fast range reduction).
func position(h uint64, n int) int {
	return int((h & 0xffffffff) * uint64(n) >> 32)
}

func tagOf(h uint64) uint64 { return h >> 32 << 32 }

// Find is Get with k's hash already computed by [Hash].
func (m *Map[K, V]) Find(k K, h uint64) (i uint32, e *Entry[K, V], ok bool) {
	t := m.index.Load()
	if t == nil {
		return 0, nil, false
	}
	tag := tagOf(h)
	n := len(t.slots)
	for p := position(h, n); ; {
		s := t.slots[p].Load()
		if s == 0 {
			return 0, nil, false
		}
		if s&^0xffffffff == tag {
			i = uint32(s) - 1
			e = m.At(i)
			if e.Key == k {
				return i, e, true
			}
		}
		if p++; p == n {
			p = 0
		}
	}
}

// Probe is a lookup in flight: a key's hash and its home slot, loaded by
// [Map.Start] and finished by [Map.Finish]. Splitting a lookup lets a
// caller start the cache misses of several lookups (in several maps)
// before waiting for any.
type Probe struct {
	t *table
	h uint64
	p int
	s uint64
}

// Start begins the lookup of the key whose [Hash] is h: it loads the home
// slot, whose miss the CPU then overlaps with whatever the caller does
// before [Map.Finish].
func (m *Map[K, V]) Start(h uint64) Probe {
	t := m.index.Load()
	if t == nil {
		return Probe{h: h}
	}
	p := position(h, len(t.slots))
	return Probe{t: t, h: h, p: p, s: t.slots[p].Load()}
}

// Finish completes the lookup of k begun by Start(Hash(k)): Get's results.
func (m *Map[K, V]) Finish(k K, pr Probe) (i uint32, e *Entry[K, V], ok bool) {
	t := pr.t
	if t == nil {
		return 0, nil, false
	}
	tag, n, s := tagOf(pr.h), len(t.slots), pr.s
	for p := pr.p; s != 0; {
		if s&^0xffffffff == tag {
			i = uint32(s) - 1
			if e = m.At(i); e.Key == k {
				return i, e, true
			}
		}
		if p++; p == n {
			p = 0
		}
		s = t.slots[p].Load()
	}
	return 0, nil, false
}

// Hash returns the hash the probe was started with.
func (pr Probe) Hash() uint64 { return pr.h }

// Add returns the index and entry of k, adding k first if it is new, and
// reports whether it was added. A new entry's value is the zero V, and init
// (if not nil) runs on it before the entry is published. Calls to Add and
// Grow must be serialized.
func (m *Map[K, V]) Add(k K, init func(*V)) (uint32, *Entry[K, V], bool) {
	h := Hash(k)
	if i, e, ok := m.Find(k, h); ok {
		return i, e, false
	}
	i := m.n.Load()
	if i == 1<<32-1 {
		panic("intern: more than 2³²-1 keys")
	}
	m.grow(int(i)+1, 2)
	e := m.At(i)
	e.Key = k
	if init != nil {
		init(&e.Val)
	}
	m.n.Store(i + 1)
	m.insert(m.index.Load(), h, i)
	return i, e, true
}

func (m *Map[K, V]) insert(t *table, h uint64, i uint32) {
	n := len(t.slots)
	p := position(h, n)
	for t.slots[p].Load() != 0 {
		if p++; p == n {
			p = 0
		}
	}
	t.slots[p].Store(tagOf(h) | uint64(i+1))
}

// Grow makes room for n keys without further allocation, leaving the index
// at most 70% full: a bulk loader calls it once up front, with the final
// count. Calls to Add and Grow must be serialized.
func (m *Map[K, V]) Grow(n int) { m.grow(n, 10.0/7) }

// grow makes room for n keys; if the index must be rebuilt, it gets
// n*spare slots.
func (m *Map[K, V]) grow(n int, spare float64) {
	dir := m.dir.Load()
	have := 0
	if dir != nil {
		have = len(*dir) * chunkSize
	}
	if n > have {
		var d []*chunk[K, V]
		if dir != nil {
			d = append(d, *dir...)
		}
		for len(d)*chunkSize < n {
			d = append(d, new(chunk[K, V]))
		}
		m.dir.Store(&d)
	}
	t := m.index.Load()
	if t != nil && n <= len(t.slots)*3/4 {
		return
	}
	// Rebuild at load 1/2 and publish; readers still on the old table
	// find every key added before.
	nt := &table{slots: make([]atomic.Uint64, max(16, int(float64(n)*spare)+1))}
	for i := range m.n.Load() {
		m.insert(nt, Hash(m.At(i).Key), i)
	}
	m.index.Store(nt)
}

// FindAll looks up a batch of keys: idx[j] and ents[j] receive the index
// and entry of keys[j], or nil if it was never added. It is Get in a loop,
// arranged so that the cache misses of different keys overlap: each phase
// is a tight loop of independent loads (the home slots, then the entries),
// and only then are keys compared. keys, idx and ents must be equally long.
func (m *Map[K, V]) FindAll(keys []K, idx []uint32, ents []*Entry[K, V]) {
	t := m.index.Load()
	if t == nil {
		clear(ents)
		return
	}
	n := len(t.slots)
	dir := *m.dir.Load()
	const step = 64
	var hs, first [step]uint64
	var seen [step]K
	for lo := 0; lo < len(keys); lo += step {
		hi := min(lo+step, len(keys))
		ks, is, es := keys[lo:hi], idx[lo:hi], ents[lo:hi]
		// Hashing is a few dozen instructions a key: done in a loop of
		// its own, it leaves the loads below tight enough that the CPU
		// keeps many misses in flight.
		for j := range ks {
			hs[j] = Hash(ks[j])
		}
		for j := range ks {
			first[j] = t.slots[position(hs[j], n)].Load()
		}
		for j := range ks {
			// The home slot's entry, if its tag matches: touched here,
			// compared below.
			es[j] = nil
			tag, p, s := tagOf(hs[j]), position(hs[j], n), first[j]
			// Probe on past other keys' slots (usually in the same
			// cache line) to the first slot with the right tag.
			for s != 0 && s&^0xffffffff != tag {
				if p++; p == n {
					p = 0
				}
				s = t.slots[p].Load()
			}
			if s != 0 {
				i := uint32(s) - 1
				if i>>chunkBits < uint32(len(dir)) {
					is[j], es[j] = i, &dir[i>>chunkBits][i&chunkMask]
				}
			}
		}
		for j := range ks {
			if es[j] != nil {
				seen[j] = es[j].Key // the entries' misses, overlapped
			}
		}
		for j := range ks {
			if es[j] == nil || seen[j] != ks[j] {
				// A collision, a miss, or an entry added after dir was
				// read: the full probe.
				var ok bool
				if is[j], es[j], ok = m.Find(ks[j], hs[j]); !ok {
					es[j] = nil
				}
			}
		}
	}
}
