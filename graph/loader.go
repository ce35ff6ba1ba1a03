package graph

import (
	"fmt"
	"sync"

	"github.com/dmprivacy/dmprivacy/internal/intern"
	"github.com/dmprivacy/dmprivacy/internal/sortedset"
)

// Loader adds many edges to a [Memory] at once, for building a large world
// (a synthetic one for benchmarks, or a snapshot of a host's graph): it
// buffers edges, and [Loader.Flush] merges them into every user's sets in
// one pass, sorting each set once and packing the blocks into one
// allocation, where one Follow per edge would copy a user's block every
// time. A million users and twenty million follows load in seconds.
//
// Add and AddAll may be called concurrently (their lookups then run in
// parallel), but not with Flush. The Memory stays safe for readers and
// writers throughout, and buffered edges show in reads only once Flush
// returns.
type Loader[ID comparable] struct {
	m     *Memory[ID]
	mu    sync.Mutex
	edges [Facebook + 1][]uint64 // from<<32 | to, dense indexes, by kind
}

// Loader returns a new, empty Loader for m.
func (m *Memory[ID]) Loader() *Loader[ID] { return &Loader[ID]{m: m} }

// Len returns the number of edges buffered.
func (l *Loader[ID]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, es := range l.edges {
		n += len(es)
	}
	return n
}

// Add buffers the edge kind from → to (Follow, Block, Restrict or
// Facebook). It refuses what the write methods refuse: contacts, which are
// keys rather than edges, self edges and unknown users.
func (l *Loader[ID]) Add(kind Edge, from, to ID) error {
	return l.AddAll(kind, from, []ID{to})
}

// AddAll buffers the edges kind from → to for every to in tos: a user's
// follows in one call, whose lookups overlap. On an error it buffers
// nothing of the call.
func (l *Loader[ID]) AddAll(kind Edge, from ID, tos []ID) error {
	if kind == Contact || !kind.Valid() {
		return fmt.Errorf("%w: %v (contacts are set with SetContactKey and SyncContacts)", ErrInvalidEdge, kind)
	}
	a, _, ok := l.m.users.Get(from)
	if !ok {
		return fmt.Errorf("%w: %v", ErrUnknownUser, from)
	}
	var idxBuf [64]uint32
	var entBuf [64]*intern.Entry[ID, node]
	idx, ents := idxBuf[:0], entBuf[:0]
	if len(tos) > len(idxBuf) {
		idx, ents = make([]uint32, 0, len(tos)), make([]*intern.Entry[ID, node], 0, len(tos))
	}
	idx, ents = idx[:len(tos)], ents[:len(tos)]
	l.m.users.FindAll(tos, idx, ents)
	for j, e := range ents {
		switch {
		case e == nil:
			return fmt.Errorf("%w: %v", ErrUnknownUser, tos[j])
		case idx[j] == a:
			return fmt.Errorf("%w: %v %v", ErrSelfEdge, kind, from)
		}
	}
	l.mu.Lock()
	for _, b := range idx {
		l.edges[kind] = append(l.edges[kind], uint64(a)<<32|uint64(b))
	}
	l.mu.Unlock()
	return nil
}

// Flush adds every buffered edge to the store, as the write methods would
// one by one (edges already present are kept once), and empties the
// Loader. Each user's sets change at once: a reader sees all of a user's
// new edges or none.
func (l *Loader[ID]) Flush() error {
	if l.Len() == 0 {
		return nil
	}
	m := l.m
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.users.Len()
	// Count the keys each (user, set) gains, then lay them out user by
	// user, set by set: starts[u*numSets+s] is where they begin.
	starts := make([]uint32, n*numSets+1)
	for kind, es := range l.edges {
		sets := edgeSets[kind]
		for _, e := range es {
			starts[(e>>32)*numSets+uint64(sets[0])]++
			if sets[1] >= 0 {
				starts[uint64(uint32(e))*numSets+uint64(sets[1])]++
			}
		}
	}
	total := uint32(0)
	for i, c := range starts {
		total += c
		starts[i] = total // the end, for now; filling moves it to the start
	}
	added := make([]uint32, total)
	for kind, es := range l.edges {
		sets := edgeSets[kind]
		for _, e := range es {
			a, b := uint32(e>>32), uint32(e)
			p := &starts[uint64(a)*numSets+uint64(sets[0])]
			*p--
			added[*p] = sortedset.Perm(b)
			if sets[1] >= 0 {
				p := &starts[uint64(b)*numSets+uint64(sets[1])]
				*p--
				added[*p] = sortedset.Perm(a)
			}
		}
		l.edges[kind] = nil
	}

	// Sort each user's new keys and count what each set will hold, to
	// size one slab exactly for every new block (a slab sized for the
	// worst case would hold the space of every duplicate edge for good).
	ulen := make([]uint32, n*numSets) // new keys per set, once sorted and unique
	words := 0
	for u := range n {
		lo, hi := starts[u*numSets], starts[(u+1)*numSets]
		if lo == hi {
			continue
		}
		v := m.users.At(uint32(u)).Val.view()
		var lens [sortedset.MaxSets]int
		for s := range numSets {
			i := u*numSets + s
			add := sortUnique(added[starts[i]:starts[i+1]])
			ulen[i] = uint32(len(add))
			lens[s] = v.size(s)
			if len(add) > 0 {
				lens[s] = v.size(s) + len(add) - intersection(v.all(s, nil), add)
				if lens[s] > m.promote {
					lens[s] = 0 // hashed: not in the block
				}
			} else if !v.inBlock(s) {
				lens[s] = 0
			}
		}
		words += sortedset.Words(numSets, &lens)
	}
	slab := make([]uint32, words)
	var merged [numSets][]uint32
	for u := range n {
		lo, hi := starts[u*numSets], starts[(u+1)*numSets]
		if lo == hi {
			continue
		}
		nd := &m.users.At(uint32(u)).Val
		v := nd.view()
		var next sortedset.View
		bigs := [numSets]*sortedset.Big{}
		if v.x != nil {
			bigs = v.x.big
		}
		var lens [sortedset.MaxSets]int
		for s := range numSets {
			i := u*numSets + s
			add := added[starts[i] : starts[i]+ulen[i]]
			next[s] = v.set(s) // and bigs[s] as it was, if nothing is added
			if len(add) > 0 {
				next[s] = mergeUnique(merged[s][:0], v.all(s, nil), add)
				merged[s] = next[s]
				bigs[s] = nil
				if len(next[s]) > m.promote {
					bigs[s] = sortedset.NewBig(next[s])
					next[s] = nil
				}
			}
			lens[s] = len(next[s])
		}
		w := sortedset.Words(numSets, &lens)
		block := sortedset.Write(slab[:w:w], numSets, &next)
		slab = slab[w:]
		// Sets only grow here, so a set only ever leaves the block: ext
		// first, then the block (see view).
		nd.ver.Add(1)
		if bigs != [numSets]*sortedset.Big{} || v.x != nil {
			nd.ext.Store(v.x.with(func(c *ext) { c.big = bigs }))
		}
		nd.sets.Store(block)
		nd.ver.Add(1)
	}
	return nil
}

// intersection returns how many values the sorted sets a and b share.
func intersection(a, b []uint32) int {
	n := 0
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			a = a[1:]
		case a[0] > b[0]:
			b = b[1:]
		default:
			n++
			a, b = a[1:], b[1:]
		}
	}
	return n
}

// mergeUnique appends to dst the union of the sorted sets a and b.
func mergeUnique(dst, a, b []uint32) []uint32 {
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0] < b[0]:
			dst, a = append(dst, a[0]), a[1:]
		case a[0] > b[0]:
			dst, b = append(dst, b[0]), b[1:]
		default:
			dst, a, b = append(dst, a[0]), a[1:], b[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}
